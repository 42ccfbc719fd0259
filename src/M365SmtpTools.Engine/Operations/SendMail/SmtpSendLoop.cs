using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using M365SmtpTools.Engine.Exchange;
using M365SmtpTools.Engine.Mime;
using M365SmtpTools.Engine.Smtp;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>
    /// Sends one message over a worker's SMTP session: paced, retried by what the failure means (a 4xx reply, a lost
    /// connection, a result that is unknown after the end of data), reconnecting once without counting an attempt when
    /// a reused session turns out to have been closed while idle, and ending with exactly one result in the ledger.
    /// </summary>
    internal sealed class SmtpSendLoop
    {
        private readonly SendMailRequest _request;
        private readonly RetryPolicy _retry;
        private readonly SendResultLedger _results;
        private readonly Func<SendItem, Task> _pace;
        private readonly IOperationHost _host;
        private readonly IClock _clock;
        private readonly CancellationToken _ct;

        public SmtpSendLoop(SendMailRequest request, RetryPolicy retry, SendResultLedger results, Func<SendItem, Task> pace,
            IOperationHost host, IClock clock, CancellationToken ct)
        {
            _request = request;
            _retry = retry;
            _results = results;
            _pace = pace;
            _host = host;
            _clock = clock;
            _ct = ct;
        }

        public async Task SendAsync(SendItem item, SmtpSessionLease session)
        {
            MimeMessage m = item.Message!;
            ResolvedSmtpEndpoint ep = item.Endpoint!;
            _results.MarkStarted(item);
            int attempt = 0;
            _host.WriteVerbose($"Message {item.Index + 1} of {_results.Total}: {m.MessageId} to {string.Join(", ", item.Result.Recipients)}.");
            while (true)
            {
                if (_ct.IsCancellationRequested) { _results.Finish(item, SendMailStatus.NotAttempted, null); return; }
                attempt++;
                item.Result.Attempts = attempt;
                bool inSession = true;
                bool reused = false;
                SendFailureClass cls;
                M365SmtpException failure;
                try
                {
                    reused = await session.AcquireAsync(ep, _ct).ConfigureAwait(false);
                    inSession = false;
                    await _pace(item).ConfigureAwait(false);
                    SmtpClient client = session.Client!;
                    m.Options = _request.Encoding == SendMailEncoding.SevenBit
                        ? MimeWriterOptions.SevenBit
                        : MimeWriterOptions.FromCapabilities(client.Capabilities.Supports8BitMime, client.Capabilities.SupportsSmtpUtf8,
                            // Raw UTF-8 headers only when an address needs SMTPUTF8 anyway: Exchange Online can't downgrade
                            // such a message for a next hop without SMTPUTF8 (RFC 6531), so it would bounce. Otherwise
                            // the headers stay 7-bit with RFC 2047 encoded words.
                            useUtf8Headers: m.AddressesRequireSmtpUtf8);
                    var envelope = new SmtpEnvelope(m.EnvelopeSender.EnvelopeAddress,
                        m.EnvelopeRecipients.Select(a => a.EnvelopeAddress)) { Notify = item.Notify };
                    SmtpSendResult sent = await client.SendAsync(envelope, m, _ct).ConfigureAwait(false);
                    _results.Sent(item, sent);
                    return;
                }
                catch (OperationCanceledException) when (_ct.IsCancellationRequested)
                {
                    session.Drop();
                    _results.Finish(item, SendMailStatus.NotAttempted, null);
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
                    cls = e.Reply != null ? RetryPolicy.Classify(e.Reply.Code, e.Reply.EnhancedStatusCode?.ToString())
                        : SendFailureClass.Permanent;
                    if (inSession) session.Drop(); // a refused AUTH: start over on a fresh session
                    failure = e;
                }
                catch (M365SmtpException e) when (e.Code == SendMailErrorCodes.DailyRecipientLimitReached)
                {
                    _results.SetFatal(e);
                    _results.Finish(item, SendMailStatus.NotAttempted, e);
                    return;
                }
                catch (M365SmtpException e)
                {
                    cls = SendFailureClass.Permanent;
                    failure = e;
                }

                if (failure is SmtpException se) _results.Record(item, se);
                // A reused session that the server closed while idle: reconnect at once, without counting an attempt. At most
                // once: the session that replaces it is new (AcquireAsync says not reused), so its failures count.
                if (cls == SendFailureClass.ConnectionLost && reused && !inSession
                    && failure is SmtpProtocolException pe && (pe.Phase == SmtpPhase.MailFrom || pe.Phase == SmtpPhase.RcptTo))
                {
                    attempt--;
                    _host.WriteVerbose($"The connection to {ep.Host} was closed while idle ({failure.Message}); reconnecting.");
                    continue;
                }
                if (_ct.IsCancellationRequested || !_retry.ShouldRetry(cls, attempt))
                {
                    if (cls == SendFailureClass.DeliveryUnknown)
                        _results.Finish(item, SendMailStatus.Unknown, failure);
                    else
                        _results.Fail(item, failure);
                    // The session itself can't be established: the other messages would fail the same way.
                    if (inSession) _results.StopBatch(null, failure);
                    return;
                }
                TimeSpan delay = _retry.BackoffFor(cls, attempt);
                _host.WriteVerbose($"Message {item.Index + 1}: attempt {attempt} failed ({cls}: {failure.Message}); retrying in " +
                    $"{delay.TotalSeconds:0.#} s.");
                _results.Progress($"Retrying message {item.Index + 1} in {delay.TotalSeconds:0} s ({cls})");
                try
                {
                    await _clock.DelayAsync(delay, _ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    bool unknown = cls == SendFailureClass.DeliveryUnknown;
                    _results.Finish(item, unknown ? SendMailStatus.Unknown : SendMailStatus.NotAttempted, unknown ? failure : null);
                    return;
                }
            }
        }

        /// <summary>A protocol failure that another attempt won't fix.</summary>
        internal static bool IsPermanent(SmtpProtocolException e)
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
    }
}
