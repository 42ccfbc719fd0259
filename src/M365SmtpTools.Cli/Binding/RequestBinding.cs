using System.CommandLine;
using System.CommandLine.Parsing;
using System.Linq.Expressions;
using System.Reflection;
using System.Text.RegularExpressions;
using M365SmtpTools.Engine;

namespace M365SmtpTools.Cli.Binding;

/// <summary>One command-line symbol (option or argument) and the request property it sets.</summary>
internal sealed record BindingEntry(Symbol Symbol, string Property)
{
    /// <summary>The name as typed on the command line: <c>--dns-server</c>, or <c>&lt;domain&gt;</c> for an argument.</summary>
    public string DisplayName => Symbol is Argument a ? $"<{a.Name}>" : Symbol.Name;
}

/// <summary>The mapping of one command onto its engine request, as the tests and the error translator see it.</summary>
internal interface IRequestBinding
{
    /// <summary>The engine request type (e.g. GetMxEndpointRequest).</summary>
    Type RequestType { get; }

    /// <summary>Every option and argument with the property it sets.</summary>
    IReadOnlyList<BindingEntry> Entries { get; }

    /// <summary>Request properties deliberately without an option, with the reason (shown in the mapping test's failures and
    /// the report).</summary>
    IReadOnlyDictionary<string, string> Exclusions { get; }

    /// <summary>Options that set no request property because they feed the command itself (e.g. --batch), with the reason.</summary>
    IReadOnlyDictionary<Option, string> CliOnlyOptions { get; }

    /// <summary>
    /// Request properties that group others (SendMailRequest.Message): their properties are bound (and named) as if
    /// they were the request's own.
    /// </summary>
    IReadOnlyCollection<PropertyInfo> Groups { get; }

    /// <summary>The option or argument that sets a property, as typed on the command line; null when none.</summary>
    string? DisplayNameFor(string property);

    /// <summary>
    /// Shared text with <c>{Name}</c> placeholders (ParameterText) as this command's users type it: each becomes the
    /// option that sets Name. A placeholder this command has no option for is a programming error, reported with
    /// <paramref name="whose"/> (the text's owner).
    /// </summary>
    string RenderOptionNames(string text, string whose);

    /// <summary>
    /// Rewrites PowerShell parameter names in an engine message (<c>-TimeoutSeconds</c>) to this command's option names
    /// (<c>--timeout-seconds</c>), so the message names what the user typed.
    /// </summary>
    string TranslateParameterNames(string text);
}

/// <summary>
/// The declarative mapping of one command onto its engine request: one line per option (option → property, with an
/// optional converter), and an explicit, documented exclusion for any property the command doesn't offer. Options not
/// given on the command line leave the request's default untouched; arguments are always bound.
/// </summary>
internal sealed class RequestBinding<TRequest> : IRequestBinding where TRequest : new()
{
    private readonly List<(BindingEntry Entry, Action<TRequest, BindContext> Apply)> _entries = new();
    private readonly Dictionary<string, string> _exclusions = new(StringComparer.Ordinal);
    private readonly Dictionary<Option, string> _cliOnly = new();
    private readonly HashSet<PropertyInfo> _groups = new();

    /// <inheritdoc />
    public Type RequestType => typeof(TRequest);

    /// <inheritdoc />
    public IReadOnlyList<BindingEntry> Entries => _entries.Select(e => e.Entry).ToList();

    /// <inheritdoc />
    public IReadOnlyDictionary<string, string> Exclusions => _exclusions;

    /// <inheritdoc />
    public IReadOnlyDictionary<Option, string> CliOnlyOptions => _cliOnly;

    /// <inheritdoc />
    public IReadOnlyCollection<PropertyInfo> Groups => _groups;

    /// <summary>Maps an option to a property of a compatible type (same type, or T to T?).</summary>
    public RequestBinding<TRequest> Map<T, TProp>(Option<T> option, Expression<Func<TRequest, TProp>> property)
    {
        if (!typeof(TProp).IsAssignableFrom(typeof(T)) && Nullable.GetUnderlyingType(typeof(TProp)) != typeof(T))
            throw new InvalidOperationException($"{option.Name} ({typeof(T).Name}) can't set " +
                $"{typeof(TRequest).Name}.{PathOf(property).Name} ({typeof(TProp).Name}) without a converter.");
        return Map(option, property, (value, _) => (TProp)(object)value!);
    }

    /// <summary>Maps an option to a property through a converter (which may read the environment or stdin, and throws
    /// <see cref="CliUsageException"/> for a bad value).</summary>
    public RequestBinding<TRequest> Map<T, TProp>(Option<T> option, Expression<Func<TRequest, TProp>> property,
        Func<T, BindContext, TProp> convert)
    {
        PropertyPath prop = PathOf(property);
        Add(new BindingEntry(option, prop.Name), (request, context) =>
        {
            OptionResult? result = context.ParseResult.GetResult(option);
            if (result == null || result.Implicit) return;
            T value = context.ParseResult.GetValue(option)!;
            prop.SetValue(request!, Convert(option.Name, () => convert(value, context)));
        });
        return this;
    }

