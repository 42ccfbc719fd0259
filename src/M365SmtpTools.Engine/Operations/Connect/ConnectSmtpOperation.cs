using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using M365SmtpTools.Engine.Auth;
using M365SmtpTools.Engine.Exchange;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>
    /// Connect-M365Smtp: validates the way to authenticate once (gets a token, checks it, optionally authenticates to the
    /// server) and stores the connection for the session.
    /// </summary>
    public sealed class ConnectSmtpOperation : IOperation<ConnectSmtpRequest, SmtpConnection>
    {
        private readonly SmtpConnectionRegistry _registry;
        private readonly TokenProviderFactory _factory;
        private readonly ISmtpAuthTester? _tester;
        private readonly BasicAuthRetirementSchedule _schedule;

        /// <summary>Creates the operation; every argument defaults to the production instance.</summary>
        public ConnectSmtpOperation(SmtpConnectionRegistry? registry = null, TokenProviderFactory? factory = null,
            ISmtpAuthTester? tester = null, BasicAuthRetirementSchedule? schedule = null)
        {
            _registry = registry ?? SmtpConnectionRegistry.Default;
            _factory = factory ?? TokenProviderFactory.Default;
            _tester = tester;
            _schedule = schedule ?? BasicAuthRetirementSchedule.Current;
        }

        /// <summary>Validates, connects and stores; writes the stored connection.</summary>
        public async Task RunAsync(ConnectSmtpRequest request, IOperationHost<SmtpConnection> host, CancellationToken cancellationToken)
        {
            SmtpConnection connection = await CreateAsync(request, host, cancellationToken).ConfigureAwait(false);
            _registry.Add(connection);
            host.WriteVerbose($"Connection '{connection.Name}' stored for this session.");
            host.WriteResult(connection);
        }

        /// <summary>
        /// Validates and connects (token acquired and checked, AUTH tested with -Test) without storing: for commands
        /// given auth parameters directly (Send-M365Mail, Test-M365SmtpAuth), which use the connection once.
        /// </summary>
        public async Task<SmtpConnection> CreateAsync(ConnectSmtpRequest request, IOperationHost host, CancellationToken cancellationToken)
        {
            SmtpAuthMethod method = request.Validate();
            if (method.IsDelegated() && !host.IsInteractive) throw TokenProviderFactory.NonInteractiveDelegated(method);
            if (request.Port < 1 || request.Port > 65535)
                throw SmtpAuthOptions.Invalid(RequestErrorCodes.PortOutOfRange, "Port",
                    $"-Port {request.Port} is not a TCP port.", "Use 587 (STARTTLS submission) or 25.");
            if (request.Port == 465)
                host.WriteWarning("Port 465 (implicit TLS) is not supported by Exchange Online client submission; use 587.");

            CloudEnvironment cloud = request.ResolveCloud();
            string smtpHost = string.IsNullOrWhiteSpace(request.SmtpServer) ? cloud.SmtpHost : request.SmtpServer!.Trim();
            string name = SmtpConnectionRegistry.Normalize(request.Name);
            DateTimeOffset now = _factory.Options.Clock();
            host.WriteVerbose($"Connecting '{name}': {method} to {smtpHost}:{request.Port} ({cloud.Environment}).");

            SmtpConnection connection;
            if (method == SmtpAuthMethod.Basic)
            {
                BasicAuthVerdict verdict = BasicAuthRetirement.Evaluate(now, smtpHost, _schedule);
                if (verdict.Kind == BasicAuthVerdictKind.Refuse && !request.AllowRetiredBasicAuth)
                    throw new M365SmtpException(AuthErrorCodes.BasicAuthRetired, verdict.Message)
                    { TargetObject = smtpHost, RecommendedAction = "Move to OAuth (e.g. -CertificatePath or -ManagedIdentity); " +
                        "-AllowRetiredBasicAuth tries Basic anyway." };
                if (verdict.Kind != BasicAuthVerdictKind.Allowed) host.WriteWarning(verdict.Message);
                var credential = new System.Net.NetworkCredential(request.Credential!.UserName, request.Credential.SecurePassword,
                    request.Credential.Domain);
                connection = new SmtpConnection(name, method, cloud.Environment, smtpHost, request.Port, credential.UserName,
                    null, null, null, credential, now);
            }
            else
            {
                ITokenProvider provider = _factory.Create(request)!;
                SmtpAccessToken token = await provider.GetTokenAsync(host, cancellationToken).ConfigureAwait(false);
                TokenFacts? facts = TokenInspector.TryDecode(token.RevealToken(), out TokenFacts? decoded) ? decoded : null;
                string? user = string.IsNullOrWhiteSpace(request.UserName) ? token.Account ?? facts?.User : request.UserName!.Trim();
                if (string.IsNullOrWhiteSpace(user))
                {
                    provider.ClearCache();
                    throw SmtpAuthOptions.Invalid(AuthErrorCodes.UserNameMissing, "UserName",
                        $"The token ({method}) names no user, so the mailbox for XOAUTH2 (user=) is unknown.", "Add -UserName with the " +
                            "mailbox that authenticates (for app-only, the mailbox to send as).");
                }
                if (facts != null)
                {
                    var findings = TokenInspector.Check(facts, new TokenCheckOptions
                    {
                        Now = now,
                        UserName = user,
                        ExpectedTenantId = Guid.TryParse(request.TenantId, out _) ? request.TenantId : null,
                    });
                    foreach (TokenFinding f in findings.Where(f => f.Severity != FindingSeverity.Information))
                        host.WriteWarning($"{f.Message} {f.Remediation}");
                    host.WriteVerbose($"Token: {facts}");
                }
                else
                    host.WriteVerbose("The token is not a readable JWT (opaque or encrypted); its claims were not checked.");

                string? clientId = request.ClientId ?? request.ManagedIdentityClientId ?? facts?.AppId;
                connection = new SmtpConnection(name, method, cloud.Environment, smtpHost, request.Port, user,
                    request.TenantId ?? facts?.TenantId, clientId, provider, null, now);
            }

            if (request.Test)
            {
                ISmtpAuthTester tester = _tester ?? SmtpAuthTesters.Default
                    ?? throw new M365SmtpException(DiagnosticErrorCodes.SmtpAuthTestUnavailable,
                        "-Test needs the SMTP client, which is not available in this build.")
                    {
                        TargetObject = "Test",
                        ParameterName = "Test",
                        RecommendedAction = "Connect without -Test, then run Test-M365SmtpAuth.",
                    };
                host.WriteVerbose($"Testing AUTH against {smtpHost}:{request.Port}.");
                try
                {
                    await tester.TestAuthenticationAsync(connection, host, cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    connection.Close();
                    throw;
                }
            }

            return connection;
        }
    }
}
