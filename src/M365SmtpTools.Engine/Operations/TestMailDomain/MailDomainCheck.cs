namespace M365SmtpTools.Engine.Operations
{
    /// <summary>Which part of the domain's mail setup a finding is about.</summary>
    public enum MailDomainCheck
    {
        /// <summary>The MX records.</summary>
        Mx,
        /// <summary>The SPF record.</summary>
        Spf,
        /// <summary>The DMARC record.</summary>
        Dmarc,
        /// <summary>The DKIM selector CNAMEs.</summary>
        Dkim,
        /// <summary>Direct Send from the address given with -SenderIPAddress.</summary>
        DirectSend,
    }
}
