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

    /// <summary>Adds the auth options to a binding (one mapping line each).</summary>
    public static RequestBinding<T> AddAuthOptions<T>(this RequestBinding<T> binding) where T : SmtpAuthOptions, new()
    {
        Option<string?> userName = CliOptions.Text("--user-name", "MAILBOX",
            "The mailbox that authenticates (the XOAUTH2 user=); for app-only (certificate, client secret, managed identity) the mailbox " +
                "to send as, required. With --password-stdin, the Basic-auth user name.");
        userName.Aliases.Add("--username");

        return binding
            .Map(CliOptions.Text("--tenant-id", "TENANT", "The Entra ID tenant: a GUID or a verified domain (contoso.onmicrosoft.com). Required for app-only (certificate, client secret)."), r => r.TenantId)
            .Map(CliOptions.Text("--client-id", "GUID", "The application (client) id of the app registration (app-only, device code, interactive)."), r => r.ClientId)
            .Map(CliOptions.Text("--certificate-path", "FILE", "App-only with a certificate: a PFX/PKCS#12 file with the private key. Its password, if any, comes from --certificate-password-env."), r => r.CertificatePath)
            .Map(CliOptions.Text("--certificate-password-env", "NAME", "The NAME of an environment variable holding the PFX file's password (never the password itself)."), r => r.CertificatePassword,
                (name, context) => SecretText.ToSecureString(context.SecretFromEnvironment("--certificate-password-env", name!)))
            .Map(CliOptions.Text("--certificate-thumbprint", "THUMBPRINT", "App-only with a certificate from the Windows certificate store (CurrentUser\\My, then LocalMachine\\My). Windows only."), r => r.CertificateThumbprint)
            .Exclude(r => r.Certificate, CertificateExclusion)
            .Map(CliOptions.Text("--client-secret-env", "NAME", "App-only with a client secret: the NAME of an environment variable holding the secret's value (never the secret itself)."), r => r.ClientSecret,
                (name, context) => SecretText.ToSecureString(context.SecretFromEnvironment("--client-secret-env", name!)))
            .Map(CliOptions.Flag("--managed-identity", "App-only with the system-assigned managed identity of the Azure resource (VM, Automation, Functions, container)."), r => r.ManagedIdentity)
            .Map(CliOptions.Text("--managed-identity-client-id", "GUID", "App-only with a user-assigned managed identity: its client id."), r => r.ManagedIdentityClientId)
            .Map(CliOptions.Flag("--device-code", "Delegated: a person signs in with a device code; the code and URL are printed to stderr (needs --client-id)."), r => r.DeviceCode)
            .Map(CliOptions.Flag("--interactive", "Delegated: a person signs in with the system browser (needs --client-id and a desktop session)."), r => r.Interactive)
            .Map(CliOptions.Text("--access-token-env", "NAME", "A token obtained elsewhere (e.g. az account get-access-token --resource https://outlook.office365.com): the NAME of an environment variable holding it (never the token itself)."), r => r.AccessToken,
                (name, context) => SecretText.ToSecureString(context.SecretFromEnvironment("--access-token-env", name!)))
            .Map(CliOptions.Flag("--password-stdin", "Basic authentication (being retired for Microsoft 365): read the password from the first line of stdin; the user name is --user-name."), r => r.Credential,
                (given, context) => given ? Credential(context, userName) : null)
            .Map(CliOptions.Enum<M365Environment>("--environment", "The Microsoft 365 cloud: picks the token authority, scopes and SMTP host. Default Commercial."), r => r.Environment)
            .Map(userName, r => r.UserName)
            .Map(CliOptions.Flag("--persist-token-cache", "Keep tokens in an encrypted, platform-protected cache across runs (certificate, client secret, device code, interactive)."), r => r.PersistTokenCache)
            .Map(CliOptions.Text("--authority-host", "HOST", "Overrides the cloud's token authority host (e.g. login.microsoftonline.us)."), r => r.AuthorityHost)
            .Map(CliOptions.Text("--scope", "SCOPE", "Overrides the token scope (app-only: ends in /.default; delegated: the SMTP.Send scope)."), r => r.Scope);
    }

    private static NetworkCredential Credential(BindContext context, Option<string?> userName)
    {
        string? user = context.ParseResult.GetValue(userName);
        if (string.IsNullOrWhiteSpace(user))
            throw new CliUsageException("--password-stdin", "needs --user-name: the mailbox (or ACS username) the password belongs to.");
        return new NetworkCredential(user, SecretText.ToSecureString(context.SecretFromStdin("--password-stdin")));
    }
}
