using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using M365SmtpTools.Engine.Mime;
using M365SmtpTools.Engine.Operations;

namespace M365SmtpTools.Engine.Graph
{
    /// <summary>
    /// Which attachments of a message go inline (base64 in the JSON) and which through an upload session, and the limits:
    /// an attachment up to 3 MB goes inline while the request stays under Graph's 4 MB; larger ones (up to 150 MB, the
    /// message limit) are uploaded in chunks.
    /// </summary>
    internal static class GraphAttachmentPlan
    {
        /// <summary>The largest attachment sent inline (Graph: under 3 MB).</summary>
        public const long InlineAttachmentLimit = 3L * 1024 * 1024;

        /// <summary>The encoded attachment bytes an inline request may carry (Graph's request limit is 4 MB).</summary>
        public const long InlineRequestBudget = 3L * 1024 * 1024 + 512 * 1024;

        /// <summary>Graph's message size limit, 150 MB.</summary>
        public const long MessageLimit = 150L * 1024 * 1024;

        /// <summary>The upload chunk: a multiple of 320 KiB (10 x 320 KiB = 3,276,800 bytes), under the 4 MB per request.</summary>
        public const int ChunkSize = 10 * 320 * 1024;

        /// <exception cref="M365SmtpException">GraphMessageTooLarge above 150 MB.</exception>
        public static void Check(MimeMessage m)
        {
            long total = m.InlineImages.Concat(m.Attachments).Sum(a => a.GetLength());
            if (total > MessageLimit)
                throw new M365SmtpException(GraphErrorCodes.MessageTooLarge,
                    $"The attachments total {total / (1024.0 * 1024):0.#} MB; Microsoft Graph sends at most 150 MB per message.")
                {
                    TargetObject = string.Join(", ", m.InlineImages.Concat(m.Attachments).Select(a => a.FileName)),
                    RecommendedAction = "Send the files in several messages, or share a link to them (OneDrive, SharePoint) " +
                        "instead of attaching them."
                };
        }

        /// <summary>The attachments to upload separately (in message order); the others go inline.</summary>
        public static IReadOnlyList<MimeAttachment> Large(MimeMessage m)
        {
            var large = new List<MimeAttachment>();
            long budget = InlineRequestBudget;
            foreach (MimeAttachment a in m.InlineImages.Concat(m.Attachments))
            {
                long encoded = (a.GetLength() + 2) / 3 * 4;
                if (a.GetLength() <= InlineAttachmentLimit && encoded <= budget) budget -= encoded;
                else large.Add(a);
            }
            return large;
        }
    }

    /// <summary>
    /// Sends one message through Graph: <c>POST /v1.0/users/{id}/sendMail</c> when everything fits in one request;
    /// otherwise a draft (<c>POST /users/{id}/messages</c>), one upload session per large attachment with chunks streamed
    /// from disk (<c>createUploadSession</c> + <c>PUT</c> with Content-Range), then <c>POST …/send</c>. Only the last
    /// request can deliver: a transport failure before it is never "unknown".
    /// </summary>
    internal sealed class GraphMessageSender
    {
        private readonly GraphHttpClient _graph;
        private readonly IOperationHost _host;
        private readonly CancellationToken _ct;

        public GraphMessageSender(GraphHttpClient graph, IOperationHost host, CancellationToken ct)
        {
            _graph = graph;
            _host = host;
            _ct = ct;
        }

        public async Task<GraphResponse> SendAsync(MimeMessage m, string? text, string? html, string mailbox, bool saveToSentItems,
            string token, int number)
        {
            string user = "v1.0/users/" + Uri.EscapeDataString(mailbox);
            IReadOnlyList<MimeAttachment> large = GraphAttachmentPlan.Large(m);
            if (large.Count == 0)
            {
                byte[] body = GraphMessageWriter.SendMailBody(m, Clean(text), Clean(html), mailbox, saveToSentItems);
                _host.WriteVerbose($"Message {number}: POST /{user}/sendMail ({body.Length} bytes).");
                return await _graph.SendAsync(HttpMethod.Post, new Uri(_graph.BaseAddress, user + "/sendMail"), GraphJson.Content(body),
                    token, _ct).ConfigureAwait(false);
            }

            if (!saveToSentItems)
                _host.WriteVerbose($"Message {number}: it has attachments over 3 MB, so it is sent as a draft, and Graph keeps a copy of " +
                    "a sent draft in Sent Items.");
            var largeSet = new HashSet<MimeAttachment>(large);
            byte[] draft = GraphMessageWriter.DraftBody(m, Clean(text), Clean(html), mailbox, a => !largeSet.Contains(a));
            _host.WriteVerbose($"Message {number}: POST /{user}/messages (draft, {draft.Length} bytes) for {large.Count} large " +
                "attachment(s).");
            GraphResponse created = await BeforeSend(() => _graph.SendAsync(HttpMethod.Post,
                new Uri(_graph.BaseAddress, user + "/messages"), GraphJson.Content(draft), token, _ct)).ConfigureAwait(false);
            if (!created.IsSuccess) return created;
            string? id = GraphJson.ReadString(created.Body, "id");
            if (string.IsNullOrEmpty(id))
                throw new M365SmtpException(GraphErrorCodes.UnexpectedAnswer, "Graph created the draft but its answer has no message id.")
                { RecommendedAction = "Send again; report it if it persists." };
            string message = user + "/messages/" + Uri.EscapeDataString(id);
            bool sendAttempted = false;
            try
            {
                foreach (MimeAttachment a in large)
                {
                    GraphResponse uploaded = await UploadAsync(a, message, token, number).ConfigureAwait(false);
                    if (!uploaded.IsSuccess)
                    {
                        await DeleteDraftAsync(message, token, number).ConfigureAwait(false);
                        return uploaded;
                    }
                }
                _host.WriteVerbose($"Message {number}: POST /{message}/send.");
                sendAttempted = true;
                GraphResponse sent = await _graph.SendAsync(HttpMethod.Post, new Uri(_graph.BaseAddress, message + "/send"),
                    new ByteArrayContent(Array.Empty<byte>()), token, _ct).ConfigureAwait(false);
                // Refused: the draft would stay in the mailbox's Drafts folder; a retry makes a new one.
                if (!sent.IsSuccess) await DeleteDraftAsync(message, token, number).ConfigureAwait(false);
                return sent;
            }
            catch (Exception e) when (!sendAttempted && (e is GraphTransportException || e is M365SmtpException))
            {
                await DeleteDraftAsync(message, token, number).ConfigureAwait(false);
                throw;
            }
        }

