namespace M365SmtpTools.Engine.Smtp
{
    /// <summary>
    /// What is known about one particular SMTP service, applied by the protocol layer without it knowing whose service
    /// it is: connections the service never accepts, and advice for the replies it gives. The protocol layer stays
    /// vendor-free; Exchange Online's rules are <c>Exchange.ExchangeOnlineServerRules</c>, set by the operations.
    /// </summary>
    public interface ISmtpServerRules
    {
        /// <summary>True when the session is with this service, by the host name dialled or the name it gives in EHLO.</summary>
        bool Recognizes(string? host, string? serverName);

        /// <summary>The error for a connection the service is known to refuse (a port or TLS mode it doesn't offer), or null.</summary>
        SmtpProtocolException? RefuseConnection(string host, int port, SmtpTlsMode tlsMode);

        /// <summary>What to do about a refused command, when the service's reply is a known one; null for the generic advice.</summary>
        string? RecommendedAction(SmtpReply reply);
    }
}
