using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using M365SmtpTools.Engine.Auth;
using M365SmtpTools.Engine.Exchange;
using M365SmtpTools.Engine.Mime;
using M365SmtpTools.Engine.Smtp;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>
    /// Test-M365SmtpAuth: runs the path of a real submission stage by stage (DNS, TCP, banner and EHLO, STARTTLS and
    /// the certificate, the token's claims, AUTH, MAIL FROM, RCPT TO, optionally a test message), stops at the first
    /// stage that fails, and explains every problem with the exact fix. Never throws for what it diagnoses: only for
    /// invalid parameters, cancellation, and (with -ErrorOnFailure) a failed test.
    /// </summary>
    public sealed class TestSmtpAuthOperation
    {
        private readonly SmtpConnectionRegistry _registry;
        private readonly TokenProviderFactory _factory;
        private readonly BasicAuthRetirementSchedule _schedule;
        private readonly Action<SmtpConnectOptions>? _configure;

        /// <summary>
        /// Creates the operation; every argument defaults to the production instance. <paramref name="configureConnection"/>
        /// adjusts the SMTP connection options (e.g. a private CA to trust, the EHLO name) before each run.
        /// </summary>
        public TestSmtpAuthOperation(SmtpConnectionRegistry? registry = null, TokenProviderFactory? factory = null,
            BasicAuthRetirementSchedule? schedule = null, Action<SmtpConnectOptions>? configureConnection = null)
        {
            _registry = registry ?? SmtpConnectionRegistry.Default;
            _factory = factory ?? TokenProviderFactory.Default;
            _schedule = schedule ?? BasicAuthRetirementSchedule.Current;
            _configure = configureConnection;
        }

        /// <summary>
        /// Runs the test and returns the report. Throws <see cref="M365SmtpException"/> (InvalidArgument) for invalid
        /// parameters before connecting, and <see cref="SmtpAuthTestFailedException"/> when the test failed and
        /// <see cref="TestSmtpAuthRequest.ErrorOnFailure"/> is set.
        /// </summary>
        public async Task<SmtpAuthTestReport> RunAsync(TestSmtpAuthRequest request, IOperationHost host, CancellationToken cancellationToken)
        {
            if (request == null) throw new ArgumentNullException(nameof(request));
            host ??= NullOperationHost.Instance;
            Plan plan = Prepare(request, host);
            var run = new Run(this, request, plan, host, cancellationToken);
            SmtpAuthTestReport report = await run.ExecuteAsync().ConfigureAwait(false);
            if (request.ErrorOnFailure && report.Overall == SmtpTestOutcome.Failed)
            {
                SmtpTestFinding? first = report.Findings.FirstOrDefault(f => f.Severity == FindingSeverity.Error) ?? report.Findings.FirstOrDefault();
                throw new SmtpAuthTestFailedException(report, first, KindFor(report.FailedStage));
            }
            return report;
        }

        private static ErrorKind KindFor(SmtpTestStage? stage) => stage switch
        {
            SmtpTestStage.Resolve => ErrorKind.ObjectNotFound,
            SmtpTestStage.Connect => ErrorKind.ConnectionError,
            SmtpTestStage.Greeting => ErrorKind.ConnectionError,
            SmtpTestStage.Tls => ErrorKind.SecurityError,
            SmtpTestStage.Token => ErrorKind.AuthenticationError,
            SmtpTestStage.Auth => ErrorKind.AuthenticationError,
            SmtpTestStage.MailFrom => ErrorKind.PermissionDenied,
            SmtpTestStage.RcptTo => ErrorKind.PermissionDenied,
            _ => ErrorKind.InvalidOperation,
        };

        private sealed class Plan
        {
            public string Host = "";
            public int Port;
            public SmtpAuthMethod? Method;
            public SmtpConnection? Session;
            public SmtpTestStage Last;
            public string[] To = Array.Empty<string>();
        }

        private Plan Prepare(TestSmtpAuthRequest request, IOperationHost host)
        {
            var plan = new Plan();
            if (request.TimeoutSeconds < 1 || request.TimeoutSeconds > 3600)
                throw SmtpAuthOptions.Invalid("TimeoutOutOfRange", "TimeoutSeconds", $"-TimeoutSeconds {request.TimeoutSeconds} is out of range.", "Give 1 to 3600 seconds (default 30).");
            if (request.Port < 0 || request.Port > 65535)
                throw SmtpAuthOptions.Invalid("PortOutOfRange", "Port", $"-Port {request.Port} is not a TCP port.", "Use 587 (STARTTLS submission) or 25.");
            plan.To = (request.To ?? Array.Empty<string>()).Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => t.Trim()).ToArray();
            if (request.SendTestMessage && plan.To.Length == 0)
                throw SmtpAuthOptions.Invalid("ToMissing", "To", "-SendTestMessage needs -To: the recipients of the test message.", "Add -To with one or more addresses.");
            if (request.StopAfter == SmtpTestStopAfter.RcptTo && plan.To.Length == 0)
                throw SmtpAuthOptions.Invalid("ToMissing", "To", "-StopAfter RcptTo needs -To: the recipients to try.", "Add -To with one or more addresses.");
            if (request.SendTestMessage && request.StopAfter != null)
                throw SmtpAuthOptions.Invalid("StopAfterWithSendTestMessage", "StopAfter", "-StopAfter and -SendTestMessage contradict each other: the test message goes past every stage.", "Remove one of them.");

            if (request.SpecifiesAuthMethod())
            {
                SmtpAuthMethod method = request.Validate();
                if (method.IsDelegated() && !host.IsInteractive) throw TokenProviderFactory.NonInteractiveDelegated(method);
                plan.Method = method;
                if (!string.IsNullOrWhiteSpace(request.ConnectionName))
                    throw SmtpAuthOptions.ConnectionNameNotApplicable("auth parameters were given too");
            }
            else if (!string.IsNullOrWhiteSpace(request.ConnectionName))
                plan.Session = _registry.Get(request.ConnectionName);
            else
                plan.Session = _registry.TryGet(null);
            if (plan.Session != null)
            {
                if (plan.Session.IsClosed)
                    throw new M365SmtpException("ConnectionClosed", ErrorKind.InvalidOperation, $"The connection '{plan.Session.Name}' was disconnected.")
                    { TargetObject = plan.Session.Name, RecommendedAction = "Run Connect-M365Smtp again." };
                plan.Method = plan.Session.Method;
            }

            CloudEnvironment cloud = request.ResolveCloud();
            plan.Host = !string.IsNullOrWhiteSpace(request.SmtpServer) ? request.SmtpServer!.Trim() : plan.Session?.SmtpHost ?? cloud.SmtpHost;
            plan.Port = request.Port > 0 ? request.Port : plan.Session?.Port ?? 587;
            plan.Last = request.SendTestMessage ? SmtpTestStage.Message
                : request.StopAfter switch
                {
                    SmtpTestStopAfter.Connect => SmtpTestStage.Connect,
                    SmtpTestStopAfter.Tls => SmtpTestStage.Tls,
                    SmtpTestStopAfter.Ehlo => SmtpTestStage.Ehlo,
                    SmtpTestStopAfter.Auth => SmtpTestStage.Auth,
                    SmtpTestStopAfter.MailFrom => SmtpTestStage.MailFrom,
                    SmtpTestStopAfter.RcptTo => SmtpTestStage.RcptTo,
                    _ => plan.To.Length > 0 ? SmtpTestStage.RcptTo : !string.IsNullOrWhiteSpace(request.From) ? SmtpTestStage.MailFrom : SmtpTestStage.Auth,
                };
            return plan;
        }

        /// <summary>One run: the client, the report, and the stage bookkeeping.</summary>
        private sealed class Run
        {
            private readonly TestSmtpAuthOperation _op;
            private readonly TestSmtpAuthRequest _request;
            private readonly Plan _plan;
            private readonly IOperationHost _host;
            private readonly CancellationToken _ct;
            private readonly SmtpAuthTestReport _report;
            private readonly InMemorySmtpTranscriptLogger _transcript = new InMemorySmtpTranscriptLogger();
            private readonly SmtpClient _client = new SmtpClient();
            private SmtpConnection? _connection;
            private bool _ownsConnection;
            private bool _inTransaction;

            public Run(TestSmtpAuthOperation op, TestSmtpAuthRequest request, Plan plan, IOperationHost host, CancellationToken ct)
            {
                _op = op;
                _request = request;
                _plan = plan;
                _host = host;
                _ct = ct;
                _report = new SmtpAuthTestReport(plan.Host, plan.Port) { Method = plan.Method?.ToString() ?? "None", UserName = plan.Session?.UserName };
            }

            private SmtpTestStage Last => _plan.Last;

            private RemediationContext Context => new RemediationContext
            {
                Mailbox = _report.UserName,
                Sender = _report.From ?? _request.From ?? _report.UserName,
                AppId = _connection?.ClientId ?? _report.Token?.AppId,
                ServicePrincipalObjectId = _report.Token != null && _report.Token.IsAppOnly ? _report.Token.ObjectId : null,
                UsedOAuth = _plan.Method is SmtpAuthMethod m && m.UsesToken(),
                Recipient = _request.To?.FirstOrDefault(),
            };

            public async Task<SmtpAuthTestReport> ExecuteAsync()
            {
                DateTimeOffset started = DateTimeOffset.UtcNow;
                _report.StartedOn = started;
                var watch = Stopwatch.StartNew();
                var options = new SmtpConnectOptions
                {
                    TlsMode = SmtpTlsMode.StartTlsRequired,
                    ConnectTimeout = TimeSpan.FromSeconds(_request.TimeoutSeconds),
                    CommandTimeout = TimeSpan.FromSeconds(_request.TimeoutSeconds),
                    Host = _host,
                    TranscriptLogger = _transcript,
                    ServerRules = ExchangeOnlineServerRules.Instance,
                };
                _op._configure?.Invoke(options);
                options.TranscriptLogger = _transcript;
                options.IncludeSecretsInTranscript = false;
                _host.WriteVerbose($"Testing SMTP submission to {_plan.Host}:{_plan.Port} up to the {Last} stage.");
                try
                {
                    await StagesAsync(options).ConfigureAwait(false);
                }
                finally
                {
                    await EndSessionAsync().ConfigureAwait(false);
                    _client.Dispose();
                    if (_ownsConnection) _connection?.Close();
                }
                _report.Duration = watch.Elapsed;
                bool failed = _report.Stages.Any(s => s.Status == SmtpTestStageStatus.Failed) || _report.Findings.Any(f => f.Severity == FindingSeverity.Error);
                bool warned = _report.Stages.Any(s => s.Status == SmtpTestStageStatus.Warning) || _report.Findings.Any(f => f.Severity == FindingSeverity.Warning);
                _report.Overall = failed ? SmtpTestOutcome.Failed : warned ? SmtpTestOutcome.Warning : SmtpTestOutcome.Passed;
                if (_request.Transcript) _report.Transcript = _transcript.Entries.Select(e => e.ToString()).ToArray();
                _host.WriteVerbose($"Test-M365SmtpAuth: {_report}");
                return _report;
            }

            private async Task EndSessionAsync()
            {
                if (!_client.IsConnected) return;
                if (_client.Greeting == null)
                {
                    // -StopAfter Connect (or a failure before the banner): close without talking.
                    _client.Dispose();
                    return;
                }
                try
                {
                    using var quick = CancellationTokenSource.CreateLinkedTokenSource(_ct);
                    quick.CancelAfter(TimeSpan.FromSeconds(Math.Min(10, _request.TimeoutSeconds)));
                    if (_inTransaction) await _client.ResetAsync(quick.Token).ConfigureAwait(false);
                    await _client.QuitAsync(quick.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is SmtpException || e is OperationCanceledException)
                {
                    // the test is over; a failed goodbye changes nothing
                }
            }

            private async Task<bool> StagesAsync(SmtpConnectOptions options)
            {
                if (!await StageAsync(SmtpTestStage.Resolve, ResolveAsync).ConfigureAwait(false)) return false;
                if (!await StageAsync(SmtpTestStage.Connect, s => ConnectAsync(s, options)).ConfigureAwait(false)) return false;
                if (Last == SmtpTestStage.Connect) return true;
                if (!await StageAsync(SmtpTestStage.Greeting, GreetingAsync).ConfigureAwait(false)) return false;
                if (!await StageAsync(SmtpTestStage.Tls, TlsAsync).ConfigureAwait(false)) return false;
                if (Last == SmtpTestStage.Tls) return true;
                if (!await StageAsync(SmtpTestStage.Ehlo, EhloAsync).ConfigureAwait(false)) return false;
                if (Last == SmtpTestStage.Ehlo) return true;
                if (_plan.Method == null)
                {
                    Skip(SmtpTestStage.Token, "No auth parameters and no session connection.");
                    Skip(SmtpTestStage.Auth, "Not tested: nothing to authenticate with.");
                    _report.AddFinding(new SmtpTestFinding("NoCredentials", Last == SmtpTestStage.Auth ? FindingSeverity.Warning : FindingSeverity.Information, SmtpTestStage.Auth,
                        "No auth parameters were given and the session has no connection (Connect-M365Smtp).",
                        "Authentication was not tested; the stages after it run unauthenticated (as a relay or Direct Send client would).",
                        "Give the auth parameters (e.g. -TenantId -ClientId -CertificateThumbprint -UserName, -ManagedIdentity -UserName, -AccessToken, -Credential), or run Connect-M365Smtp first."));
                }
                else
                {
                    if (!await StageAsync(SmtpTestStage.Token, TokenAsync).ConfigureAwait(false)) return false;
                    if (!await StageAsync(SmtpTestStage.Auth, AuthAsync).ConfigureAwait(false)) return false;
                }
                if (Last == SmtpTestStage.Auth) return true;
                if (!await StageAsync(SmtpTestStage.MailFrom, MailFromAsync).ConfigureAwait(false)) return false;
                if (Last == SmtpTestStage.MailFrom) return true;
                if (!await StageAsync(SmtpTestStage.RcptTo, RcptToAsync).ConfigureAwait(false)) return false;
                if (Last == SmtpTestStage.RcptTo) return true;
                return await StageAsync(SmtpTestStage.Message, MessageAsync).ConfigureAwait(false);
            }

            private void Skip(SmtpTestStage stage, string detail) =>
                _report.AddStage(new SmtpTestStageResult(stage, SmtpTestStageStatus.Skipped, TimeSpan.Zero, detail));

            /// <summary>What a stage body reports back.</summary>
            private sealed class StageState
            {
                public string Detail = "";
                public SmtpTestStageStatus Status = SmtpTestStageStatus.Passed;
            }

            private async Task<bool> StageAsync(SmtpTestStage stage, Func<StageState, Task> body)
            {
                var state = new StageState();
                var watch = Stopwatch.StartNew();
                _host.WriteProgress(new OperationProgress { ActivityId = 6, Activity = $"Test-M365SmtpAuth {_plan.Host}:{_plan.Port}", Status = stage.ToString(), PercentComplete = (int)stage * 100 / 10 });
                try
                {
                    await body(state).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (_ct.IsCancellationRequested)
                {
                    throw;
                }
                catch (SmtpException e)
                {
                    state.Status = SmtpTestStageStatus.Failed;
                    if (state.Detail.Length == 0) state.Detail = e.Reply != null ? $"{e.Reply.Code} {e.Reply.Text}" : e.Message;
                    Diagnose(stage, e);
                }
                catch (M365SmtpException e)
                {
                    state.Status = SmtpTestStageStatus.Failed;
                    if (state.Detail.Length == 0) state.Detail = e.Message;
                    _report.AddFinding(new SmtpTestFinding(e.ErrorId, FindingSeverity.Error, stage, e.Message, e.Message,
                        e.RecommendedAction ?? "See the message."));
                }
                catch (Exception e) when (e is ArgumentException || e is SocketException || e is InvalidOperationException || e is FormatException)
                {
                    state.Status = SmtpTestStageStatus.Failed;
                    if (state.Detail.Length == 0) state.Detail = e.Message;
                    _report.AddFinding(new SmtpTestFinding(stage + "Failed", FindingSeverity.Error, stage, e.Message, $"The {stage} stage failed: {e.Message}", "Check the parameters and the server."));
                }
                watch.Stop();
                if (state.Status == SmtpTestStageStatus.Passed && _report.Findings.Any(f => f.Stage == stage && f.Severity == FindingSeverity.Warning))
                    state.Status = SmtpTestStageStatus.Warning;
                _report.AddStage(new SmtpTestStageResult(stage, state.Status, watch.Elapsed, state.Detail));
                _host.WriteVerbose($"{stage}: {state.Status} ({(long)watch.Elapsed.TotalMilliseconds} ms) {state.Detail}");
                return state.Status != SmtpTestStageStatus.Failed;
            }

            // ---- stages ----

            private async Task ResolveAsync(StageState s)
            {
                string name = _plan.Host.Trim('[', ']');
                if (IPAddress.TryParse(name, out IPAddress? literal))
                {
                    _report.Addresses = new[] { literal.ToString() };
                    s.Detail = $"{literal} is an IP address: no DNS lookup.";
                    return;
                }
                if (_plan.Port == 465 && Exchange.MicrosoftHosts.IsMicrosoft365Host(name))
                {
                    // The answer doesn't depend on DNS: the Connect stage refuses 465 to Microsoft 365 by name.
                    s.Detail = $"{name} not looked up: Microsoft 365 client submission doesn't accept port 465.";
                    return;
                }
                IPAddress[] addresses;
                try
                {
                    Task<IPAddress[]> lookup = System.Net.Dns.GetHostAddressesAsync(name);
                    Task done = await Task.WhenAny(lookup, Task.Delay(TimeSpan.FromSeconds(_request.TimeoutSeconds), _ct)).ConfigureAwait(false);
                    _ct.ThrowIfCancellationRequested();
                    if (done != lookup)
                    {
                        s.Status = SmtpTestStageStatus.Failed;
                        s.Detail = $"No DNS answer for {name} within {_request.TimeoutSeconds} s.";
                        _report.AddFinding(Findings.DnsTimeout(name, _request.TimeoutSeconds));
                        return;
                    }
                    addresses = await lookup.ConfigureAwait(false);
                }
                catch (SocketException e)
                {
                    s.Status = SmtpTestStageStatus.Failed;
                    s.Detail = $"{name}: {e.Message}";
                    _report.AddFinding(Findings.HostNotFound(name, e.Message, _request.ResolveCloud().SmtpHost));
                    return;
                }
                _report.Addresses = addresses.Select(a => a.ToString()).ToArray();
                if (addresses.Length == 0)
                {
                    s.Status = SmtpTestStageStatus.Failed;
                    s.Detail = $"{name} has no addresses.";
                    _report.AddFinding(Findings.HostNotFound(name, "no A or AAAA records", _request.ResolveCloud().SmtpHost));
                    return;
                }
                s.Detail = $"{name} -> {string.Join(", ", _report.Addresses)}";
            }

            private async Task ConnectAsync(StageState s, SmtpConnectOptions options)
            {
                try
                {
                    await _client.OpenAsync(_plan.Host, _plan.Port, options, _ct).ConfigureAwait(false);
                }
                catch (SmtpProtocolException e) when (e.Phase == SmtpPhase.Connect)
                {
                    s.Status = SmtpTestStageStatus.Failed;
                    s.Detail = e.Message;
                    _report.AddFinding(Findings.ForConnectFailure(e, _plan.Host, _plan.Port, _request.TimeoutSeconds));
                    return;
                }
                _report.RemoteEndPoint = _client.RemoteEndPoint;
                s.Detail = $"TCP connected to {_client.RemoteEndPoint}.";
            }

            private async Task GreetingAsync(StageState s)
            {
                SmtpReply banner;
                try
                {
                    banner = await _client.ReadGreetingAsync(_ct).ConfigureAwait(false);
                }
                catch (SmtpProtocolException e) when (e.ErrorId == "SmtpTimeout")
                {
                    s.Status = SmtpTestStageStatus.Failed;
                    s.Detail = $"No banner within {_request.TimeoutSeconds} s.";
                    _report.AddFinding(Findings.GreetingTimeout(_plan.Host, _plan.Port, _request.TimeoutSeconds));
                    return;
                }
                _report.Banner = banner.ToString();
                SmtpCapabilities caps = await _client.HelloAsync(_ct).ConfigureAwait(false);
                _report.IsMicrosoft365 = ExchangeOnlineServerRules.Instance.Recognizes(_client.Host, _client.Capabilities.ServerName);
                _report.Capabilities = Describe(caps);
                s.Detail = $"{banner.Code} {Shorten(banner.Text, 90)}; EHLO {caps.ServerName}: {(caps.SupportsStartTls ? "STARTTLS offered" : "no STARTTLS")}";
                if (IPAddress.TryParse(_plan.Host.Trim('[', ']'), out _) && _report.IsMicrosoft365)
                    _report.AddFinding(Findings.IpAddressForMicrosoft365(_plan.Host, caps.ServerName, _request.ResolveCloud().SmtpHost));
            }

            private async Task TlsAsync(StageState s)
            {
                SmtpCapabilities before = _client.Capabilities;
                try
                {
                    TlsSessionInfo tls = await _client.StartTlsOnlyAsync(_ct).ConfigureAwait(false);
                    _report.Tls = tls;
                    s.Detail = $"{tls.Protocol} {tls.CipherSuite}; certificate {tls.Subject}, issuer {tls.Issuer}, valid to {tls.NotAfter:yyyy-MM-dd}";
                }
                catch (SmtpProtocolException e)
                {
                    s.Status = SmtpTestStageStatus.Failed;
                    s.Detail = e.Message;
                    if (e.TlsSession != null) _report.Tls = e.TlsSession;
                    foreach (SmtpTestFinding f in Findings.ForTlsFailure(e, before, _plan.Host, _plan.Port, _report.IsMicrosoft365, _request.ExpectedIssuer))
                        _report.AddFinding(f);
                    return;
                }
                foreach (SmtpTestFinding f in Findings.ForTlsSession(_report.Tls!, _report.IsMicrosoft365 || MicrosoftHosts.IsMicrosoft365Host(_plan.Host), _request.ExpectedIssuer, DateTime.UtcNow))
                    _report.AddFinding(f);
            }

            private async Task EhloAsync(StageState s)
            {
                SmtpCapabilities caps = await _client.HelloAsync(_ct).ConfigureAwait(false);
                _report.IsMicrosoft365 |= ExchangeOnlineServerRules.Instance.Recognizes(_client.Host, _client.Capabilities.ServerName);
                _report.Capabilities = Describe(caps);
                _report.AuthMechanisms = caps.AuthMechanisms.ToArray();
                s.Detail = $"{caps.ServerName}: AUTH {(caps.AuthMechanisms.Count == 0 ? "not offered" : string.Join(" ", caps.AuthMechanisms))}"
                    + (caps.MaxMessageSize is long size && size > 0 ? $", SIZE {size}" : "")
                    + (caps.SupportsPipelining ? ", PIPELINING" : "") + (caps.SupportsChunking ? ", CHUNKING" : "");
            }

            private async Task TokenAsync(StageState s)
            {
                if (_plan.Session != null) _connection = _plan.Session;
                else
                {
                    var connect = new ConnectSmtpRequest { SmtpServer = _plan.Host, Port = _plan.Port, AllowRetiredBasicAuth = _request.AllowRetiredBasicAuth, Name = "Test-M365SmtpAuth" };
                    _request.CopyAuthOptionsTo(connect);
                    // Connect's own warnings (token checks, Basic retirement) become findings here; keep them off the warning stream.
                    var quiet = new WarningsToVerboseHost(_host);
                    _connection = await new ConnectSmtpOperation(_op._registry, _op._factory, null, _op._schedule).CreateAsync(connect, quiet, _ct).ConfigureAwait(false);
                    _ownsConnection = true;
                }
                _report.UserName = _connection.UserName;
                _report.Method = _connection.Method.ToString();

                if (_connection.Method == SmtpAuthMethod.Basic)
                {
                    BasicAuthVerdict verdict = BasicAuthRetirement.Evaluate(_op._factory.Options.Clock(), _plan.Host, _op._schedule);
                    if (verdict.Kind == BasicAuthVerdictKind.Allowed)
                    {
                        s.Status = SmtpTestStageStatus.Skipped;
                        s.Detail = "Basic authentication (a password): no token to check.";
                    }
                    else
                    {
                        s.Detail = "Basic authentication (a password) against Microsoft 365: being retired.";
                        _report.AddFinding(Findings.BasicAuthRetiring(verdict));
                    }
                    return;
                }

                SmtpAccessToken token = await _connection.GetAccessTokenAsync(_host, _ct).ConfigureAwait(false);
                if (!TokenInspector.TryDecode(token.RevealToken(), out TokenFacts? facts) || facts == null)
                {
                    s.Detail = "The token is not a readable JWT (opaque or encrypted): its claims can't be checked.";
                    _report.AddFinding(new SmtpTestFinding("TokenNotReadable", FindingSeverity.Information, SmtpTestStage.Token, "The access token has no readable claims.",
                        "The token is opaque or encrypted, so its audience, permissions and user can't be checked before AUTH.",
                        "Nothing to do if AUTH passes; otherwise check how the token was requested (resource https://outlook.office365.com)."));
                    return;
                }
                _report.Token = facts;
                IReadOnlyList<TokenFinding> checks = TokenInspector.Check(facts, new TokenCheckOptions
                {
                    Now = _op._factory.Options.Clock(),
                    UserName = _connection.UserName,
                    ExpectedTenantId = Guid.TryParse(_request.TenantId, out _) ? _request.TenantId : null,
                    AppRbac = _request.AppRbac,
                });
                foreach (TokenFinding f in checks)
                    _report.AddFinding(new SmtpTestFinding(f.Id, f.Severity, SmtpTestStage.Token, "Token claims: " + facts, f.Message, f.Remediation, Findings.TokenCommands(f.Id, Context)));
                s.Detail = (facts.IsAppOnly ? "app-only" : "delegated") + $", aud {facts.Audience ?? "-"}, "
                    + (facts.IsAppOnly ? "roles " + (facts.Roles.Count == 0 ? "-" : string.Join(",", facts.Roles)) : "scp " + (facts.Scopes.Count == 0 ? "-" : string.Join(",", facts.Scopes)) + ", user " + (facts.User ?? "-"))
                    + (facts.ExpiresOn is DateTimeOffset exp ? $", expires {exp:u}" : "");
                if (checks.Any(f => f.Severity == FindingSeverity.Error)) s.Status = SmtpTestStageStatus.Failed;
            }

            private async Task AuthAsync(StageState s)
            {
                SmtpConnection connection = _connection!;
                string user = connection.UserName ?? throw SmtpAuthOptions.Invalid("UserNameMissing", "UserName", "The mailbox that authenticates is unknown.", "Add -UserName.");
                SmtpCredential credential = connection.Method == SmtpAuthMethod.Basic
                    ? SmtpCredential.FromNetworkCredential(connection.BasicCredential ?? throw new M365SmtpException("ConnectionClosed", ErrorKind.InvalidOperation, $"The connection '{connection.Name}' has no credential any more.") { RecommendedAction = "Run Connect-M365Smtp again." })
                    : SmtpCredential.FromAccessToken(user, async ct => (await connection.GetAccessTokenAsync(_host, ct).ConfigureAwait(false)).RevealToken());
                if (_client.Capabilities.AuthMechanisms.Count == 0)
                {
                    s.Status = SmtpTestStageStatus.Failed;
                    s.Detail = "The server offers no AUTH on this (encrypted) session.";
                    _report.AddFinding(Findings.AuthNotOffered(_plan.Host, _plan.Port, _report.IsMicrosoft365));
                    return;
                }
                try
                {
                    SmtpReply reply = await _client.AuthenticateAsync(credential, _request.Mechanism, _ct).ConfigureAwait(false);
                    _report.Mechanism = _client.AuthenticationMechanism;
                    s.Detail = $"{reply.Code} {reply.Text} ({_client.AuthenticationMechanism} as {user})";
                }
                catch (SmtpCommandException e) when (e.Reply == null)
                {
                    s.Status = SmtpTestStageStatus.Failed;
                    s.Detail = e.Message;
                    _report.AddFinding(new SmtpTestFinding(e.ErrorId == "SmtpAuthMechanismNotOffered" ? "AuthMechanismNotOffered" : e.ErrorId, FindingSeverity.Error, SmtpTestStage.Auth,
                        "AUTH mechanisms offered: " + string.Join(" ", _client.Capabilities.AuthMechanisms),
                        e.Message, e.RecommendedAction ?? "Use a mechanism the server offers."));
                }
                catch (SmtpCommandException e)
                {
                    s.Status = SmtpTestStageStatus.Failed;
                    s.Detail = $"{e.Reply!.Code} {e.Reply.Text}";
                    _report.Mechanism = MechanismFromTranscript();
                    SmtpTestFinding finding = Findings.ForReply(SmtpTestStage.Auth, e.Reply, Context, e.ServerErrorDetail);
                    // SMTP AUTH switched off: Microsoft Graph sends without it (Send-M365Mail -Method Graph).
                    if (finding.Id == "SmtpAuthDisabled")
                        finding = Graph.GraphAlternative.Add(finding, _request, _report.UserName ?? _request.UserName, _request.To?.FirstOrDefault());
                    _report.AddFinding(finding);
                }
            }

            private string? MechanismFromTranscript()
            {
                SmtpTranscriptEntry? auth = _transcript.Entries.LastOrDefault(e => e.Direction == SmtpTranscriptDirection.Client && e.Text.StartsWith("AUTH ", StringComparison.OrdinalIgnoreCase));
                return auth?.Text.Split(' ').ElementAtOrDefault(1);
            }

            private async Task MailFromAsync(StageState s)
            {
                string? from = !string.IsNullOrWhiteSpace(_request.From) ? _request.From!.Trim() : _report.UserName;
                if (string.IsNullOrEmpty(from))
                    throw SmtpAuthOptions.Invalid("FromMissing", "From", "MAIL FROM needs an address and no mailbox authenticated.", "Add -From.");
                _report.From = from;
                try
                {
                    SmtpReply reply = await _client.MailFromAsync(from!, _ct).ConfigureAwait(false);
                    _inTransaction = true;
                    s.Detail = $"<{from}>: {reply.Code} {reply.Text}";
                }
                catch (SmtpCommandException e) when (e.Reply != null)
                {
                    s.Status = SmtpTestStageStatus.Failed;
                    s.Detail = $"<{from}>: {e.Reply.Code} {e.Reply.Text}";
                    _report.AddFinding(Findings.ForReply(SmtpTestStage.MailFrom, e.Reply, Context, null));
                }
            }

            private async Task RcptToAsync(StageState s)
            {
                _report.To = _plan.To;
                var lines = new List<string>();
                int accepted = 0;
                foreach (string to in _plan.To)
                {
                    try
                    {
                        SmtpReply reply = await _client.RecipientAsync(to, _ct).ConfigureAwait(false);
                        accepted++;
                        lines.Add($"<{to}>: {reply.Code} {reply.Text}");
                    }
                    catch (SmtpCommandException e) when (e.Reply != null)
                    {
                        lines.Add($"<{to}>: {e.Reply.Code} {e.Reply.Text}");
                        _report.AddFinding(Findings.ForReply(SmtpTestStage.RcptTo, e.Reply, Context, null, to));
                    }
                }
                s.Detail = string.Join("; ", lines);
                if (accepted == 0) s.Status = SmtpTestStageStatus.Failed;
                else if (accepted < _plan.To.Length) s.Status = SmtpTestStageStatus.Warning;
                if (Last == SmtpTestStage.RcptTo || accepted == 0)
                {
                    await _client.ResetAsync(_ct).ConfigureAwait(false);
                    _inTransaction = false;
                    s.Detail += " (then RSET: nothing sent)";
                }
            }

            private async Task MessageAsync(StageState s)
            {
                await _client.ResetAsync(_ct).ConfigureAwait(false);
                _inTransaction = false;
                if (!_host.ShouldProcess($"{string.Join(", ", _plan.To)} via {_plan.Host}:{_plan.Port}", "Send a test message"))
                {
                    s.Status = SmtpTestStageStatus.Skipped;
                    s.Detail = "Not sent (-WhatIf or declined).";
                    return;
                }
                string from = _report.From!;
                var builder = new MessageBuilder
                {
                    From = EmailAddress.Parse(from),
                    Subject = "M365SmtpTools test message",
                    TextBody = $"This message was sent by Test-M365SmtpAuth from {SafeMachineName()} at {DateTimeOffset.UtcNow:u} to test SMTP submission through {_plan.Host}:{_plan.Port}. No action is needed.",
                };
                foreach (string to in _plan.To) builder.To.Add(EmailAddress.Parse(to));
                MimeMessage message = builder.Build();
                try
                {
                    SmtpSendResult result = await _client.SendAsync(new SmtpEnvelope(from, _plan.To), message, _ct).ConfigureAwait(false);
                    s.Detail = $"{result.FinalReply.Code} {result.FinalReply.Text}";
                    foreach (SmtpRecipientResult r in result.RejectedRecipients)
                        _report.AddFinding(Findings.ForReply(SmtpTestStage.Message, r.Reply, Context, null, r.Address));
                }
                catch (SmtpCommandException e) when (e.Reply != null)
                {
                    s.Status = SmtpTestStageStatus.Failed;
                    s.Detail = $"{e.Reply.Code} {e.Reply.Text}";
                    _report.AddFinding(Findings.ForReply(SmtpTestStage.Message, e.Reply, Context, null));
                }
            }

            private void Diagnose(SmtpTestStage stage, SmtpException e)
            {
                if (e.Reply != null && e.Reply.Code >= 400)
                {
                    _report.AddFinding(Findings.ForReply(stage, e.Reply, Context, (e as SmtpCommandException)?.ServerErrorDetail));
                    return;
                }
                _report.AddFinding(Findings.ForSessionFailure(stage, e, _plan.Port, _request.TimeoutSeconds));
            }

            private static string[] Describe(SmtpCapabilities caps) =>
                caps.Extensions.Select(kv => kv.Value.Length == 0 ? kv.Key : kv.Key + " " + kv.Value).ToArray();

            private static string Shorten(string text, int max) => text.Length <= max ? text : text.Substring(0, max) + "…";

            private static string SafeMachineName()
            {
                try { return Environment.MachineName; } catch (InvalidOperationException) { return "this computer"; }
            }
        }

        /// <summary>An <see cref="IOperationHost"/> that turns warnings into verbose lines (their content becomes findings).</summary>
        private sealed class WarningsToVerboseHost : IOperationHost
        {
            private readonly IOperationHost _inner;
            public WarningsToVerboseHost(IOperationHost inner) => _inner = inner;
            public bool IsInteractive => _inner.IsInteractive;
            public void WriteVerbose(string message) => _inner.WriteVerbose(message);
            public void WriteWarning(string message) => _inner.WriteVerbose("(reported as a finding) " + message);
            public void WriteInformation(string message, params string[] tags) => _inner.WriteInformation(message, tags);
            public void WriteProgress(OperationProgress progress) => _inner.WriteProgress(progress);
            public bool ShouldProcess(string target, string action) => _inner.ShouldProcess(target, action);
        }
    }
}
