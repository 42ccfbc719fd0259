using System.Management.Automation;
using System.Security;
using System.Security.Cryptography.X509Certificates;
using M365SmtpTools.Engine;
using M365SmtpTools.Engine.Operations;

namespace M365SmtpTools.Commands
{
    /// <summary>Plans an inbound connector that lets a device or application relay mail through Microsoft 365, and
    /// checks its certificate or IP address, SPF and MX first.</summary>
    /// <remarks>
    /// <para>New-M365RelayConnectorPlan turns the SMTP relay setup into a checked plan. It changes nothing in the
    /// tenant or in DNS: it outputs a plan object and, with -ScriptPath, writes a commented script that an Exchange
    /// administrator runs after Connect-ExchangeOnline. The script is safe to run again: it looks for a connector with
    /// the plan's name (Get-InboundConnector) and updates it with Set-InboundConnector, or creates it with
    /// New-InboundConnector.</para>
    /// <para>A certificate-based connector (-CertificatePath, -CertificateThumbprint or -Certificate) is preferred. The
    /// plan checks that the certificate's Subject CN or SAN DNS names cover the domain (exactly, as a wildcard *.domain
    /// or as hosts in it; several names lead to -TlsSenderCertificateName *.domain), that it is valid now and for at
    /// least 30 more days, that it allows TLS client authentication (a server-authentication-only certificate can't be
    /// used), whether its private key came with it (the device needs it) and whether it is self-signed.</para>
    /// <para>An IP-based connector (-SenderIPAddress) needs the static public IPv4 address the device's mail leaves
    /// from, or a /24 to /32 range. Private, loopback, carrier-grade NAT, link-local, documentation, multicast and
    /// reserved addresses are refused with the reason, as are IPv6 addresses (connectors match IPv4 only) and ranges
    /// wider than /24.</para>
    /// <para>From DNS the plan reads the domain's MX (the server the device connects to, on port 25) and its SPF
    /// record. When the record has no ip4: term for the sender or lacks include:spf.protection.outlook.com, the plan
    /// shows the merged record to publish: every existing term kept in order, the sender's ip4: inserted before the
    /// first include or all, Microsoft 365's include added, the all qualifier kept (with a warning for +all and ?all),
    /// a warning past 10 DNS-querying terms, and the TXT strings to use when it is longer than 255 characters. Includes
    /// are not evaluated here: Test-M365MailDomain evaluates the whole record. Several SPF records are an error.</para>
    /// <para>The plan's Findings have an Id, a Severity (Error, Warning, Info), a Message and a Remediation. When any
    /// finding is an Error, IsReady is false and -ScriptPath writes no script (the error RelayPlanHasErrors says
    /// why).</para>
    /// </remarks>
    /// <example>
    /// <title>Plan a certificate-based connector for a scanner</title>
    /// <code>New-M365RelayConnectorPlan -Domain contoso.com -CertificatePath .\scanner.pfx -CertificatePassword (Read-Host -AsSecureString 'PFX password') -DeviceName 'Scanner 3rd floor' -ScriptPath .\scanner-relay.ps1</code>
    /// <para>Checks the scanner's certificate against contoso.com, reads the MX and SPF records, and writes
    /// scanner-relay.ps1, which creates or updates the connector. The plan object shows the findings, the SPF record to
    /// publish and the settings to enter on the scanner (SMTP server, port 25, TLS required, any From address in
    /// contoso.com).</para>
    /// </example>
    /// <example>
    /// <title>Plan an IP-based connector and show the SPF change</title>
    /// <code>New-M365RelayConnectorPlan -Domain contoso.com -SenderIPAddress 52.160.10.25 -Name 'Relay - ERP' | Select-Object -ExpandProperty Spf</code>
    /// <para>Plans an IP-based connector for an application that sends from the static public address 52.160.10.25 and
    /// shows the SPF change: the current record and the merged record with ip4:52.160.10.25 and
    /// include:spf.protection.outlook.com.</para>
    /// </example>
    /// <example>
    /// <title>Review a plan's findings and device settings</title>
    /// <code>$plan = New-M365RelayConnectorPlan -Domain contoso.com -CertificateThumbprint 8A3F0C5E9B1D2E4F6A7B8C9D0E1F2A3B4C5D6E7F
    /// $plan.Findings | Where-Object Severity -ne 'Info'
    /// $plan.DeviceSettings</code>
    /// <para>On Windows, uses a certificate from the certificate store, lists the warnings and errors, and shows the
    /// device settings table.</para>
    /// </example>
    /// <seealso href="https://learn.microsoft.com/exchange/mail-flow-best-practices/how-to-set-up-a-multifunction-device-or-application-to-send-email-using-microsoft-365-or-office-365">How to set up a multifunction device or application to send email using Microsoft 365</seealso>
    /// <seealso cref="NewM365SmtpAppAccessPlanCommand"/>
    [Cmdlet(VerbsCommon.New, "M365RelayConnectorPlan", SupportsShouldProcess = true, DefaultParameterSetName = CertificateFileSet)]
    [OutputType(typeof(RelayConnectorPlan))]
    public sealed class NewM365RelayConnectorPlanCommand : M365CmdletBase
    {
        private const string CertificateFileSet = "CertificateFile";
        private const string CertificateThumbprintSet = "CertificateThumbprint";
        private const string CertificateSet = "Certificate";
        private const string IPAddressSet = "IPAddress";

