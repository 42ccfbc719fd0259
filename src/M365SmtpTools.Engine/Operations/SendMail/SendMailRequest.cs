using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security;
using System.Security.Cryptography.X509Certificates;
using M365SmtpTools.Engine.Auth;
using M365SmtpTools.Engine.Exchange;
using M365SmtpTools.Engine.Mime;
using M365SmtpTools.Engine.Smtp;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>How message text is encoded on the wire. Text is always UTF-8.</summary>
    public enum SendMailEncoding
    {
        /// <summary>
        /// 8bit text parts when the server offers 8BITMIME and raw UTF-8 headers when it offers SMTPUTF8; otherwise
        /// quoted-printable and RFC 2047 encoded words (the default).
        /// </summary>
        Auto,
        /// <summary>
        /// Always 7-bit: quoted-printable or base64 bodies and RFC 2047 encoded-word headers, whatever the server offers
        /// (for gateways and archivers that mishandle 8-bit mail). Addresses with non-ASCII local parts can't be sent.
        /// </summary>
        SevenBit,
    }

    /// <summary>
    /// The parameters of Send-M365Mail: the auth options (the same as Connect-M365Smtp), where and how to send, the
    /// message, and the batch controls. Used alone it describes one message; with a list of
    /// <see cref="MailMessageSpec"/> (one per pipeline object) its message values are the defaults each spec falls back to.
    /// </summary>
    public sealed class SendMailRequest : SmtpAuthOptions
    {
        /// <summary>ClientSubmission (default), Relay, DirectSend or Graph.</summary>
        public SendMethod Method { get; set; } = SendMethod.ClientSubmission;

        /// <summary>For ClientSubmission: which named endpoint (ClientSubmission, HighVolumeEmail, AzureCommunicationServices, LegacyTls).</summary>
        public SubmissionEndpointKind Endpoint { get; set; } = SubmissionEndpointKind.ClientSubmission;

        /// <summary>The SMTP server, overriding the endpoint's host (ClientSubmission) or the MX endpoint from DNS (Relay, DirectSend).</summary>
        public string? SmtpServer { get; set; }

        /// <summary>The port; default 587 for client submission, 25 for relay and Direct Send.</summary>
        public int? Port { get; set; }

        /// <summary>The session connection (Connect-M365Smtp -Name) to use when no auth parameters are given; default <c>Default</c>.</summary>
        public string? ConnectionName { get; set; }

        /// <summary>Relay and Direct Send: refuse to send unless STARTTLS succeeds (always required for client submission).</summary>
        public bool RequireTls { get; set; }

        /// <summary>A TLS client certificate (with private key) to present, for a certificate-based relay connector.</summary>
        public X509Certificate2? ClientCertificate { get; set; }

        /// <summary>The TLS client certificate from a PFX file.</summary>
        public string? ClientCertificatePath { get; set; }

        /// <summary>The password of <see cref="ClientCertificatePath"/>.</summary>
        public SecureString? ClientCertificatePassword { get; set; }

        /// <summary>The TLS client certificate from the Windows certificate store (CurrentUser\My, then LocalMachine\My).</summary>
        public string? ClientCertificateThumbprint { get; set; }

        /// <summary>Don't validate the server's certificate (test servers only; warns on every connection).</summary>
        public bool SkipCertificateValidation { get; set; }

        /// <summary>The DNS server for MX lookups (Relay, DirectSend) as host[:port]; default the system's resolvers.</summary>
        public string? DnsServer { get; set; }

        /// <summary>Use Basic authentication against Microsoft 365 even after its final removal date.</summary>
        public bool AllowRetiredBasicAuth { get; set; }

        /// <summary>The author (From); default the authenticating mailbox for client submission.</summary>
        public string? From { get; set; }

        /// <summary>To recipients (each entry may hold several, separated by commas or semicolons).</summary>
        public string[]? To { get; set; }

        /// <summary>Cc recipients.</summary>
        public string[]? Cc { get; set; }

        /// <summary>Bcc recipients (envelope only).</summary>
        public string[]? Bcc { get; set; }

        /// <summary>Reply-To addresses.</summary>
        public string[]? ReplyTo { get; set; }

        /// <summary>The subject.</summary>
        public string? Subject { get; set; }

        /// <summary>The plain-text body.</summary>
        public string? Body { get; set; }

        /// <summary>The HTML body.</summary>
        public string? HtmlBody { get; set; }

        /// <summary>Files to attach (full paths; the cmdlet resolves wildcards and relative paths).</summary>
        public string[]? Attachment { get; set; }

        /// <summary>
        /// Inline images for the HTML body: dictionaries of Content-ID → file path (<c>@{ chart = 'chart.png' }</c>), or
        /// with the keys ContentId and Path, or strings <c>contentId=path</c>.
        /// </summary>
        public object[]? InlineImage { get; set; }

        /// <summary>Custom headers, name → value.</summary>
        public IDictionary? Header { get; set; }

        /// <summary>The priority (X-Priority, Importance, Priority headers); none by default.</summary>
        public MessagePriority? Priority { get; set; }

        /// <summary>DSN NOTIFY (Success, Failure, Delay, Never), sent when the server offers DSN.</summary>
        public SmtpDsnNotify DeliveryNotification { get; set; }

        /// <summary>Auto (8-bit and UTF-8 headers when offered) or SevenBit.</summary>
        public SendMailEncoding Encoding { get; set; } = SendMailEncoding.Auto;

        /// <summary>
        /// The messages of a batch, one result each (the request's own message values are their defaults); null sends
        /// the one message the request describes.
        /// </summary>
        public IReadOnlyList<MailMessageSpec>? Messages { get; set; }

        /// <summary>Overrides the endpoint's messages-per-minute limit the batch is paced to.</summary>
        public int? MaxMessagesPerMinute { get; set; }

        /// <summary>Overrides the endpoint's recipients-per-day limit.</summary>
        public int? MaxRecipientsPerDay { get; set; }

        /// <summary>How many connections a batch may use at once (default 1; at most the endpoint's limit, 3 for Microsoft 365 client submission).</summary>
        public int? MaxConnections { get; set; }

        /// <summary>How many times a message is retried after a temporary failure (default 3).</summary>
        public int MaxRetry { get; set; } = 3;

        /// <summary>The messages' Body is HTML (Send-MailMessage's -BodyAsHtml): sent as the HTML body when no HtmlBody is given.</summary>
        public bool BodyAsHtml { get; set; }

        /// <summary>How long connecting and each server reply may take, in seconds (1-3600); null keeps 30 s to connect and 120 s per reply.</summary>
        public int? TimeoutSeconds { get; set; }

        /// <summary>Also resend a message whose delivery is unknown (the connection died after its end was sent): risks a duplicate.</summary>
        public bool RetryUnknown { get; set; }

        /// <summary>Write the redacted SMTP transcript to this new file (created owner-only; never through a symbolic link).</summary>
        public string? TranscriptPath { get; set; }

        /// <summary>Replace an existing TranscriptPath file (without it, an existing file is an error and nothing is sent).</summary>
        public bool Force { get; set; }

        /// <summary>Graph: keep a copy of each message in the mailbox's Sent Items (Graph's saveToSentItems); not kept by default.</summary>
        public bool SaveToSentItems { get; set; }

        /// <summary>Graph: the base address to send to instead of the cloud's Graph host (https://host[:port]), e.g. a private endpoint or a test double.</summary>
        public string? GraphEndpoint { get; set; }
    }

    /// <summary>
    /// One message of a batch: the message values of one pipeline object. Null values fall back to the request's
    /// (<see cref="WithDefaults"/>), so <c>Import-Csv batch.csv | Send-M365Mail -From ops@contoso.com</c> takes From
    /// from the parameter and everything else from each row.
    /// </summary>
    public sealed class MailMessageSpec
    {
        /// <summary>The author.</summary>
        public string? From { get; set; }
        /// <summary>To recipients.</summary>
        public string[]? To { get; set; }
        /// <summary>Cc recipients.</summary>
        public string[]? Cc { get; set; }
        /// <summary>Bcc recipients.</summary>
        public string[]? Bcc { get; set; }
        /// <summary>Reply-To addresses.</summary>
        public string[]? ReplyTo { get; set; }
        /// <summary>The subject.</summary>
        public string? Subject { get; set; }
        /// <summary>The plain-text body.</summary>
        public string? Body { get; set; }
        /// <summary>The HTML body.</summary>
        public string? HtmlBody { get; set; }
        /// <summary>Attachment file paths.</summary>
        public string[]? Attachment { get; set; }
        /// <summary>Inline images (see <see cref="SendMailRequest.InlineImage"/>).</summary>
        public object[]? InlineImage { get; set; }
        /// <summary>Custom headers.</summary>
        public IDictionary? Header { get; set; }
        /// <summary>The priority.</summary>
        public MessagePriority? Priority { get; set; }
        /// <summary>DSN NOTIFY.</summary>
        public SmtpDsnNotify? DeliveryNotification { get; set; }

        /// <summary>The input this message came from (the pipeline object), reported as the target of its errors.</summary>
        public object? Input { get; set; }

        /// <summary>
        /// A value of this input the caller couldn't read (a CSV cell that isn't a valid Priority or Header): the message
        /// fails with this error before anything is sent, and the other messages go on.
        /// </summary>
        public M365SmtpException? InputError { get; set; }

        /// <summary>The message values of a request (what the cmdlet has bound for one pipeline object).</summary>
        public static MailMessageSpec FromRequest(SendMailRequest request, object? input = null)
        {
            if (request == null) throw new ArgumentNullException(nameof(request));
            return new MailMessageSpec
            {
                From = request.From, To = request.To, Cc = request.Cc, Bcc = request.Bcc, ReplyTo = request.ReplyTo,
                Subject = request.Subject, Body = request.Body, HtmlBody = request.HtmlBody, Attachment = request.Attachment,
                InlineImage = request.InlineImage, Header = request.Header, Priority = request.Priority,
                DeliveryNotification = request.DeliveryNotification == SmtpDsnNotify.Default ? (SmtpDsnNotify?)null : request.DeliveryNotification,
                Input = input,
            };
        }

        /// <summary>
        /// Maps a row (a CSV record, a property bag) to a message the way PowerShell binds pipeline objects by property
        /// name: keys are matched to the message parameter names without case (and the aliases Recipient, Recipients,
        /// EmailAddress for To; TextBody for Body; Attachments for Attachment); unknown keys are ignored; empty values
        /// count as absent. Address fields may hold several addresses separated by commas or semicolons; Attachment
        /// several paths separated by semicolons.
        /// </summary>
        /// <exception cref="M365SmtpException">InvalidRowValue when Priority or DeliveryNotification isn't a valid name.</exception>
        public static MailMessageSpec FromRow(IEnumerable<KeyValuePair<string, object?>> row)
        {
            if (row == null) throw new ArgumentNullException(nameof(row));
            var spec = new MailMessageSpec();
            var bag = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
            foreach (KeyValuePair<string, object?> kv in row)
                if (kv.Key != null && !IsEmpty(kv.Value)) bag[kv.Key.Trim()] = kv.Value;
            spec.From = Text(bag, "From");
            spec.To = Strings(bag, "To", "Recipient", "Recipients", "EmailAddress");
            spec.Cc = Strings(bag, "Cc");
            spec.Bcc = Strings(bag, "Bcc");
            spec.ReplyTo = Strings(bag, "ReplyTo");
            spec.Subject = Text(bag, "Subject");
            spec.Body = Text(bag, "Body", "TextBody");
            spec.HtmlBody = Text(bag, "HtmlBody");
            string[]? attachments = Strings(bag, "Attachment", "Attachments");
            spec.Attachment = attachments?.SelectMany(a => a.Split(';')).Select(a => a.Trim()).Where(a => a.Length > 0).ToArray();
            if (bag.TryGetValue("InlineImage", out object? images)) spec.InlineImage = images is object[] arr ? arr : new[] { images! };
            if (bag.TryGetValue("Header", out object? header) && header is IDictionary h) spec.Header = h;
            string? priority = Text(bag, "Priority");
            if (priority != null) spec.Priority = ParseEnum<MessagePriority>(priority, "Priority");
            string? dsn = Text(bag, "DeliveryNotification");
            if (dsn != null) spec.DeliveryNotification = ParseEnum<SmtpDsnNotify>(dsn, "DeliveryNotification");
            spec.Input = row;
            return spec;
        }

        /// <summary>A copy whose absent values are taken from <paramref name="request"/>.</summary>
        public MailMessageSpec WithDefaults(SendMailRequest request)
        {
            if (request == null) throw new ArgumentNullException(nameof(request));
            return new MailMessageSpec
            {
                From = From ?? request.From,
                To = To ?? request.To,
                Cc = Cc ?? request.Cc,
                Bcc = Bcc ?? request.Bcc,
                ReplyTo = ReplyTo ?? request.ReplyTo,
                Subject = Subject ?? request.Subject,
                Body = Body ?? request.Body,
                HtmlBody = HtmlBody ?? request.HtmlBody,
                Attachment = Attachment ?? request.Attachment,
                InlineImage = InlineImage ?? request.InlineImage,
                Header = Header ?? request.Header,
                Priority = Priority ?? request.Priority,
                DeliveryNotification = DeliveryNotification ?? (request.DeliveryNotification == SmtpDsnNotify.Default ? (SmtpDsnNotify?)null : request.DeliveryNotification),
                Input = Input,
                InputError = InputError,
            };
        }

        /// <summary>Every recipient as given (To, Cc, Bcc), for display.</summary>
        public IEnumerable<string> AllRecipientsText() =>
            (To ?? Array.Empty<string>()).Concat(Cc ?? Array.Empty<string>()).Concat(Bcc ?? Array.Empty<string>()).Where(s => !string.IsNullOrWhiteSpace(s));

        /// <inheritdoc />
        public override string ToString() => $"{From ?? "(default sender)"} -> {string.Join(", ", AllRecipientsText())}: {Subject}";

        private static bool IsEmpty(object? value) =>
            value == null || (value is string s && s.Trim().Length == 0) || (value is Array a && a.Length == 0);

        private static string? Text(Dictionary<string, object?> bag, params string[] names)
        {
            foreach (string n in names)
                if (bag.TryGetValue(n, out object? v))
                    return v is string s ? s : v is IEnumerable e && !(v is string) ? string.Join(", ", e.Cast<object>()) : Convert.ToString(v, CultureInfo.InvariantCulture);
            return null;
        }

        private static string[]? Strings(Dictionary<string, object?> bag, params string[] names)
        {
            foreach (string n in names)
            {
                if (!bag.TryGetValue(n, out object? v)) continue;
                if (v is string s) return new[] { s };
                if (v is IEnumerable e) return e.Cast<object?>().Where(x => x != null).Select(x => Convert.ToString(x, CultureInfo.InvariantCulture)!).ToArray();
                return new[] { Convert.ToString(v, CultureInfo.InvariantCulture)! };
            }
            return null;
        }

        private static T ParseEnum<T>(string value, string field) where T : struct
        {
            if (Enum.TryParse(value.Trim(), true, out T parsed) && !int.TryParse(value.Trim(), out _)) return parsed;
            throw new M365SmtpException(RequestErrorCodes.InvalidRowValue,
                $"'{value}' is not a valid {field}; use one of: {string.Join(", ", Enum.GetNames(typeof(T)))}.")
            { TargetObject = field, ParameterName = field, RecommendedAction = $"Fix the {field} column." };
        }
    }
}
