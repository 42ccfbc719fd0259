namespace M365SmtpTools.Engine.Tests;

/// <summary>Text shared by the front ends: {Name} is the parameter that sets Name, written as each front end writes it.</summary>
public sealed class ParameterTextTests
{
    [Fact]
    public void Each_placeholder_becomes_the_front_ends_name_and_other_braces_stay()
    {
        string text = "Needs {ClientId}; {DeviceCode} or {Interactive}. A format {0}, a {lower} word and {} stay.";
        Assert.Equal("Needs --client-id; --device-code or --interactive. A format {0}, a {lower} word and {} stay.",
            ParameterText.Render(text,
                name => "--" + System.Text.RegularExpressions.Regex.Replace(name, "(?<=.)([A-Z])", "-$1").ToLowerInvariant()));
        Assert.Equal("Needs -ClientId; -DeviceCode or -Interactive. A format {0}, a {lower} word and {} stay.",
            ParameterText.ForPowerShell(text));
    }

    [Fact]
    public void Every_placeholder_of_the_auth_text_is_a_property_of_the_auth_options()
    {
        var properties = typeof(M365SmtpTools.Engine.Auth.SmtpAuthOptions).GetProperties().Select(p => p.Name).ToHashSet();
        foreach (var field in typeof(M365SmtpTools.Engine.Auth.AuthParameterText).GetFields().Where(f => f.IsLiteral))
        {
            Assert.Contains(field.Name, properties);
            ParameterText.Render((string)field.GetRawConstantValue()!,
                name => properties.Contains(name) ? name : throw new Xunit.Sdk.XunitException(
                    $"AuthParameterText.{field.Name} names {{{name}}}, which is not a property of SmtpAuthOptions."));
        }
    }
}
