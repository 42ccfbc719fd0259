using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace M365SmtpTools.Engine.Mime
{
    /// <summary>
    /// A built message (from <see cref="MessageBuilder.Build"/>): its envelope, and its MIME form streamed by
    /// <see cref="WriteToAsync"/> with the encodings <see cref="Options"/> allows. Date, Message-ID and boundaries are
    /// fixed when it is built, so every write produces the same bytes and <see cref="ComputeSize"/> is exact.
    /// Structure: mixed( related( alternative(text, html), inline images ), attachments ), each level only when needed.
    /// </summary>
    public sealed class MimeMessage : IMessageContent
    {
        private readonly byte[]? _text, _html;
        private readonly string _mixedBoundary, _relatedBoundary, _alternativeBoundary;
        private MimeWriterOptions _options = MimeWriterOptions.SevenBit;
        private Rendered? _rendered;

        internal MimeMessage(MessageBuilder b, EmailAddress origin, byte[]? text, byte[]? html, DateTimeOffset date, string messageId,
            string mixedBoundary, string relatedBoundary, string alternativeBoundary)
        {
            From = b.From!;
            Sender = b.Sender;
            To = b.To.ToArray();
            Cc = b.Cc.ToArray();
            Bcc = b.Bcc.ToArray();
            ReplyTo = b.ReplyTo.ToArray();
            Subject = b.Subject;
            Priority = b.Priority;
            Headers = b.Headers.ToArray();
            Attachments = b.Attachments.ToArray();
            InlineImages = b.InlineImages.ToArray();
            Date = date;
            MessageId = messageId;
            EnvelopeSender = origin;
            var recipients = new List<EmailAddress>();
            foreach (EmailAddress a in To.Concat(Cc).Concat(Bcc))
                if (!recipients.Contains(a)) recipients.Add(a);
            EnvelopeRecipients = recipients;
            _text = text;
            _html = html;
            _mixedBoundary = mixedBoundary;
            _relatedBoundary = relatedBoundary;
            _alternativeBoundary = alternativeBoundary;
        }

        /// <summary>The encodings the receiving server allows; set it from the server's capabilities before sizing and writing.</summary>
        public MimeWriterOptions Options
        {
            get => _options;
            set
            {
                if (value == null) throw new ArgumentNullException(nameof(value));
                if (value != _options) _rendered = null;
                _options = value;
            }
        }

        /// <summary>From.</summary>
        public EmailAddress From { get; }

        /// <summary>Sender, or null.</summary>
        public EmailAddress? Sender { get; }

        /// <summary>To recipients.</summary>
        public IReadOnlyList<EmailAddress> To { get; }

        /// <summary>Cc recipients.</summary>
        public IReadOnlyList<EmailAddress> Cc { get; }

        /// <summary>Bcc recipients (envelope only).</summary>
        public IReadOnlyList<EmailAddress> Bcc { get; }

        /// <summary>Reply-To addresses.</summary>
        public IReadOnlyList<EmailAddress> ReplyTo { get; }

        /// <summary>The subject, or null.</summary>
        public string? Subject { get; }

        /// <summary>The priority, or null.</summary>
        public MessagePriority? Priority { get; }

        /// <summary>Custom headers.</summary>
        public IReadOnlyList<MessageHeader> Headers { get; }

        /// <summary>Attachments.</summary>
        public IReadOnlyList<MimeAttachment> Attachments { get; }

        /// <summary>Inline images.</summary>
        public IReadOnlyList<MimeAttachment> InlineImages { get; }

        /// <summary>The Date header's value.</summary>
        public DateTimeOffset Date { get; }

        /// <summary>The Message-ID, with angle brackets.</summary>
        public string MessageId { get; }

        /// <summary>The MAIL FROM address: Sender when set, else From (use <see cref="EmailAddress.EnvelopeAddress"/>).</summary>
        public EmailAddress EnvelopeSender { get; }

        /// <summary>Every RCPT TO address: To, Cc and Bcc without duplicates.</summary>
        public IReadOnlyList<EmailAddress> EnvelopeRecipients { get; }

        /// <summary>True when a text part is sent 8bit (only when <see cref="MimeWriterOptions.Allow8Bit"/>): MAIL FROM needs
        /// BODY=8BITMIME.</summary>
        public bool Requires8BitMime
            => _options.Allow8Bit && ((_text != null && TextBodyEncoder.Encode(_text, true).Encoding == "8bit")
                                      || (_html != null && TextBodyEncoder.Encode(_html, true).Encoding == "8bit"));

        /// <summary>True when an address (Bcc included) has a non-ASCII local part, so only SMTPUTF8 can carry the message.</summary>
        public bool AddressesRequireSmtpUtf8 => AllAddresses().Any(a => a.RequiresSmtpUtf8);

        /// <summary>
        /// True when the message needs SMTPUTF8: an address (Bcc included) has a non-ASCII local part, or UTF-8 headers
        /// are allowed and some header is written as raw UTF-8.
        /// </summary>
        public bool RequiresSmtpUtf8
        {
            get
            {
                if (AllAddresses().Any(a => a.RequiresSmtpUtf8)) return true;
                if (!_options.AllowUtf8Headers) return false;
                return Render().Root.Descendants().Any(e => e.Headers.Any(b => b >= 0x80)) || Render().TopHeaders.Any(b => b >= 0x80);
            }
        }

        /// <summary>
        /// Checks, before anything is written, that the message can be written with <see cref="Options"/>: attachment
        /// files exist and are readable, and no address needs SMTPUTF8 that the options don't allow.
        /// </summary>
        /// <exception cref="M365SmtpException">AttachmentNotFound, AttachmentIsDirectory, AttachmentUnreadable,
        /// SmtpUtf8Required.</exception>
        public void Validate()
        {
            foreach (MimeAttachment a in Attachments) a.Validate();
            foreach (MimeAttachment a in InlineImages) a.Validate();
            if (!_options.AllowUtf8Headers)
            {
                EmailAddress? bad = AllAddresses().FirstOrDefault(a => a.RequiresSmtpUtf8);
                if (bad != null) throw MimeErrors.SmtpUtf8Required($"address '{bad.Address}'", bad.ToString());
            }
        }

        /// <summary>The exact number of bytes <see cref="WriteToAsync"/> writes with the current <see cref="Options"/> (attachments are not
        /// read).</summary>
        /// <exception cref="M365SmtpException">As <see cref="Validate"/>.</exception>
        public long ComputeSize()
        {
            Validate();
            Rendered r = Render();
            return r.TopHeaders.Length + 2 + r.Root.BodyLength + (NeedsFinalCrlf(r.Root) ? 2 : 0);
        }

        /// <summary>Streams the message (CRLF line ends, no dot-stuffing); attachments are read in 64 KB chunks.</summary>
        /// <exception cref="M365SmtpException">As <see cref="Validate"/> (before anything is written); AttachmentUnreadable or
        /// AttachmentChanged while writing.</exception>
        public async Task WriteToAsync(Stream output, CancellationToken cancellationToken)
        {
            if (output == null) throw new ArgumentNullException(nameof(output));
            Validate();
            Rendered r = Render();
            bool finalCrlf = NeedsFinalCrlf(r.Root); // also fixes attachment lengths before the first byte
            var writer = new ChunkWriter(output);
            await writer.WriteAsync(r.TopHeaders, 0, r.TopHeaders.Length, cancellationToken).ConfigureAwait(false);
            await writer.WriteAsync(ChunkWriter.Crlf, 0, 2, cancellationToken).ConfigureAwait(false);
            await r.Root.WriteBodyAsync(writer, cancellationToken).ConfigureAwait(false);
            if (finalCrlf) await writer.WriteAsync(ChunkWriter.Crlf, 0, 2, cancellationToken).ConfigureAwait(false);
            await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Writes the message to a byte array (for tests and small messages).</summary>
        public byte[] ToBytes()
        {
            var ms = new MemoryStream();
            WriteToAsync(ms, CancellationToken.None).GetAwaiter().GetResult();
            return ms.ToArray();
        }

        private static bool NeedsFinalCrlf(MimeEntity root) => root.BodyLength > 0 && !root.BodyEndsWithCrlf;

        private IEnumerable<EmailAddress> AllAddresses()
        {
            yield return From;
            if (Sender != null) yield return Sender;
            foreach (EmailAddress a in To.Concat(Cc).Concat(Bcc).Concat(ReplyTo)) yield return a;
        }

        private sealed class Rendered
        {
            internal Rendered(byte[] topHeaders, MimeEntity root) { TopHeaders = topHeaders; Root = root; }
            internal byte[] TopHeaders { get; }
            internal MimeEntity Root { get; }
        }

        private Rendered Render()
        {
            if (_rendered != null) return _rendered;
            bool utf8 = _options.AllowUtf8Headers;
            var h = new StringBuilder();
            HeaderFolder.Append(h, "Date", new[] { FormatDate(Date) });
            HeaderFolder.Append(h, "From", AddressFormatter.Tokens(new[] { From }, utf8));
            if (Sender != null) HeaderFolder.Append(h, "Sender", AddressFormatter.Tokens(new[] { Sender }, utf8));
            if (ReplyTo.Count > 0) HeaderFolder.Append(h, "Reply-To", AddressFormatter.Tokens(ReplyTo, utf8));
            if (To.Count > 0) HeaderFolder.Append(h, "To", AddressFormatter.Tokens(To, utf8));
            if (Cc.Count > 0) HeaderFolder.Append(h, "Cc", AddressFormatter.Tokens(Cc, utf8));
            if (Subject != null) HeaderFolder.Append(h, "Subject", HeaderFolder.UnstructuredTokens("Subject", Subject, utf8));
            HeaderFolder.Append(h, "Message-ID", new[] { MessageId });
            if (Priority != null)
            {
                (string x, string importance, string priority) = Priority switch
                {
                    MessagePriority.High => ("1", "High", "urgent"),
                    MessagePriority.Low => ("5", "Low", "non-urgent"),
                    _ => ("3", "Normal", "normal"),
                };
                HeaderFolder.Append(h, "X-Priority", new[] { x });
                HeaderFolder.Append(h, "Importance", new[] { importance });
                HeaderFolder.Append(h, "Priority", new[] { priority });
            }
            foreach (MessageHeader custom in Headers) HeaderFolder.Append(h, custom.Name,
                HeaderFolder.UnstructuredTokens(custom.Name, custom.Value, utf8));
            HeaderFolder.Append(h, "MIME-Version", new[] { "1.0" });

            MimeEntity root = BuildBody(utf8);
            var top = new MemoryStream();
            byte[] own = Encoding.UTF8.GetBytes(h.ToString());
            top.Write(own, 0, own.Length);
            top.Write(root.Headers, 0, root.Headers.Length);
            _rendered = new Rendered(top.ToArray(), root);
            return _rendered;
        }

        private MimeEntity BuildBody(bool utf8)
        {
            MimeEntity? body = null;
            MimeEntity? text = _text == null ? null : TextPart("text/plain", _text);
            MimeEntity? html = _html == null ? null : TextPart("text/html", _html);
            if (text != null && html != null)
                body = new MultipartEntity(ContentType("multipart/alternative", _alternativeBoundary), _alternativeBoundary,
                    new[] { text, html });
            else body = text ?? html;

            if (InlineImages.Count > 0)
            {
                var parts = new List<MimeEntity> { body! };
                foreach (MimeAttachment image in InlineImages) parts.Add(AttachmentPart(image, "inline", utf8));
                string rootType = text != null ? "multipart/alternative" : "text/html";
                var ct = new StringBuilder();
                HeaderFolder.Append(ct, "Content-Type", ParameterFormatter.Tokens("multipart/related",
                    new[] { Param("type", rootType), Param("boundary", _relatedBoundary) }, false));
                body = new MultipartEntity(ct.ToString(), _relatedBoundary, parts);
            }

            if (Attachments.Count > 0)
            {
                var parts = new List<MimeEntity>();
                if (body != null) parts.Add(body);
                foreach (MimeAttachment a in Attachments) parts.Add(AttachmentPart(a, "attachment", utf8));
                body = new MultipartEntity(ContentType("multipart/mixed", _mixedBoundary), _mixedBoundary, parts);
            }
            return body ?? TextPart("text/plain", Array.Empty<byte>());
        }

        private TextEntity TextPart(string mediaType, byte[] normalized)
        {
            (string encoding, byte[] bytes) = TextBodyEncoder.Encode(normalized, _options.Allow8Bit);
            var h = new StringBuilder();
            HeaderFolder.Append(h, "Content-Type", ParameterFormatter.Tokens(mediaType, new[] { Param("charset", "utf-8") }, false));
            HeaderFolder.Append(h, "Content-Transfer-Encoding", new[] { encoding });
            return new TextEntity(h.ToString(), bytes, encoding);
        }

        private static AttachmentEntity AttachmentPart(MimeAttachment a, string disposition, bool utf8)
        {
            var h = new StringBuilder();
            HeaderFolder.Append(h, "Content-Type", ParameterFormatter.Tokens(a.ContentType, new[] { Param("name", a.FileName) }, utf8));
            HeaderFolder.Append(h, "Content-Disposition",
                ParameterFormatter.Tokens(disposition, new[] { Param("filename", a.FileName) }, utf8));
            if (a.ContentId != null) HeaderFolder.Append(h, "Content-ID", new[] { "<" + a.ContentId + ">" });
            HeaderFolder.Append(h, "Content-Transfer-Encoding", new[] { "base64" });
            return new AttachmentEntity(h.ToString(), a);
        }

        private static string ContentType(string mediaType, string boundary)
        {
            var h = new StringBuilder();
            HeaderFolder.Append(h, "Content-Type", ParameterFormatter.Tokens(mediaType, new[] { Param("boundary", boundary) }, false));
            return h.ToString();
        }

        private static KeyValuePair<string, string> Param(string name, string value) => new KeyValuePair<string, string>(name, value);

        internal static string FormatDate(DateTimeOffset date)
        {
            TimeSpan offset = date.Offset;
            string sign = offset < TimeSpan.Zero ? "-" : "+";
            offset = offset.Duration();
            return date.ToString("ddd, d MMM yyyy HH:mm:ss ", CultureInfo.InvariantCulture) + sign
                + offset.Hours.ToString("00", CultureInfo.InvariantCulture) + offset.Minutes.ToString("00", CultureInfo.InvariantCulture);
        }
    }
}
