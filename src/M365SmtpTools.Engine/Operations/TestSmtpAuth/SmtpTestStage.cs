namespace M365SmtpTools.Engine.Operations
{
    /// <summary>The stages of a Test-M365SmtpAuth run, in the order they run.</summary>
    public enum SmtpTestStage
    {
        /// <summary>The server name's addresses (DNS).</summary>
        Resolve,
        /// <summary>The TCP connection to the port.</summary>
        Connect,
        /// <summary>The server's 220 banner and the first EHLO.</summary>
        Greeting,
        /// <summary>STARTTLS, the TLS handshake and the server certificate.</summary>
        Tls,
        /// <summary>The EHLO over TLS: what the server offers to an encrypted session (AUTH mechanisms, SIZE).</summary>
        Ehlo,
        /// <summary>The access token's claims, checked before the server sees the token (or the Basic authentication check).</summary>
        Token,
        /// <summary>AUTH.</summary>
        Auth,
        /// <summary>MAIL FROM.</summary>
        MailFrom,
        /// <summary>RCPT TO (followed by RSET: nothing is sent).</summary>
        RcptTo,
        /// <summary>DATA with a short test message (-SendTestMessage only).</summary>
        Message,
    }
}
