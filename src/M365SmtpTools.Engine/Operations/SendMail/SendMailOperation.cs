using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using M365SmtpTools.Engine.Auth;
using M365SmtpTools.Engine.Exchange;
using M365SmtpTools.Engine.Mime;
using M365SmtpTools.Engine.Smtp;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>
    /// Send-M365Mail: builds and validates every message first (a missing attachment or a bad address fails before any
    /// connection), asks ShouldProcess for each, resolves the endpoint (Direct Send refuses recipients outside the
    /// tenant before connecting), then sends over one authenticated connection (reconnecting when it dies), paced to
    /// the endpoint's limits and retried by reply class. Every input gets exactly one <see cref="SendMailResult"/>,
    /// streamed as soon as it is known. The steps are types of their own: <see cref="SendMailRequestChecks"/>,
    /// <see cref="MessageComposer"/>, <see cref="SendRouteResolver"/>, <see cref="SmtpSessionLease"/>,
    /// <see cref="SmtpSendLoop"/> and <see cref="SendResultLedger"/>; this class puts them in order.
    /// </summary>
    public sealed partial class SendMailOperation : IOperation<SendMailRequest, SendMailResult>
    {
        private readonly SendMailOperationSettings _settings;

        /// <summary>Creates the operation.</summary>
        public SendMailOperation(SendMailOperationSettings? settings = null) => _settings = settings ?? new SendMailOperationSettings();

        /// <summary>
        /// Sends the request's <see cref="SendMailRequest.Messages"/> (or the one message the request describes) and
        /// writes exactly one result per message as soon as it is final (calls are serialized). Throws
        /// <see cref="M365SmtpException"/> only for what makes the whole request unusable (bad parameters, no session
        /// connection, an unreadable client certificate), before anything is sent.
        /// </summary>
        public async Task RunAsync(SendMailRequest request, IOperationHost<SendMailResult> host, CancellationToken cancellationToken)
        {
            if (request == null) throw new ArgumentNullException(nameof(request));
            if (host == null) throw new ArgumentNullException(nameof(host));
            if (request.Message == null) throw new ArgumentException("The request's Message is null (it holds the message, or the " +
                "defaults of Messages).", nameof(request));
            var run = new Run(this, request, request.Messages ?? new[] { request.Message }, host, host.WriteResult, cancellationToken);
            await run.ExecuteAsync().ConfigureAwait(false);
        }

        internal SendMailOperationSettings Settings => _settings;

        /// <summary>One execution: the state shared by the workers.</summary>
        private sealed partial class Run
        {
            private readonly SendMailOperation _op;
            private readonly SendMailRequest _request;
            private readonly IReadOnlyList<MailMessageSpec> _specs;
            private readonly IOperationHost _host;
            private readonly CancellationToken _ct;
            private readonly IClock _clock;
            private readonly SemaphoreSlim _pacerGate = new SemaphoreSlim(1, 1);
            private readonly SendResultLedger _results;
            private ResolvedSmtpEndpoint _endpoint = null!;
            private SmtpConnection? _connection;
            private bool _ownsConnection;
            private X509Certificate2? _clientCertificate;
            private SendPacer? _pacer;
            private RetryPolicy _retry = null!;
            private FileSmtpTranscriptLogger? _transcript;

            public Run(SendMailOperation op, SendMailRequest request, IReadOnlyList<MailMessageSpec> specs, IOperationHost host,
                Action<SendMailResult> onResult, CancellationToken ct)
            {
                _op = op;
                _request = request;
                _specs = specs;
                _host = host;
                _ct = ct;
                _clock = op.Settings.Clock;
                _results = new SendResultLedger(onResult, host, _clock, op.Settings.StopAtFirstFailure, () => _connection);
            }

            private SendMailOperationSettings Settings => _op.Settings;

            public async Task ExecuteAsync()
            {
                ValidateRequest();
                try
                {
                    // 1. Build every message (bad input fails here, before any connection) and ask ShouldProcess.
                    for (int i = 0; i < _specs.Count; i++)
                    {
                        MailMessageSpec spec = (_specs[i] ?? throw new ArgumentException("A message spec is null."))
                            .WithDefaults(_request.Message);
                        var item = new SendItem { Index = i, Spec = spec };
                        item.Result.Index = i;
                        item.Result.Input = item.Spec.Input ?? item.Spec;
                        item.Result.Method = _request.Method;
                        _results.Add(item);
                    }
                    var composer = new MessageComposer(_request, _host);
                    foreach (SendItem item in _results.Items)
                    {
                        if (_ct.IsCancellationRequested || _results.StoppedAt != null) break;
                        Prepare(item, composer);
                    }
                    var toSend = _results.Items.Where(i => !i.Done).ToList();
                    if (toSend.Count == 0 || _ct.IsCancellationRequested) return;

                    // 2. Where each message goes (DNS for relay and Direct Send; Direct Send refuses external recipients here).
                    var routes = new SendRouteResolver(_request, Settings, _host, _endpoint, _ct);
                    foreach (SendItem item in toSend)
                    {
                        if (_ct.IsCancellationRequested || _results.StoppedAt != null) break;
                        try
                        {
                            item.Endpoint = await routes.ResolveAsync(item.Message!).ConfigureAwait(false);
                            item.Result.Server = item.Endpoint.Address;
                        }
                        catch (M365SmtpException e)
                        {
                            _results.Fail(item, e);
                        }
                    }
                    // With StopAtFirstFailure nothing after the first failed input is sent, even if it was valid.
                    toSend = toSend.Where(i => !i.Done && (_results.StoppedAt == null || i.Index < _results.StoppedAt.Index)).ToList();
                    if (toSend.Count == 0 || _ct.IsCancellationRequested) return;

                    // 3. Credentials, transcript, pacing; then send.
                    if (!await PrepareSendingAsync(toSend).ConfigureAwait(false)) return;
                    await SendAllAsync(toSend).ConfigureAwait(false);
                }
                finally
                {
                    // Whatever happened, every input ends with exactly one result.
                    foreach (SendItem item in _results.Items.Where(i => !i.Done).ToList())
                    {
                        if (_results.StoppedAt != null && _results.Fatal == null)
                            item.Result.Meaning = $"Not sent: message {_results.StoppedAt.Index + 1} failed and the batch stops at the " +
                                "first failure (-ErrorAction Stop).";
                        _results.Finish(item, SendMailStatus.NotAttempted, _results.Fatal);
                    }
                    _results.Complete();
                    _transcript?.Dispose();
                    if (_ownsConnection) _connection?.Close();
                    DisposeGraph();
                    _pacerGate.Dispose();
                }
            }

            // ---- the request as a whole -------------------------------------------------------------------------

            private void ValidateRequest()
            {
                SendMailRequest r = _request;
                SendMailRequestChecks.CheckLimits(r);
                if (r.Method == SendMethod.Graph)
                {
                    ValidateGraphRequest();
                    return;
                }
                SendMailRequestChecks.CheckAuthApplies(r);

                // The session connection decides the server when none is named.
                string? server = r.SmtpServer;
                int? port = r.Port;
                if (r.Method == SendMethod.ClientSubmission && !r.SpecifiesAuthMethod())
                {
                    _connection = (Settings.Registry ?? SmtpConnectionRegistry.Default).Get(r.ConnectionName);
                    if (_connection.IsClosed)
                        throw new M365SmtpException(AuthErrorCodes.ConnectionClosed,
                            $"The connection '{_connection.Name}' was disconnected.")
                        { TargetObject = _connection.Name, RecommendedAction = "Run Connect-M365Smtp again." };
                    if (string.IsNullOrWhiteSpace(server) && r.Endpoint == SubmissionEndpointKind.ClientSubmission)
                    {
                        server = _connection.SmtpHost;
                        port ??= _connection.Port;
                    }
                    _host.WriteVerbose($"Using the session connection '{_connection.Name}' ({_connection.Method} as " +
                        $"{_connection.UserName}).");
                }
                else if (!string.IsNullOrWhiteSpace(r.ConnectionName))
                    throw SmtpAuthOptions.ConnectionNameNotApplicable(r.Method == SendMethod.ClientSubmission
                        ? "auth parameters were given too" : $"-Method {r.Method} doesn't authenticate");

                _clientCertificate = SendMailRequestChecks.LoadClientCertificate(r);
                _endpoint = SubmissionEndpoints.Resolve(r.Method, r.Endpoint, r.Environment, server, port, r.RequireTls,
                    _clientCertificate != null);
                foreach (string w in _endpoint.Warnings) _host.WriteWarning(w);
                // -SkipCertificateValidation is warned about by the TLS layer when it applies (one warning, not two).
                SendMailRequestChecks.CheckTranscriptPath(r);
                _host.WriteVerbose($"Endpoint: {_endpoint} — {_endpoint.Info.Description}.");
            }

            // ---- step 1: build and confirm ------------------------------------------------------------------------

            private void Prepare(SendItem item, MessageComposer composer)
            {
                try
                {
                    item.Message = composer.Compose(item.Spec, item.Index, _connection?.UserName);
                    item.Notify = item.Spec.DeliveryNotification ?? SmtpDsnNotify.Default;
                    if (item.Notify.HasFlag(SmtpDsnNotify.Never) && item.Notify != SmtpDsnNotify.Never)
                        throw SendMailRequestChecks.Invalid(RequestErrorCodes.DeliveryNotificationConflict, "DeliveryNotification",
                            "-DeliveryNotification Never can't be combined with Success, Failure or Delay.", "Give Never alone, or " +
                                "the others.");
                    if (_request.Method == SendMethod.Graph) PrepareGraph(item);
                }
                catch (M365SmtpException e)
                {
                    // Say what the input was, so a failed row can be recognised (and fixed) from its result alone.
                    item.Result.From = item.Spec.From;
                    item.Result.Subject = item.Spec.Subject;
                    item.Result.Recipients = new[] { item.Spec.To, item.Spec.Cc, item.Spec.Bcc }
                        .Where(list => list != null).SelectMany(list => list!)
                        .SelectMany(v => (v ?? "").Split(new[] { ';', ',' }, StringSplitOptions.RemoveEmptyEntries))
                        .Select(v => v.Trim()).Where(v => v.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
                    _results.Fail(item, e);
                    return;
                }
                MimeMessage m = item.Message;
                item.Result.MessageId = m.MessageId;
                item.Result.From = m.EnvelopeSender.Address;
                item.Result.Subject = m.Subject;
                item.Result.Recipients = m.EnvelopeRecipients.Select(a => a.Address).ToArray();
                string via = _endpoint.Host != null
                    ? _endpoint.Address
                    : "the MX endpoint of " +
                        $"{(_request.Method == SendMethod.Relay ? m.EnvelopeSender.Domain : m.EnvelopeRecipients[0].Domain)} port " +
                        $"{_endpoint.Port}";
                string target = $"'{m.Subject}' to {string.Join(", ", item.Result.Recipients)} via {via} ({_request.Method})";
                if (!_host.ShouldProcess(target, "Send"))
                    _results.Finish(item, SendMailStatus.NotAttempted, null);
            }

            // ---- step 3: credentials and sending ------------------------------------------------------------------

            private async Task<bool> PrepareSendingAsync(List<SendItem> toSend)
            {
                try
                {
                    if (_request.Method == SendMethod.Graph)
                        await PrepareGraphSendingAsync().ConfigureAwait(false);
                    if (_request.Method == SendMethod.ClientSubmission && _connection == null)
                    {
                        var connect = new ConnectSmtpRequest();
                        _request.CopyAuthOptionsTo(connect);
                        connect.SmtpServer = _endpoint.Host;
                        connect.Port = _endpoint.Port;
                        connect.Name = "Send-M365Mail";
                        connect.AllowRetiredBasicAuth = _request.AllowRetiredBasicAuth;
                        _host.WriteVerbose("Getting credentials for the batch.");
                        _connection = await new ConnectSmtpOperation(Settings.Registry, Settings.TokenProviderFactory, null,
                            Settings.BasicAuthSchedule).CreateAsync(connect, _host, _ct).ConfigureAwait(false);
                        _ownsConnection = true;
                    }
                    else if (_request.Method == SendMethod.ClientSubmission && _connection!.Method == SmtpAuthMethod.Basic)
                    {
                        BasicAuthVerdict verdict = BasicAuthRetirement.Evaluate(_clock.UtcNow, _endpoint.Host!, Settings.BasicAuthSchedule);
                        if (verdict.Kind == BasicAuthVerdictKind.Refuse && !_request.AllowRetiredBasicAuth)
                            throw new M365SmtpException(AuthErrorCodes.BasicAuthRetired, verdict.Message)
                            { TargetObject = _endpoint.Host, RecommendedAction = "Move to OAuth (e.g. -CertificatePath or " +
                                "-ManagedIdentity); -AllowRetiredBasicAuth tries Basic anyway." };
                        if (verdict.Kind != BasicAuthVerdictKind.Allowed) _host.WriteWarning(verdict.Message);
                    }
                    if (!string.IsNullOrWhiteSpace(_request.TranscriptPath))
                        _transcript = new FileSmtpTranscriptLogger(Path.GetFullPath(_request.TranscriptPath), _request.Force);
                }
                catch (M365SmtpException e)
                {
                    _results.StopBatch(toSend, e);
                    return false;
                }
                _pacer = new SendPacer(_clock, _request.MaxMessagesPerMinute ?? _endpoint.Info.MessagesPerMinute,
                    _request.MaxRecipientsPerDay ?? _endpoint.Info.RecipientsPerDay);
                _results.Pacer = _pacer;
                _retry = new RetryPolicy(_request.MaxRetry, _request.RetryUnknown, Settings.RetryBaseDelay, null, Settings.RetrySeed);
                _host.WriteVerbose($"Pacing: {Describe(_request.MaxMessagesPerMinute ?? _endpoint.Info.MessagesPerMinute, "messages a minute")}, {Describe(_request.MaxRecipientsPerDay ?? _endpoint.Info.RecipientsPerDay, "recipients a day")}; up to {_request.MaxRetry} retries.");
                return true;
            }

            private static string Describe(int? limit, string unit) => limit is int l ? $"at most {l} {unit}" : $"no limit on {unit}";

            private async Task SendAllAsync(List<SendItem> toSend)
            {
                int wanted = _request.MaxConnections ?? 1;
                int cap = _endpoint.Info.MaxConnections ?? int.MaxValue;
                if (wanted > cap)
                {
                    _host.WriteWarning($"-MaxConnections {wanted} is more than {_endpoint.Info.Description} allows per sender ({cap}); " +
                        $"using {cap}.");
                    wanted = cap;
                }
                if (Settings.StopAtFirstFailure && wanted > 1)
                {
                    _host.WriteVerbose($"-MaxConnections {wanted} ignored: stopping at the first failure sends one message at a time, so " +
                        "that nothing after a failed message is sent.");
                    wanted = 1;
                }
                int workers = Math.Max(1, Math.Min(wanted, toSend.Count));
                var queue = new Queue<SendItem>(toSend);
                _results.Progress(null);
                var tasks = Enumerable.Range(0, workers).Select(_ => Task.Run(() => WorkerAsync(queue))).ToArray();
                await Task.WhenAll(tasks).ConfigureAwait(false);
            }

            private async Task WorkerAsync(Queue<SendItem> queue)
            {
                SmtpSendLoop? smtp = _request.Method == SendMethod.Graph ? null
                    : new SmtpSendLoop(_request, _retry, _results, PaceAsync, _host, _clock, _ct);
                using var session = new SmtpSessionLease(_request, Settings, _host, _transcript, _clientCertificate, _connection);
                try
                {
                    while (true)
                    {
                        SendItem? item;
                        lock (queue)
                            item = queue.Count > 0 && _results.Fatal == null && _results.StoppedAt == null && !_ct.IsCancellationRequested
                                ? queue.Dequeue() : null;
                        if (item == null) break;
                        if (smtp == null) await SendOneGraphAsync(item).ConfigureAwait(false);
                        else await smtp.SendAsync(item, session).ConfigureAwait(false);
                    }
                }
                finally
                {
                    await session.QuitAsync().ConfigureAwait(false);
                }
            }

            private async Task PaceAsync(SendItem item)
            {
                await _pacerGate.WaitAsync(_ct).ConfigureAwait(false);
                try
                {
                    bool told = false;
                    await _pacer!.WaitForSlotAsync(item.Message!.EnvelopeRecipients.Count, left =>
                    {
                        // Verbose once per wait; progress every second, so the wait counts down instead of freezing.
                        if (!told) _host.WriteVerbose($"Waiting {left.TotalSeconds:0.#} s to stay within " +
                            $"{_request.MaxMessagesPerMinute ?? _endpoint.Info.MessagesPerMinute} messages a minute.");
                        told = true;
                        _results.Progress($"Pacing: waiting {Math.Ceiling(left.TotalSeconds):0} s");
                    }, _ct).ConfigureAwait(false);
                }
                finally
                {
                    _pacerGate.Release();
                }
            }
        }
    }
}
