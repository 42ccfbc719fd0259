using System.Collections.Generic;

namespace M365SmtpTools.Engine.Exchange
{
    /// <summary>
    /// The public pages the reply catalogue's rows come from: Microsoft's NDR reference for Exchange Online (the
    /// overview table and the per-code "Fix email delivery issues for error code …" pages), the SMTP AUTH and OAuth
    /// pages, and the cmdlet reference pages whose parameters a fix uses.
    /// </summary>
    public static class ReplySources
    {
        private const string NdrPages =
            "https://learn.microsoft.com/exchange/mail-flow-best-practices/non-delivery-reports-in-exchange-online/";
        private const string Cmdlets = "https://learn.microsoft.com/powershell/module/exchange/";

        /// <summary>The overview table of Exchange Online NDR codes.</summary>
        public static ReplySource Overview { get; } = new ReplySource("Email non-delivery reports and SMTP errors in Exchange Online",
            "https://learn.microsoft.com/troubleshoot/exchange/email-delivery/ndr/non-delivery-reports-in-exchange-online");

        /// <summary>"Enable or disable SMTP AUTH in Exchange Online".</summary>
        public static ReplySource SmtpAuth { get; } = new ReplySource("Enable or disable SMTP AUTH in Exchange Online",
            "https://learn.microsoft.com/exchange/clients-and-mobile-in-exchange-online/authenticated-client-smtp-submission");

        /// <summary>"Authenticate an IMAP, POP or SMTP connection using OAuth".</summary>
        public static ReplySource OAuth { get; } = new ReplySource("Authenticate an IMAP, POP or SMTP connection using OAuth",
            "https://learn.microsoft.com/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth");

        /// <summary>The multifunction device / application page (client submission, Direct Send, relay connectors).</summary>
        public static ReplySource Devices { get; } = new ReplySource("How to set up a multifunction device or application to send email " +
            "using Microsoft 365 or Office 365",
            "https://learn.microsoft.com/exchange/mail-flow-best-practices/how-to-set-up-a-multifunction-device-or-application-to-send-email-using-microsoft-365-or-office-365");

        /// <summary>Microsoft's page on external forwarding (5.7.520).</summary>
        public static ReplySource ExternalForwarding { get; } = new ReplySource("Configuring and controlling external email forwarding " +
            "in Microsoft 365",
            "https://learn.microsoft.com/defender-office-365/outbound-spam-policies-external-email-forwarding");

        /// <summary>RFC 5322's line length limits (5.6.211).</summary>
        public static ReplySource Rfc5322LineLength { get; } = new ReplySource("RFC 5322 Internet Message Format, section 2.1.1 Line " +
            "Length Limits",
            "https://www.rfc-editor.org/rfc/rfc5322#section-2.1.1");

        internal static readonly ReplySource Fix447 = Ndr("4.4.7", "fix-error-code-550-4-4-7-in-exchange-online");
        internal static readonly ReplySource Fix4xx500 = Ndr("451 4.7.500-699 (ASxxx)",
            "fix-error-code-451-4-7-500-699-asxxx-in-exchange-online");
        internal static readonly ReplySource Fix50350 = Ndr("550 5.0.350", "fix-error-code-550-5-0-350-in-exchange-online");
        internal static readonly ReplySource Fix510 = Ndr("550 5.1.0", "fix-error-code-550-5-1-0-in-exchange-online");
        internal static readonly ReplySource Fix511To20 = Ndr("550 5.1.1 through 5.1.20",
            "fix-error-code-550-5-1-1-through-5-1-20-in-exchange-online");
        internal static readonly ReplySource Fix518 = Ndr("5.1.8", "fix-error-code-5-1-8-in-exchange-online");
        internal static readonly ReplySource Fix5110 = Ndr("550 5.1.10", "fix-error-code-550-5-1-10-in-exchange-online");
        internal static readonly ReplySource Fix541 = Ndr("550 5.4.1", "fix-error-code-550-5-4-1-in-exchange-online");
        internal static readonly ReplySource Fix546 = Ndr("5.4.6 through 5.4.20", "fix-error-code-5-4-6-through-5-4-20-in-exchange-online");
        internal static readonly ReplySource Fix5611 = Ndr("550 5.6.11", "fix-error-code-550-5-6-11-in-exchange-online");
        internal static readonly ReplySource Fix571 = Ndr("550 5.7.1", "fix-error-code-550-5-7-1-in-exchange-online");
        internal static readonly ReplySource Fix5712 = Ndr("5.7.12", "fix-error-code-5-7-12-in-exchange-online");
        internal static readonly ReplySource Fix57124 = Ndr("5.7.124", "fix-error-code-5-7-124-in-exchange-online");
        internal static readonly ReplySource Fix57133 = Ndr("5.7.133", "fix-error-code-5-7-133-in-exchange-online");
        internal static readonly ReplySource Fix57134 = Ndr("5.7.134", "fix-error-code-5-7-134-in-exchange-online");
        internal static readonly ReplySource Fix57135 = Ndr("5.7.13 or 5.7.135", "fix-error-code-5-7-13-or-5-7-135-in-exchange-online");
        internal static readonly ReplySource Fix57136 = Ndr("5.7.136", "fix-error-code-5-7-136-in-exchange-online");
        internal static readonly ReplySource Fix5723 = Ndr("5.7.23", "fix-error-code-5-7-23-in-exchange-online");
        internal static readonly ReplySource Fix5757 = Ndr("5.7.57", "fix-error-code-5-7-57-in-exchange-online");
        internal static readonly ReplySource Fix5764 = Ndr("5.7.64", "fix-error-code-5-7-64-in-exchange-online");
        internal static readonly ReplySource Fix57700 = new ReplySource("Fix email delivery issues for error codes 5.7.700 through " +
            "5.7.750 in Exchange Online",
            NdrPages + "fix-error-code-5-7-700-through-5-7-750");
        internal static readonly ReplySource SubmissionQuota = new ReplySource("Fix email delivery issues for error 'the sender's " +
            "submission quota was exceeded' in Exchange Online",
            NdrPages + "fix-error-for-submission-quota-exceeded-in-exchange-online");

        internal static readonly ReplySource AddRecipientPermission = Cmdlet("Add-RecipientPermission");
        internal static readonly ReplySource SetOrganizationConfig = Cmdlet("Set-OrganizationConfig");
        internal static readonly ReplySource NewInboundConnector = Cmdlet("New-InboundConnector");
        internal static readonly ReplySource SetMailbox = Cmdlet("Set-Mailbox");

        /// <summary>Every source, for checks.</summary>
        public static IReadOnlyList<ReplySource> All { get; } = new[]
        {
            Overview, SmtpAuth, OAuth, Devices, ExternalForwarding, Rfc5322LineLength,
            Fix447, Fix4xx500, Fix50350, Fix510, Fix511To20, Fix518, Fix5110, Fix541, Fix546, Fix5611, Fix571, Fix5712, Fix57124, Fix57133,
            Fix57134, Fix57135, Fix57136, Fix5723, Fix5757, Fix5764, Fix57700, SubmissionQuota,
            AddRecipientPermission, SetOrganizationConfig, NewInboundConnector, SetMailbox,
        };

        private static ReplySource Ndr(string code, string page) =>
            new ReplySource($"Fix email delivery issues for error code {code} in Exchange Online", NdrPages + page);

        private static ReplySource Cmdlet(string name) =>
            new ReplySource(name + " (Exchange Online cmdlet reference)", Cmdlets + name.ToLowerInvariant());
    }
}
