namespace M365SmtpTools.Engine
{
    /// <summary>
    /// Which step of getting a message out a failure belongs to, whatever the method (SMTP or Microsoft Graph). It is
    /// the step a script branches on: the m365smtp CLI turns it into its exit code (resolve 10, connect 11, tls 12,
    /// auth 13, sender 14, recipients 15, data 16, delivery unknown 18).
    /// </summary>
    public enum FailurePhase
    {
        /// <summary>No sending step in particular (a file, a plan, an unexpected answer).</summary>
        Other,
        /// <summary>The parameters or the command line were not usable.</summary>
        Usage,
        /// <summary>Resolving a name: DNS, the SMTP host name, the tenant's MX endpoint.</summary>
        Resolve,
        /// <summary>The connection, greeting or EHLO (or the HTTPS connection to Graph).</summary>
        Connect,
        /// <summary>STARTTLS, the TLS handshake or a TLS requirement.</summary>
        Tls,
        /// <summary>Getting a token or authenticating to the server.</summary>
        Auth,
        /// <summary>The sender (MAIL FROM, or the mailbox Graph sends from).</summary>
        Sender,
        /// <summary>The recipients.</summary>
        Recipients,
        /// <summary>The message content (DATA/BDAT, size, policy).</summary>
        Data,
        /// <summary>The message was handed over but its answer was lost: it may or may not have been delivered.</summary>
        DeliveryUnknown,
        /// <summary>The operation was cancelled.</summary>
        Cancelled,
    }
}
