using System.CommandLine;
using System.CommandLine.Help;
using System.Reflection;
using M365SmtpTools.Cli.Binding;
using M365SmtpTools.Cli.Commands;
using M365SmtpTools.Engine.Auth;

namespace M365SmtpTools.Cli.Tests;

/// <summary>
/// Every option has a request property and every request property has an option or an explicit, documented exclusion,
/// read by reflection over the request type, as the cmdlet surface test does for parameters.
/// </summary>
public sealed class MappingTests
{
    private static CliApp NewApp() => new(TextWriter.Null, TextWriter.Null, TextReader.Null, _ => null, false, false);

    /// <summary>The mapping failures of one command (empty when the mapping is complete).</summary>
    internal static List<string> Failures(ICliCommand c, Command command)
    {
        var failures = new List<string>();
        IRequestBinding binding = c.Binding;
        var mapped = binding.Entries.ToDictionary(e => e.Symbol, e => e.Property);
        foreach (Option o in command.Options.Where(o => o is not HelpOption && !o.Recursive))
            if (!mapped.ContainsKey(o) && !binding.CliOnlyOptions.ContainsKey(o)) failures.Add($"{c.Name} {o.Name}: no request property");
        foreach (var (o, reason) in binding.CliOnlyOptions)
            if (string.IsNullOrWhiteSpace(reason) || !command.Options.Contains(o))
                failures.Add($"{c.Name} {o.Name}: command-line-only without a reason or not on the command");
        foreach (Argument a in command.Arguments)
            if (!mapped.ContainsKey(a)) failures.Add($"{c.Name} <{a.Name}>: no request property");
        // A group property (SendMailRequest.Message) is bound through its own properties, named as the request's.
        var properties = Settable(binding.RequestType).Where(p => !binding.Groups.Contains(p))
            .Concat(binding.Groups.SelectMany(g => Settable(g.PropertyType))).Select(p => p.Name).ToHashSet();
        foreach (var e in binding.Entries)
        {
            if (!properties.Contains(e.Property))
                failures.Add($"{c.Name} {e.DisplayName}: {binding.RequestType.Name} has no settable property {e.Property}");
            if (e.Symbol is Option o && !command.Options.Contains(o))
                failures.Add($"{c.Name} {e.DisplayName}: mapped but not on the command");
        }
        foreach (string p in properties)
        {
            bool isMapped = binding.Entries.Any(e => e.Property == p);
            bool isExcluded = binding.Exclusions.ContainsKey(p);
            if (!isMapped && !isExcluded)
                failures.Add($"{binding.RequestType.Name}.{p}: no option on '{c.Name}' and no documented exclusion");
            if (isMapped && isExcluded) failures.Add($"{binding.RequestType.Name}.{p}: both mapped and excluded on '{c.Name}'");
        }
        foreach (var (p, reason) in binding.Exclusions)
        {
            if (!properties.Contains(p)) failures.Add($"{c.Name}: excludes {p}, which {binding.RequestType.Name} doesn't have");
            if (string.IsNullOrWhiteSpace(reason)) failures.Add($"{c.Name}: the exclusion of {p} has no reason");
        }
        return failures;
    }

    private static IEnumerable<PropertyInfo> Settable(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && p.SetMethod!.IsPublic);

