using System;
using System.Collections.Generic;
using System.Security.Cryptography;
using System.Text;

namespace M365SmtpTools.Engine.Mime
{
    /// <summary>
    /// Collects what a message is made of and builds a validated <see cref="MimeMessage"/>. Bcc recipients go to the
    /// envelope only and are never written into the message.
    /// </summary>
    public sealed class MessageBuilder
    {
        /// <summary>The author (From). Required.</summary>
        public EmailAddress? From { get; set; }

        /// <summary>The Sender, when it differs from From (sending on behalf of someone).</summary>
        public EmailAddress? Sender { get; set; }

        /// <summary>To recipients.</summary>
        public List<EmailAddress> To { get; } = new List<EmailAddress>();

        /// <summary>Cc recipients.</summary>
        public List<EmailAddress> Cc { get; } = new List<EmailAddress>();

        /// <summary>Bcc recipients: envelope only, never written into the message.</summary>
        public List<EmailAddress> Bcc { get; } = new List<EmailAddress>();

        /// <summary>Reply-To addresses.</summary>
        public List<EmailAddress> ReplyTo { get; } = new List<EmailAddress>();

        /// <summary>The subject (no line breaks); null writes no Subject header.</summary>
        public string? Subject { get; set; }

        /// <summary>The plain-text body, or null.</summary>
        public string? TextBody { get; set; }

        /// <summary>The HTML body, or null.</summary>
        public string? HtmlBody { get; set; }

        /// <summary>Files attached to the message.</summary>
        public List<MimeAttachment> Attachments { get; } = new List<MimeAttachment>();

        /// <summary>Images the HTML body references as <c>cid:</c>; each needs a Content-ID
        /// (<see cref="MimeAttachment.WithContentId"/>).</summary>
        public List<MimeAttachment> InlineImages { get; } = new List<MimeAttachment>();

        /// <summary>Custom header fields, written in order.</summary>
        public List<MessageHeader> Headers { get; } = new List<MessageHeader>();

        /// <summary>The priority; null writes no priority headers.</summary>
        public MessagePriority? Priority { get; set; }

        /// <summary>The Date header; null takes the time from <see cref="Clock"/> when the message is built.</summary>
        public DateTimeOffset? Date { get; set; }

        /// <summary>The clock used when <see cref="Date"/> is null (tests inject a fixed one).</summary>
        public Func<DateTimeOffset> Clock { get; set; } = () => DateTimeOffset.Now;

        /// <summary>The Message-ID (with or without angle brackets); null generates <c>&lt;guid@sender-domain&gt;</c>.</summary>
        public string? MessageId { get; set; }

        /// <summary>Adds a custom header.</summary>
        public MessageBuilder AddHeader(string name, string value)
        {
            Headers.Add(new MessageHeader(name, value));
            return this;
        }

        /// <summary>Validates everything and builds the message.</summary>
        /// <exception cref="M365SmtpException">
        /// MessageHasNoSender, MessageHasNoRecipients, InlineImageWithoutHtml, InlineImageWithoutContentId, DuplicateContentId,
        /// InvalidMessageId, HeaderInjection, InvalidHeaderValue, InvalidBodyText, AttachmentNotFound, AttachmentIsDirectory,
        /// AttachmentUnreadable.
        /// </exception>
        public MimeMessage Build()
        {
            if (From == null)
                throw MimeErrors.Create(MimeErrorCodes.MessageHasNoSender, "The message has no From address.",
                    null, "Set the From address.");
            if (To.Count + Cc.Count + Bcc.Count == 0)
                throw MimeErrors.Create(MimeErrorCodes.MessageHasNoRecipients, "The message has no recipients (To, Cc or Bcc).",
                    null, "Add at least one recipient.");
            if (Subject != null) HeaderText.Validate(Subject, "subject");
            foreach (var list in new[] { To, Cc, Bcc, ReplyTo })
                foreach (EmailAddress a in list)
                    if (a == null) throw new ArgumentException("A recipient list holds a null address.");

            if (InlineImages.Count > 0 && HtmlBody == null)
                throw MimeErrors.Create(MimeErrorCodes.InlineImageWithoutHtml, "The message has inline images but no HTML body to " +
                    "show them.",
                    InlineImages[0].FileName, "Add an HTML body that references the images as cid:<ContentId>, or send them as " +
                        "attachments.");
            var ids = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (MimeAttachment image in InlineImages)
            {
                if (image.ContentId == null)
                    throw MimeErrors.Create(MimeErrorCodes.InlineImageWithoutContentId, $"The inline image '{image.FileName}' has no " +
                        "Content-ID.",
                        image.FileName, "Create it with WithContentId(\"id\") and reference it as cid:id in the HTML.");
                if (!ids.Add(image.ContentId))
                    throw MimeErrors.Create(MimeErrorCodes.DuplicateContentId, "Two inline images have the Content-ID " +
                        $"'{image.ContentId}'.",
                        image.ContentId, "Give each inline image its own Content-ID.");
            }
            foreach (MimeAttachment a in Attachments) a.Validate();
            foreach (MimeAttachment a in InlineImages) a.Validate();

            byte[]? text = TextBody == null ? null : TextBodyEncoder.Normalize(TextBody, "text body");
            byte[]? html = HtmlBody == null ? null : TextBodyEncoder.Normalize(HtmlBody, "HTML body");
            EmailAddress origin = Sender ?? From;
            string messageId = MessageId == null ? $"<{Guid.NewGuid():N}@{origin.AsciiDomain}>" : ValidateMessageId(MessageId);

            return new MimeMessage(this, origin, text, html, Date ?? Clock(), messageId,
                NewBoundary(text, html), NewBoundary(text, html), NewBoundary(text, html));
        }

        private static string ValidateMessageId(string id)
        {
            string v = id.Trim();
            if (!v.StartsWith("<", StringComparison.Ordinal)) v = "<" + v + ">";
            bool ok = v.Length > 2 && v.Length <= 250 && v.EndsWith(">", StringComparison.Ordinal);
            for (int i = 1; i < v.Length - 1; i++)
                if (v[i] <= 0x20 || v[i] >= 0x7f || v[i] == '<' || v[i] == '>') ok = false;
            if (!ok)
                throw MimeErrors.Create(MimeErrorCodes.InvalidMessageId, $"'{MimeErrors.Printable(id)}' is not a valid Message-ID.", id,
                    "Use the form <unique@domain>, or leave it empty to generate one.");
            return v;
        }

        /// <summary>
        /// A random boundary starting with "=_": quoted-printable and base64 can never produce "=_", and the 7bit/8bit
        /// text bodies are checked, so the boundary never appears in the content.
        /// </summary>
        private static string NewBoundary(byte[]? text, byte[]? html)
        {
            const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
            byte[] random = new byte[24];
            while (true)
            {
                using (var rng = RandomNumberGenerator.Create()) rng.GetBytes(random);
                var sb = new StringBuilder("=_M365_");
                foreach (byte b in random) sb.Append(alphabet[b % alphabet.Length]);
                string boundary = sb.ToString();
                byte[] pattern = Encoding.ASCII.GetBytes("--" + boundary);
                if ((text == null || !TextBodyEncoder.Contains(text, pattern))
                    && (html == null || !TextBodyEncoder.Contains(html, pattern))) return boundary;
            }
        }
    }
}
