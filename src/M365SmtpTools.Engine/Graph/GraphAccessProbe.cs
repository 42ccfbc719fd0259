using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text.Json;
using M365SmtpTools.Engine.Mime;

namespace M365SmtpTools.Engine.Graph
{
    /// <summary>
    /// Test-M365GraphSend's check of a mailbox without sending: <c>POST /users/{id}/sendMail</c> with a message that has
    /// no recipients. Graph authenticates the token, resolves the mailbox and authorizes the app on it before it looks
    /// at the recipients, so <c>400 ErrorInvalidRecipients</c> ("A message can't be sent because it contains no
    /// recipients") means everything up to submission works, while 401/403/404 answers name what doesn't. A message
    /// without recipients can't be delivered anywhere, and saveToSentItems is false.
    /// </summary>
    internal static class GraphAccessProbe
    {
        /// <summary>The subject of the probe (visible only in Graph's logs: the message is never created).</summary>
        public const string ProbeSubject = "M365SmtpTools access check (no recipients, never delivered)";

        /// <summary>The sendMail body of the probe: a text message with no recipients, From only when it isn't the mailbox.</summary>
        public static byte[] ProbeBody(string mailbox, EmailAddress? from) =>
            Body(ProbeSubject, "Test-M365GraphSend checks access without sending: this message has no recipients, so Graph refuses it.",
                mailbox, from, Array.Empty<EmailAddress>());

        /// <summary>The sendMail body of the real test message (-SendTestMessage).</summary>
        public static byte[] TestMessageBody(string mailbox, EmailAddress? from, IReadOnlyList<EmailAddress> to, DateTimeOffset now) =>
            Body("M365SmtpTools test message (Test-M365GraphSend)",
                $"This test message was sent by Test-M365GraphSend through Microsoft Graph sendMail from the mailbox {mailbox} " +
                    $"at {now.ToString("u", CultureInfo.InvariantCulture)}. Sending through Graph works for this app and mailbox.",
                mailbox, from, to);

        /// <summary>True when Graph's answer to the probe says the mailbox was found and the app may send from it.</summary>
        public static bool ConfirmsAccess(GraphResponse response) =>
            response.Status == 400 && string.Equals(response.ErrorCode, "ErrorInvalidRecipients", StringComparison.Ordinal);

        private static byte[] Body(string subject, string text, string mailbox, EmailAddress? from, IReadOnlyList<EmailAddress> to)
        {
            using var buffer = new MemoryStream();
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartObject();
                w.WriteStartObject("message");
                w.WriteString("subject", subject);
                w.WriteStartObject("body");
                w.WriteString("contentType", "Text");
                w.WriteString("content", text);
                w.WriteEndObject();
                if (from != null && !string.Equals(from.Address, mailbox, StringComparison.OrdinalIgnoreCase))
                {
                    w.WritePropertyName("from");
                    WriteRecipient(w, from);
                }
                if (to.Count > 0)
                {
                    w.WriteStartArray("toRecipients");
                    foreach (EmailAddress a in to) WriteRecipient(w, a);
                    w.WriteEndArray();
                }
                w.WriteEndObject();
                w.WriteBoolean("saveToSentItems", false);
                w.WriteEndObject();
            }
            return buffer.ToArray();
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
    }
}
