namespace M365SmtpTools.Engine.Operations
{
    /// <summary>Where -StopAfter ends a Test-M365SmtpAuth run (like swaks' --quit-after).</summary>
    public enum SmtpTestStopAfter
    {
        /// <summary>After the TCP connection (and DNS).</summary>
        Connect,
        /// <summary>After the banner, the first EHLO and the TLS handshake.</summary>
        Tls,
        /// <summary>After the EHLO over TLS.</summary>
        Ehlo,
        /// <summary>After AUTH (the default when no -From, -To or -SendTestMessage is given).</summary>
        Auth,
        /// <summary>After MAIL FROM (then RSET).</summary>
        MailFrom,
        /// <summary>After RCPT TO (then RSET): nothing is sent.</summary>
        RcptTo,
    }
}