        /// <summary>Best effort: removes a draft that won't be sent (its failure is only mentioned in verbose output).</summary>
        private async Task DeleteDraftAsync(string message, string token, int number)
        {
            try
            {
                GraphResponse deleted = await _graph.SendAsync(HttpMethod.Delete, new Uri(_graph.BaseAddress, message), null, token,
                    CancellationToken.None).ConfigureAwait(false);
                _host.WriteVerbose(deleted.IsSuccess
                    ? $"Message {number}: deleted the unsent draft."
                    : $"Message {number}: the unsent draft could not be deleted ({deleted.Describe()}); it stays in the Drafts folder.");
            }
            catch (GraphTransportException e)
            {
                _host.WriteVerbose($"Message {number}: the unsent draft could not be deleted ({e.Message}); it stays in the " +
                    "Drafts folder.");
            }
        }

        private async Task<GraphResponse> UploadAsync(MimeAttachment a, string message, string token, int number)
        {
            long size = a.GetLength();
            byte[] sessionBody;
            using (var buffer = new MemoryStream())
            {
                using (var w = new Utf8JsonWriter(buffer))
                {
                    w.WriteStartObject();
                    w.WriteStartObject("AttachmentItem");
                    w.WriteString("attachmentType", "file");
                    w.WriteString("name", a.FileName);
                    w.WriteNumber("size", size);
                    w.WriteString("contentType", a.ContentType);
                    if (a.ContentId != null)
                    {
                        w.WriteBoolean("isInline", true);
                        w.WriteString("contentId", a.ContentId);
                    }
                    w.WriteEndObject();
                    w.WriteEndObject();
                }
                sessionBody = buffer.ToArray();
            }
            GraphResponse session = await BeforeSend(() => _graph.SendAsync(HttpMethod.Post,
                new Uri(_graph.BaseAddress, message + "/attachments/createUploadSession"), GraphJson.Content(sessionBody), token, _ct))
                .ConfigureAwait(false);
            if (!session.IsSuccess) return session;
            string? uploadUrl = GraphJson.ReadString(session.Body, "uploadUrl");
            if (string.IsNullOrEmpty(uploadUrl) || !Uri.TryCreate(uploadUrl, UriKind.Absolute, out Uri? upload) || upload.Scheme != "https")
                throw new M365SmtpException(GraphErrorCodes.UnexpectedAnswer, "Graph's upload session has no usable https uploadUrl.")
                { RecommendedAction = "Send again; report it if it persists." };
            _host.WriteVerbose($"Message {number}: uploading {a.FileName} ({size} bytes) in chunks of " +
                $"{GraphAttachmentPlan.ChunkSize} bytes.");

            // Bounded memory: one chunk buffer, whatever the file size.
            byte[] chunk = new byte[(int)Math.Min(GraphAttachmentPlan.ChunkSize, Math.Max(1, size))];
            GraphResponse? last = null;
            using (Stream file = a.Open())
            {
                long offset = 0;
                while (offset < size)
                {
                    int n = 0;
                    while (n < chunk.Length && offset + n < size)
                    {
                        int read = await file.ReadAsync(chunk, n, (int)Math.Min(chunk.Length - n, size - offset - n), _ct)
                            .ConfigureAwait(false);
                        if (read == 0) break;
                        n += read;
                    }
                    if (n == 0)
                        throw a.Unreadable(new IOException($"The file ended at {offset} bytes, shorter than its {size} bytes."));
                    var content = new ByteArrayContent(chunk, 0, n);
                    content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                    content.Headers.ContentRange = new ContentRangeHeaderValue(offset, offset + n - 1, size);
                    // The upload URL carries its own authorization: no bearer token is sent to it.
                    last = await BeforeSend(() => _graph.SendAsync(HttpMethod.Put, upload, content, null, _ct)).ConfigureAwait(false);
                    if (!last.IsSuccess) return last;
                    offset += n;
                }
            }
            return last!;
        }

        /// <summary>A transport failure before the final send can't have delivered anything: never "unknown".</summary>
        private static async Task<GraphResponse> BeforeSend(Func<Task<GraphResponse>> step)
        {
            try
            {
                return await step().ConfigureAwait(false);
            }
            catch (GraphTransportException e) when (e.RequestSent)
            {
                throw new GraphTransportException(e.Message + " (before the message was sent)", false, e.TimedOut, e.InnerException);
            }
        }

        private static string? Clean(string? body) => string.IsNullOrWhiteSpace(body) ? null : body;
    }
}
