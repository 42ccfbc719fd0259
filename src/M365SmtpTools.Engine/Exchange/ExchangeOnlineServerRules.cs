using System.Globalization;
using M365SmtpTools.Engine.Smtp;

namespace M365SmtpTools.Engine.Exchange
{
    /// <summary>
    /// Exchange Online's SMTP rules for the protocol layer: its hosts refuse port 465 and implicit TLS, and its replies
    /// are explained from <see cref="ReplyCatalogue"/> (e.g. 5.7.139: enable SMTP AUTH for the mailbox).
    /// </summary>
    public sealed class ExchangeOnlineServerRules : ISmtpServerRules
    {
        /// <summary>The rules (they hold no state).</summary>
        public static readonly ExchangeOnlineServerRules Instance = new ExchangeOnlineServerRules();

        private ExchangeOnlineServerRules()
        {
        }

        /// <inheritdoc />
        public bool Recognizes(string? host, string? serverName) =>
            MicrosoftHosts.IsMicrosoft365Host(host) || MicrosoftHosts.IsMicrosoft365Host(serverName);

        /// <inheritdoc />
        public SmtpProtocolException? RefuseConnection(string host, int port, SmtpTlsMode tlsMode)
        {
            if (!MicrosoftHosts.IsMicrosoft365Host(host) || (port != 465 && tlsMode != SmtpTlsMode.ImplicitTls)) return null;
            return new SmtpProtocolException(SmtpErrorCodes.ImplicitTlsNotSupported,
                $"Microsoft 365 client submission does not support port 465 or implicit TLS ({host}:{port}).", SmtpPhase.Connect, host)
            {
                TargetObject = host + ":" + port.ToString(CultureInfo.InvariantCulture),
                RecommendedAction = "Use port 587 (or 25) with STARTTLS. A device that can only use port 465 needs a relay in between, " +
                    "or another sending method.",
            };
        }

        /// <inheritdoc />
        public string? RecommendedAction(SmtpReply reply)
        {
            ReplyExplanation explanation = ReplyCatalogue.Explain(reply.Code, reply.EnhancedStatusCode?.ToString(), reply.Text);
            return explanation.Entry != null ? explanation.Remediation : null;
        }
    }
}
