using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using M365SmtpTools.Engine.Auth;
using M365SmtpTools.Engine.Exchange;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>The parameters of Connect-M365Smtp: the auth options plus where to connect and what to keep.</summary>
    public sealed class ConnectSmtpRequest : SmtpAuthOptions
    {
        /// <summary>The SMTP server; default the cloud's submission host (smtp.office365.com).</summary>
        public string? SmtpServer { get; set; }

        /// <summary>The SMTP port; default 587 (STARTTLS).</summary>
        public int Port { get; set; } = 587;

        /// <summary>The connection's name; default <c>Default</c>.</summary>
        public string? Name { get; set; }

        /// <summary>Also authenticate against the SMTP server now (AUTH), not only get the token.</summary>
        public bool Test { get; set; }

        /// <summary>Return the connection object.</summary>
        public bool PassThru { get; set; }

        /// <summary>Use Basic authentication against Microsoft 365 even after its final removal date.</summary>
        public bool AllowRetiredBasicAuth { get; set; }
    }

    /// <summary>
    /// Runs an AUTH against the SMTP server with a connection's credentials (Connect-M365Smtp -Test). The SMTP client
    /// implements it; throws <see cref="M365SmtpException"/> when authentication fails.
    /// </summary>
    public interface ISmtpAuthTester
    {
        /// <summary>Connects to the connection's server, authenticates, and disconnects.</summary>
        Task TestAuthenticationAsync(SmtpConnection connection, IOperationHost host, CancellationToken cancellationToken);
    }

    /// <summary>Where Connect-M365Smtp finds the SMTP AUTH tester: set once by the SMTP client at start-up.</summary>
    public static class SmtpAuthTesters
    {
        /// <summary>The tester used when none is passed to the operation: the SMTP client (<see cref="SmtpClientAuthTester"/>) by default.</summary>
        public static ISmtpAuthTester? Default { get; set; } = new SmtpClientAuthTester();
    }

    /// <summary>
    /// Connect-M365Smtp: validates the way to authenticate once (gets a token, checks it, optionally authenticates to the
    /// server) and stores the connection for the session.
    /// </summary>
    public sealed class ConnectSmtpOperation
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

        /// <summary>Validates, connects and stores; returns the stored connection.</summary>
        public async Task<SmtpConnection> RunAsync(ConnectSmtpRequest request, IOperationHost host, CancellationToken cancellationToken)
        {
            SmtpConnection connection = await CreateAsync(request, host, cancellationToken).ConfigureAwait(false);
            _registry.Add(connection);
            host.WriteVerbose($"Connection '{connection.Name}' stored.");
            return connection;
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
                throw SmtpAuthOptions.Invalid("PortOutOfRange", "Port", $"-Port {request.Port} is not a TCP port.", "Use 587 (STARTTLS submission) or 25.");
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
                    throw new M365SmtpException("BasicAuthRetired", ErrorKind.InvalidOperation, verdict.Message)
                    { TargetObject = smtpHost, RecommendedAction = "Move to OAuth (e.g. -CertificatePath or -ManagedIdentity); -AllowRetiredBasicAuth tries Basic anyway." };
                if (verdict.Kind != BasicAuthVerdictKind.Allowed) host.WriteWarning(verdict.Message);
                var credential = new System.Net.NetworkCredential(request.Credential!.UserName, request.Credential.SecurePassword, request.Credential.Domain);
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
                    throw SmtpAuthOptions.Invalid("UserNameMissing", "UserName",
                        $"The token ({method}) names no user, so the mailbox for XOAUTH2 (user=) is unknown.", "Add -UserName with the mailbox that authenticates (for app-only, the mailbox to send as).");
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
                    ?? throw new M365SmtpException("SmtpAuthTestUnavailable", ErrorKind.InvalidOperation,
                        "-Test needs the SMTP client, which is not available in this build.") { TargetObject = "Test", RecommendedAction = "Connect without -Test, then run Test-M365SmtpAuth." };
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

    /// <summary>The parameters of Disconnect-M365Smtp.</summary>
    public sealed class DisconnectSmtpRequest
    {
        /// <summary>The names (wildcards allowed) of the connections to remove; none = every connection.</summary>
        public string[]? Name { get; set; }

        /// <summary>Return the removed connections (the operation always returns them; the cmdlet writes them only then).</summary>
        public bool PassThru { get; set; }
    }

    /// <summary>The parameters of Get-M365SmtpConnection.</summary>
    public sealed class GetSmtpConnectionRequest
    {
        /// <summary>The names (wildcards allowed); none = every connection.</summary>
        public string[]? Name { get; set; }
    }

    /// <summary>The connections a Get or Disconnect matched, and an error for each literal name that matched nothing.</summary>
    public sealed class SmtpConnectionQueryResult
    {
        internal SmtpConnectionQueryResult(System.Collections.Generic.IReadOnlyList<SmtpConnection> connections, System.Collections.Generic.IReadOnlyList<M365SmtpException> errors)
        {
            Connections = connections;
            Errors = errors;
        }

        /// <summary>The connections.</summary>
        public System.Collections.Generic.IReadOnlyList<SmtpConnection> Connections { get; }

        /// <summary>One ConnectionNotFound per name without wildcards that matched nothing.</summary>
        public System.Collections.Generic.IReadOnlyList<M365SmtpException> Errors { get; }
    }

    /// <summary>Get-M365SmtpConnection: lists stored connections (never secrets).</summary>
    public sealed class GetSmtpConnectionOperation
    {
        private readonly SmtpConnectionRegistry _registry;

        /// <summary>Creates the operation over a registry (default: the process's).</summary>
        public GetSmtpConnectionOperation(SmtpConnectionRegistry? registry = null) => _registry = registry ?? SmtpConnectionRegistry.Default;

        /// <summary>Finds the connections.</summary>
        public Task<SmtpConnectionQueryResult> RunAsync(GetSmtpConnectionRequest request, IOperationHost host, CancellationToken cancellationToken) =>
            Task.FromResult(Query(_registry, request.Name, remove: false, host));

        internal static SmtpConnectionQueryResult Query(SmtpConnectionRegistry registry, string[]? names, bool remove, IOperationHost host)
        {
            var found = new System.Collections.Generic.List<SmtpConnection>();
            var errors = new System.Collections.Generic.List<M365SmtpException>();
            string[] patterns = names == null || names.Length == 0 ? new string[] { "*" } : names;
            foreach (string pattern in patterns.Where(p => !string.IsNullOrWhiteSpace(p)).Select(p => p.Trim()))
            {
                var matches = registry.Find(pattern).Where(c => !found.Contains(c)).ToList();
                if (remove)
                    matches = matches.Where(c => host.ShouldProcess($"SMTP connection '{c.Name}' ({c.Method} {c.UserName} -> {c.SmtpHost})", "Disconnect")).ToList();
                if (matches.Count == 0 && !Wildcard.ContainsWildcard(pattern) && registry.TryGet(pattern) == null)
                    errors.Add(registry.NotFound(pattern));
                found.AddRange(matches);
            }
            if (remove)
                foreach (SmtpConnection c in found)
                {
                    foreach (SmtpConnection r in registry.Remove(WildcardEscape(c.Name)))
                        host.WriteVerbose($"Disconnected '{r.Name}' and cleared its token cache.");
                }
            return new SmtpConnectionQueryResult(found, errors);
        }

        private static string WildcardEscape(string name)
        {
            var b = new System.Text.StringBuilder();
            foreach (char ch in name)
            {
                if (ch == '*' || ch == '?' || ch == '[' || ch == ']' || ch == '`') b.Append('`');
                b.Append(ch);
            }
            return b.ToString();
        }
    }

    /// <summary>Disconnect-M365Smtp: removes connections and clears their in-memory token caches.</summary>
    public sealed class DisconnectSmtpOperation
    {
        private readonly SmtpConnectionRegistry _registry;

        /// <summary>Creates the operation over a registry (default: the process's).</summary>
        public DisconnectSmtpOperation(SmtpConnectionRegistry? registry = null) => _registry = registry ?? SmtpConnectionRegistry.Default;

        /// <summary>Removes the matching connections (asking ShouldProcess for each); returns those removed.</summary>
        public Task<SmtpConnectionQueryResult> RunAsync(DisconnectSmtpRequest request, IOperationHost host, CancellationToken cancellationToken) =>
            Task.FromResult(GetSmtpConnectionOperation.Query(_registry, request.Name, remove: true, host));
    }
}
