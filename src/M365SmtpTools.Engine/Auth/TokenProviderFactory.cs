using M365SmtpTools.Engine.Exchange;

namespace M365SmtpTools.Engine.Auth
{
    /// <summary>Makes the token provider for a set of auth options.</summary>
    public sealed class TokenProviderFactory
    {
        /// <summary>A factory with the given identity client settings (default: production).</summary>
        public TokenProviderFactory(IdentityClientOptions? options = null) => Options = options ?? IdentityClientOptions.Default;

        /// <summary>The shared production factory.</summary>
        public static TokenProviderFactory Default { get; } = new TokenProviderFactory();

        /// <summary>The identity client settings.</summary>
        public IdentityClientOptions Options { get; }

        /// <summary>
        /// The provider for <paramref name="request"/> (validated first). Basic authentication has no token provider:
        /// it returns null for it. Loads the certificate (errors about it surface here).
        /// </summary>
        public ITokenProvider? Create(SmtpAuthOptions request)
        {
            SmtpAuthMethod method = request.Validate();
            CloudEnvironment cloud = request.ResolveCloud();
            switch (method)
            {
                case SmtpAuthMethod.AppSecret:
                case SmtpAuthMethod.AppCertificate:
                    return new ConfidentialClientTokenProvider(request, cloud, Options, method);
                case SmtpAuthMethod.ManagedIdentity:
                    return new ManagedIdentityTokenProvider(request, cloud, Options);
                case SmtpAuthMethod.DeviceCode:
                case SmtpAuthMethod.Interactive:
                    return new PublicClientTokenProvider(request, cloud, Options, method);
                case SmtpAuthMethod.AccessToken:
                    return new StaticTokenProvider(request, Options);
                default:
                    return null;
            }
        }

        /// <summary>The error for a delegated sign-in when no person can answer: says what to use instead.</summary>
        public static M365SmtpException NonInteractiveDelegated(SmtpAuthMethod method) =>
            new M365SmtpException(TokenErrorCodes.DelegatedAuthNotInteractive,
                $"-{method} needs a person to sign in, and this session is not interactive (a runbook, a scheduled task or " +
                    "-NonInteractive); it would wait forever, so it stops now.")
            {
                TargetObject = method.ToString(),
                ParameterName = method.ToString(),
                RecommendedAction = "Use an app-only way: -ManagedIdentity (Azure Automation, Azure VMs, Functions), or -TenantId " +
                    "-ClientId with -CertificatePath/-CertificateThumbprint (or -ClientSecret), with the SMTP.SendAsApp permission and " +
                    "-UserName set to the mailbox to send as.",
            };
    }
}
