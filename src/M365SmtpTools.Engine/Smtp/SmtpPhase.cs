namespace M365SmtpTools.Engine.Smtp
{
    /// <summary>The step of an SMTP session a command, reply, transcript line or failure belongs to.</summary>
    public enum SmtpPhase
    {
        /// <summary>Resolving the host and opening the TCP connection (and the TLS handshake for implicit TLS).</summary>
        Connect,
        /// <summary>Reading the server's 220 greeting.</summary>
        Greeting,
        /// <summary>EHLO (or the HELO fallback).</summary>
        Ehlo,
        /// <summary>STARTTLS and the TLS handshake that follows it.</summary>
        StartTls,
        /// <summary>The AUTH exchange.</summary>
        Auth,
        /// <summary>MAIL FROM.</summary>
        MailFrom,
        /// <summary>RCPT TO.</summary>
        RcptTo,
        /// <summary>DATA, the message content and the reply to the final dot.</summary>
        Data,
        /// <summary>BDAT chunks (CHUNKING) and the reply to the LAST chunk.</summary>
        Bdat,
        /// <summary>RSET after a failed transaction.</summary>
        Rset,
        /// <summary>QUIT.</summary>
        Quit,
    }
}
