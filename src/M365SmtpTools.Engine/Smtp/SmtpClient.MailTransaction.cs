using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using M365SmtpTools.Engine.Mime;

namespace M365SmtpTools.Engine.Smtp
{
    // The mail transaction, from MAIL FROM to QUIT: a whole message in one call (SendAsync, pipelined when offered, DATA
    // or BDAT), the staged MAIL FROM / RCPT TO of diagnostics, RSET after a refusal and QUIT. Connecting, TLS and AUTH
    // are in SmtpClient.cs; the staged connection steps in SmtpClient.Stages.cs.
    public sealed partial class SmtpClient
    {
        /// <summary>
        /// Sends one message: MAIL FROM, RCPT TO for each recipient (pipelined when offered), then DATA or BDAT.
        /// Returns when the server accepted the message; throws <see cref="SmtpCommandException"/> when it refused
        /// (the session stays usable), <see cref="SmtpProtocolException"/> when the connection died, and
        /// <see cref="SmtpDeliveryUnknownException"/> when it died after the end of the message was sent.
        /// </summary>
        public async Task<SmtpSendResult> SendAsync(SmtpEnvelope envelope, IMessageContent content,
            CancellationToken cancellationToken = default)
        {
            if (envelope == null) throw new ArgumentNullException(nameof(envelope));
            if (content == null) throw new ArgumentNullException(nameof(content));
            SmtpChannel c = Channel;
            c.Phase = SmtpPhase.MailFrom;
            if ((_options.TlsMode == SmtpTlsMode.StartTlsRequired || _options.TlsMode == SmtpTlsMode.ImplicitTls) && !c.IsSecure)
                throw new SmtpProtocolException(SmtpErrorCodes.TlsRequired,
                    $"The session to {Host} isn't encrypted and TLS is required; the message was not sent.", SmtpPhase.MailFrom, Host);
            if (envelope.Recipients.Count == 0)
                throw new M365SmtpException(SmtpErrorCodes.NoRecipients, "The message has no recipients.")
                { RecommendedAction = "Give at least one To, Cc or Bcc address." };
            bool utf8Addresses = SmtpCommandText.CheckAddress(envelope.From, "sender");
            foreach (string r in envelope.Recipients) utf8Addresses |= SmtpCommandText.CheckAddress(r, "recipient");

            long size = content.ComputeSize();
            SmtpCapabilities caps = Capabilities;
            if (caps.MaxMessageSize > 0 && size > caps.MaxMessageSize)
                throw new SmtpCommandException(SmtpErrorCodes.MessageTooLarge,
                    $"The message is {size} bytes and the server at {Host} accepts at most {caps.MaxMessageSize} bytes; nothing was sent.",
                    SmtpPhase.MailFrom, Host)
                { RecommendedAction = "Send smaller attachments (base64 makes them about a third larger), or share them by link." };
            bool needUtf8 = content.RequiresSmtpUtf8 || utf8Addresses;
            if (needUtf8 && !caps.SupportsSmtpUtf8)
                throw new SmtpCommandException(SmtpErrorCodes.Utf8NotSupported,
                    $"The message needs SMTPUTF8 (internationalized addresses or headers) and the server at {Host} doesn't offer it; " +
                        "nothing was sent.", SmtpPhase.MailFrom, Host)
                { RecommendedAction = "Use ASCII addresses, or a server that supports SMTPUTF8." };
            if (content.Requires8BitMime && !caps.Supports8BitMime)
                throw new SmtpCommandException(SmtpErrorCodes.EightBitMimeNotSupported,
                    $"The message has 8bit parts and the server at {Host} doesn't offer 8BITMIME; nothing was sent.",
                    SmtpPhase.MailFrom, Host)
                { RecommendedAction = "Encode the parts as quoted-printable or base64." };
            bool dsn = envelope.WantsDsn && caps.SupportsDsn;
            if (envelope.WantsDsn && !caps.SupportsDsn)
                _options.Host.WriteWarning($"The server at {Host} doesn't offer DSN: the delivery notification options are not sent.");

            string mail = SmtpCommandText.MailFrom(envelope, caps.SupportsSize ? size : (long?)null, content.Requires8BitMime, needUtf8,
                dsn);
            var rcpts = envelope.Recipients.Select(r => SmtpCommandText.RcptTo(r, envelope, dsn)).ToList();
            bool pipelining = caps.SupportsPipelining && _options.UsePipelining;
            bool chunking = caps.SupportsChunking && _options.UseChunking;

            SmtpReply mailReply;
            var results = new List<SmtpRecipientResult>();
            SmtpReply? dataReply = null;
            if (pipelining)
            {
                await c.WriteLineAsync(mail, cancellationToken).ConfigureAwait(false);
                foreach (string r in rcpts) await c.WriteLineAsync(r, cancellationToken).ConfigureAwait(false);
                if (!chunking) await c.WriteLineAsync("DATA", cancellationToken).ConfigureAwait(false);
                // RFC 2920: read every reply, in order, whatever each says.
                mailReply = await c.ReadReplyAsync(cancellationToken).ConfigureAwait(false);
                c.Phase = SmtpPhase.RcptTo;
                for (int i = 0; i < rcpts.Count && !c.IsBroken; i++)
                    results.Add(new SmtpRecipientResult(envelope.Recipients[i],
                        await c.ReadReplyAsync(cancellationToken).ConfigureAwait(false)));
                if (!chunking && !c.IsBroken)
                {
                    c.Phase = SmtpPhase.Data;
                    dataReply = await c.ReadReplyAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            else
            {
                await c.WriteLineAsync(mail, cancellationToken).ConfigureAwait(false);
                mailReply = await c.ReadReplyAsync(cancellationToken).ConfigureAwait(false);
                if (mailReply.IsPositiveCompletion)
                {
                    c.Phase = SmtpPhase.RcptTo;
                    for (int i = 0; i < rcpts.Count && !c.IsBroken; i++)
                    {
                        await c.WriteLineAsync(rcpts[i], cancellationToken).ConfigureAwait(false);
                        results.Add(new SmtpRecipientResult(envelope.Recipients[i],
                            await c.ReadReplyAsync(cancellationToken).ConfigureAwait(false)));
                    }
                    if (!chunking && results.Any(r => r.Accepted) && !c.IsBroken)
                    {
                        c.Phase = SmtpPhase.Data;
                        await c.WriteLineAsync("DATA", cancellationToken).ConfigureAwait(false);
                        dataReply = await c.ReadReplyAsync(cancellationToken).ConfigureAwait(false);
                    }
                }
            }

            SmtpCommandException? refusal = null;
            if (!mailReply.IsPositiveCompletion)
                refusal = SmtpErrors.CommandFailed(SmtpErrorCodes.SenderRejected, SmtpPhase.MailFrom,
                    Host, mailReply, $"The server refused the sender <{envelope.From}>", c.KnownServer);
            else if (!results.Any(r => r.Accepted))
            {
                SmtpRecipientResult first = results[0];
                refusal = SmtpErrors.CommandFailed(SmtpErrorCodes.RecipientsRejected, SmtpPhase.RcptTo, Host, first.Reply,
                    results.Count == 1 ? $"The server refused the recipient <{first.Address}>"
                        : $"The server refused all {results.Count} recipients (the first, <{first.Address}>)", c.KnownServer);
            }
            else if (dataReply != null && dataReply.Code != 354)
                refusal = SmtpErrors.CommandFailed(SmtpErrorCodes.DataRejected, SmtpPhase.Data,
                    Host, dataReply, "The server refused DATA", c.KnownServer);
            else if (c.IsBroken)
            {
                // A recipient got 421 after others were accepted: the server closed the session before the content.
                SmtpRecipientResult closing = results[results.Count - 1];
                refusal = SmtpErrors.CommandFailed(SmtpErrorCodes.RecipientsRejected, SmtpPhase.RcptTo,
                    Host, closing.Reply, $"The server closed the session at the recipient <{closing.Address}>", c.KnownServer);
            }
            if (refusal != null)
            {
                refusal.RecipientResults = results;
                if (dataReply?.Code == 354)
                {
                    // A pipelined DATA was accepted though the transaction failed: end it with an empty message the server must refuse.
                    c.Phase = SmtpPhase.Data;
                    await c.WriteLineAsync(".", cancellationToken).ConfigureAwait(false);
                    await c.ReadReplyAsync(cancellationToken).ConfigureAwait(false);
                }
                await ResetAfterFailureAsync(refusal, cancellationToken).ConfigureAwait(false);
                throw refusal;
            }

            c.Phase = chunking ? SmtpPhase.Bdat : SmtpPhase.Data;
            // A chunk buffer no larger than the message needs (small messages go in one BDAT LAST without a large buffer).
            int chunkSize = (int)Math.Min(_options.ChunkSize, Math.Max(1024L, size + size / 8 + 64));
            using SmtpContentStream body = chunking ? new BdatContentStream(c, chunkSize) : new DataContentStream(c);
            try
            {
                await content.WriteToAsync(body, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!(ex is OperationCanceledException && body.Failure == null))
            {
                if (body.Failure is SmtpCommandException chunkRefused)
                {
                    chunkRefused.RecipientResults = results;
                    await ResetAfterFailureAsync(chunkRefused, cancellationToken).ConfigureAwait(false);
                    throw chunkRefused;
                }
                if (body.Failure != null) throw body.Failure;
                // The content failed midway: ending the message now would deliver half of it, so the connection is closed.
                c.Abort();
                if (ex is M365SmtpException) throw;
                throw new SmtpProtocolException(SmtpErrorCodes.ContentFailed,
                    $"Writing the message failed midway ({ex.Message}); the connection to {Host} was closed so no partial message " +
                        "is delivered.", c.Phase, Host, null, ex);
            }
            catch (OperationCanceledException)
            {
                c.Abort();
                throw;
            }

            SmtpReply final;
            try
            {
                await body.SendEndAsync(cancellationToken).ConfigureAwait(false);
                final = await c.ReadReplyAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (SmtpCommandException chunkRefused) when (body.Failure == chunkRefused)
            {
                chunkRefused.RecipientResults = results;
                await ResetAfterFailureAsync(chunkRefused, cancellationToken).ConfigureAwait(false);
                throw;
            }
            catch (SmtpProtocolException ex) when (!(ex is SmtpDeliveryUnknownException))
            {
                // Conservative: a failure while the end of the message is on its way is treated as "may have arrived".
                throw new SmtpDeliveryUnknownException(
                    $"The connection to {Host} was lost after the end of the message was sent and before the server answered " +
                        $"({ex.Message}). The message may or may not have been accepted: it is not reported as sent and was not resent.",
                    c.Phase, Host, ex);
            }
            catch (OperationCanceledException ex)
            {
                throw new SmtpDeliveryUnknownException(
                    $"Sending to {Host} was cancelled after the end of the message was sent and before the server answered. The message " +
                        "may or may not have been accepted: it is not reported as sent and was not resent.",
                    c.Phase, Host, ex, ErrorKind.Cancelled);
            }
            if (!final.IsPositiveCompletion)
            {
                SmtpCommandException rejected = SmtpErrors.CommandFailed(SmtpErrorCodes.MessageRejected, c.Phase,
                    Host, final, "The server refused the message", c.KnownServer);
                rejected.RecipientResults = results;
                throw SessionEndedIfClosed(rejected); // the reply to the end of data ends the transaction: no RSET needed
            }
            return new SmtpSendResult(results, final, body.BytesSent, chunking);
        }

        /// <summary>Sends NOOP (keeps an idle session alive, or checks that it still is); returns the reply.</summary>
        public async Task<SmtpReply> NoopAsync(CancellationToken cancellationToken = default)
        {
            SmtpChannel c = Channel;
            await c.WriteLineAsync("NOOP", cancellationToken).ConfigureAwait(false);
            return await c.ReadReplyAsync(cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Sends RSET: abandons the current transaction, keeps the session.</summary>
        public async Task ResetAsync(CancellationToken cancellationToken = default)
        {
            SmtpChannel c = Channel;
            c.Phase = SmtpPhase.Rset;
            await c.WriteLineAsync("RSET", cancellationToken).ConfigureAwait(false);
            SmtpReply reply = await c.ReadReplyAsync(cancellationToken).ConfigureAwait(false);
            if (!reply.IsPositiveCompletion)
            {
                c.Abort();
                throw new SmtpProtocolException(SmtpErrorCodes.ResetFailed,
                    $"The server at {Host} refused RSET ({reply.Code} {reply.Text}); the session can't go on.", SmtpPhase.Rset, Host, reply)
                { RecommendedAction = "Reconnect." };
            }
        }

        /// <summary>
        /// A refused command whose reply also closed the session (421) is reported as a dead connection
        /// (<see cref="SmtpProtocolException"/>, same error id, phase and reply), so callers reconnect instead of reusing it.
        /// </summary>
        private SmtpException SessionEndedIfClosed(SmtpCommandException failure)
        {
            if (_channel != null && !_channel.IsBroken) return failure;
            return new SmtpProtocolException(failure.Code, failure.Kind,
                failure.Message + " The server closed the session; reconnect to go on.", failure.Phase, Host, failure.Reply, failure)
            { RecommendedAction = failure.RecommendedAction ?? "Reconnect and try again later." };
        }

        private async Task ResetAfterFailureAsync(SmtpCommandException failure, CancellationToken cancellationToken)
        {
            if (_channel == null || _channel.IsBroken) throw SessionEndedIfClosed(failure);
            try
            {
                await ResetAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (SmtpProtocolException ex)
            {
                throw new SmtpProtocolException(ex.Code, ex.Kind, failure.Message + " Then the " +
                    "session ended: " + ex.Message, failure.Phase, Host, failure.Reply, failure)
                { RecommendedAction = failure.RecommendedAction };
            }
        }

        /// <summary>Sends QUIT, reads the reply (failures ignored) and closes the connection.</summary>
        public async Task QuitAsync(CancellationToken cancellationToken = default)
        {
            if (_channel == null || _channel.IsBroken) return;
            SmtpChannel c = _channel;
            c.Phase = SmtpPhase.Quit;
            try
            {
                await c.WriteLineAsync("QUIT", cancellationToken).ConfigureAwait(false);
                await c.ReadReplyAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (SmtpException)
            {
                // the session is over either way
            }
            finally
            {
                c.Abort();
            }
        }

        /// <summary>
        /// Sends MAIL FROM alone (no SIZE or BODY parameters) and returns the server's 2xx reply. A refusal is an
        /// <see cref="SmtpCommandException"/> (SmtpSenderRejected) carrying the reply; the session stays usable. Use
        /// <see cref="RecipientAsync"/> next and <see cref="ResetAsync"/> to abandon the transaction without DATA.
        /// </summary>
        public async Task<SmtpReply> MailFromAsync(string from, CancellationToken cancellationToken = default)
        {
            if (from == null) throw new ArgumentNullException(nameof(from));
            SmtpChannel c = Channel;
            c.Phase = SmtpPhase.MailFrom;
            RequireTlsIfConfigured(c, "MAIL FROM was not sent");
            bool utf8 = CheckStagedAddress(from, "sender", SmtpPhase.MailFrom);
            await c.WriteLineAsync(SmtpCommandText.MailFrom(new SmtpEnvelope(from, Array.Empty<string>()), null, false, utf8, false), cancellationToken).ConfigureAwait(false);
            SmtpReply reply = await c.ReadReplyAsync(cancellationToken).ConfigureAwait(false);
            if (!reply.IsPositiveCompletion)
                throw SmtpErrors.CommandFailed(SmtpErrorCodes.SenderRejected, SmtpPhase.MailFrom,
                    Host, reply, $"The server refused the sender <{from}>", c.KnownServer);
            return reply;
        }

        /// <summary>
        /// Sends one RCPT TO (after <see cref="MailFromAsync"/>) and returns the server's 2xx reply. A refusal is an
        /// <see cref="SmtpCommandException"/> (SmtpRecipientsRejected) carrying the reply; the transaction goes on.
        /// </summary>
        public async Task<SmtpReply> RecipientAsync(string address, CancellationToken cancellationToken = default)
        {
            if (address == null) throw new ArgumentNullException(nameof(address));
            SmtpChannel c = Channel;
            c.Phase = SmtpPhase.RcptTo;
            RequireTlsIfConfigured(c, "RCPT TO was not sent");
            bool utf8 = CheckStagedAddress(address, "recipient", SmtpPhase.RcptTo);
            await c.WriteLineAsync(SmtpCommandText.RcptTo(address, new SmtpEnvelope("", new[] { address }), false), cancellationToken).ConfigureAwait(false);
            SmtpReply reply = await c.ReadReplyAsync(cancellationToken).ConfigureAwait(false);
            if (!reply.IsPositiveCompletion)
            {
                SmtpCommandException refused = SmtpErrors.CommandFailed(SmtpErrorCodes.RecipientsRejected, SmtpPhase.RcptTo,
                    Host, reply, $"The server refused the recipient <{address}>", c.KnownServer);
                refused.RecipientResults = new[] { new SmtpRecipientResult(address, reply) };
                throw refused;
            }
            return reply;
        }

        /// <summary>Checks an address of a staged step; true when it needs SMTPUTF8, which the server must then offer.</summary>
        private bool CheckStagedAddress(string address, string role, SmtpPhase phase)
        {
            bool utf8 = SmtpCommandText.CheckAddress(address, role);
            if (utf8 && !Capabilities.SupportsSmtpUtf8)
                throw new SmtpCommandException(SmtpErrorCodes.Utf8NotSupported,
                    $"The {role} <{address}> needs SMTPUTF8 and the server at {Host} doesn't offer it; nothing was sent.", phase, Host)
                { RecommendedAction = "Use an ASCII address, or a server that supports SMTPUTF8." };
            return utf8;
        }

        private void RequireTlsIfConfigured(SmtpChannel c, string what)
        {
            if ((_options.TlsMode == SmtpTlsMode.StartTlsRequired || _options.TlsMode == SmtpTlsMode.ImplicitTls) && !c.IsSecure)
                throw new SmtpProtocolException(SmtpErrorCodes.TlsRequired,
                    $"The session to {Host} isn't encrypted and TLS is required; {what}.", c.Phase, Host);
        }
    }
}