        /// <summary>The accepted domain the device sends from, such as contoso.com. The connector, the SPF record and
        /// the From addresses are for this domain.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("DomainName")]
        [ValidateNotNullOrEmpty]
        public string Domain { get; set; } = "";

        /// <summary>The certificate file the device presents: a .pfx or .p12 file (with its private key; give
        /// -CertificatePassword) or a .cer, .crt or .pem file with the public certificate only.</summary>
        [Parameter(Mandatory = true, ParameterSetName = CertificateFileSet)]
        [ValidateNotNullOrEmpty]
        public string? CertificatePath { get; set; }

        /// <summary>The password of the .pfx or .p12 file given in -CertificatePath, as a SecureString (for example
        /// from Read-Host -AsSecureString).</summary>
        [Parameter(ParameterSetName = CertificateFileSet)]
        public SecureString? CertificatePassword { get; set; }

        /// <summary>The thumbprint of the device's certificate in the Windows certificate store (Cert:\CurrentUser\My,
        /// then Cert:\LocalMachine\My). Windows only: elsewhere use -CertificatePath or -Certificate.</summary>
        [Parameter(Mandatory = true, ParameterSetName = CertificateThumbprintSet)]
        [ValidateNotNullOrEmpty]
        public string? CertificateThumbprint { get; set; }

        /// <summary>The device's certificate as an X509Certificate2 object (for example from Get-PfxCertificate or
        /// Get-Item Cert:\...).</summary>
        [Parameter(Mandatory = true, ParameterSetName = CertificateSet)]
        [ValidateNotNull]
        public X509Certificate2? Certificate { get; set; }

        /// <summary>The static public IPv4 address the device's mail leaves your network from, or its range in CIDR
        /// form from /24 to /32 (such as 52.160.10.0/28). Use it when the device can't present a certificate.</summary>
        [Parameter(Mandatory = true, ParameterSetName = IPAddressSet)]
        [ValidateNotNullOrEmpty]
        public string? SenderIPAddress { get; set; }

        /// <summary>The name of the inbound connector. By default it is made from -DeviceName (or the domain) and the
        /// method, such as 'SMTP relay - Scanner 3rd floor (certificate)'.</summary>
        /// <default>Made from -DeviceName (or -Domain) and the method</default>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Name { get; set; }

        /// <summary>The device or application that relays (a scanner, an ERP system): used in the connector's default
        /// name, its comment and the script.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? DeviceName { get; set; }

        /// <summary>OnPremises (the default: devices of your own organization, which may send to any recipient) or
        /// Partner (mail from a partner organization; restricted to the domain and its certificate or addresses, and
        /// not relayed to outside recipients).</summary>
        [Parameter]
        public RelayConnectorType ConnectorType { get; set; } = RelayConnectorType.OnPremises;

        /// <summary>The path of a .ps1 file to write the plan to, as a commented script that creates or updates the
        /// connector. The file is written only when the plan has no errors; -WhatIf shows what would be
        /// written.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [Alias("AsScript", "OutFile")] // AsScript: the name of releases before 0.2 (an -As* name reads as a switch)
        public string? ScriptPath { get; set; }

        /// <summary>The DNS server to read the MX and SPF records from, as host or host:port (for example 1.1.1.1 or
        /// 127.0.0.1:5353). By default the system's resolvers are used.</summary>
        /// <default>The system's resolvers</default>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? DnsServer { get; set; }

        /// <summary>Replaces the -ScriptPath file when it already exists (without -Force an existing file is left as it
        /// is, and a symbolic link is never written through), and writes the script even though the plan has Error
        /// findings (say, a self-signed certificate the connector can't accept); the script then lists them at its top
        /// as overridden.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            var request = new NewRelayConnectorPlanRequest
            {
                Domain = Domain,
                CertificatePath = CertificatePath == null ? null : GetUnresolvedProviderPathFromPSPath(CertificatePath),
                CertificatePassword = CertificatePassword,
                CertificateThumbprint = CertificateThumbprint,
                Certificate = Certificate,
                SenderIPAddress = SenderIPAddress,
                Name = Name,
                DeviceName = DeviceName,
                ConnectorType = ConnectorType,
                ScriptPath = ScriptPath == null ? null : GetUnresolvedProviderPathFromPSPath(ScriptPath),
                DnsServer = DnsServer,
                Force = Force.IsPresent,
            };
            RunOperation(new NewRelayConnectorPlanOperation(), request, errorTarget: Domain, failureIsPerInput: true);
        }
    }
}
