using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using M365SmtpTools.Engine.Mime;

namespace M365SmtpTools.Engine.Graph
{
    /// <summary>
    /// Maps a built message to the JSON body of Microsoft Graph <c>POST /users/{id}/sendMail</c> (and of a draft for
    /// <c>POST /users/{id}/messages</c>): subject, one body (HTML when given, else text), To/Cc/Bcc/Reply-To, importance
    /// from the priority, x- internet headers, and file attachments inline as base64 (inline images with isInline and
    /// contentId). Large attachments are left out when the caller uploads them separately.
    /// </summary>
    internal static class GraphMessageWriter
    {
        /// <summary>Graph accepts at most this many custom internet headers per message.</summary>
        public const int MaxHeaders = 5;

        /// <summary>Checks what Graph refuses before anything is sent: headers that aren't x- headers, too many headers.</summary>
        /// <exception cref="M365SmtpException">GraphHeaderNotAllowed, GraphTooManyHeaders.</exception>
        public static void Validate(MimeMessage message)
        {
            foreach (MessageHeader h in message.Headers)
            {
                if (!h.Name.StartsWith("x-", StringComparison.OrdinalIgnoreCase))
                    throw new M365SmtpException(GraphErrorCodes.HeaderNotAllowed,
                        $"The header '{h.Name}' can't be sent through Microsoft Graph: Graph accepts only custom headers whose names " +
                            "begin with 'x-'.")
                    { TargetObject = h.Name, RecommendedAction = $"Rename it (e.g. X-{h.Name}), remove it, or send with an SMTP method " +
                        "(-Method ClientSubmission or Relay), which accepts any header." };
            }
            if (message.Headers.Count > MaxHeaders)
                throw new M365SmtpException(GraphErrorCodes.TooManyHeaders,
                    $"The message has {message.Headers.Count} custom headers; Microsoft Graph accepts at most {MaxHeaders}.")
                { TargetObject = string.Join(", ", message.Headers.Select(h => h.Name)), RecommendedAction = $"Keep at most {MaxHeaders} " +
                    "x- headers, or send with an SMTP method." };
        }

        /// <summary>The sendMail request body: <c>{ "message": {...}, "saveToSentItems": … }</c>.</summary>
        public static byte[] SendMailBody(MimeMessage message, string? textBody, string? htmlBody, string mailbox, bool saveToSentItems,
            Func<MimeAttachment, bool>? includeAttachment = null)
        {
            using var buffer = new MemoryStream();
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartObject();
                w.WritePropertyName("message");
                WriteMessage(w, message, textBody, htmlBody, mailbox, includeAttachment);
                w.WriteBoolean("saveToSentItems", saveToSentItems);
                w.WriteEndObject();
            }
            return buffer.ToArray();
        }

        /// <summary>A draft message (POST /users/{id}/messages) with the attachments <paramref name="includeAttachment"/> keeps.</summary>
        public static byte[] DraftBody(MimeMessage message, string? textBody, string? htmlBody, string mailbox,
            Func<MimeAttachment, bool> includeAttachment)
        {
            using var buffer = new MemoryStream();
            using (var w = new Utf8JsonWriter(buffer))
                WriteMessage(w, message, textBody, htmlBody, mailbox, includeAttachment);
            return buffer.ToArray();
        }

        private static void WriteMessage(Utf8JsonWriter w, MimeMessage m, string? textBody, string? htmlBody, string mailbox,
            Func<MimeAttachment, bool>? include)
        {
            w.WriteStartObject();
            w.WriteString("subject", m.Subject ?? "");
            w.WriteStartObject("body");
            bool html = !string.IsNullOrWhiteSpace(htmlBody);
            w.WriteString("contentType", html ? "HTML" : "Text");
            w.WriteString("content", html ? htmlBody : textBody ?? "");
            w.WriteEndObject();
            if (!string.Equals(m.From.Address, mailbox, StringComparison.OrdinalIgnoreCase))
            {
                w.WritePropertyName("from");
                WriteRecipient(w, m.From);
            }
            WriteRecipients(w, "toRecipients", m.To);
            WriteRecipients(w, "ccRecipients", m.Cc);
            WriteRecipients(w, "bccRecipients", m.Bcc);
            WriteRecipients(w, "replyTo", m.ReplyTo);
            if (m.Priority is MessagePriority p)
                w.WriteString("importance", p == MessagePriority.High ? "high" : p == MessagePriority.Low ? "low" : "normal");
            if (m.Headers.Count > 0)
            {
                w.WriteStartArray("internetMessageHeaders");
                foreach (MessageHeader h in m.Headers)
                {
                    w.WriteStartObject();
                    w.WriteString("name", h.Name);
                    w.WriteString("value", h.Value);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            var attachments = m.InlineImages.Select(a => (Attachment: a, Inline: true))
                .Concat(m.Attachments.Select(a => (Attachment: a, Inline: false)))
                .Where(x => include == null || include(x.Attachment)).ToList();
            if (attachments.Count > 0)
            {
                w.WriteStartArray("attachments");
                foreach ((MimeAttachment a, bool inline) in attachments)
                {
                    w.WriteStartObject();
                    w.WriteString("@odata.type", "#microsoft.graph.fileAttachment");
                    w.WriteString("name", a.FileName);
                    w.WriteString("contentType", a.ContentType);
                    if (inline)
                    {
                        w.WriteBoolean("isInline", true);
                        w.WriteString("contentId", a.ContentId);
                    }
                    w.WriteBase64String("contentBytes", ReadAll(a));
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }

        private static void WriteRecipients(Utf8JsonWriter w, string name, IReadOnlyList<EmailAddress> list)
        {
            if (list.Count == 0) return;
            w.WriteStartArray(name);
            foreach (EmailAddress a in list) WriteRecipient(w, a);
            w.WriteEndArray();
        }

        private static void WriteRecipient(Utf8JsonWriter w, EmailAddress a)
        {
            w.WriteStartObject();
            w.WriteStartObject("emailAddress");
            w.WriteString("address", a.Address);
            if (!string.IsNullOrEmpty(a.DisplayName)) w.WriteString("name", a.DisplayName);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        private static byte[] ReadAll(MimeAttachment a)
        {
            using Stream s = a.Open();
            using var copy = new MemoryStream();
            s.CopyTo(copy);
            return copy.ToArray();
        }
    }
}
