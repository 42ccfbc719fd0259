using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Security;
using System.Security.Cryptography.X509Certificates;
using M365SmtpTools.Engine.Exchange;

namespace M365SmtpTools.Engine.Auth
{
    /// <summary>
    /// How to authenticate, as the parameters of Connect-M365Smtp, Send-M365Mail and Test-M365SmtpAuth give it: one
    /// property per parameter. Exactly one way must be chosen; <see cref="Validate"/> says which and reports mistakes
    /// naming the parameter. Secrets are held as SecureString and never appear in messages or <see cref="ToString"/>.
    /// </summary>
    public class SmtpAuthOptions
    {
        /// <summary>The Entra ID tenant: a GUID or a verified domain (contoso.onmicrosoft.com). Required for app-only.</summary>
        public string? TenantId { get; set; }

        /// <summary>The application (client) id of the app registration.</summary>
        public string? ClientId { get; set; }

        /// <summary>App-only with a certificate from the Windows certificate store (CurrentUser\My, then LocalMachine\My).</summary>
        public string? CertificateThumbprint { get; set; }

        /// <summary>App-only with a certificate from a PFX/PKCS#12 file (with its private key).</summary>
        public string? CertificatePath { get; set; }

        /// <summary>The password of the PFX file given with <see cref="CertificatePath"/>.</summary>
        public SecureString? CertificatePassword { get; set; }

        /// <summary>App-only with a certificate object that has a private key.</summary>
        public X509Certificate2? Certificate { get; set; }

        /// <summary>App-only with a client secret (the secret's value, not its id).</summary>
        public SecureString? ClientSecret { get; set; }

        /// <summary>App-only with the system-assigned managed identity of the Azure resource (Automation, VM, Functions).</summary>
        public bool ManagedIdentity { get; set; }

        /// <summary>App-only with a user-assigned managed identity: its client id.</summary>
        public string? ManagedIdentityClientId { get; set; }

        /// <summary>Delegated: a person signs in with a device code shown on the information stream.</summary>
        public bool DeviceCode { get; set; }

        /// <summary>Delegated: a person signs in with the system browser.</summary>
        public bool Interactive { get; set; }

        /// <summary>A token obtained elsewhere (e.g. Get-AzAccessToken -ResourceUrl https://outlook.office365.com).</summary>
        public SecureString? AccessToken { get; set; }

        /// <summary>Basic authentication: username and password (servers that still accept it).</summary>
        public NetworkCredential? Credential { get; set; }

        /// <summary>The cloud: picks the authority, scopes and SMTP host.</summary>
        public M365Environment Environment { get; set; } = M365Environment.Commercial;

        /// <summary>The mailbox authenticating over SMTP (the XOAUTH2 <c>user=</c>); for app-only, the mailbox to send as.</summary>
        public string? UserName { get; set; }

        /// <summary>Keep tokens in an encrypted, platform-protected cache across sessions (never a plain file).</summary>
        public bool PersistTokenCache { get; set; }

        /// <summary>Overrides the cloud's authority host (e.g. login.microsoftonline.us).</summary>
        public string? AuthorityHost { get; set; }

        /// <summary>Overrides the scope asked for (app-only: ends in /.default; delegated: the SMTP.Send scope).</summary>
        public string? Scope { get; set; }

