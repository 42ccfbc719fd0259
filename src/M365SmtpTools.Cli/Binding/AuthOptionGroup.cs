using System.CommandLine;
using System.Net;
using M365SmtpTools.Engine.Auth;
using M365SmtpTools.Engine.Exchange;

namespace M365SmtpTools.Cli.Binding;

/// <summary>
/// The authentication options shared by every command whose request derives from <see cref="SmtpAuthOptions"/>
/// (connect, send, test): the cmdlets' auth parameters, except that secrets never go on the command line, where they
/// would leak into process lists and shell history. A secret comes from an environment variable whose NAME is given
/// (<c>--client-secret-env</c>, <c>--access-token-env</c>, <c>--certificate-password-env</c>) or from stdin
/// (<c>--password-stdin</c>).
/// </summary>
internal static class AuthOptionGroup
{
    /// <summary>Why <see cref="SmtpAuthOptions.Certificate"/> has no option.</summary>
    public const string CertificateExclusion =
        "An X509Certificate2 object can't be given on a command line; --certificate-path (PFX file) and --certificate-thumbprint " +
            "(Windows store) cover it.";

    /// <summary>
    /// Adds the auth options to a binding (one mapping line each). Their text is the cmdlets' (AuthParameterText) plus
    /// how a value is given here; <c>{Name}</c> becomes the option that sets Name when the binding adds the options.
    /// </summary>
    public static RequestBinding<T> AddAuthOptions<T>(this RequestBinding<T> binding) where T : SmtpAuthOptions, new()
    {
        Option<string?> userName = CliOptions.Text("--user-name", "MAILBOX",
            AuthParameterText.UserName + " With {Credential}, the Basic-auth user name.");
        userName.Aliases.Add("--username");

        return binding
            .Map(CliOptions.Text("--tenant-id", "TENANT", AuthParameterText.TenantId), r => r.TenantId)
            .Map(CliOptions.Text("--client-id", "GUID", AuthParameterText.ClientId), r => r.ClientId)
            .Map(CliOptions.Text("--certificate-path", "FILE", AuthParameterText.CertificatePath), r => r.CertificatePath)
            .Map(CliOptions.Text("--certificate-password-env", "NAME", AuthParameterText.CertificatePassword + FromEnvironment("password")),
                r => r.CertificatePassword,
                (name, context) => SecretText.ToSecureString(context.SecretFromEnvironment("--certificate-password-env", name!)))
            .Map(CliOptions.Text("--certificate-thumbprint", "THUMBPRINT", AuthParameterText.CertificateThumbprint),
                r => r.CertificateThumbprint)
            .Exclude(r => r.Certificate, CertificateExclusion)
            .Map(CliOptions.Text("--client-secret-env", "NAME", AuthParameterText.ClientSecret + FromEnvironment("secret")),
                r => r.ClientSecret,
                (name, context) => SecretText.ToSecureString(context.SecretFromEnvironment("--client-secret-env", name!)))
            .Map(CliOptions.Flag("--managed-identity", AuthParameterText.ManagedIdentity), r => r.ManagedIdentity)
            .Map(CliOptions.Text("--managed-identity-client-id", "GUID", AuthParameterText.ManagedIdentityClientId),
                r => r.ManagedIdentityClientId)
            .Map(CliOptions.Flag("--device-code", AuthParameterText.DeviceCode + " The code and URL go to stderr."), r => r.DeviceCode)
            .Map(CliOptions.Flag("--interactive", AuthParameterText.Interactive), r => r.Interactive)
            .Map(CliOptions.Text("--access-token-env", "NAME", AuthParameterText.AccessToken +
                    " For example from az account get-access-token --resource https://outlook.office365.com." + FromEnvironment("token")),
                r => r.AccessToken,
                (name, context) => SecretText.ToSecureString(context.SecretFromEnvironment("--access-token-env", name!)))
            .Map(CliOptions.Flag("--password-stdin",
                    AuthParameterText.Credential + " The password is the first line of stdin; the user name is {UserName}."),
                r => r.Credential, (given, context) => given ? Credential(context, userName) : null)
            .Map(CliOptions.Enum<M365Environment>("--environment", AuthParameterText.Environment + " Default Commercial."),
                r => r.Environment)
            .Map(userName, r => r.UserName)
            .Map(CliOptions.Flag("--persist-token-cache", AuthParameterText.PersistTokenCache), r => r.PersistTokenCache)
            .Map(CliOptions.Text("--authority-host", "HOST", AuthParameterText.AuthorityHost), r => r.AuthorityHost)
            .Map(CliOptions.Text("--scope", "SCOPE", AuthParameterText.Scope), r => r.Scope);
    }

    // The ways to get a token both SMTP and Microsoft Graph take, with what each needs; {Name} is rendered as this
    // command's option for Name.
    private const string TokenWays =
        "{CertificatePath}, {CertificateThumbprint} or {ClientSecret} with {TenantId}, {ClientId} and {UserName}; " +
        "{ManagedIdentity} with {UserName}; {DeviceCode} or {Interactive} with {ClientId}";

    /// <summary>The ways to authenticate to SMTP: a token, or a password while Basic authentication lasts.</summary>
    internal const string SmtpWays =
        TokenWays + "; {AccessToken}; or {Credential} with {UserName} (Basic authentication, being retired)";

    /// <summary>The ways to get a token for Microsoft Graph, which takes no password.</summary>
    internal const string GraphWays = TokenWays + "; or {AccessToken} with a token for Microsoft Graph";

    /// <summary>
    /// Fails with a usage error when the request gives no way to authenticate. The cmdlets then use the session's
    /// connection (Connect-M365Smtp); the command line keeps none between runs, so here the fix is always an option of
    /// this command, named as it is typed. <paramref name="otherwise"/> ends the sentence with what else would do.
    /// </summary>
    public static void RequireAuth(SmtpAuthOptions request, IRequestBinding binding, string what, string ways,
        string otherwise = "")
    {
        if (request.SpecifiesAuthMethod()) return;
        string options = binding.RenderOptionNames(ways, "The list of ways to authenticate");
        throw new CliUsageException(null,
            $"{what} needs a way to authenticate, and the command line keeps no connection between runs. Give {options}{otherwise}.");
    }

    // Secrets never go on the command line: the option names the environment variable that holds one.
    private static string FromEnvironment(string secret) =>
        $" Give the NAME of an environment variable holding the {secret} (never the {secret} itself).";

    private static NetworkCredential Credential(BindContext context, Option<string?> userName)
    {
        string? user = context.ParseResult.GetValue(userName);
        if (string.IsNullOrWhiteSpace(user))
            throw new CliUsageException("--password-stdin", "needs --user-name: the mailbox (or ACS username) the password belongs to.");
        return new NetworkCredential(user, SecretText.ToSecureString(context.SecretFromStdin("--password-stdin")));
    }
}