    [Fact]
    public void Every_option_has_a_request_property_and_every_property_an_option_or_a_documented_exclusion()
    {
        CliApp app = NewApp();
        var failures = new List<string>();
        foreach (ICliCommand c in CliApp.CreateCommands())
            failures.AddRange(Failures(c, c.Build(app)));
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public void Options_are_kebab_case_of_their_property_unless_they_take_a_secret_source()
    {
        foreach (ICliCommand c in CliApp.CreateCommands())
            foreach (var e in c.Binding.Entries.Where(e => e.Symbol is Option))
            {
                string kebab = "--" + System.Text.RegularExpressions.Regex.Replace(e.Property,
                    "(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "-").ToLowerInvariant();
                bool secretSource = e.DisplayName.EndsWith("-env") || e.DisplayName == "--password-stdin";
                Assert.True(secretSource ? e.DisplayName.StartsWith(kebab) || e.Property == "Credential" : e.DisplayName == kebab,
                    $"{c.Name}: option {e.DisplayName} for {e.Property} (expected {kebab})");
            }
    }

    [Theory]
    [InlineData("SenderIPAddress", "--sender-ip-address")]
    [InlineData("TimeoutSeconds", "--timeout-seconds")]
    [InlineData("AppId", "--app-id")]
    public void Kebab_case_treats_acronyms_as_one_word(string property, string option) =>
        Assert.Equal(option, "--" + System.Text.RegularExpressions.Regex.Replace(property,
            "(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "-").ToLowerInvariant());

    [Fact]
    public void Every_auth_option_property_is_covered_by_the_shared_group()
    {
        var binding = new RequestBinding<SmtpAuthOptions>().AddAuthOptions();
        var properties = typeof(SmtpAuthOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite).Select(p => p.Name);
        Assert.Empty(properties.Except(binding.Entries.Select(e => e.Property)).Except(binding.Exclusions.Keys));
        Assert.Equal(new[] { "Certificate" }, binding.Exclusions.Keys);
    }

    // The check itself can fail: a request with a property nobody mapped, an option mapped to nothing.
    private sealed class FakeRequest
    {
        public string? Mapped { get; set; }
        public int Forgotten { get; set; }
        public bool Dropped { get; set; }
    }

    private sealed class FakeCommand : CliCommand<FakeRequest>
    {
        public override string Name => "fake";
        public override string Cmdlet => "Get-M365Fake";
        public override string Description => "A command with an incomplete mapping.";
        public override IReadOnlyList<(string CommandLine, string Explanation)> Examples => new (string, string)[0];
        protected override RequestBinding<FakeRequest> CreateBinding() => new RequestBinding<FakeRequest>()
            .Map(CliOptions.Text("--mapped", "X", "Mapped."), r => r.Mapped)
            .Exclude(r => r.Dropped, "Not offered on purpose.")
            .CliOnly(CliOptions.Text("--feed", "FILE", "Feeds the command, not the request."), "Read by the command itself.");
        public override Task<int> RunAsync(FakeRequest request, CliSession session, CancellationToken cancellationToken) =>
            Task.FromResult(0);
    }

    [Fact]
    public void The_check_reports_an_unmapped_property_and_an_unmapped_option()
    {
        var fake = new FakeCommand();
        Command command = fake.Build(NewApp());
        command.Add(CliOptions.Flag("--stray", "An option added outside the mapping."));
        Assert.Equal(new[] { "FakeRequest.Forgotten: no option on 'fake' and no documented exclusion",
                "fake --stray: no request property" },
            Failures(fake, command).OrderBy(f => f, StringComparer.Ordinal));
    }

    [Fact]
    public void The_binding_refuses_incompatible_types_and_double_mappings_and_reasonless_exclusions()
    {
        Assert.Throws<InvalidOperationException>(() => new RequestBinding<FakeRequest>()
            .Map(CliOptions.Text("--forgotten", "N", "x"), r => r.Forgotten));
        Assert.Throws<InvalidOperationException>(() => new RequestBinding<FakeRequest>()
            .Map(CliOptions.Text("--a", "X", "x"), r => r.Mapped).Map(CliOptions.Text("--b", "X", "x"), r => r.Mapped));
        Assert.Throws<ArgumentException>(() => new RequestBinding<FakeRequest>().Exclude(r => r.Dropped, " "));
        Assert.Throws<ArgumentException>(() => new RequestBinding<FakeRequest>().CliOnly(CliOptions.Flag("--x", "x"), ""));
    }

    [Fact]
    public void Binding_sets_only_what_was_given_and_converts()
    {
        var mx = new MxCommand();
        Command command = mx.Build(NewApp());
        var root = new RootCommand { command };
        var request = mx.Binding.Bind(new BindContext(root.Parse(new[] { "mx", "a.test", "b.test", "--timeout-seconds", "7" }),
            _ => null, TextReader.Null, new SecretRedactor()));
        Assert.Equal(new[] { "a.test", "b.test" }, request.Domain);
        Assert.Equal(7, request.TimeoutSeconds);
        Assert.Null(request.DnsServer);
        Assert.False(request.IncludeDerivedGuess);

        var connect = new ConnectCommand();
        var root2 = new RootCommand { connect.Build(NewApp()) };
        var env = new Dictionary<string, string> { ["S"] = "s3cret-value" };
        var secrets = new SecretRedactor();
        var r = connect.Binding.Bind(new BindContext(root2.Parse(new[] { "connect", "--client-secret-env", "S", "--environment", "china",
                "--managed-identity" }),
            n => env.GetValueOrDefault(n), TextReader.Null, secrets));
        Assert.Equal(M365SmtpTools.Engine.Exchange.M365Environment.China, r.Environment);
        Assert.True(r.ManagedIdentity);
        Assert.Equal(587, r.Port); // not given: the request's default stays
        Assert.Equal(12, r.ClientSecret!.Length);
        Assert.Equal("key=*** and ***", secrets.Redact("key=s3cret-value and s3cret-value"));
    }

    [Flags]
    public enum Notify { None = 0, Success = 1, Failure = 2, Delay = 4 }

    [Fact]
    public void Flags_options_combine_repeated_and_comma_separated_names_and_reject_unknown_ones()
    {
        var option = CliOptions.Flags<Notify>("--notify", "Notifications.");
        var root = new RootCommand { option };
        Assert.Equal(Notify.Success | Notify.Delay, root.Parse(new[] { "--notify", "success", "--notify", "Delay" }).GetValue(option));
        Assert.Equal(Notify.Failure | Notify.Delay, root.Parse(new[] { "--notify", "Failure,delay" }).GetValue(option));
        var bad = root.Parse(new[] { "--notify", "Sometimes" });
        Assert.Equal("--notify: 'Sometimes' is not one of None, Success, Failure, Delay.", Assert.Single(bad.Errors).Message);
    }

    [Fact]
    public void Engine_parameter_names_are_rewritten_to_option_names()
    {
        IRequestBinding b = new ConnectCommand().Binding;
        Assert.Equal("--client-secret-env needs --tenant-id; use --managed-identity or -Certificate; -Unknown stays; "
            + "a-ClientId in a word stays",
            b.TranslateParameterNames("-ClientSecret needs -TenantId; use -ManagedIdentity or -Certificate; -Unknown stays; "
                + "a-ClientId in a word stays"));
    }
}
