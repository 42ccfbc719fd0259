using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace M365SmtpTools.Engine.Graph
{
    /// <summary>One answer from Graph: status, the error body's code and message, and the headers that matter.</summary>
    internal sealed class GraphResponse
    {
        public int Status { get; set; }
        public string? ReasonPhrase { get; set; }
        public string Body { get; set; } = "";
        public string? ErrorCode { get; set; }
        public string? ErrorMessage { get; set; }
        public string? RequestId { get; set; }
        public string? ClientRequestId { get; set; }
        public TimeSpan? RetryAfter { get; set; }
        public Uri? Location { get; set; }
        public bool IsSuccess => Status >= 200 && Status < 300;

        /// <summary>"202 Accepted" or "403 ErrorAccessDenied: Access is denied…" for the result's Reply.</summary>
        public string Describe() => ErrorCode != null
            ? $"{Status} {ErrorCode}: {ErrorMessage}"
            : $"{Status} {ReasonPhrase}".TrimEnd();
    }

    /// <summary>
    /// The transport failed. <see cref="RequestSent"/> says whether the whole request body had been written before the
    /// failure: then Graph may have acted on it (delivery unknown) and it must not be sent again.
    /// </summary>
    internal sealed class GraphTransportException : Exception
    {
        public GraphTransportException(string message, bool requestSent, bool timedOut, Exception? inner) : base(message, inner)
        {
            RequestSent = requestSent;
            TimedOut = timedOut;
        }

        public bool RequestSent { get; }
        public bool TimedOut { get; }
    }

    /// <summary>
    /// HTTPS to Microsoft Graph with HttpClient: bearer token, JSON or byte bodies, a per-request timeout, and a body
    /// wrapper that records whether the request went out in full (so a dropped connection is told apart from one that
    /// never carried the request). Never puts the token in a message.
    /// </summary>
    internal sealed class GraphHttpClient : IDisposable
    {
        private readonly HttpClient _http;
        private readonly bool _ownsHandler;

        public GraphHttpClient(Uri baseAddress, HttpMessageHandler? handler, bool skipCertificateValidation, TimeSpan timeout)
        {
            BaseAddress = baseAddress;
            Timeout = timeout;
            if (handler == null)
            {
                var h = new HttpClientHandler { UseDefaultCredentials = false, AllowAutoRedirect = false, UseCookies = false };
                if (skipCertificateValidation) h.ServerCertificateCustomValidationCallback = (_, _, _, _) => true;
                handler = h;
                _ownsHandler = true;
            }
            _http = new HttpClient(handler, _ownsHandler) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        }

        public Uri BaseAddress { get; }
        public TimeSpan Timeout { get; }

        /// <summary>
        /// Sends one request; a non-2xx answer is returned, a transport failure throws <see cref="GraphTransportException"/>.
        /// </summary>
        public async Task<GraphResponse> SendAsync(HttpMethod method, Uri url, HttpContent? content, string? bearerToken,
            CancellationToken cancellationToken, Action<HttpRequestHeaders>? headers = null)
        {
            var tracked = content == null ? null : new TrackedContent(content);
            using var request = new HttpRequestMessage(method, url) { Content = tracked };
            if (bearerToken != null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearerToken);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            request.Headers.TryAddWithoutValidation("client-request-id", Guid.NewGuid().ToString());
            headers?.Invoke(request.Headers);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Timeout);
            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                bool sent = tracked == null || tracked.Completed;
                throw new GraphTransportException(
                    $"No answer from {url.Host} within {Timeout.TotalSeconds:0} s{(sent ? " after the request was sent" : "")}.",
                    sent, true, e);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && tracked != null && tracked.Completed)
            {
                throw new GraphTransportException($"Cancelled after the request to {url.Host} was sent, before Graph answered.",
                    true, false, null);
            }
            catch (Exception e) when (e is HttpRequestException || e is IOException || e is WebException)
            {
                bool sent = tracked != null && tracked.Completed;
                string why = Innermost(e).Message;
                throw new GraphTransportException(sent
                    ? $"The connection to {url.Host} was lost after the request was sent and before Graph answered ({why})."
                    : $"The connection to {url.Host} failed before the request was sent ({why}).", sent, false, e);
            }
            using (response)
            {
                string body = response.Content == null ? "" : await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                var r = new GraphResponse
                {
                    Status = (int)response.StatusCode,
                    ReasonPhrase = response.ReasonPhrase,
                    Body = body,
                    RequestId = Header(response, "request-id"),
                    ClientRequestId = Header(response, "client-request-id"),
                    Location = response.Headers.Location,
                    RetryAfter = response.Headers.RetryAfter?.Delta
                        ?? (response.Headers.RetryAfter?.Date is DateTimeOffset d ? d - DateTimeOffset.UtcNow : (TimeSpan?)null),
                };
                if (r.RetryAfter is TimeSpan ra && ra < TimeSpan.Zero) r.RetryAfter = TimeSpan.Zero;
                if (!r.IsSuccess) ReadError(r);
                return r;
            }
        }

        private static void ReadError(GraphResponse r)
        {
            if (string.IsNullOrWhiteSpace(r.Body)) return;
            try
            {
                using var doc = JsonDocument.Parse(r.Body);
                if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("error", out JsonElement error)
                    && error.ValueKind == JsonValueKind.Object)
                {
                    if (error.TryGetProperty("code", out JsonElement code) && code.ValueKind == JsonValueKind.String)
                        r.ErrorCode = code.GetString();
                    if (error.TryGetProperty("message", out JsonElement message) && message.ValueKind == JsonValueKind.String)
                        r.ErrorMessage = message.GetString();
                    if (error.TryGetProperty("innerError", out JsonElement inner) && inner.ValueKind == JsonValueKind.Object)
                    {
                        if (r.RequestId == null && inner.TryGetProperty("request-id", out JsonElement rid)
                            && rid.ValueKind == JsonValueKind.String)
                            r.RequestId = rid.GetString();
                        if (r.ClientRequestId == null && inner.TryGetProperty("client-request-id", out JsonElement cid)
                            && cid.ValueKind == JsonValueKind.String)
                            r.ClientRequestId = cid.GetString();
                    }
                }
            }
            catch (JsonException) { /* not JSON: the status alone explains it */ }
        }

        private static string? Header(HttpResponseMessage response, string name) =>
            response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

        private static Exception Innermost(Exception e)
        {
            while (e.InnerException != null) e = e.InnerException;
            return e;
        }

        public void Dispose() => _http.Dispose();

        /// <summary>Wraps a body and notes when it has been written out in full.</summary>
        private sealed class TrackedContent : HttpContent
        {
            private readonly HttpContent _inner;
            public TrackedContent(HttpContent inner)
            {
                _inner = inner;
                foreach (var h in inner.Headers) Headers.TryAddWithoutValidation(h.Key, h.Value);
            }

            public volatile bool Completed;

            protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
            {
                await _inner.CopyToAsync(stream).ConfigureAwait(false);
                await stream.FlushAsync().ConfigureAwait(false);
                Completed = true;
            }

            protected override bool TryComputeLength(out long length)
            {
                long? l = _inner.Headers.ContentLength;
                length = l ?? 0;
                return l != null;
            }

            protected override void Dispose(bool disposing)
            {
                if (disposing) _inner.Dispose();
                base.Dispose(disposing);
            }
        }
    }

    internal static class GraphJson
    {
        public static HttpContent Content(byte[] json)
        {
            var c = new ByteArrayContent(json);
            c.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            return c;
        }

        public static string? ReadString(string body, string property)
        {
            try
            {
                using var doc = JsonDocument.Parse(body);
                return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty(property, out JsonElement e)
                    && e.ValueKind == JsonValueKind.String
                    ? e.GetString() : null;
            }
            catch (JsonException) { return null; }
        }
    }
}
