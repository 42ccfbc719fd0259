using System;
using System.Collections.Generic;
using System.Linq;
using M365SmtpTools.Engine.Auth;
using M365SmtpTools.Engine.Exchange;
using M365SmtpTools.Engine.Smtp;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>
    /// The results of a batch: every input ends here exactly once (sent, failed with why, unknown or not attempted),
    /// explained from the reply catalogue, emitted in input order, counted for the progress bar and the remaining time.
    /// Thread-safe: workers finish messages concurrently.
    /// </summary>
    internal sealed class SendResultLedger
    {
        private readonly object _gate = new object();
        private readonly List<SendItem> _items = new List<SendItem>();
        private readonly Action<SendMailResult> _onResult;
        private readonly IOperationHost _host;
        private readonly IClock _clock;
        private readonly bool _stopAtFirstFailure;
        private readonly Func<SmtpConnection?> _connection;
        private int _sent, _failed;
        private int _nextToEmit;               // results go out in input order: the index of the next one to emit
        private DateTimeOffset? _batchStarted; // when the first message started: the base of the remaining-time estimate

        public SendResultLedger(Action<SendMailResult> onResult, IOperationHost host, IClock clock, bool stopAtFirstFailure,
            Func<SmtpConnection?> connection)
        {
            _onResult = onResult;
            _host = host;
            _clock = clock;
            _stopAtFirstFailure = stopAtFirstFailure;
            _connection = connection;
        }

        /// <summary>Every input, in order.</summary>
        public IReadOnlyList<SendItem> Items => _items;

        /// <summary>The number of inputs.</summary>
        public int Total => _items.Count;

        /// <summary>What stopped the whole batch (no credentials, the daily recipient limit), if anything.</summary>
        public M365SmtpException? Fatal { get; private set; }

        /// <summary>With StopAtFirstFailure: the message that stopped the batch.</summary>
        public SendItem? StoppedAt { get; private set; }

        /// <summary>The pacer, once sending starts: it bounds the remaining-time estimate from below.</summary>
        public SendPacer? Pacer { get; set; }

        public void Add(SendItem item) => _items.Add(item);

        /// <summary>Stops the batch: nothing more is handed to a server (the first cause wins).</summary>
        public void SetFatal(M365SmtpException cause)
        {
            lock (_gate) Fatal ??= cause;
        }

        /// <summary>Stops the batch, failing the first of <paramref name="items"/> with the cause (the rest end NotAttempted).</summary>
        public void StopBatch(List<SendItem>? items, M365SmtpException cause)
        {
            SetFatal(cause);
            if (items != null && items.Count > 0 && !items[0].Done) Fail(items[0], cause);
        }

        /// <summary>Notes when a message's attempts start; the first message also starts the remaining-time estimate's clock.</summary>
        public void MarkStarted(SendItem item)
        {
            item.Started = _clock.UtcNow;
            lock (_gate) _batchStarted ??= item.Started;
        }

        /// <summary>An SMTP send that ended with the server accepting the message (possibly for some recipients only).</summary>
        public void Sent(SendItem item, SmtpSendResult sent)
        {
            SendMailResult r = item.Result;
            r.RecipientResults = sent.Recipients.Select(RecipientResult).ToList();
            SetReply(r, sent.FinalReply);
            r.SentAt = _clock.UtcNow;
            M365SmtpException? partial = null;
            var rejected = sent.RejectedRecipients.ToList();
            if (rejected.Count > 0)
            {
                SmtpReply first = rejected[0].Reply;
                ReplyExplanation ex = ReplyCatalogue.Explain(first.Code, first.EnhancedStatusCode?.ToString(), first.Text,
                    Context(item).ForRecipient(rejected[0].Address));
                ErrorKind kind = rejected.All(x => x.Reply.IsTransientFailure) ? ErrorKind.ResourceUnavailable : ErrorKind.InvalidOperation;
                string refused = string.Join("; ", rejected.Select(x => $"{x.Address} ({x.Reply.Code} {x.Reply.Text})"));
                partial = new M365SmtpException(SmtpErrorCodes.SomeRecipientsRejected, kind,
                    $"The message {r.MessageId} was sent, but the server refused {rejected.Count} of {sent.Recipients.Count} recipients: " +
                        $"{refused}.")
                { TargetObject = item.Result.Input, RecommendedAction = ex.Remediation };
                r.Meaning = ex.Meaning;
                r.Remediation = ex.Remediation;
                r.RemediationCommands = ex.Commands.ToArray();
            }
            _host.WriteVerbose($"Message {item.Index + 1}: sent ({sent.FinalReply.Code} {sent.FinalReply.Text}).");
            Finish(item, SendMailStatus.Sent, partial);
        }

        /// <summary>Keeps the replies of a failed SMTP attempt on the result (the last attempt's are what the user sees).</summary>
        public void Record(SendItem item, SmtpException e)
        {
            if (e is SmtpCommandException ce && ce.RecipientResults.Count > 0)
                item.Result.RecipientResults = ce.RecipientResults.Select(RecipientResult).ToList();
            if (e.Reply != null) SetReply(item.Result, e.Reply);
        }

        private static SendMailRecipientResult RecipientResult(SmtpRecipientResult x) =>
            new SendMailRecipientResult(x.Address, x.Accepted, x.Reply.Code, x.Reply.EnhancedStatusCode?.ToString(),
                x.Reply.Code + " " + x.Reply.Text);

        private static void SetReply(SendMailResult r, SmtpReply reply)
        {
            r.Reply = reply.Code + " " + reply.Text;
            r.ReplyCode = reply.Code;
            r.EnhancedStatusCode = reply.EnhancedStatusCode?.ToString();
        }

        private RemediationContext Context(SendItem item)
        {
            SmtpConnection? connection = _connection();
            return new RemediationContext
            {
                Mailbox = connection?.UserName,
                Sender = item.Result.From,
                AppId = connection?.ClientId,
                UsedOAuth = connection != null && connection.Method != SmtpAuthMethod.Basic,
                Recipient = item.Result.Recipients.FirstOrDefault(),
            };
        }

        public void Fail(SendItem item, M365SmtpException e) => Finish(item, SendMailStatus.Failed, e);

        /// <summary>The one result of an input: explained, counted and emitted (with any later ones that waited for it).</summary>
        public void Finish(SendItem item, SendMailStatus status, M365SmtpException? error)
        {
            lock (_gate)
            {
                if (item.Done) return;
                item.Done = true;
                SendMailResult r = item.Result;
                r.Status = status;
                r.Elapsed = item.Started is DateTimeOffset s ? _clock.UtcNow - s : TimeSpan.Zero;
                if (error != null) Explain(item, status, error);
                if (status == SendMailStatus.Sent) _sent++;
                else if (status != SendMailStatus.NotAttempted) _failed++;
                if (_stopAtFirstFailure && StoppedAt == null && (status == SendMailStatus.Failed || status == SendMailStatus.Unknown))
                    StoppedAt = item;
                // Results go out in input order: this one, and any later ones that were waiting for it.
                while (_nextToEmit < _items.Count && _items[_nextToEmit].Done)
                    _onResult(_items[_nextToEmit++].Result);
            }
            if (Total > 1) Progress(null);
        }

        private void Explain(SendItem item, SendMailStatus status, M365SmtpException error)
        {
            SendMailResult r = item.Result;
            r.Error = error;
            r.ErrorId = error.ErrorId;
            r.ErrorMessage = error.Message;
            if (r.Meaning != null) return;
            if (error is SmtpException se && se.Reply != null)
            {
                ReplyExplanation ex = ReplyCatalogue.Explain(se.Reply.Code, se.Reply.EnhancedStatusCode?.ToString(), se.Reply.Text,
                    Context(item).ForRecipient(r.RejectedRecipients.FirstOrDefault()));
                r.Meaning = ex.Meaning;
                r.Remediation = ex.Entry != null ? ex.Remediation : error.RecommendedAction ?? ex.Remediation;
                r.RemediationCommands = ex.Commands.ToArray();
                // The error says the same fix as the result, as a partial rejection's does.
                error.RecommendedAction ??= r.Remediation;
            }
            else
            {
                r.Meaning = status == SendMailStatus.Unknown
                    ? "The connection was lost after the end of the message was sent and before the server answered: the server may have " +
                        "accepted it."
                    : error.Message;
                r.Remediation = error.RecommendedAction;
            }
        }

        /// <summary>"Sent 3, failed 1, remaining 6 of 10".</summary>
        public string Summary()
        {
            int done = _items.Count(i => i.Done);
            return $"Sent {_sent}, failed {_failed}, remaining {Total - done} of {Total}";
        }

        /// <summary>Reports the batch's progress (batches of more than one message), with what is happening now.</summary>
        public void Progress(string? current)
        {
            if (Total <= 1) return;
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
                PercentComplete = Total == 0 ? 100 : done * 100 / Total,
                SecondsRemaining = secondsRemaining,
            });
        }

        /// <summary>The final progress record: the bar completes.</summary>
        public void Complete()
        {
            if (Total > 1)
                _host.WriteProgress(new OperationProgress { ActivityId = 1, Activity = "Send-M365Mail", Status = Summary(),
                    Completed = true });
        }

        /// <summary>
        /// The time the rest of the batch should take: the pace so far, but never less than the messages-a-minute
        /// limit allows (see <see cref="SendPacer.EstimateWait"/>), -1 before the first result.
        /// </summary>
        private int SecondsRemaining(int done)
        {
            if (done == 0 || _batchStarted == null) return -1;
            int left = Total - done;
            double observed = (_clock.UtcNow - _batchStarted.Value).TotalSeconds / done * left;
            double paced = Pacer?.EstimateWait(left).TotalSeconds ?? 0;
            return (int)Math.Ceiling(Math.Max(observed, paced));
        }
    }
}
