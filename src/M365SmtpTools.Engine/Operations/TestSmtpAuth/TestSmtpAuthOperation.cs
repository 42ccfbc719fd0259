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
    public sealed partial class TestSmtpAuthOperation : IOperation<TestSmtpAuthRequest, SmtpAuthTestReport>
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
        /// Runs the test and writes the report. Throws <see cref="M365SmtpException"/> (InvalidArgument) for invalid
        /// parameters before connecting, and <see cref="SmtpAuthTestFailedException"/> when the test failed and
        /// <see cref="TestSmtpAuthRequest.ErrorOnFailure"/> is set (the report is written first only with
        /// <see cref="TestSmtpAuthRequest.PassThru"/>).
        /// </summary>
        public async Task RunAsync(TestSmtpAuthRequest request, IOperationHost<SmtpAuthTestReport> host,
            CancellationToken cancellationToken)
        {
            if (request == null) throw new ArgumentNullException(nameof(request));
            if (host == null) throw new ArgumentNullException(nameof(host));
            SmtpAuthTestPlan plan = SmtpAuthTestPlan.Prepare(request, host, _registry);
            var run = new Run(this, request, plan, host, cancellationToken);
            SmtpAuthTestReport report = await run.ExecuteAsync().ConfigureAwait(false);
            if (request.ErrorOnFailure && report.Overall == SmtpTestOutcome.Failed)
            {
                SmtpTestFinding? first = report.Findings.FirstOrDefault(f => f.Severity == FindingSeverity.Error)
                    ?? report.Findings.FirstOrDefault();
                if (request.PassThru) host.WriteResult(report);
                throw new SmtpAuthTestFailedException(report, first, KindFor(report.FailedStage));
            }
            host.WriteResult(report);
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

        /// <summary>One run: the client, the report, and the stage bookkeeping.</summary>
        private sealed partial class Run
        {
            private readonly TestSmtpAuthOperation _op;
            private readonly TestSmtpAuthRequest _request;
            private readonly SmtpAuthTestPlan _plan;
            private readonly IOperationHost _host;
            private readonly CancellationToken _ct;
            private readonly SmtpAuthTestReport _report;
            private readonly InMemorySmtpTranscriptLogger _transcript = new InMemorySmtpTranscriptLogger();
            private readonly SmtpClient _client = new SmtpClient();
            private SmtpConnection? _connection;
            private bool _ownsConnection;
            private bool _inTransaction;

            public Run(TestSmtpAuthOperation op, TestSmtpAuthRequest request, SmtpAuthTestPlan plan, IOperationHost host,
                CancellationToken ct)
            {
                _op = op;
                _request = request;
                _plan = plan;
                _host = host;
                _ct = ct;
                _report = new SmtpAuthTestReport(plan.Host, plan.Port)
                    { Method = plan.Method?.ToString() ?? "None", UserName = plan.Session?.UserName };
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
                bool failed = _report.Stages.Any(s => s.Status == SmtpTestStageStatus.Failed)
                    || _report.Findings.Any(f => f.Severity == FindingSeverity.Error);
                bool warned = _report.Stages.Any(s => s.Status == SmtpTestStageStatus.Warning)
                    || _report.Findings.Any(f => f.Severity == FindingSeverity.Warning);
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
                    _report.AddFinding(new SmtpTestFinding("NoCredentials",
                        Last == SmtpTestStage.Auth ? FindingSeverity.Warning : FindingSeverity.Information, SmtpTestStage.Auth,
                        "No auth parameters were given and the session has no connection (Connect-M365Smtp).",
                        "Authentication was not tested; the stages after it run unauthenticated (as a relay or Direct Send client would).",
                        "Give the auth parameters (e.g. -TenantId -ClientId -CertificateThumbprint -UserName, -ManagedIdentity " +
                            "-UserName, -AccessToken, -Credential), or run Connect-M365Smtp first."));
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
                _host.WriteProgress(new OperationProgress { ActivityId = 6, Activity = $"Test-M365SmtpAuth {_plan.Host}:{_plan.Port}",
                    Status = stage.ToString(), PercentComplete = (int)stage * 100 / 10 });
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
                catch (Exception e) when (e is ArgumentException || e is SocketException || e is InvalidOperationException
                    || e is FormatException)
                {
                    state.Status = SmtpTestStageStatus.Failed;
                    if (state.Detail.Length == 0) state.Detail = e.Message;
                    _report.AddFinding(new SmtpTestFinding(stage + "Failed", FindingSeverity.Error, stage, e.Message,
                        $"The {stage} stage failed: {e.Message}", "Check the parameters and the server."));
                }
                watch.Stop();
                if (state.Status == SmtpTestStageStatus.Passed
                    && _report.Findings.Any(f => f.Stage == stage && f.Severity == FindingSeverity.Warning))
                    state.Status = SmtpTestStageStatus.Warning;
                _report.AddStage(new SmtpTestStageResult(stage, state.Status, watch.Elapsed, state.Detail));
                _host.WriteVerbose($"{stage}: {state.Status} ({(long)watch.Elapsed.TotalMilliseconds} ms) {state.Detail}");
                return state.Status != SmtpTestStageStatus.Failed;
            }
        }
    }
}
