using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace M365SmtpTools.Cli.Binding;

/// <summary>
/// Factories for the tool's options, so every option parses the same way and a bad value is reported naming the option
/// and the accepted values (<c>--environment: 'Mars' is not one of Commercial, USGovGCCHigh, USGovDoD, China.</c>).
/// </summary>
internal static class CliOptions
{
    /// <summary>A text value.</summary>
    public static Option<string?> Text(string name, string helpName, string description) =>
        new(name) { Description = description, HelpName = helpName };

    /// <summary>A repeatable text value (<c>--to a@x --to b@y</c>); commas inside one value are kept.</summary>
    public static Option<string[]> List(string name, string helpName, string description) =>
        new(name)
        {
            Description = description + " Repeat the option for several values.",
            HelpName = helpName,
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = false
        };

    /// <summary>A switch: present means true.</summary>
    public static Option<bool> Flag(string name, string description) =>
        new(name) { Description = description, Arity = ArgumentArity.Zero };

    /// <summary>A whole number from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public static Option<int> Int(string name, int min, int max, string description) =>
        new(name)
        {
            Description = description,
            HelpName = $"{min}-{max}",
            CustomParser = result =>
            {
                string text = Single(result);
                if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) || value < min || value > max)
                {
                    result.AddError($"{name}: '{text}' is not a whole number from {min} to {max}.");
                    return 0;
                }
                return value;
            },
        };

    /// <summary>A GUID.</summary>
    public static Option<Guid> Guid(string name, string helpName, string description) =>
        new(name)
        {
            Description = description,
            HelpName = helpName,
            CustomParser = result =>
            {
                string text = Single(result);
                if (System.Guid.TryParse(text, out Guid g)) return g;
                result.AddError($"{name}: '{text}' is not a GUID (e.g. 00000000-0000-0000-0000-000000000000).");
                return default;
            },
        };

    /// <summary>One of an enum's names (case-insensitive; numbers are not accepted).</summary>
    public static Option<T> Enum<T>(string name, string description) where T : struct, Enum
    {
        string[] names = System.Enum.GetNames<T>();
        return new Option<T>(name)
        {
            Description = $"{description} One of: {string.Join(", ", names)}.",
            HelpName = string.Join("|", names),
            CustomParser = result =>
            {
                string text = Single(result);
                string? match = names.FirstOrDefault(n => n.Equals(text, StringComparison.OrdinalIgnoreCase));
                if (match != null) return System.Enum.Parse<T>(match);
                result.AddError($"{name}: '{text}' is not one of {string.Join(", ", names)}.");
                return default;
            },
        };
    }

    /// <summary>A [Flags] enum: the option repeated (or comma-separated) names, combined.</summary>
    public static Option<T> Flags<T>(string name, string description) where T : struct, Enum
    {
        string[] names = System.Enum.GetNames<T>();
        return new Option<T>(name)
        {
            Description = $"{description} One or more of: {string.Join(", ", names)} (repeat the option or separate with commas).",
            HelpName = string.Join("|", names),
            Arity = ArgumentArity.OneOrMore,
            CustomParser = result =>
            {
                ulong combined = 0;
                foreach (string text in result.Tokens.SelectMany(t => t.Value.Split(',')).Select(t => t.Trim()).Where(t => t.Length > 0))
                {
                    string? match = names.FirstOrDefault(n => n.Equals(text, StringComparison.OrdinalIgnoreCase));
                    if (match == null)
                    {
                        result.AddError($"{name}: '{text}' is not one of {string.Join(", ", names)}.");
                        return default;
                    }
                    combined |= System.Convert.ToUInt64(System.Enum.Parse<T>(match));
                }
                return (T)System.Enum.ToObject(typeof(T), combined);
            },
        };
    }

    private static string Single(ArgumentResult result) => result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
}
