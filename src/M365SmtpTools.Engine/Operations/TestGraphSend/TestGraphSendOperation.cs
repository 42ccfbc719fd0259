using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using M365SmtpTools.Engine.Auth;
using M365SmtpTools.Engine.Exchange;
using M365SmtpTools.Engine.Graph;
using M365SmtpTools.Engine.Mime;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>
    /// Test-M365GraphSend: checks, stage by stage, that an app (or a signed-in person) can send through Microsoft
    /// Graph's sendMail from a mailbox, without sending: the token (obtained, or given), its claims (audience Microsoft
    /// Graph of the cloud, Mail.Send in roles or scp, expiry, tenant), then the mailbox and the permission with a
    /// sendMail request whose message has no recipients (see <see cref="GraphAccessProbe"/>); -SendTestMessage then
    /// sends one real message. Never throws for what it diagnoses: only for invalid parameters, cancellation, and (with
    /// -ErrorOnFailure) a failed test.
    /// </summary>
    public sealed partial class TestGraphSendOperation : IOperation<TestGraphSendRequest, GraphSendTestReport>
    {
        private readonly TokenProviderFactory _factory;
        private readonly HttpMessageHandler? _graphHandler;

        /// <summary>
        /// Creates the operation; <paramref name="factory"/> makes token providers (default: production MSAL),
        /// <paramref name="graphHttpHandler"/> carries the Graph requests (tests trust a private CA; default a new handler).
        /// </summary>
        public TestGraphSendOperation(TokenProviderFactory? factory = null, HttpMessageHandler? graphHttpHandler = null)
        {
            _factory = factory ?? TokenProviderFactory.Default;
            _graphHandler = graphHttpHandler;
        }

        /// <summary>
        /// Runs the test and writes the report. Throws <see cref="M365SmtpException"/> (InvalidArgument) for invalid
        /// parameters before anything is requested, and <see cref="GraphSendTestFailedException"/> when the test failed
        /// and <see cref="TestGraphSendRequest.ErrorOnFailure"/> is set (the report is written first only with
        /// <see cref="TestGraphSendRequest.PassThru"/>).
        /// </summary>
        public async Task RunAsync(TestGraphSendRequest request, IOperationHost<GraphSendTestReport> host,
            CancellationToken cancellationToken)
        {
            if (request == null) throw new ArgumentNullException(nameof(request));
            if (host == null) throw new ArgumentNullException(nameof(host));
            GraphSendTestPlan plan = GraphSendTestPlan.Prepare(request, host);
            GraphSendTestReport report = await new Run(this, request, plan, host, cancellationToken).ExecuteAsync().ConfigureAwait(false);
            if (request.ErrorOnFailure && report.Overall == SmtpTestOutcome.Failed)
            {
                GraphTestFinding? first = report.Findings.FirstOrDefault(f => f.Severity == FindingSeverity.Error)
                    ?? report.Findings.FirstOrDefault();
                if (request.PassThru) host.WriteResult(report);
                throw new GraphSendTestFailedException(report, first, report.FailedStage switch
                {
                    GraphTestStage.Token or GraphTestStage.Claims => ErrorKind.AuthenticationError,
                    GraphTestStage.Mailbox => ErrorKind.PermissionDenied,
                    _ => ErrorKind.InvalidOperation,
                });
            }
            host.WriteResult(report);
        }

        /// <summary>One run: the token, the Graph client, the report.</summary>
        private sealed partial class Run
        {
            private readonly TestGraphSendOperation _op;
            private readonly TestGraphSendRequest _request;
            private readonly GraphSendTestPlan _plan;
            private readonly IOperationHost _host;
            private readonly CancellationToken _ct;
            private readonly GraphSendTestReport _report;
            private string? _token;
            private TokenFacts? _facts;
            private string? _appId;
            private GraphTestFinding? _noRole;

            public Run(TestGraphSendOperation op, TestGraphSendRequest request, GraphSendTestPlan plan, IOperationHost host,
                CancellationToken ct)
            {
                _op = op;
                _request = request;
                _plan = plan;
                _host = host;
                _ct = ct;
                _report = new GraphSendTestReport(plan.BaseAddress.GetLeftPart(UriPartial.Authority))
                {
                    Method = plan.Method.ToString(),
                    Mailbox = plan.Mailbox,
                    From = plan.From != null && !string.Equals(plan.From.Address, plan.Mailbox, StringComparison.OrdinalIgnoreCase)
                        ? plan.From.Address : null,
                };
            }

            private DateTimeOffset Now => _op._factory.Options.Clock();

            public async Task<GraphSendTestReport> ExecuteAsync()
            {
                _report.StartedOn = DateTimeOffset.UtcNow;
                var watch = Stopwatch.StartNew();
                _host.WriteVerbose($"Testing Microsoft Graph sendMail at {_report.Endpoint} for {_plan.Mailbox ?? "the signed-in account"} ({_plan.Method}).");
                ITokenProvider? provider = null;
                GraphHttpClient? graph = null;
                try
                {
                    provider = await TokenStageAsync().ConfigureAwait(false);
                    if (_token != null && ClaimsStage())
                    {
                        graph = new GraphHttpClient(_plan.BaseAddress, _op._graphHandler, _request.SkipCertificateValidation,
                            TimeSpan.FromSeconds(_request.TimeoutSeconds));
                        if (await MailboxStageAsync(graph).ConfigureAwait(false) && _request.SendTestMessage)
                            await MessageStageAsync(graph).ConfigureAwait(false);
                    }
                }
                finally
                {
                    graph?.Dispose();
                    (provider as IDisposable)?.Dispose();
                    _token = null;
                }
                _report.Duration = watch.Elapsed;
                bool failed = _report.Stages.Any(s => s.Status == SmtpTestStageStatus.Failed);
                bool warned = _report.Stages.Any(s => s.Status == SmtpTestStageStatus.Warning)
                    || _report.Findings.Any(f => f.Severity == FindingSeverity.Warning);
                _report.Overall = failed ? SmtpTestOutcome.Failed : warned ? SmtpTestOutcome.Warning : SmtpTestOutcome.Passed;
                _host.WriteVerbose($"Result: {_report}");
                return _report;
            }

            private void Stage(GraphTestStage stage, SmtpTestStageStatus status, Stopwatch watch, string detail)
            {
                _report.AddStage(new GraphTestStageResult(stage, status, watch.Elapsed, detail));
                _host.WriteVerbose($"{stage}: {status}: {detail}");
            }

            private void Finding(string id, FindingSeverity severity, GraphTestStage stage, string evidence, string meaning,
                string remediation, params string[] commands) =>
                _report.AddFinding(new GraphTestFinding(id, severity, stage, evidence, meaning, remediation, commands));
        }
    }
}
