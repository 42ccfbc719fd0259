using System.Collections.Generic;
using M365SmtpTools.Engine.Dns;
using M365SmtpTools.Engine.Dns.Dmarc;
using M365SmtpTools.Engine.Exchange;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>What the checks of one domain share: the report being filled, its findings, and what earlier checks learnt.</summary>
    internal sealed class MailDomainCheckState
    {
        public MailDomainCheckState(string domain, IOperationHost host)
        {
            Domain = domain;
            Host = host;
            Report = new MailDomainReport { Domain = domain };
            Report.Dmarc.RecordName = "_dmarc." + domain;
        }

        public string Domain { get; }
        public IOperationHost Host { get; }
        public MailDomainReport Report { get; }
        public List<MailDomainFinding> Findings { get; } = new List<MailDomainFinding>();
        /// <summary>The Microsoft 365 form of the most preferred Microsoft 365 MX, when there is one.</summary>
        public MxEndpointForm? Microsoft365Form { get; set; }
        public DmarcRecord? Dmarc { get; set; }

        /// <summary>The SPF include of the tenant's cloud, judged from the MX.</summary>
        public string Microsoft365Include => SpfIncludeFor(Microsoft365Form);

        public MailDomainFinding Add(MailDomainCheck check, string id, FindingSeverity severity, string message,
            string? evidence = null, string? remediation = null, string? command = null)
        {
            var f = new MailDomainFinding
            {
                Domain = Domain, Check = check, Id = id, Severity = severity, Message = message,
                Evidence = evidence, Remediation = remediation, Command = command,
            };
            Findings.Add(f);
            Host.WriteVerbose($"{Domain}: [{severity}] {id}: {message}");
            return f;
        }

        /// <summary>The SPF include Microsoft publishes for a cloud, chosen by the MX endpoint's form.</summary>
        public static string SpfIncludeFor(MxEndpointForm? form) => form switch
        {
            MxEndpointForm.GccHigh => "spf.protection.office365.us",
            MxEndpointForm.China => "spf.protection.partner.outlook.cn",
            _ => "spf.protection.outlook.com",
        };

        /// <summary>A DNS failure that a finding can stand for (not a bad name, which stops the domain).</summary>
        public static bool IsLookupFailure(DnsException e) =>
            e.Code == DnsErrorCodes.Timeout || e.Code == DnsErrorCodes.ServerFailure || e.Code == DnsErrorCodes.MalformedResponse;
    }
}
