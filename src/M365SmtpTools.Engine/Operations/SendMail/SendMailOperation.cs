using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using M365SmtpTools.Engine.Auth;
using M365SmtpTools.Engine.Dns;
using M365SmtpTools.Engine.Exchange;
using M365SmtpTools.Engine.Mime;
using M365SmtpTools.Engine.Smtp;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>What <see cref="SendMailOperation"/> uses from its environment; every value defaults to production.</summary>
    public sealed class SendMailOperationSettings
    {
        /// <summary>Time for pacing, back-off and elapsed times.</summary>
        public IClock Clock { get; set; } = SystemClock.Instance;

        /// <summary>Makes the DNS resolver for MX lookups (default: <see cref="DnsClient"/> with the request's DnsServer).</summary>
        public Func<SendMailRequest, Action<string>, IDnsResolver>? DnsResolverFactory { get; set; }

        /// <summary>The session connections (default: the process's).</summary>
        public SmtpConnectionRegistry? Registry { get; set; }

        /// <summary>Makes token providers for auth parameters (default: production MSAL).</summary>
        public TokenProviderFactory? TokenProviderFactory { get; set; }

        /// <summary>The Basic authentication retirement dates (default: as announced).</summary>
        public BasicAuthRetirementSchedule? BasicAuthSchedule { get; set; }

        /// <summary>
        /// Stop at the first message that fails (PowerShell's -ErrorAction Stop): messages are sent one at a time, and
        /// after a Failed or Unknown message (or one that fails before sending) nothing later in the batch is handed to a
        /// server; those messages end NotAttempted. A message already being transmitted on the connection when the failure
        /// happens can't exist: with this setting there is only one.
        /// </summary>
        public bool StopAtFirstFailure { get; set; }

        /// <summary>Adjusts each connection's options after the request's are applied (e.g. trust a private CA, shorter timeouts).</summary>
        public Action<SmtpConnectOptions>? ConfigureConnection { get; set; }

        /// <summary>Maps the resolved host and port to the address actually dialled (tests put a loopback server behind a real name).</summary>
        public Func<string, int, (string Host, int Port)>? Redirect { get; set; }

        /// <summary>The first back-off of the retry policy (default 2 seconds).</summary>
        public TimeSpan? RetryBaseDelay { get; set; }

        /// <summary>Makes the retry jitter repeatable.</summary>
        public int? RetrySeed { get; set; }

        /// <summary>-Method Graph: the HTTP handler requests go through (tests trust a private CA); default a new HttpClientHandler.</summary>
        public System.Net.Http.HttpMessageHandler? GraphHttpHandler { get; set; }
    }

    /// <summary>
    /// Send-M365Mail: builds and validates every message first (a missing attachment or a bad address fails before any
    /// connection), asks ShouldProcess for each, resolves the endpoint (Direct Send refuses recipients outside the
    /// tenant before connecting), then sends over one authenticated connection (reconnecting when it dies), paced to
    /// the endpoint's limits and retried by reply class. Every input gets exactly one <see cref="SendMailResult"/>,
    /// streamed as soon as it is known.
    /// </summary>
    public sealed partial class SendMailOperation
    {
        private readonly SendMailOperationSettings _settings;

        /// <summary>Creates the operation.</summary>
        public SendMailOperation(SendMailOperationSettings? settings = null) => _settings = settings ?? new SendMailOperationSettings();

        /// <summary>Sends the one message the request describes and returns its result.</summary>
        public async Task<SendMailResult> RunAsync(SendMailRequest request, IOperationHost host, CancellationToken cancellationToken = default)
        {
            SendMailResult? result = null;
            await RunAsync(request, null, host, r => result = r, cancellationToken).ConfigureAwait(false);
            return result!;
        }

        /// <summary>
        /// Sends a batch: one message per spec (null = the request's own message), the request's message values as
        /// defaults. <paramref name="onResult"/> receives exactly one result per spec, as soon as it is final (calls are
        /// serialized). Throws <see cref="M365SmtpException"/> only for what makes the whole request unusable (bad
        /// parameters, no session connection, an unreadable client certificate), before anything is sent.
        /// </summary>
        public async Task RunAsync(SendMailRequest request, IReadOnlyList<MailMessageSpec>? messages, IOperationHost host,
            Action<SendMailResult> onResult, CancellationToken cancellationToken = default)
        {
            if (request == null) throw new ArgumentNullException(nameof(request));
            if (host == null) throw new ArgumentNullException(nameof(host));
            if (onResult == null) throw new ArgumentNullException(nameof(onResult));
            var run = new Run(this, request, messages ?? new[] { MailMessageSpec.FromRequest(request) }, host, onResult, cancellationToken);
            await run.ExecuteAsync().ConfigureAwait(false);
        }

        internal SendMailOperationSettings Settings => _settings;

        /// <summary>
        /// The Content-ID → file pairs of an InlineImage value: dictionaries of Content-ID → path, dictionaries with the
        /// keys ContentId and Path, or strings <c>contentId=path</c>.
        /// </summary>
        /// <exception cref="M365SmtpException">InvalidInlineImage for any other value.</exception>
        public static IReadOnlyList<KeyValuePair<string, string>> ParseInlineImages(object[]? items) =>
            Run.InlineImages(items).Select(p => new KeyValuePair<string, string>(p.ContentId, p.Path)).ToList();

        private sealed class Item
        {
            public int Index;
            public MailMessageSpec Spec = null!;
            public MimeMessage? Message;
            public SmtpDsnNotify Notify;
            public ResolvedSmtpEndpoint? Endpoint;
            public SendMailResult Result = new SendMailResult();
            public DateTimeOffset? Started;
            public bool Done;
        }

        private sealed class Session : IDisposable
        {
            public SmtpClient? Client;
            public string? Host;
            public int MessagesSent;

            public bool Usable(string host) => Client != null && Client.IsConnected && string.Equals(Host, host, StringComparison.OrdinalIgnoreCase);

            public void Drop()
            {
                Client?.Dispose();
                Client = null;
                Host = null;
                MessagesSent = 0;
            }

            public void Dispose() => Drop();
        }

        /// <summary>One execution: the state shared by the workers.</summary>
        private sealed partial class Run
        {
            private readonly SendMailOperation _op;
            private readonly SendMailRequest _request;
            private readonly IReadOnlyList<MailMessageSpec> _specs;
            private readonly IOperationHost _host;
            private readonly Action<SendMailResult> _onResult;
            private readonly CancellationToken _ct;
            private readonly IClock _clock;
            private readonly object _gate = new object();
            private readonly SemaphoreSlim _pacerGate = new SemaphoreSlim(1, 1);
            private readonly Dictionary<string, Task<MxLookup>> _mx = new Dictionary<string, Task<MxLookup>>(StringComparer.OrdinalIgnoreCase);
            private readonly List<Item> _items = new List<Item>();
            private ResolvedSmtpEndpoint _endpoint = null!;
            private SmtpConnection? _connection;
            private bool _ownsConnection;
            private X509Certificate2? _clientCertificate;
            private IDnsResolver? _dns;
            private SendPacer? _pacer;
            private RetryPolicy _retry = null!;
            private FileSmtpTranscriptLogger? _transcript;
            private M365SmtpException? _fatal;
            private int _sent, _failed, _total;
            private int _nextToEmit;       // results go out in input order: the index of the next one to emit
            private DateTimeOffset? _batchStarted; // when the first message started: the base of the remaining-time estimate
            private Item? _stoppedAt;      // with StopAtFirstFailure: the message that stopped the batch

            public Run(SendMailOperation op, SendMailRequest request, IReadOnlyList<MailMessageSpec> specs, IOperationHost host, Action<SendMailResult> onResult, CancellationToken ct)
            {
                _op = op;
                _request = request;
                _specs = specs;
                _host = host;
                _onResult = onResult;
                _ct = ct;
                _clock = op.Settings.Clock;
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
                        var item = new Item { Index = i, Spec = (_specs[i] ?? throw new ArgumentException("A message spec is null.")).WithDefaults(_request) };
                        item.Result.Index = i;
                        item.Result.Input = item.Spec.Input ?? item.Spec;
                        item.Result.Method = _request.Method;
                        _items.Add(item);
                    }
                    _total = _items.Count;
                    foreach (Item item in _items)
                    {
                        if (_ct.IsCancellationRequested || _stoppedAt != null) break;
                        Prepare(item);
                    }
                    var toSend = _items.Where(i => !i.Done).ToList();
                    if (toSend.Count == 0 || _ct.IsCancellationRequested) return;

                    // 2. Where each message goes (DNS for relay and Direct Send; Direct Send refuses external recipients here).
                    foreach (Item item in toSend)
                    {
                        if (_ct.IsCancellationRequested || _stoppedAt != null) break;
                        await ResolveEndpointAsync(item).ConfigureAwait(false);
                    }
                    // With StopAtFirstFailure nothing after the first failed input is sent, even if it was valid.
                    toSend = toSend.Where(i => !i.Done && (_stoppedAt == null || i.Index < _stoppedAt.Index)).ToList();
                    if (toSend.Count == 0 || _ct.IsCancellationRequested) return;

                    // 3. Credentials, transcript, pacing; then send.
                    if (!await PrepareSendingAsync(toSend).ConfigureAwait(false)) return;
                    await SendAllAsync(toSend).ConfigureAwait(false);
                }
                finally
                {
                    // Whatever happened, every input ends with exactly one result.
                    foreach (Item item in _items.Where(i => !i.Done))
                    {
                        if (_stoppedAt != null && _fatal == null)
                            item.Result.Meaning = $"Not sent: message {_stoppedAt.Index + 1} failed and the batch stops at the first failure (-ErrorAction Stop).";
                        Finish(item, SendMailStatus.NotAttempted, _fatal);
                    }
                    if (_total > 1)
                        _host.WriteProgress(new OperationProgress { ActivityId = 1, Activity = "Send-M365Mail", Status = Summary(), Completed = true });
                    _transcript?.Dispose();
                    if (_ownsConnection) _connection?.Close();
                    DisposeGraph();
                    _pacerGate.Dispose();
                }
            }

            // ---- validation of the request as a whole -------------------------------------------------------------

            private void ValidateRequest()
            {
                SendMailRequest r = _request;
                if (r.MaxRetry < 0 || r.MaxRetry > 20) throw Invalid("MaxRetryOutOfRange", "MaxRetry", $"-MaxRetry {r.MaxRetry} is outside 0-20.", "Give 0 (no retry) to 20.");
                if (r.TimeoutSeconds is int t && (t < 1 || t > 3600)) throw Invalid("TimeoutOutOfRange", "TimeoutSeconds", $"-TimeoutSeconds {t} is outside 1-3600.", "Give 1 to 3600 seconds, or leave it out (30 s to connect, 120 s per reply).");
                if (r.MaxMessagesPerMinute is int m && m < 1) throw Invalid("MaxMessagesPerMinuteOutOfRange", "MaxMessagesPerMinute", $"-MaxMessagesPerMinute {m} is not positive.", "Give 1 or more.");
                if (r.MaxRecipientsPerDay is int d && d < 1) throw Invalid("MaxRecipientsPerDayOutOfRange", "MaxRecipientsPerDay", $"-MaxRecipientsPerDay {d} is not positive.", "Give 1 or more.");
                if (r.MaxConnections is int c && (c < 1 || c > 100)) throw Invalid("MaxConnectionsOutOfRange", "MaxConnections", $"-MaxConnections {c} is outside 1-100.", "Give 1 (the default) to 3 for Microsoft 365.");

                if (r.Method == SendMethod.Graph)
                {
                    ValidateGraphRequest();
                    return;
                }

                bool auth = r.SpecifiesAuthMethod();
                if (r.Method != SendMethod.ClientSubmission)
                {
                    // The app's certificate given where the connector's was meant: say which parameter that is.
                    string? appCertificate = !string.IsNullOrWhiteSpace(r.CertificatePath) ? "CertificatePath"
                        : !string.IsNullOrWhiteSpace(r.CertificateThumbprint) ? "CertificateThumbprint" : r.Certificate != null ? "Certificate" : null;
                    if (appCertificate != null)
                        throw Invalid("AuthNotApplicable", appCertificate,
                            $"-{appCertificate} is the app's certificate for OAuth sign-in, which -Method {r.Method} doesn't use: a relay connector's certificate is -Client{appCertificate}.",
                            $"Give the certificate as -Client{appCertificate}{(appCertificate == "CertificatePath" ? " (with -ClientCertificatePassword)" : "")}, or use -Method ClientSubmission to sign in as the app.");
                    if (auth)
                        throw Invalid("AuthNotApplicable", "Method",
                            $"-Method {r.Method} doesn't authenticate (the connector matches the IP or certificate; Direct Send is anonymous), but auth parameters were given.",
                            "Remove the auth parameters, or use -Method ClientSubmission to authenticate.");
                }
                else if (auth)
                    r.Validate();

                // The session connection decides the server when none is named.
                SmtpConnectionRegistry registry = Settings.Registry ?? SmtpConnectionRegistry.Default;
                string? server = r.SmtpServer;
                int? port = r.Port;
                if (r.Method == SendMethod.ClientSubmission && !auth)
                {
                    _connection = registry.Get(r.ConnectionName);
                    if (_connection.IsClosed)
                        throw new M365SmtpException("ConnectionClosed", ErrorKind.InvalidOperation, $"The connection '{_connection.Name}' was disconnected.")
                        { TargetObject = _connection.Name, RecommendedAction = "Run Connect-M365Smtp again." };
                    if (string.IsNullOrWhiteSpace(server) && r.Endpoint == SubmissionEndpointKind.ClientSubmission)
                    {
                        server = _connection.SmtpHost;
                        port ??= _connection.Port;
                    }
                    _host.WriteVerbose($"Using the session connection '{_connection.Name}' ({_connection.Method} as {_connection.UserName}).");
                }
                else if (!string.IsNullOrWhiteSpace(r.ConnectionName))
                    throw Invalid("ConnectionNameNotApplicable", "ConnectionName",
                        r.Method == SendMethod.ClientSubmission
                            ? "-ConnectionName names a session connection, but auth parameters were given too."
                            : $"-ConnectionName names a session connection, but -Method {r.Method} doesn't authenticate.",
                        "Remove -ConnectionName, or the auth parameters.");

                _clientCertificate = LoadClientCertificate(r);
                _endpoint = SubmissionEndpoints.Resolve(r.Method, r.Endpoint, r.Environment, server, port, r.RequireTls, _clientCertificate != null);
                foreach (string w in _endpoint.Warnings) _host.WriteWarning(w);
                // -SkipCertificateValidation is warned about by the TLS layer when it applies (one warning, not two).
                if (!string.IsNullOrWhiteSpace(r.TranscriptPath))
                {
                    string? dir = Path.GetDirectoryName(Path.GetFullPath(r.TranscriptPath));
                    if (dir != null && !Directory.Exists(dir))
                        throw Invalid("TranscriptFolderNotFound", "TranscriptPath", $"The folder of -TranscriptPath '{r.TranscriptPath}' does not exist.", "Create the folder, or give a path in an existing one.");
                    // An existing file, a folder or a symbolic link is refused here, before anything is sent.
                    PrivateOutputFile.Check(r.TranscriptPath!, r.Force, OutputFileKind.Transcript);
                }
                _host.WriteVerbose($"Endpoint: {_endpoint} — {_endpoint.Info.Description}.");
            }

            private static X509Certificate2? LoadClientCertificate(SendMailRequest r)
            {
                var given = new List<string>();
                if (r.ClientCertificate != null) given.Add("ClientCertificate");
                if (!string.IsNullOrWhiteSpace(r.ClientCertificatePath)) given.Add("ClientCertificatePath");
                if (!string.IsNullOrWhiteSpace(r.ClientCertificateThumbprint)) given.Add("ClientCertificateThumbprint");
                if (r.ClientCertificatePassword != null && string.IsNullOrWhiteSpace(r.ClientCertificatePath))
                    throw Invalid("ClientCertificatePasswordWithoutPath", "ClientCertificatePassword", "-ClientCertificatePassword was given without -ClientCertificatePath.", "Give -ClientCertificatePath, or remove the password.");
                if (given.Count == 0) return null;
                if (given.Count > 1)
                    throw Invalid("ClientCertificateConflict", given[1], $"Several client certificates were given (-{string.Join(", -", given)}); give one.", "Keep one of them.");
                X509Certificate2 cert;
                if (r.ClientCertificate != null) cert = r.ClientCertificate;
                else if (!string.IsNullOrWhiteSpace(r.ClientCertificatePath))
                {
                    string path = r.ClientCertificatePath!.Trim();
                    if (!File.Exists(path))
                        throw new M365SmtpException("ClientCertificateFileNotFound", ErrorKind.ObjectNotFound, $"-ClientCertificatePath '{path}' does not exist.")
                        { TargetObject = path, RecommendedAction = "Give the full path of the .pfx file with the certificate and its private key." };
                    try
                    {
                        cert = r.ClientCertificatePassword != null
                            ? new X509Certificate2(path, r.ClientCertificatePassword, X509KeyStorageFlags.DefaultKeySet)
                            : new X509Certificate2(path, (string?)null, X509KeyStorageFlags.DefaultKeySet);
                    }
                    catch (CryptographicException e)
                    {
                        throw new M365SmtpException("ClientCertificateFileUnreadable", ErrorKind.InvalidArgument,
                            $"-ClientCertificatePath '{path}' could not be opened: the password (-ClientCertificatePassword) is wrong or missing, or the file is not a PFX/PKCS#12 file.", e)
                        { TargetObject = path, RecommendedAction = "Check -ClientCertificatePassword, and export the certificate with its private key as .pfx." };
                    }
                }
                else
                {
                    string t = r.ClientCertificateThumbprint!.Replace(" ", "").Replace(":", "").Trim();
                    if (!System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Windows))
                        throw new M365SmtpException("CertificateStoreNotSupported", ErrorKind.InvalidOperation,
                            "-ClientCertificateThumbprint reads the Windows certificate store, which doesn't exist on this operating system.")
                        { TargetObject = "ClientCertificateThumbprint", RecommendedAction = "Use -ClientCertificatePath with a .pfx file, or pass an X509Certificate2 with -ClientCertificate." };
                    X509Certificate2? found = null;
                    foreach (StoreLocation location in new[] { StoreLocation.CurrentUser, StoreLocation.LocalMachine })
                    {
                        using var store = new X509Store(StoreName.My, location);
                        store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
                        X509Certificate2Collection matches = store.Certificates.Find(X509FindType.FindByThumbprint, t, validOnly: false);
                        if (matches.Count > 0) { found = matches[0]; break; }
                    }
                    cert = found ?? throw new M365SmtpException("ClientCertificateNotFoundInStore", ErrorKind.ObjectNotFound,
                        $"No certificate with thumbprint {t} is in Cert:\\CurrentUser\\My or Cert:\\LocalMachine\\My.")
                    { TargetObject = "ClientCertificateThumbprint", RecommendedAction = "Check the thumbprint, or import the PFX into the store of the account that runs this." };
                }
                if (!cert.HasPrivateKey)
                    throw new M365SmtpException("ClientCertificateHasNoPrivateKey", ErrorKind.InvalidArgument,
                        $"The client certificate (thumbprint {cert.Thumbprint}, subject '{cert.Subject}') has no private key, so it can't be presented in TLS.")
                    { TargetObject = given[0], RecommendedAction = "Use the PFX or store certificate that has its private key." };
                return cert;
            }

            // ---- step 1: build and confirm ------------------------------------------------------------------------

            private void Prepare(Item item)
            {
                try
                {
                    item.Message = BuildMessage(item.Spec, item.Index);
                    item.Notify = item.Spec.DeliveryNotification ?? SmtpDsnNotify.Default;
                    if (item.Notify.HasFlag(SmtpDsnNotify.Never) && item.Notify != SmtpDsnNotify.Never)
                        throw Invalid("DeliveryNotificationConflict", "DeliveryNotification", "-DeliveryNotification Never can't be combined with Success, Failure or Delay.", "Give Never alone, or the others.");
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
                    Fail(item, e);
                    return;
                }
                MimeMessage m = item.Message;
                item.Result.MessageId = m.MessageId;
                item.Result.From = m.EnvelopeSender.Address;
                item.Result.Subject = m.Subject;
                item.Result.Recipients = m.EnvelopeRecipients.Select(a => a.Address).ToArray();
                string via = _endpoint.Host != null
                    ? _endpoint.Address
                    : $"the MX endpoint of {(_request.Method == SendMethod.Relay ? m.EnvelopeSender.Domain : m.EnvelopeRecipients[0].Domain)} port {_endpoint.Port}";
                string target = $"'{m.Subject}' to {string.Join(", ", item.Result.Recipients)} via {via} ({_request.Method})";
                if (!_host.ShouldProcess(target, "Send"))
                {
                    Finish(item, SendMailStatus.NotAttempted, null);
                    return;
                }
            }

            private MimeMessage BuildMessage(MailMessageSpec spec, int index)
            {
                if (spec.InputError != null) throw spec.InputError;
                var b = new MessageBuilder();
                string? from = spec.From;
                if (string.IsNullOrWhiteSpace(from) && (_request.Method == SendMethod.ClientSubmission || _request.Method == SendMethod.Graph))
                {
                    string? user = _connection?.UserName ?? _request.UserName ?? _request.Credential?.UserName;
                    if (user != null && EmailAddress.TryParse(user, out EmailAddress? _)) from = user;
                }
                if (string.IsNullOrWhiteSpace(from))
                    throw new M365SmtpException("MessageHasNoSender", ErrorKind.InvalidArgument, "The message has no From address.")
                    {
                        TargetObject = "From",
                        RecommendedAction = _request.Method == SendMethod.ClientSubmission
                            ? "Give -From (it defaults to the authenticating mailbox when that is an address)."
                            : "Give -From with an address in one of the tenant's accepted domains.",
                    };
                b.From = EmailAddress.Parse(from!);
                AddAll(b.To, spec.To);
                AddAll(b.Cc, spec.Cc);
                AddAll(b.Bcc, spec.Bcc);
                AddAll(b.ReplyTo, spec.ReplyTo);
                b.Subject = spec.Subject;
                // An empty or blank body (an empty CSV cell) means "not given": an empty text/html part would make mail
                // clients show the blank HTML part instead of the text.
                b.TextBody = string.IsNullOrWhiteSpace(spec.Body) ? null : spec.Body;
                b.HtmlBody = string.IsNullOrWhiteSpace(spec.HtmlBody) ? null : spec.HtmlBody;
                if (_request.BodyAsHtml && b.HtmlBody == null)
                {
                    b.HtmlBody = b.TextBody;
                    b.TextBody = null;
                }
                b.Priority = spec.Priority;
                foreach (string path in spec.Attachment ?? Array.Empty<string>())
                    if (!string.IsNullOrWhiteSpace(path)) b.Attachments.Add(MimeAttachment.FromFile(path.Trim()));
                var referenced = CidReferences.In(b.HtmlBody);
                var given = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                foreach ((string cid, string path) in InlineImages(spec.InlineImage))
                {
                    given.Add(cid);
                    if (referenced.Contains(cid)) b.InlineImages.Add(MimeAttachment.FromFile(path).WithContentId(cid));
                    else
                    {
                        // Not shown by the HTML (or there is no HTML): an ordinary attachment, so the file still arrives.
                        _host.WriteVerbose($"Message {index + 1}: the inline image '{cid}' isn't referenced as cid:{cid} in the HTML body; attaching it as a file.");
                        b.Attachments.Add(MimeAttachment.FromFile(path));
                    }
                }
                foreach (string cid in referenced.Where(c => !given.Contains(c)))
                    _host.WriteWarning($"Message {index + 1}: the HTML body shows cid:{cid}, but no -InlineImage has that Content-ID, so the image will be missing. Give -InlineImage @{{ '{cid}' = '<path of the image>' }}.");
                if (spec.Header != null)
                    foreach (DictionaryEntry h in spec.Header)
                        b.AddHeader(Convert.ToString(h.Key, CultureInfo.InvariantCulture) ?? "", Convert.ToString(h.Value, CultureInfo.InvariantCulture) ?? "");
                if (b.TextBody == null && b.HtmlBody == null) b.TextBody = "";
                return b.Build();
            }

            private static void AddAll(List<EmailAddress> list, string[]? values)
            {
                foreach (string v in values ?? Array.Empty<string>())
                    if (!string.IsNullOrWhiteSpace(v))
                        foreach (EmailAddress a in EmailAddress.ParseList(v))
                            if (!list.Contains(a)) list.Add(a);
            }

            internal static IEnumerable<(string ContentId, string Path)> InlineImages(object[]? items)
            {
                foreach (object? item in items ?? Array.Empty<object>())
                {
                    if (item == null) continue;
                    if (item is IDictionary d)
                    {
                        object? cid = Find(d, "ContentId", "Cid", "Id");
                        object? path = Find(d, "Path", "FilePath", "File", "FullName");
                        if (cid != null && path != null)
                        {
                            yield return (Str(cid), Str(path));
                            continue;
                        }
                        foreach (DictionaryEntry e in d) yield return (Str(e.Key), Str(e.Value));
                        continue;
                    }
                    if (item is string s && s.IndexOf('=') > 0)
                    {
                        int eq = s.IndexOf('=');
                        yield return (s.Substring(0, eq).Trim(), s.Substring(eq + 1).Trim());
                        continue;
                    }
                    throw new M365SmtpException("InvalidInlineImage", ErrorKind.InvalidArgument,
                        $"The inline image '{item}' is not a Content-ID → file pair.")
                    { TargetObject = item, RecommendedAction = "Give a hashtable such as @{ chart = 'C:\\reports\\chart.png' } and reference it as <img src=\"cid:chart\"> in -HtmlBody." };
                }

                static object? Find(IDictionary d, params string[] keys)
                {
                    foreach (DictionaryEntry e in d)
                        foreach (string k in keys)
                            if (string.Equals(Convert.ToString(e.Key, CultureInfo.InvariantCulture), k, StringComparison.OrdinalIgnoreCase)) return e.Value;
                    return null;
                }

                static string Str(object? o) => Convert.ToString(o, CultureInfo.InvariantCulture) ?? "";
            }

            // ---- step 2: where each message goes ------------------------------------------------------------------

            private sealed class MxLookup
            {
                public string Domain = "";
                public string? Microsoft365Host;
                public string[] Hosts = Array.Empty<string>();
                public bool NotFound;
                public M365SmtpException? Error;
            }

            private Task<MxLookup> LookupMx(string domain)
            {
                lock (_mx)
                {
                    if (!_mx.TryGetValue(domain, out Task<MxLookup>? t)) _mx[domain] = t = LookupMxCoreAsync(domain);
                    return t;
                }
            }

            private async Task<MxLookup> LookupMxCoreAsync(string domain)
            {
                var result = new MxLookup { Domain = domain };
                _dns ??= Settings.DnsResolverFactory != null
                    ? Settings.DnsResolverFactory(_request, _host.WriteVerbose)
                    : DnsClient.Create(_request.DnsServer, null, _host.WriteVerbose);
                try
                {
                    DnsAnswer answer = await _dns.QueryAsync(domain, DnsRecordType.MX, _ct).ConfigureAwait(false);
                    if (answer.IsNameError) { result.NotFound = true; return result; }
                    List<MxRecord> records = answer.Records.OfType<MxRecord>().Where(r => r.Exchange.Length > 0)
                        .OrderBy(r => r.Preference).ThenBy(r => r.Exchange, StringComparer.Ordinal).ToList();
                    result.Hosts = records.Select(r => r.Exchange.TrimEnd('.')).ToArray();
                    result.Microsoft365Host = result.Hosts.FirstOrDefault(h => MxEndpointClassifier.Classify(h).IsMicrosoft365);
                    _host.WriteVerbose($"MX of {domain}: {(result.Hosts.Length == 0 ? "none" : string.Join(", ", result.Hosts))}{(result.Microsoft365Host != null ? $" (Microsoft 365 endpoint {result.Microsoft365Host})" : "")}.");
                }
                catch (DnsException e)
                {
                    if (e.ErrorId == DnsErrorIds.NameNotFound) result.NotFound = true;
                    else result.Error = e;
                }
                return result;
            }

            private async Task ResolveEndpointAsync(Item item)
            {
                MimeMessage m = item.Message!;
                try
                {
                    if (_request.Method == SendMethod.ClientSubmission || _request.Method == SendMethod.Graph)
                        item.Endpoint = _endpoint;
                    else if (_request.Method == SendMethod.Relay)
                        item.Endpoint = _endpoint.Host != null ? _endpoint : _endpoint.WithHost(await RelayHostAsync(m.EnvelopeSender.AsciiDomain).ConfigureAwait(false));
                    else
                        item.Endpoint = _endpoint.WithHost(await DirectSendHostAsync(m).ConfigureAwait(false));
                    item.Result.Server = item.Endpoint.Address;
                }
                catch (M365SmtpException e)
                {
                    Fail(item, e);
                }
            }

            private async Task<string> RelayHostAsync(string domain)
            {
                MxLookup mx = await LookupMx(domain).ConfigureAwait(false);
                if (mx.Error != null) throw mx.Error;
                if (mx.Microsoft365Host != null) return mx.Microsoft365Host;
                string guess = MxEndpointClassifier.DeriveLegacyEndpoint(domain);
                throw new M365SmtpException("RelayEndpointNotFound", ErrorKind.ObjectNotFound,
                    mx.NotFound ? $"The sender's domain {domain} does not exist in DNS, so its Microsoft 365 MX endpoint (the relay server) can't be found."
                    : mx.Hosts.Length == 0 ? $"The sender's domain {domain} has no MX records, so its Microsoft 365 MX endpoint (the relay server) can't be found."
                    : $"The MX records of the sender's domain {domain} ({string.Join(", ", mx.Hosts)}) don't point to Microsoft 365, so the tenant's relay endpoint can't be read from DNS.")
                {
                    TargetObject = domain,
                    RecommendedAction = $"Give the tenant MX endpoint with -SmtpServer (shown in the Microsoft 365 admin center under Domains; usually {guess}), or send from an address in a domain whose MX is Microsoft 365.",
                };
            }

            private async Task<string> DirectSendHostAsync(MimeMessage m)
            {
                string? target = _endpoint.HostOverridden ? _endpoint.Host : null;
                var external = new List<string>();
                foreach (EmailAddress r in m.EnvelopeRecipients)
                {
                    MxLookup mx = await LookupMx(r.AsciiDomain).ConfigureAwait(false);
                    if (mx.Error != null) throw mx.Error;
                    string? endpoint = mx.Microsoft365Host;
                    target ??= endpoint;
                    if (endpoint == null)
                        external.Add($"{r.Address} ({(mx.NotFound ? "the domain does not exist" : mx.Hosts.Length == 0 ? "no MX record" : "MX " + string.Join(", ", mx.Hosts) + ", not Microsoft 365")})");
                    else if (!string.Equals(endpoint, target, StringComparison.OrdinalIgnoreCase))
                        external.Add($"{r.Address} (MX {endpoint}, another Microsoft 365 tenant or domain)");
                }
                if (external.Count > 0)
                    throw new M365SmtpException("DirectSendExternalRecipient", ErrorKind.InvalidArgument,
                        $"Direct Send delivers only to mailboxes of the tenant whose MX endpoint is {target ?? "(none found)"}; {(external.Count == 1 ? "this recipient is" : "these recipients are")} outside it: {string.Join("; ", external)}. Nothing was sent.")
                    {
                        TargetObject = string.Join(", ", external.Select(e => e.Substring(0, e.IndexOf(' ')))),
                        RecommendedAction = "Send to external recipients with -Method ClientSubmission (authenticated, from a mailbox) or -Method Relay (through an inbound connector), or remove them from this message.",
                    };
                return target!;
            }

            // ---- step 3: credentials and sending ------------------------------------------------------------------

            private async Task<bool> PrepareSendingAsync(List<Item> toSend)
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
                        _connection = await new ConnectSmtpOperation(Settings.Registry, Settings.TokenProviderFactory, null, Settings.BasicAuthSchedule)
                            .CreateAsync(connect, _host, _ct).ConfigureAwait(false);
                        _ownsConnection = true;
                    }
                    else if (_request.Method == SendMethod.ClientSubmission && _connection!.Method == SmtpAuthMethod.Basic)
                    {
                        BasicAuthVerdict verdict = BasicAuthRetirement.Evaluate(_clock.UtcNow, _endpoint.Host!, Settings.BasicAuthSchedule);
                        if (verdict.Kind == BasicAuthVerdictKind.Refuse && !_request.AllowRetiredBasicAuth)
                            throw new M365SmtpException("BasicAuthRetired", ErrorKind.InvalidOperation, verdict.Message)
                            { TargetObject = _endpoint.Host, RecommendedAction = "Move to OAuth (e.g. -CertificatePath or -ManagedIdentity); -AllowRetiredBasicAuth tries Basic anyway." };
                        if (verdict.Kind != BasicAuthVerdictKind.Allowed) _host.WriteWarning(verdict.Message);
                    }
                    if (!string.IsNullOrWhiteSpace(_request.TranscriptPath))
                        _transcript = new FileSmtpTranscriptLogger(Path.GetFullPath(_request.TranscriptPath), _request.Force);
                }
                catch (M365SmtpException e)
                {
                    StopBatch(toSend, e);
                    return false;
                }
                _pacer = new SendPacer(_clock, _request.MaxMessagesPerMinute ?? _endpoint.Info.MessagesPerMinute, _request.MaxRecipientsPerDay ?? _endpoint.Info.RecipientsPerDay);
                _retry = new RetryPolicy(_request.MaxRetry, _request.RetryUnknown, Settings.RetryBaseDelay, null, Settings.RetrySeed);
                _host.WriteVerbose($"Pacing: {Describe(_request.MaxMessagesPerMinute ?? _endpoint.Info.MessagesPerMinute, "messages a minute")}, {Describe(_request.MaxRecipientsPerDay ?? _endpoint.Info.RecipientsPerDay, "recipients a day")}; up to {_request.MaxRetry} retries.");
                return true;
            }

            private static string Describe(int? limit, string unit) => limit is int l ? $"at most {l} {unit}" : $"no limit on {unit}";

            private async Task SendAllAsync(List<Item> toSend)
            {
                int wanted = _request.MaxConnections ?? 1;
                int cap = _endpoint.Info.MaxConnections ?? int.MaxValue;
                if (wanted > cap)
                {
                    _host.WriteWarning($"-MaxConnections {wanted} is more than {_endpoint.Info.Description} allows per sender ({cap}); using {cap}.");
                    wanted = cap;
                }
                if (Settings.StopAtFirstFailure && wanted > 1)
                {
                    _host.WriteVerbose($"-MaxConnections {wanted} ignored: stopping at the first failure sends one message at a time, so that nothing after a failed message is sent.");
                    wanted = 1;
                }
                int workers = Math.Max(1, Math.Min(wanted, toSend.Count));
                var queue = new Queue<Item>(toSend);
                Progress(null);
                var tasks = Enumerable.Range(0, workers).Select(_ => Task.Run(() => WorkerAsync(queue))).ToArray();
                await Task.WhenAll(tasks).ConfigureAwait(false);
            }

            private async Task WorkerAsync(Queue<Item> queue)
            {
                using var session = new Session();
                try
                {
                    while (true)
                    {
                        Item? item;
                        lock (queue) item = queue.Count > 0 && _fatal == null && _stoppedAt == null && !_ct.IsCancellationRequested ? queue.Dequeue() : null;
                        if (item == null) break;
                        await SendOneAsync(item, session).ConfigureAwait(false);
                    }
                }
                finally
                {
                    if (session.Client != null && session.Client.IsConnected)
                    {
                        try
                        {
                            using var quit = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                            await session.Client.QuitAsync(quit.Token).ConfigureAwait(false);
                        }
                        catch (Exception e) when (e is OperationCanceledException || e is M365SmtpException || e is IOException) { }
                    }
                }
            }

            private async Task SendOneAsync(Item item, Session session)
            {
                if (_request.Method == SendMethod.Graph)
                {
                    await SendOneGraphAsync(item).ConfigureAwait(false);
                    return;
                }
                MimeMessage m = item.Message!;
                ResolvedSmtpEndpoint ep = item.Endpoint!;
                MarkStarted(item);
                bool staleRetried = false;
                int attempt = 0;
                _host.WriteVerbose($"Message {item.Index + 1} of {_total}: {m.MessageId} to {string.Join(", ", item.Result.Recipients)}.");
                while (true)
                {
                    if (_ct.IsCancellationRequested) { Finish(item, SendMailStatus.NotAttempted, null); return; }
                    attempt++;
                    item.Result.Attempts = attempt;
                    bool inSession = true;
                    bool reused = false;
                    SendFailureClass cls;
                    M365SmtpException failure;
                    try
                    {
                        reused = await EnsureSessionAsync(session, ep).ConfigureAwait(false);
                        inSession = false;
                        await PaceAsync(item).ConfigureAwait(false);
                        SmtpClient client = session.Client!;
                        m.Options = _request.Encoding == SendMailEncoding.SevenBit
                            ? MimeWriterOptions.SevenBit
                            : MimeWriterOptions.FromCapabilities(client.Capabilities.Supports8BitMime, client.Capabilities.SupportsSmtpUtf8,
                                // Raw UTF-8 headers only when an address needs SMTPUTF8 anyway: Exchange Online can't downgrade
                                // such a message for a next hop without SMTPUTF8 (RFC 6531), so it would bounce. Otherwise
                                // the headers stay 7-bit with RFC 2047 encoded words.
                                useUtf8Headers: m.AddressesRequireSmtpUtf8);
                        var envelope = new SmtpEnvelope(m.EnvelopeSender.EnvelopeAddress, m.EnvelopeRecipients.Select(a => a.EnvelopeAddress)) { Notify = item.Notify };
                        SmtpSendResult sent = await client.SendAsync(envelope, m, _ct).ConfigureAwait(false);
                        session.MessagesSent++;
                        Sent(item, sent);
                        return;
                    }
                    catch (OperationCanceledException) when (_ct.IsCancellationRequested)
                    {
                        session.Drop();
                        Finish(item, SendMailStatus.NotAttempted, null);
                        return;
                    }
                    catch (SmtpDeliveryUnknownException e)
                    {
                        session.Drop();
                        cls = SendFailureClass.DeliveryUnknown;
                        failure = e;
                    }
                    catch (SmtpProtocolException e)
                    {
                        session.Drop();
                        cls = IsPermanent(e) ? SendFailureClass.Permanent : SendFailureClass.ConnectionLost;
                        failure = e;
                    }
                    catch (SmtpCommandException e)
                    {
                        cls = e.Reply != null ? RetryPolicy.Classify(e.Reply.Code, e.Reply.EnhancedStatusCode?.ToString()) : SendFailureClass.Permanent;
                        if (inSession) session.Drop(); // a refused AUTH: start over on a fresh session
                        failure = e;
                    }
                    catch (M365SmtpException e) when (e.ErrorId == "DailyRecipientLimitReached")
                    {
                        lock (_gate) _fatal ??= e;
                        Finish(item, SendMailStatus.NotAttempted, e);
                        return;
                    }
                    catch (M365SmtpException e)
                    {
                        cls = SendFailureClass.Permanent;
                        failure = e;
                    }

                    if (failure is SmtpException se) Record(item, se);
                    // A reused session that the server closed while idle: reconnect at once, without counting an attempt.
                    if (cls == SendFailureClass.ConnectionLost && reused && !staleRetried && !inSession
                        && failure is SmtpProtocolException pe && (pe.Phase == SmtpPhase.MailFrom || pe.Phase == SmtpPhase.RcptTo))
                    {
                        staleRetried = true;
                        attempt--;
                        _host.WriteVerbose($"The connection to {ep.Host} was closed while idle ({failure.Message}); reconnecting.");
                        continue;
                    }
                    if (_ct.IsCancellationRequested || !_retry.ShouldRetry(cls, attempt))
                    {
                        if (cls == SendFailureClass.DeliveryUnknown)
                            Finish(item, SendMailStatus.Unknown, failure);
                        else
                            Fail(item, failure);
                        // The session itself can't be established: the other messages would fail the same way.
                        if (inSession) StopBatch(null, failure);
                        return;
                    }
                    TimeSpan delay = _retry.BackoffFor(cls, attempt);
                    _host.WriteVerbose($"Message {item.Index + 1}: attempt {attempt} failed ({cls}: {failure.Message}); retrying in {delay.TotalSeconds:0.#} s.");
                    Progress($"Retrying message {item.Index + 1} in {delay.TotalSeconds:0} s ({cls})");
                    try
                    {
                        await _clock.DelayAsync(delay, _ct).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        Finish(item, cls == SendFailureClass.DeliveryUnknown ? SendMailStatus.Unknown : SendMailStatus.NotAttempted, cls == SendFailureClass.DeliveryUnknown ? failure : null);
                        return;
                    }
                }
            }

            private static bool IsPermanent(SmtpProtocolException e)
            {
                if (e.Reply != null && e.Reply.IsPermanentFailure) return true;
                // A server that never greets within the command timeout (a slow-loris or a service that isn't SMTP) gets
                // that timeout once, not once per retry.
                if (e.Kind == ErrorKind.OperationTimeout && e.Phase == SmtpPhase.Greeting) return true;
                switch (e.Kind)
                {
                    // Garbage, a code outside 2xx-5xx, a line over 64 KB or a reply over 1 MB: a protocol violation that
                    // another attempt won't fix.
                    case ErrorKind.ProtocolError:
                    case ErrorKind.SecurityError:
                    case ErrorKind.InvalidArgument:
                    case ErrorKind.InvalidOperation:
                    case ErrorKind.AuthenticationError:
                    case ErrorKind.ObjectNotFound:
                    case ErrorKind.PermissionDenied:
                        return true;
                    default:
                        return false;
                }
            }

            /// <summary>Connects (and authenticates) unless the session is already good for this host; true when it was reused.</summary>
            private async Task<bool> EnsureSessionAsync(Session session, ResolvedSmtpEndpoint ep)
            {
                if (session.Usable(ep.Host!)) return true;
                if (session.Client != null && session.Client.IsConnected)
                {
                    try { await session.Client.QuitAsync(_ct).ConfigureAwait(false); } catch (M365SmtpException) { }
                }
                session.Drop();
                // Exchange Online always offers STARTTLS: to a Microsoft 365 host, clear text means something in between
                // removed it (an attack, not a fallback), so TLS is required there for relay and Direct Send too, and
                // skipping certificate validation has no legitimate use.
                bool microsoft = MicrosoftHosts.IsMicrosoft365Host(ep.Host);
                if (microsoft && _request.SkipCertificateValidation)
                    throw new M365SmtpException("SkipCertificateValidationNotAllowed", ErrorKind.SecurityError,
                        $"-SkipCertificateValidation is refused for {ep.Host}: Microsoft 365 presents a valid certificate, so one that doesn't validate means the connection is being intercepted.")
                    { TargetObject = ep.Host, RecommendedAction = "Remove -SkipCertificateValidation (it is only for test servers)." };
                SmtpTlsMode tlsMode = microsoft && ep.TlsMode == SmtpTlsMode.StartTlsWhenAvailable ? SmtpTlsMode.StartTlsRequired : ep.TlsMode;
                var options = new SmtpConnectOptions
                {
                    TlsMode = tlsMode,
                    Host = _host,
                    TranscriptLogger = _transcript,
                };
                if (_request.TimeoutSeconds is int seconds)
                    options.ConnectTimeout = options.CommandTimeout = TimeSpan.FromSeconds(seconds);
                options.TlsPolicy.SkipCertificateValidation = _request.SkipCertificateValidation;
                options.TlsPolicy.ClientCertificate = _clientCertificate;
                Settings.ConfigureConnection?.Invoke(options);
                (string dialHost, int dialPort) = Settings.Redirect != null ? Settings.Redirect(ep.Host!, ep.Port) : (ep.Host!, ep.Port);
                var client = new SmtpClient();
                session.Client = client;
                session.Host = ep.Host;
                _host.WriteVerbose($"Connecting to {ep.Host}:{ep.Port} ({ep.Method}, TLS {tlsMode}{(_clientCertificate != null ? $", client certificate {_clientCertificate.Subject}" : "")}).");
                await client.ConnectAsync(dialHost, dialPort, options, _ct).ConfigureAwait(false);
                if (ep.RequiresAuthentication)
                {
                    SmtpConnection c = _connection!;
                    SmtpCredential credential = c.Method == SmtpAuthMethod.Basic
                        ? SmtpCredential.FromNetworkCredential(c.BasicCredential ?? throw new M365SmtpException("ConnectionClosed", ErrorKind.InvalidOperation, $"The connection '{c.Name}' was disconnected.") { TargetObject = c.Name })
                        : SmtpCredential.FromAccessToken(c.UserName ?? "", async ct => (await c.GetAccessTokenAsync(_host, ct).ConfigureAwait(false)).RevealToken());
                    await client.AuthenticateAsync(credential, SmtpAuthMechanism.Auto, _ct).ConfigureAwait(false);
                }
                return false;
            }

            private async Task PaceAsync(Item item)
            {
                await _pacerGate.WaitAsync(_ct).ConfigureAwait(false);
                try
                {
                    bool told = false;
                    await _pacer!.WaitForSlotAsync(item.Message!.EnvelopeRecipients.Count, left =>
                    {
                        // Verbose once per wait; progress every second, so the wait counts down instead of freezing.
                        if (!told) _host.WriteVerbose($"Waiting {left.TotalSeconds:0.#} s to stay within {_request.MaxMessagesPerMinute ?? _endpoint.Info.MessagesPerMinute} messages a minute.");
                        told = true;
                        Progress($"Pacing: waiting {Math.Ceiling(left.TotalSeconds):0} s");
                    }, _ct).ConfigureAwait(false);
                }
                finally
                {
                    _pacerGate.Release();
                }
            }

            // ---- results ------------------------------------------------------------------------------------------

            private void Sent(Item item, SmtpSendResult sent)
            {
                SendMailResult r = item.Result;
                r.RecipientResults = sent.Recipients.Select(x => new SendMailRecipientResult(x.Address, x.Accepted, x.Reply.Code, x.Reply.EnhancedStatusCode?.ToString(), x.Reply.Code + " " + x.Reply.Text)).ToList();
                SetReply(r, sent.FinalReply);
                r.SentAt = _clock.UtcNow;
                M365SmtpException? partial = null;
                var rejected = sent.RejectedRecipients.ToList();
                if (rejected.Count > 0)
                {
                    SmtpReply first = rejected[0].Reply;
                    ReplyExplanation ex = ReplyCatalogue.Explain(first.Code, first.EnhancedStatusCode?.ToString(), first.Text, Context(item).ForRecipient(rejected[0].Address));
                    partial = new M365SmtpException("SmtpSomeRecipientsRejected", rejected.All(x => x.Reply.IsTransientFailure) ? ErrorKind.ResourceUnavailable : ErrorKind.InvalidOperation,
                        $"The message {r.MessageId} was sent, but the server refused {rejected.Count} of {sent.Recipients.Count} recipients: {string.Join("; ", rejected.Select(x => $"{x.Address} ({x.Reply.Code} {x.Reply.Text})"))}.")
                    { TargetObject = item.Result.Input, RecommendedAction = ex.Remediation };
                    r.Meaning = ex.Meaning;
                    r.Remediation = ex.Remediation;
                    r.RemediationCommands = ex.Commands.ToArray();
                }
                _host.WriteVerbose($"Message {item.Index + 1}: sent ({sent.FinalReply.Code} {sent.FinalReply.Text}).");
                Finish(item, SendMailStatus.Sent, partial);
            }

            private void Record(Item item, SmtpException e)
            {
                if (e is SmtpCommandException ce && ce.RecipientResults.Count > 0)
                    item.Result.RecipientResults = ce.RecipientResults.Select(x => new SendMailRecipientResult(x.Address, x.Accepted, x.Reply.Code, x.Reply.EnhancedStatusCode?.ToString(), x.Reply.Code + " " + x.Reply.Text)).ToList();
                if (e.Reply != null) SetReply(item.Result, e.Reply);
            }

            private static void SetReply(SendMailResult r, SmtpReply reply)
            {
                r.Reply = reply.Code + " " + reply.Text;
                r.ReplyCode = reply.Code;
                r.EnhancedStatusCode = reply.EnhancedStatusCode?.ToString();
            }

            private RemediationContext Context(Item item) => new RemediationContext
            {
                Mailbox = _connection?.UserName,
                Sender = item.Result.From,
                AppId = _connection?.ClientId,
                UsedOAuth = _connection != null && _connection.Method != SmtpAuthMethod.Basic,
                Recipient = item.Result.Recipients.FirstOrDefault(),
            };

            private void Fail(Item item, M365SmtpException e) => Finish(item, SendMailStatus.Failed, e);

            private void StopBatch(List<Item>? items, M365SmtpException cause)
            {
                lock (_gate) _fatal ??= cause;
                if (items != null && items.Count > 0 && !items[0].Done) Fail(items[0], cause);
            }

            private void Finish(Item item, SendMailStatus status, M365SmtpException? error)
            {
                lock (_gate)
                {
                    if (item.Done) return;
                    item.Done = true;
                    SendMailResult r = item.Result;
                    r.Status = status;
                    r.Elapsed = item.Started is DateTimeOffset s ? _clock.UtcNow - s : TimeSpan.Zero;
                    if (error != null)
                    {
                        r.Error = error;
                        r.ErrorId = error.ErrorId;
                        r.ErrorMessage = error.Message;
                        if (r.Meaning == null)
                        {
                            if (error is SmtpException se && se.Reply != null)
                            {
                                ReplyExplanation ex = ReplyCatalogue.Explain(se.Reply.Code, se.Reply.EnhancedStatusCode?.ToString(), se.Reply.Text, Context(item).ForRecipient(r.RejectedRecipients.FirstOrDefault()));
                                r.Meaning = ex.Meaning;
                                r.Remediation = ex.Entry != null ? ex.Remediation : error.RecommendedAction ?? ex.Remediation;
                                r.RemediationCommands = ex.Commands.ToArray();
                                // The error says the same fix as the result, as a partial rejection's does.
                                error.RecommendedAction ??= r.Remediation;
                            }
                            else
                            {
                                r.Meaning = status == SendMailStatus.Unknown
                                    ? "The connection was lost after the end of the message was sent and before the server answered: the server may have accepted it."
                                    : error.Message;
                                r.Remediation = error.RecommendedAction;
                            }
                        }
                    }
                    if (status == SendMailStatus.Sent) _sent++;
                    else if (status != SendMailStatus.NotAttempted) _failed++;
                    if (Settings.StopAtFirstFailure && _stoppedAt == null && (status == SendMailStatus.Failed || status == SendMailStatus.Unknown))
                        _stoppedAt = item;
                    // Results go out in input order: this one, and any later ones that were waiting for it.
                    while (_nextToEmit < _items.Count && _items[_nextToEmit].Done)
                        _onResult(_items[_nextToEmit++].Result);
                }
                if (_total > 1) Progress(null);
            }

            /// <summary>Notes when a message's attempts start; the first message also starts the remaining-time estimate's clock.</summary>
            private void MarkStarted(Item item)
            {
                item.Started = _clock.UtcNow;
                lock (_gate) _batchStarted ??= item.Started;
            }

            private string Summary()
            {
                int done = _items.Count(i => i.Done);
                return $"Sent {_sent}, failed {_failed}, remaining {_total - done} of {_total}";
            }

            private void Progress(string? current)
            {
                if (_total <= 1) return;
                int done, secondsRemaining;
                string status;
                lock (_gate)
                {
                    done = _items.Count(i => i.Done);
                    status = Summary();
                    secondsRemaining = SecondsRemaining(done);
                }
                _host.WriteProgress(new OperationProgress
                {
                    ActivityId = 1,
                    Activity = "Send-M365Mail",
                    Status = status,
                    CurrentOperation = current,
                    PercentComplete = _total == 0 ? 100 : done * 100 / _total,
                    SecondsRemaining = secondsRemaining,
                });
            }

            /// <summary>
            /// The time the rest of the batch should take: the pace so far, but never less than the messages-a-minute
            /// limit allows (see <see cref="SendPacer.EstimateWait"/>), -1 before the first result.
            /// </summary>
            private int SecondsRemaining(int done)
            {
                if (done == 0 || _batchStarted == null) return -1;
                int left = _total - done;
                double observed = (_clock.UtcNow - _batchStarted.Value).TotalSeconds / done * left;
                double paced = _pacer?.EstimateWait(left).TotalSeconds ?? 0;
                return (int)Math.Ceiling(Math.Max(observed, paced));
            }

            private static M365SmtpException Invalid(string id, string parameter, string message, string action) =>
                new M365SmtpException(id, ErrorKind.InvalidArgument, message) { TargetObject = parameter, RecommendedAction = action };
        }
    }
}