        /// <summary>
        /// Checks the options and returns the chosen way. Throws <see cref="M365SmtpException"/> (ErrorKind
        /// InvalidArgument) naming the parameter when none or several ways are chosen or a required value is missing.
        /// </summary>
        public SmtpAuthMethod Validate()
        {
            var chosen = new List<(SmtpAuthMethod Method, string Parameter)>();
            if (!string.IsNullOrWhiteSpace(CertificateThumbprint)) chosen.Add((SmtpAuthMethod.AppCertificate, "CertificateThumbprint"));
            if (!string.IsNullOrWhiteSpace(CertificatePath)) chosen.Add((SmtpAuthMethod.AppCertificate, "CertificatePath"));
            if (Certificate != null) chosen.Add((SmtpAuthMethod.AppCertificate, "Certificate"));
            if (ClientSecret != null) chosen.Add((SmtpAuthMethod.AppSecret, "ClientSecret"));
            if (ManagedIdentity) chosen.Add((SmtpAuthMethod.ManagedIdentity, "ManagedIdentity"));
            else if (!string.IsNullOrWhiteSpace(ManagedIdentityClientId))
                chosen.Add((SmtpAuthMethod.ManagedIdentity, "ManagedIdentityClientId"));
            if (DeviceCode) chosen.Add((SmtpAuthMethod.DeviceCode, "DeviceCode"));
            if (Interactive) chosen.Add((SmtpAuthMethod.Interactive, "Interactive"));
            if (AccessToken != null) chosen.Add((SmtpAuthMethod.AccessToken, "AccessToken"));
            if (Credential != null) chosen.Add((SmtpAuthMethod.Basic, "Credential"));

            if (chosen.Count == 0 && (!string.IsNullOrWhiteSpace(TenantId) || !string.IsNullOrWhiteSpace(ClientId)))
                throw Invalid(AuthErrorCodes.AppCredentialMissing, "CertificatePath",
                    $"-{(string.IsNullOrWhiteSpace(TenantId) ? "ClientId" : "TenantId")} was given without the app's credential: " +
                        $"signing in as the app needs -CertificatePath, -CertificateThumbprint, -Certificate or -ClientSecret.",
                    "Add the app's certificate (-CertificatePath with -CertificatePassword, -CertificateThumbprint or -Certificate) or " +
                        "-ClientSecret to -TenantId -ClientId -UserName; or, for a person signing in, -DeviceCode or -Interactive with " +
                        "-ClientId.");
            if (chosen.Count == 0)
                throw Invalid(AuthErrorCodes.AuthMethodMissing, null,
                    "No way to authenticate was given.",
                    "Give one of -CertificateThumbprint, -CertificatePath, -Certificate or -ClientSecret (with -TenantId and -ClientId), " +
                        "-ManagedIdentity, -DeviceCode or -Interactive (with -ClientId), -AccessToken, or -Credential.");
            if (chosen.Count > 1)
                throw Invalid(AuthErrorCodes.AuthMethodConflict, chosen[1].Parameter,
                    $"Several ways to authenticate were given (-{string.Join(", -", chosen.Select(c => c.Parameter))}); give only one.",
                    "Keep the parameter of the way you mean and remove the others.");

            SmtpAuthMethod method = chosen[0].Method;
            string way = chosen[0].Parameter;

            if (CertificatePassword != null && string.IsNullOrWhiteSpace(CertificatePath))
                throw Invalid(AuthErrorCodes.CertificatePasswordWithoutPath, "CertificatePassword",
                    "-CertificatePassword was given without -CertificatePath.", "Give -CertificatePath with the PFX file the password " +
                        "opens, or remove -CertificatePassword.");

            if (method == SmtpAuthMethod.AppCertificate || method == SmtpAuthMethod.AppSecret)
            {
                RequireValue(TenantId, AuthErrorCodes.TenantIdMissing, "TenantId", way,
                    "the tenant id (a GUID) or its domain, e.g. contoso.onmicrosoft.com");
                RequireValue(ClientId, AuthErrorCodes.ClientIdMissing, "ClientId", way, "the application (client) id of the app " +
                    "registration");
                string tenant = TenantId!.Trim();
                if (IsMultiTenantAlias(tenant))
                    throw Invalid(AuthErrorCodes.AppOnlyNeedsTenant, "TenantId",
                        $"-TenantId '{tenant}' is not a tenant: an app-only token (-{way}) must come from one specific tenant.",
                        "Give the tenant id (a GUID) or its domain, e.g. -TenantId contoso.onmicrosoft.com.");
                if (method == SmtpAuthMethod.AppSecret && SecretText.IsEmpty(ClientSecret))
                    throw Invalid(AuthErrorCodes.ClientSecretEmpty, "ClientSecret",
                        "-ClientSecret is empty.",
                        "Give the secret's Value from the app registration (Certificates & secrets), not its Secret ID.");
            }

            if (method == SmtpAuthMethod.ManagedIdentity && !string.IsNullOrWhiteSpace(ClientId))
                throw Invalid(AuthErrorCodes.ManagedIdentityWithClientId, "ClientId",
                    "-ClientId was given with -ManagedIdentity; a managed identity has no app registration to name.",
                    "For a user-assigned managed identity give its client id with -ManagedIdentityClientId; for the system-assigned one " +
                        "give -ManagedIdentity alone.");

            if (method.IsDelegated())
                RequireValue(ClientId, AuthErrorCodes.ClientIdMissing, "ClientId", way,
                    "the application (client) id of a public client app registration with the delegated permission SMTP.Send");

            if (method == SmtpAuthMethod.AccessToken && SecretText.IsEmpty(AccessToken))
                throw Invalid(AuthErrorCodes.AccessTokenEmpty, "AccessToken",
                    "-AccessToken is empty.",
                    "Pass the token itself, e.g. (Get-AzAccessToken -ResourceUrl https://outlook.office365.com -AsSecureString).Token.");

            if (method == SmtpAuthMethod.Basic)
            {
                if (string.IsNullOrWhiteSpace(Credential!.UserName))
                    throw Invalid(AuthErrorCodes.CredentialUserNameMissing, "Credential",
                        "-Credential has no user name.", "Give a credential whose user name is the mailbox (or the ACS username).");
                foreach (string p in new[] { "TenantId", "ClientId" })
                    if (!string.IsNullOrWhiteSpace(p == "TenantId" ? TenantId : ClientId))
                        throw Invalid(AuthErrorCodes.BasicWithOAuthParameter, p,
                            $"-{p} does not apply to -Credential (Basic authentication).",
                            $"Remove -{p}, or use an OAuth way instead of -Credential.");
            }

            if (method.IsAppOnly())
                RequireValue(UserName, AuthErrorCodes.UserNameMissing, "UserName", way,
                    "the mailbox to send as (the XOAUTH2 user=), e.g. scanner@contoso.com");

            if (PersistTokenCache && (method == SmtpAuthMethod.AccessToken || method == SmtpAuthMethod.Basic
                || method == SmtpAuthMethod.ManagedIdentity))
                throw Invalid(AuthErrorCodes.PersistTokenCacheNotApplicable, "PersistTokenCache",
                    $"-PersistTokenCache does not apply to -{way}: there is no token this module obtains and could keep.",
                    "Remove -PersistTokenCache, or use it with a certificate, client secret, device code or interactive sign-in.");

            if (!string.IsNullOrWhiteSpace(AuthorityHost))
            {
                string h = AuthorityHost!.Trim();
                if (h.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
                    throw Invalid(AuthErrorCodes.AuthorityHostNotHttps, "AuthorityHost",
                        $"-AuthorityHost '{h}' is not HTTPS.", "Give a host name such as login.microsoftonline.us (HTTPS is implied).");
            }
            return method;
        }

        /// <summary>
        /// True when any way to authenticate (or its -TenantId / -ClientId) was given; false means "use the session's connection"
        /// for commands that accept either (Send-M365Mail, Test-M365SmtpAuth).
        /// </summary>
        public bool SpecifiesAuthMethod() =>
            // -TenantId or -ClientId alone is an incomplete app sign-in, not "use the session connection".
            !string.IsNullOrWhiteSpace(TenantId) || !string.IsNullOrWhiteSpace(ClientId)
            || !string.IsNullOrWhiteSpace(CertificateThumbprint) || !string.IsNullOrWhiteSpace(CertificatePath) || Certificate != null
            || ClientSecret != null || ManagedIdentity || !string.IsNullOrWhiteSpace(ManagedIdentityClientId) || DeviceCode || Interactive
            || AccessToken != null || Credential != null;

        /// <summary>Copies every auth option to another options object (e.g. from a SendMailRequest to a ConnectSmtpRequest).</summary>
        public void CopyAuthOptionsTo(SmtpAuthOptions target)
        {
            target.TenantId = TenantId; target.ClientId = ClientId; target.CertificateThumbprint = CertificateThumbprint;
            target.CertificatePath = CertificatePath; target.CertificatePassword = CertificatePassword; target.Certificate = Certificate;
            target.ClientSecret = ClientSecret; target.ManagedIdentity = ManagedIdentity;
            target.ManagedIdentityClientId = ManagedIdentityClientId;
            target.DeviceCode = DeviceCode; target.Interactive = Interactive; target.AccessToken = AccessToken;
            target.Credential = Credential;
            target.Environment = Environment; target.UserName = UserName; target.PersistTokenCache = PersistTokenCache;
            target.AuthorityHost = AuthorityHost; target.Scope = Scope;
        }

        /// <summary>The tenant to put in the authority: the given one, or <c>organizations</c> for delegated sign-in without one.</summary>
        internal string EffectiveTenant => string.IsNullOrWhiteSpace(TenantId) ? "organizations" : TenantId!.Trim();

        internal static bool IsMultiTenantAlias(string tenant) =>
            tenant.Equals("common", StringComparison.OrdinalIgnoreCase)
            || tenant.Equals("organizations", StringComparison.OrdinalIgnoreCase)
            || tenant.Equals("consumers", StringComparison.OrdinalIgnoreCase);

        /// <summary>The cloud's table entry with this request's overrides applied.</summary>
        public CloudEnvironment ResolveCloud() => CloudEnvironments.Get(Environment).WithOverrides(authorityHost: AuthorityHost);

        /// <summary>Describes the choice without any secret.</summary>
        public override string ToString()
        {
            string method;
            try { method = Validate().ToString(); } catch (M365SmtpException) { method = "(incomplete)"; }
            return
                $"{method} {Environment} user={UserName ?? Credential?.UserName ?? "-"} tenant={TenantId ?? "-"} client={ClientId ?? "-"}";
        }

        private static void RequireValue(string? value, ErrorCode missing, string parameter, string way, string what)
        {
            if (string.IsNullOrWhiteSpace(value))
                throw Invalid(missing, parameter, $"-{way} needs -{parameter}: {what}.", $"Add -{parameter}.");
        }

        /// <summary>
        /// -ConnectionName with auth parameters (or with a method that doesn't authenticate): one mistake, one error id
        /// for every command that takes both.
        /// </summary>
        internal static M365SmtpException ConnectionNameNotApplicable(string why) =>
            Invalid(AuthErrorCodes.ConnectionNameNotApplicable, "ConnectionName",
                "-ConnectionName names a session connection, but " + why + ".",
                "Give either -ConnectionName or the auth parameters.");

        /// <summary>An argument check's failure about <paramref name="parameter"/> (also its target, as it always was).</summary>
        internal static M365SmtpException Invalid(ErrorCode code, string? parameter, string message, string action) =>
            new M365SmtpException(code, ErrorKind.InvalidArgument, message)
            {
                TargetObject = parameter,
                ParameterName = parameter,
                RecommendedAction = action,
            };
    }
}
