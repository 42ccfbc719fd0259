#nullable enable
using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace M365SmtpTools.Engine.Tests.Infrastructure
{
    /// <summary>What the double answers to the next send (sendMail, or the send of a draft) instead of accepting it.</summary>
    public sealed class GraphFault
    {
        public int Status { get; set; }
        public string? Code { get; set; }
        public string? Message { get; set; }
        public int? RetryAfterSeconds { get; set; }
        /// <summary>Read the whole request, then close the connection without answering.</summary>
        public bool DropAfterRequest { get; set; }
    }

    /// <summary>One request the double received (never the token itself).</summary>
    public sealed class GraphDoubleRequest
    {
        public string Method { get; set; } = "";
        public string Path { get; set; } = "";
        public int Status { get; set; }
        public bool HadAuthorization { get; set; }
        public string? ContentRange { get; set; }
        public long BodyLength { get; set; }
        public DateTimeOffset At { get; set; }
    }

    /// <summary>An attachment that arrived through an upload session.</summary>
    public sealed class GraphUploadedAttachment
    {
        public string Name { get; set; } = "";
        public long Size { get; set; }
        public string ContentType { get; set; } = "";
        public bool IsInline { get; set; }
        public string? ContentId { get; set; }
        public string Sha256 { get; set; } = "";
        public List<string> Ranges { get; } = new List<string>();
    }

    /// <summary>A message the double accepted: the mailbox, the JSON it got (sendMail body or draft), the uploads.</summary>
    public sealed class GraphSentMessage
    {
        public string Mailbox { get; set; } = "";
        public string Json { get; set; } = "";
        public bool ViaDraft { get; set; }
        public bool? SaveToSentItems { get; set; }
        public List<GraphUploadedAttachment> Uploaded { get; } = new List<GraphUploadedAttachment>();
        /// <summary>The message object (sendMail's "message", or the draft).</summary>
        public JsonElement Message
        {
            get
            {
                JsonElement root = JsonDocument.Parse(Json).RootElement;
                return root.TryGetProperty("message", out JsonElement m) ? m : root;
            }
        }
    }

    /// <summary>
    /// A loopback Microsoft Graph look-alike over HTTPS (TcpListener + SslStream, HTTP/1.1 keep-alive) for sendMail,
    /// drafts, upload sessions and send. It checks the bearer token (audience Graph, Mail.Send in roles or scp, not
    /// expired), the JSON of sendMail and drafts against the schema the module may send, inline attachment sizes, and
    /// upload ranges (in order, 320 KiB multiples, at most 4 MB each); and it can answer the next send with an error
    /// body, 429/503 with Retry-After, or drop the connection after reading the request. It also answers 429 when more
    /// than 4 requests for one mailbox are in flight, as Graph does. Depends only on the BCL, so Pester can Add-Type it.
    /// </summary>
    public sealed class GraphDouble : IDisposable
    {
        public const int ChunkUnit = 320 * 1024;
        private static readonly string[] GraphAudiences = { "https://graph.microsoft.com", "00000003-0000-0000-c000-000000000000" };
        private readonly TcpListener _listener;
        private readonly X509Certificate2 _certificate;
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private readonly ConcurrentDictionary<string, Draft> _drafts = new ConcurrentDictionary<string, Draft>();
        private readonly ConcurrentDictionary<string, Upload> _uploads = new ConcurrentDictionary<string, Upload>();
        private readonly ConcurrentDictionary<string, int> _inFlight =
            new ConcurrentDictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        private int _ids;
        private int _maxInFlight;
        private int _noRecipients;

        public GraphDouble(X509Certificate2? certificate = null)
        {
            _certificate = certificate ?? SelfSignedCertificate();
            _listener = new TcpListener(IPAddress.Loopback, 0);
            _listener.Start();
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            Task.Run(AcceptLoopAsync);
        }

        public int Port { get; }
        public string BaseUrl => "https://127.0.0.1:" + Port;
        public ConcurrentQueue<GraphFault> Faults { get; } = new ConcurrentQueue<GraphFault>();
        public ConcurrentQueue<GraphDoubleRequest> Requests { get; } = new ConcurrentQueue<GraphDoubleRequest>();
        public ConcurrentQueue<GraphSentMessage> Sent { get; } = new ConcurrentQueue<GraphSentMessage>();
        /// <summary>
        /// What Graph answers for a mailbox to every request that names it, once the token is valid and before the body
        /// is read (404 ErrorInvalidUser or MailboxNotEnabledForRESTAPI, 403 ErrorAccessDenied of an access policy…).
        /// </summary>
        public ConcurrentDictionary<string, GraphFault> MailboxAnswers { get; } =
            new ConcurrentDictionary<string, GraphFault>(StringComparer.OrdinalIgnoreCase);
        /// <summary>Mailboxes an app-only token without the Mail.Send role may send from
        /// (RBAC for Applications: 'Application Mail.Send' over a scope).</summary>
        public ConcurrentDictionary<string, bool> RbacScopedMailboxes { get; } =
            new ConcurrentDictionary<string, bool>(StringComparer.OrdinalIgnoreCase);
        /// <summary>From addresses no mailbox may send as: a submitted message with such a from gets 403 ErrorSendAsDenied.</summary>
        public ConcurrentDictionary<string, bool> SendAsDenied { get; } =
            new ConcurrentDictionary<string, bool>(StringComparer.OrdinalIgnoreCase);
        /// <summary>sendMail requests refused because the message had no recipients (Graph's 400 ErrorInvalidRecipients).</summary>
        public int NoRecipientRequests => Volatile.Read(ref _noRecipients);
        /// <summary>Bodies the double refused as invalid (400), with the reason.</summary>
        public ConcurrentQueue<string> Rejections { get; } = new ConcurrentQueue<string>();
        /// <summary>The most requests for one mailbox that were in flight at once.</summary>
        public int MaxConcurrentPerMailbox => Volatile.Read(ref _maxInFlight);
        /// <summary>How long each request is held before the answer (to make concurrency observable).</summary>
        public int DelayMilliseconds { get; set; }
        /// <summary>Drafts created and neither sent nor deleted.</summary>
        public int OpenDrafts => _drafts.Count;
        public int SendRequestCount => Requests.Count(r => r.Path.EndsWith("/sendMail", StringComparison.Ordinal)
            || r.Path.EndsWith("/send", StringComparison.Ordinal));

        public void EnqueueError(int status, string code, string message, int? retryAfterSeconds = null) =>
            Faults.Enqueue(new GraphFault { Status = status, Code = code, Message = message, RetryAfterSeconds = retryAfterSeconds });

        public void EnqueueDrop() => Faults.Enqueue(new GraphFault { DropAfterRequest = true });

        // ---- tokens --------------------------------------------------------------------------------------------

        /// <summary>An unsigned test JWT (the double reads claims; it doesn't check signatures).</summary>
        public static string Token(string audience = "https://graph.microsoft.com", string[]? roles = null, string? scp = null,
            int lifetimeSeconds = 3600, string appId = "11111111-2222-3333-4444-555555555555")
        {
            long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            var claims = new Dictionary<string, object>
            {
                ["aud"] = audience, ["iss"] = "https://sts.windows.net/72f988bf-0000-0000-0000-000000000000/",
                ["tid"] = "72f988bf-0000-0000-0000-000000000000", ["appid"] = appId, ["oid"] = Guid.NewGuid().ToString(),
                ["iat"] = now - 60, ["nbf"] = now - 60, ["exp"] = now + lifetimeSeconds,
            };
            if (scp != null) { claims["scp"] = scp; claims["upn"] = "sender@contoso.com"; }
            else { claims["roles"] = roles ?? new[] { "Mail.Send" }; claims["idtyp"] = "app"; }
            return B64Url(Encoding.UTF8.GetBytes("{\"alg\":\"RS256\",\"typ\":\"JWT\"}")) + "."
                + B64Url(JsonSerializer.SerializeToUtf8Bytes(claims)) + ".c2lnbmF0dXJl";
        }

        public static X509Certificate2 SelfSignedCertificate()
        {
            using RSA key = RSA.Create(2048);
            var req = new CertificateRequest("CN=graph.loopback.test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            var san = new SubjectAlternativeNameBuilder();
            san.AddDnsName("graph.loopback.test");
            san.AddIpAddress(IPAddress.Loopback);
            req.CertificateExtensions.Add(san.Build());
            using X509Certificate2 cert = req.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
            return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pfx), null, X509KeyStorageFlags.Exportable);
        }

        private static string B64Url(byte[] b) => Convert.ToBase64String(b).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        private static byte[] FromB64Url(string s)
        {
            s = s.Replace('-', '+').Replace('_', '/');
            return Convert.FromBase64String(s + new string('=', (4 - s.Length % 4) % 4));
        }

        // ---- HTTP ----------------------------------------------------------------------------------------------

        private sealed class Request
        {
            public string Method = "", Path = "";
            public Dictionary<string, string> Headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            public byte[] Body = Array.Empty<byte>();
        }

        private sealed class Answer
        {
            public int Status;
            public string Json = "";
            public Dictionary<string, string> Headers = new Dictionary<string, string>();
            public bool Drop;
            public static Answer Error(int status, string code, string message, int? retryAfter = null)
            {
                var a = new Answer
                {
                    Status = status,
                    Json = JsonSerializer.Serialize(new Dictionary<string, object>
                    {
                        ["error"] = new Dictionary<string, object>
                        {
                            ["code"] = code, ["message"] = message,
                            ["innerError"] = new Dictionary<string, string>
                            {
                                ["request-id"] = "d0c1f2a3-0000-4000-8000-000000000001", ["date"] = "2026-12-02T05:00:00"
                            },
                        },
                    }),
                };
                if (retryAfter != null) a.Headers["Retry-After"] = retryAfter.Value.ToString();
                return a;
            }
        }

        private async Task AcceptLoopAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try { client = await _listener.AcceptTcpClientAsync(); }
                catch (Exception) { return; }
                _ = Task.Run(() => ServeConnectionAsync(client));
            }
        }

        private async Task ServeConnectionAsync(TcpClient client)
        {
            using (client)
            {
                try
                {
                    using var ssl = new SslStream(client.GetStream(), false);
                    await ssl.AuthenticateAsServerAsync(_certificate, false,
                        System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13, false);
                    var reader = new BufferedReader(ssl);
                    while (!_stop.IsCancellationRequested)
                    {
                        Request? request = await ReadRequestAsync(reader);
                        if (request == null) return;
                        Answer answer = await HandleAsync(request);
                        if (answer.Drop) return; // the connection dies after the request, before any answer
                        await WriteAnswerAsync(ssl, answer);
                    }
                }
                catch (Exception) { /* the client went away */ }
            }
        }

        private sealed class BufferedReader
        {
            private readonly Stream _s;
            private readonly byte[] _buf = new byte[64 * 1024];
            private int _pos, _len;
            public BufferedReader(Stream s) { _s = s; }
            public async Task<string?> ReadLineAsync()
            {
                var line = new List<byte>();
                while (true)
                {
                    if (_pos == _len)
                    {
                        _len = await _s.ReadAsync(_buf, 0, _buf.Length);
                        _pos = 0;
                        if (_len == 0) return line.Count == 0 ? null : Encoding.ASCII.GetString(line.ToArray());
                    }
                    byte b = _buf[_pos++];
                    if (b == '\n') return Encoding.ASCII.GetString(line.ToArray()).TrimEnd('\r');
                    line.Add(b);
                }
            }
            public async Task ReadExactAsync(byte[] target, int count)
            {
                int done = 0;
                while (done < count)
                {
                    if (_pos == _len)
                    {
                        _len = await _s.ReadAsync(_buf, 0, _buf.Length);
                        _pos = 0;
                        if (_len == 0) throw new EndOfStreamException();
                    }
                    int n = Math.Min(count - done, _len - _pos);
                    Buffer.BlockCopy(_buf, _pos, target, done, n);
                    _pos += n; done += n;
                }
            }
        }

        private static async Task<Request?> ReadRequestAsync(BufferedReader reader)
        {
            string? first = await reader.ReadLineAsync();
            if (string.IsNullOrEmpty(first)) return null;
            string[] parts = first!.Split(' ');
            var r = new Request { Method = parts[0], Path = Uri.UnescapeDataString(parts[1].Split('?')[0]) };
            string? line;
            while (!string.IsNullOrEmpty(line = await reader.ReadLineAsync()))
            {
                int colon = line!.IndexOf(':');
                if (colon > 0) r.Headers[line.Substring(0, colon).Trim()] = line.Substring(colon + 1).Trim();
            }
            if (r.Headers.TryGetValue("Content-Length", out string? cl) && long.TryParse(cl, out long length) && length > 0)
            {
                if (length > 8 * 1024 * 1024) throw new InvalidDataException("request too large");
                r.Body = new byte[length];
                await reader.ReadExactAsync(r.Body, (int)length);
            }
            return r;
        }

        private static async Task WriteAnswerAsync(Stream s, Answer a)
        {
            byte[] body = Encoding.UTF8.GetBytes(a.Json);
            var head = new StringBuilder();
            head.Append("HTTP/1.1 ").Append(a.Status).Append(' ').Append(Reason(a.Status)).Append("\r\n");
            head.Append("Content-Type: application/json\r\n");
            head.Append("Content-Length: ").Append(body.Length).Append("\r\n");
            head.Append("request-id: d0c1f2a3-0000-4000-8000-000000000001\r\n");
            foreach (var h in a.Headers) head.Append(h.Key).Append(": ").Append(h.Value).Append("\r\n");
            head.Append("\r\n");
            byte[] h1 = Encoding.ASCII.GetBytes(head.ToString());
            await s.WriteAsync(h1, 0, h1.Length);
            await s.WriteAsync(body, 0, body.Length);
            await s.FlushAsync();
        }

        private static string Reason(int status) => status switch
        {
            200 => "OK", 201 => "Created", 202 => "Accepted", 204 => "No Content", 400 => "Bad Request", 401 => "Unauthorized",
            403 => "Forbidden", 404 => "Not Found", 413 => "Request Entity Too Large", 429 => "Too Many Requests",
            503 => "Service Unavailable", 504 => "Gateway Timeout", _ => "Status",
        };

        // ---- Graph ---------------------------------------------------------------------------------------------

        private sealed class Draft
        {
            public string Mailbox = "", Json = "";
            public List<GraphUploadedAttachment> Uploaded = new List<GraphUploadedAttachment>();
        }

        private sealed class Upload
        {
            public Draft Draft = null!;
            public GraphUploadedAttachment Attachment = null!;
            public long Next;
            public IncrementalHash Hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        }

        private async Task<Answer> HandleAsync(Request r)
        {
            var record = new GraphDoubleRequest
            {
                Method = r.Method, Path = r.Path, HadAuthorization = r.Headers.ContainsKey("Authorization"), BodyLength = r.Body.Length,
                At = DateTimeOffset.UtcNow
            };
            r.Headers.TryGetValue("Content-Range", out string? range);
            record.ContentRange = range;
            string[] seg = r.Path.Trim('/').Split('/');
            string? mailbox = seg.Length >= 3 && seg[0] == "v1.0" && seg[1] == "users" ? seg[2] : null;
            string key = mailbox ?? "upload";
            int now = _inFlight.AddOrUpdate(key, 1, (_, v) => v + 1);
            int seen;
            while (now > (seen = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, now, seen) != seen) { }
            Answer answer;
            try
            {
                if (DelayMilliseconds > 0) await Task.Delay(DelayMilliseconds);
                answer = now > 4
                    ? Answer.Error(429, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.", 1)
                    : Route(r, seg, mailbox);
            }
            catch (Exception e)
            {
                answer = Answer.Error(500, "DoubleFailure", e.GetType().Name + ": " + e.Message);
            }
            finally
            {
                _inFlight.AddOrUpdate(key, 0, (_, v) => v - 1);
            }
            record.Status = answer.Drop ? 0 : answer.Status;
            Requests.Enqueue(record);
            return answer;
        }

        private Answer Route(Request r, string[] seg, string? mailbox)
        {
            if (r.Method == "PUT" && seg.Length == 2 && seg[0] == "upload") return PutChunk(r, seg[1]);
            if (mailbox == null) return Answer.Error(404, "ResourceNotFound", "Unknown path " + r.Path);
            Answer? denied = CheckToken(r, mailbox);
            if (denied != null) return denied;
            // Graph resolves the mailbox and authorizes the app on it before it reads the body.
            if (MailboxAnswers.TryGetValue(mailbox, out GraphFault? mailboxAnswer))
                return Answer.Error(mailboxAnswer.Status, mailboxAnswer.Code ?? "Error", mailboxAnswer.Message ?? "");
            if (r.Method == "POST" && seg.Length == 4 && seg[3] == "sendMail")
            {
                string? invalid = ValidateSendMail(r.Body, out bool? save, out int recipients, out string? from);
                if (invalid != null) { Rejections.Enqueue(invalid); return Answer.Error(400, "ErrorInvalidRequest", invalid); }
                Answer? fault = NextFault();
                if (fault != null) return fault;
                if (recipients == 0)
                {
                    Interlocked.Increment(ref _noRecipients);
                    return Answer.Error(400, "ErrorInvalidRecipients",
                        "At least one recipient is not valid., A message can't be sent because it contains no recipients.");
                }
                // Send As is decided when the message is submitted, after the recipients.
                if (from != null && !from.Equals(mailbox, StringComparison.OrdinalIgnoreCase) && SendAsDenied.ContainsKey(from))
                    return Answer.Error(403, "ErrorSendAsDenied",
                        "The user account which was used to submit this request does not have the right to send mail " +
                        "on behalf of the specified sending account., Cannot submit message.");
                Sent.Enqueue(new GraphSentMessage { Mailbox = mailbox, Json = Encoding.UTF8.GetString(r.Body), SaveToSentItems = save });
                return new Answer { Status = 202 };
            }
            if (r.Method == "POST" && seg.Length == 4 && seg[3] == "messages")
            {
                string? invalid = ValidateMessage(r.Body);
                if (invalid != null) { Rejections.Enqueue(invalid); return Answer.Error(400, "ErrorInvalidRequest", invalid); }
                string id = "draft-" + Interlocked.Increment(ref _ids);
                _drafts[id] = new Draft { Mailbox = mailbox, Json = Encoding.UTF8.GetString(r.Body) };
                return new Answer
                {
                    Status = 201, Json = JsonSerializer.Serialize(new Dictionary<string, object> { ["id"] = id, ["isDraft"] = true })
                };
            }
            if (r.Method == "DELETE" && seg.Length == 5 && seg[3] == "messages")
                return _drafts.TryRemove(seg[4], out _)
                    ? new Answer { Status = 204 }
                    : Answer.Error(404, "ErrorItemNotFound", "The specified object was not found in the store.");
            if (seg.Length >= 6 && seg[3] == "messages" && _drafts.TryGetValue(seg[4], out Draft? draft))
            {
                if (r.Method == "POST" && seg.Length == 7 && seg[5] == "attachments" && seg[6] == "createUploadSession")
                {
                    using JsonDocument doc = JsonDocument.Parse(r.Body);
                    JsonElement item = doc.RootElement.GetProperty("AttachmentItem");
                    var att = new GraphUploadedAttachment
                    {
                        Name = item.GetProperty("name").GetString()!,
                        Size = item.GetProperty("size").GetInt64(),
                        ContentType = item.TryGetProperty("contentType", out var ct) ? ct.GetString()! : "",
                        IsInline = item.TryGetProperty("isInline", out var il) && il.GetBoolean(),
                        ContentId = item.TryGetProperty("contentId", out var cid) ? cid.GetString() : null,
                    };
                    if (item.GetProperty("attachmentType").GetString() != "file")
                        return Answer.Error(400, "ErrorInvalidRequest", "attachmentType must be file");
                    if (att.Size > 150L * 1024 * 1024)
                        return Answer.Error(400, "ErrorAttachmentSizeShouldNotBeLessThanMinimumSize",
                            "The attachment is larger than 150 MB.");
                    string sid = "s" + Interlocked.Increment(ref _ids);
                    _uploads[sid] = new Upload { Draft = draft, Attachment = att };
                    return new Answer
                    {
                        Status = 201,
                        Json = JsonSerializer.Serialize(new Dictionary<string, object>
                        {
                            ["uploadUrl"] = BaseUrl + "/upload/" + sid,
                            ["expirationDateTime"] = DateTimeOffset.UtcNow.AddHours(1).ToString("o"),
                            ["nextExpectedRanges"] = new[] { "0-" }
                        })
                    };
                }
                if (r.Method == "POST" && seg.Length == 6 && seg[5] == "send")
                {
                    if (_uploads.Values.Any(u => u.Draft == draft && u.Next < u.Attachment.Size))
                        return Answer.Error(400, "ErrorInvalidRequest", "An upload session of this draft is incomplete.");
                    Answer? fault = NextFault();
                    if (fault != null) return fault;
                    var sent = new GraphSentMessage { Mailbox = draft.Mailbox, Json = draft.Json, ViaDraft = true };
                    sent.Uploaded.AddRange(draft.Uploaded);
                    Sent.Enqueue(sent);
                    _drafts.TryRemove(seg[4], out _);
                    return new Answer { Status = 202 };
                }
            }
            return Answer.Error(404, "ResourceNotFound", "Unknown path " + r.Path);
        }

        private Answer? NextFault()
        {
            if (!Faults.TryDequeue(out GraphFault? f)) return null;
            if (f.DropAfterRequest) return new Answer { Drop = true };
            return Answer.Error(f.Status, f.Code ?? "Error", f.Message ?? "", f.RetryAfterSeconds);
        }

        private Answer PutChunk(Request r, string sid)
        {
            if (!_uploads.TryGetValue(sid, out Upload? u)) return Answer.Error(404, "ResourceNotFound", "No such upload session.");
            if (r.Headers.ContainsKey("Authorization"))
            {
                Rejections.Enqueue("Authorization header sent to the upload URL");
                return Answer.Error(400, "ErrorInvalidRequest", "Don't send an Authorization header to the upload URL.");
            }
            if (!r.Headers.TryGetValue("Content-Range", out string? range) || !range.StartsWith("bytes ", StringComparison.Ordinal))
                return Reject("Content-Range missing");
            string[] p = range.Substring(6).Split('-', '/');
            long start = long.Parse(p[0]), end = long.Parse(p[1]), total = long.Parse(p[2]);
            if (total != u.Attachment.Size) return Reject($"Content-Range total {total} is not the session's size {u.Attachment.Size}");
            if (start != u.Next) return Reject($"Content-Range starts at {start}; expected {u.Next}");
            long n = end - start + 1;
            if (n != r.Body.Length) return Reject($"Content-Range length {n} differs from the body's {r.Body.Length}");
            if (n > 4L * 1024 * 1024) return Reject("A chunk is larger than 4 MB");
            bool lastChunk = end + 1 == total;
            if (!lastChunk && n % ChunkUnit != 0) return Reject($"A chunk of {n} bytes is not a multiple of 320 KiB");
            u.Hash.AppendData(r.Body);
            u.Next = end + 1;
            u.Attachment.Ranges.Add($"{start}-{end}");
            if (!lastChunk)
                return new Answer
                {
                    Status = 200,
                    Json = JsonSerializer.Serialize(new Dictionary<string, object>
                    {
                        ["expirationDateTime"] = DateTimeOffset.UtcNow.AddHours(1).ToString("o"),
                        ["nextExpectedRanges"] = new[] { u.Next.ToString() }
                    })
                };
            u.Attachment.Sha256 = BitConverter.ToString(u.Hash.GetHashAndReset()).Replace("-", "").ToLowerInvariant();
            lock (u.Draft.Uploaded) u.Draft.Uploaded.Add(u.Attachment);
            var done = new Answer { Status = 201 };
            done.Headers["Location"] = BaseUrl + "/v1.0/users/" + Uri.EscapeDataString(u.Draft.Mailbox) + "/messages/x/attachments/" + sid;
            return done;
        }

        private Answer Reject(string why)
        {
            Rejections.Enqueue(why);
            return Answer.Error(400, "InvalidContentRange", why);
        }

        private Answer? CheckToken(Request r, string mailbox)
        {
            if (!r.Headers.TryGetValue("Authorization", out string? auth) || !auth.StartsWith("Bearer ", StringComparison.Ordinal))
                return Answer.Error(401, "InvalidAuthenticationToken", "Access token is empty.");
            string[] parts = auth.Substring(7).Split('.');
            JsonElement claims;
            try { claims = JsonDocument.Parse(FromB64Url(parts[1])).RootElement; }
            catch (Exception) { return Answer.Error(401, "InvalidAuthenticationToken", "IDX14100: JWT is not well formed."); }
            string aud = claims.TryGetProperty("aud", out var a) ? a.GetString() ?? "" : "";
            if (!GraphAudiences.Contains(aud.TrimEnd('/'), StringComparer.OrdinalIgnoreCase))
                return Answer.Error(401, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience.");
            if (!claims.TryGetProperty("exp", out var exp) || DateTimeOffset.FromUnixTimeSeconds(exp.GetInt64()) <= DateTimeOffset.UtcNow)
                return Answer.Error(401, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired.");
            bool roles = claims.TryGetProperty("roles", out var rl) && rl.EnumerateArray().Any(x => x.GetString() == "Mail.Send");
            bool scp = claims.TryGetProperty("scp", out var sc) && (sc.GetString() ?? "").Split(' ').Contains("Mail.Send");
            bool appOnly = claims.TryGetProperty("idtyp", out var idtyp) && idtyp.GetString() == "app";
            if (!roles && !scp && !(appOnly && RbacScopedMailboxes.ContainsKey(mailbox)))
                return Answer.Error(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.");
            return null;
        }

        // ---- the sendMail schema ---------------------------------------------------------------------------------

        private static readonly HashSet<string> MessageProperties = new HashSet<string>(StringComparer.Ordinal)
        {
            "subject", "body", "from", "toRecipients", "ccRecipients", "bccRecipients", "replyTo", "importance", "internetMessageHeaders",
            "attachments"
        };

        private static string? ValidateSendMail(byte[] body, out bool? save, out int recipients, out string? from)
        {
            save = null;
            recipients = 0;
            from = null;
            if (body.Length > 4 * 1024 * 1024) return "The request is larger than 4 MB.";
            JsonElement root;
            try { root = JsonDocument.Parse(body).RootElement; } catch (JsonException e) { return "Not JSON: " + e.Message; }
            if (root.ValueKind != JsonValueKind.Object) return "The body is not an object.";
            foreach (JsonProperty p in root.EnumerateObject())
            {
                if (p.Name == "saveToSentItems")
                {
                    if (p.Value.ValueKind != JsonValueKind.True && p.Value.ValueKind != JsonValueKind.False)
                        return "saveToSentItems is not a boolean.";
                    save = p.Value.GetBoolean();
                }
                else if (p.Name != "message") return "Unknown property " + p.Name;
            }
            if (!root.TryGetProperty("message", out JsonElement m)) return "No message.";
            return ValidateMessageElement(m, out recipients, out from);
        }

        private static string? ValidateMessage(byte[] body)
        {
            try { return ValidateMessageElement(JsonDocument.Parse(body).RootElement, out _, out _); }
            catch (JsonException e) { return "Not JSON: " + e.Message; }
        }

        private static string? ValidateMessageElement(JsonElement m, out int recipients, out string? fromAddress)
        {
            recipients = 0;
            fromAddress = null;
            if (m.ValueKind != JsonValueKind.Object) return "message is not an object.";
            foreach (JsonProperty p in m.EnumerateObject())
                if (!MessageProperties.Contains(p.Name)) return "Unknown message property " + p.Name;
            if (m.TryGetProperty("subject", out var s) && s.ValueKind != JsonValueKind.String) return "subject is not a string.";
            if (!m.TryGetProperty("body", out var b) || b.ValueKind != JsonValueKind.Object) return "No body.";
            string? ct = b.TryGetProperty("contentType", out var c) ? c.GetString() : null;
            if (ct != "Text" && ct != "HTML") return "body.contentType is not Text or HTML.";
            if (!b.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.String)
                return "body.content is not a string.";
            foreach (string list in new[] { "toRecipients", "ccRecipients", "bccRecipients", "replyTo" })
            {
                if (!m.TryGetProperty(list, out var arr)) continue;
                if (arr.ValueKind != JsonValueKind.Array) return list + " is not an array.";
                foreach (JsonElement r in arr.EnumerateArray())
                {
                    string? why = Recipient(r, list);
                    if (why != null) return why;
                    if (list != "replyTo") recipients++;
                }
            }
            if (m.TryGetProperty("from", out var from))
            {
                string? why = Recipient(from, "from");
                if (why != null) return why;
                fromAddress = from.GetProperty("emailAddress").GetProperty("address").GetString();
            }
            if (m.TryGetProperty("importance", out var imp) && !new[] { "low", "normal", "high" }.Contains(imp.GetString()))
                return "importance is not low, normal or high.";
            if (m.TryGetProperty("internetMessageHeaders", out var headers))
            {
                if (headers.GetArrayLength() > 5) return "More than 5 internet message headers.";
                foreach (JsonElement h in headers.EnumerateArray())
                {
                    string name = h.GetProperty("name").GetString() ?? "";
                    if (!name.StartsWith("x-", StringComparison.OrdinalIgnoreCase))
                        return "The internet message header " + name + " does not start with x-.";
                    if (h.GetProperty("value").ValueKind != JsonValueKind.String) return "A header value is not a string.";
                }
            }
            if (m.TryGetProperty("attachments", out var atts))
            {
                foreach (JsonElement a in atts.EnumerateArray())
                {
                    if (a.GetProperty("@odata.type").GetString() != "#microsoft.graph.fileAttachment")
                        return "An attachment is not a fileAttachment.";
                    if (string.IsNullOrEmpty(a.GetProperty("name").GetString())) return "An attachment has no name.";
                    byte[] bytes;
                    try { bytes = Convert.FromBase64String(a.GetProperty("contentBytes").GetString() ?? ""); }
                    catch (FormatException) { return "contentBytes is not base64."; }
                    if (bytes.Length > 3 * 1024 * 1024) return "An inline attachment is larger than 3 MB.";
                    bool inline = a.TryGetProperty("isInline", out var il) && il.GetBoolean();
                    if (inline && (!a.TryGetProperty("contentId", out var cid) || string.IsNullOrEmpty(cid.GetString())))
                        return "An inline attachment has no contentId.";
                }
            }
            return null;
        }

        private static string? Recipient(JsonElement r, string list)
        {
            if (r.ValueKind != JsonValueKind.Object || !r.TryGetProperty("emailAddress", out var e) || e.ValueKind != JsonValueKind.Object)
                return list + ": not a recipient object.";
            string? address = e.TryGetProperty("address", out var ad) ? ad.GetString() : null;
            if (address == null || address.IndexOf('@') <= 0) return list + ": no valid address.";
            foreach (JsonProperty p in e.EnumerateObject())
                if (p.Name != "address" && p.Name != "name") return list + ": unknown property " + p.Name;
            return null;
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
        }
    }
}