    /// <summary>Maps a positional argument to a property of a compatible type.</summary>
    public RequestBinding<TRequest> Map<T, TProp>(Argument<T> argument, Expression<Func<TRequest, TProp>> property)
    {
        PropertyPath prop = PathOf(property);
        if (!typeof(TProp).IsAssignableFrom(typeof(T)))
            throw new InvalidOperationException($"<{argument.Name}> ({typeof(T).Name}) can't set {typeof(TRequest).Name}.{prop.Name} " +
                $"({typeof(TProp).Name}).");
        // System.CommandLine hands an unknown --option to a positional argument as a value; no value of ours starts with '-'.
        argument.Validators.Add(result =>
        {
            foreach (var token in result.Tokens.Where(t => t.Value.StartsWith('-')))
                result.AddError($"'{token.Value}' is not an option of this command (and not a valid <{argument.Name}>); see --help for " +
                    "the options.");
        });
        Add(new BindingEntry(argument, prop.Name), (request, context) => prop.SetValue(request!, context.ParseResult.GetValue(argument)));
        return this;
    }

    /// <summary>Declares that a request property has no option on purpose; <paramref name="reason"/> says why (required,
    /// non-empty).</summary>
    public RequestBinding<TRequest> Exclude<TProp>(Expression<Func<TRequest, TProp>> property, string reason)
    {
        if (string.IsNullOrWhiteSpace(reason)) throw new ArgumentException("An exclusion needs a reason.", nameof(reason));
        _exclusions.Add(PathOf(property).Name, reason);
        return this;
    }

    /// <summary>
    /// Declares an option that sets no request property because the command itself uses it (read it with
    /// <c>ParseResult.GetValue</c>); <paramref name="reason"/> says what it feeds (required, non-empty).
    /// </summary>
    public RequestBinding<TRequest> CliOnly(Option option, string reason)
    {
        if (string.IsNullOrWhiteSpace(reason)) throw new ArgumentException("A command-line-only option needs a reason.", nameof(reason));
        _cliOnly.Add(option, reason);
        return this;
    }

    /// <summary>
    /// Adds every mapped option and argument, then the command-line-only options, to the command. Texts shared with
    /// the cmdlets name other parameters as <c>{Property}</c> (<see cref="ParameterText"/>): each becomes the option
    /// that sets the property here, and a text naming a property this command has no option for is a bug.
    /// </summary>
    public void AddTo(Command command)
    {
        foreach (Symbol symbol in _entries.Select(e => e.Entry.Symbol).Concat(_cliOnly.Keys))
            if (symbol.Description != null)
                symbol.Description = RenderOptionNames(symbol.Description, "The text of " + symbol.Name);
        foreach (var (entry, _) in _entries)
        {
            if (entry.Symbol is Option o) command.Add(o);
            else if (entry.Symbol is Argument a) command.Add(a);
        }
        foreach (Option o in _cliOnly.Keys) command.Add(o);
    }

    /// <summary>Builds the request from the parse result.</summary>
    public TRequest Bind(BindContext context)
    {
        var request = new TRequest();
        foreach (var (_, apply) in _entries) apply(request, context);
        return request;
    }

    /// <inheritdoc />
    public string? DisplayNameFor(string property) =>
        _entries.Select(e => e.Entry).FirstOrDefault(e => e.Property == property)?.DisplayName;

    /// <inheritdoc />
    public string RenderOptionNames(string text, string whose) =>
        ParameterText.Render(text, property => DisplayNameFor(property)
            ?? throw new InvalidOperationException($"{whose} names {{{property}}}, which no option of this command sets."));

    /// <inheritdoc />
    public string TranslateParameterNames(string text) =>
        Regex.Replace(text, @"(?<![\w-])-([A-Z][A-Za-z0-9]+)\b", m => DisplayNameFor(m.Groups[1].Value) ?? m.Value);

    private void Add(BindingEntry entry, Action<TRequest, BindContext> apply)
    {
        if (_entries.Any(e => e.Entry.Property == entry.Property))
            throw new InvalidOperationException($"{typeof(TRequest).Name}.{entry.Property} is mapped twice.");
        _entries.Add((entry, apply));
    }

    private static object? Convert(string option, Func<object?> convert)
    {
        try
        {
            return convert();
        }
        catch (CliUsageException)
        {
            throw;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            throw new CliUsageException(option, e.Message);
        }
    }

    // A property of the request (r => r.Subject), or of a group property of it (r => r.Message.Subject): the group
    // is created with the request, so binding sets the leaf on it; entries are named by the leaf.
    private PropertyPath PathOf<TProp>(Expression<Func<TRequest, TProp>> property)
    {
        Expression body = property.Body is UnaryExpression { NodeType: ExpressionType.Convert } u ? u.Operand : property.Body;
        if (body is MemberExpression { Member: PropertyInfo leaf } m && leaf.CanWrite && leaf.SetMethod!.IsPublic)
        {
            if (m.Expression is ParameterExpression)
                return new PropertyPath(null, typeof(TRequest).GetProperty(leaf.Name, BindingFlags.Public | BindingFlags.Instance) ?? leaf);
            if (m.Expression is MemberExpression { Member: PropertyInfo group, Expression: ParameterExpression })
            {
                _groups.Add(group);
                return new PropertyPath(group, leaf);
            }
        }
        throw new ArgumentException($"'{property}' is not a settable property of {typeof(TRequest).Name} or of one of its groups.",
            nameof(property));
    }

    private sealed record PropertyPath(PropertyInfo? Group, PropertyInfo Leaf)
    {
        public string Name => Leaf.Name;

        public void SetValue(object request, object? value) =>
            Leaf.SetValue(Group == null ? request : Group.GetValue(request)
                ?? throw new InvalidOperationException($"{request.GetType().Name}.{Group.Name} is null on a new request."), value);
    }
}
