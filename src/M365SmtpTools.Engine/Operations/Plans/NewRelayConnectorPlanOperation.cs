using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using M365SmtpTools.Engine.Auth;
using M365SmtpTools.Engine.Dns;
using M365SmtpTools.Engine.Exchange;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>
    /// New-M365RelayConnectorPlan: checks a relay device's certificate or IP address and the domain's DNS, and plans
    /// the inbound connector, the SPF record and the device settings. Changes nothing in the tenant or in DNS; with
    /// <see cref="NewRelayConnectorPlanRequest.ScriptPath"/> it writes the plan as a script.
    /// </summary>
    public sealed class NewRelayConnectorPlanOperation : IOperation<NewRelayConnectorPlanRequest, RelayConnectorPlan>
    {
        private static readonly string[] Microsoft365MxSuffixes =
        { ".mail.protection.outlook.com", ".mx.microsoft", ".mail.protection.partner.outlook.cn", ".mail.protection.office365.us" };

        private readonly Func<string?, Action<string>, IMailDomainLookup> _lookupFactory;
        private readonly IClock _clock;

        /// <summary>Creates the operation; it reads DNS with <see cref="MailDomainLookup.Create"/>.</summary>
        public NewRelayConnectorPlanOperation()
            : this((server, log) => MailDomainLookup.Create(server, log))
        {
        }

        /// <summary>Creates the operation with another DNS lookup (tests, C# callers) and clock.</summary>
        public NewRelayConnectorPlanOperation(Func<string?, Action<string>, IMailDomainLookup> lookupFactory, IClock? clock = null)
        {
            _lookupFactory = lookupFactory ?? throw new ArgumentNullException(nameof(lookupFactory));
            _clock = clock ?? SystemClock.Instance;
        }

        /// <summary>
        /// Makes the plan. Invalid input (domain, IP syntax, no or several methods, unreadable certificate) throws
        /// <see cref="M365SmtpException"/>; everything the checks find is a finding in the plan. When a script was asked
        /// for but the plan has errors, the script isn't written: the plan is written, then a <c>RelayPlanHasErrors</c>
        /// error aimed at the script's path.
        /// </summary>
        public async Task RunAsync(NewRelayConnectorPlanRequest request, IOperationHost<RelayConnectorPlan> host,
            CancellationToken cancellationToken)
        {
            if (request == null) throw new ArgumentNullException(nameof(request));
            if (host == null) throw new ArgumentNullException(nameof(host));
            string domain = PlanInput.Domain(request.Domain, "Domain");
            int methods = new object?[]
                { request.CertificatePath, request.CertificateThumbprint, request.Certificate, request.SenderIPAddress }
                .Count(v => v != null && !(v is string s && s.Trim().Length == 0));
            if (methods != 1)
                throw new M365SmtpException(methods == 0 ? PlanErrorCodes.RelayMethodMissing : PlanErrorCodes.RelayMethodConflict,
                    methods == 0
                        ? "Say how the connector recognizes the device: -CertificatePath, -CertificateThumbprint or -Certificate " +
                            "(certificate-based, preferred), or -SenderIPAddress."
                        : "Give only one of -CertificatePath, -CertificateThumbprint, -Certificate and -SenderIPAddress: a relay plan is " +
                            "either certificate-based or IP-based.")
                { TargetObject = domain, RecommendedAction = "Run the plan with one certificate parameter, or with -SenderIPAddress." };
            if (request.CertificatePassword != null && string.IsNullOrWhiteSpace(request.CertificatePath))
                throw new M365SmtpException(AuthErrorCodes.CertificatePasswordWithoutPath,
                    "-CertificatePassword is only used with -CertificatePath (a PFX file).")
                {
                    TargetObject = domain,
                    ParameterName = "CertificatePassword",
                    RecommendedAction = "Add -CertificatePath, or leave out -CertificatePassword.",
                };
            string? scriptPath = PlanScriptWriter.CheckedPath(request.ScriptPath, @".\relay-connector.ps1");

            var findings = new List<PlanFinding>();
            var plan = new RelayConnectorPlan { Domain = domain, ConnectorType = request.ConnectorType };
            SenderAddressRange? range = null;
            bool senderUsable = false;
            string? deviceName = Clean(request.DeviceName);

            if (request.SenderIPAddress != null && request.SenderIPAddress.Trim().Length > 0)
            {
                plan.Method = RelayMethod.IPAddress;
                range = SenderAddressRange.Parse(request.SenderIPAddress);
                senderUsable = CheckSender(range, findings);
                plan.SenderIPAddress = range.IsIPv6 ? range.Input : range.Text;
            }
            else
            {
                plan.Method = RelayMethod.Certificate;
                X509Certificate2? loaded = null;
                X509Certificate2 certificate;
                string source;
                if (request.Certificate != null) { certificate = request.Certificate; source = "-Certificate"; }
                else if (!string.IsNullOrWhiteSpace(request.CertificatePath))
                {
                    host.WriteVerbose($"Reading the certificate file {request.CertificatePath}.");
                    certificate = loaded = CertificateLoader.FromFile(request.CertificatePath!, request.CertificatePassword,
                        CertificateUse.ConnectorPlan);
                    source = request.CertificatePath!;
                }
                else
                {
                    certificate = loaded = CertificateLoader.FromStore(request.CertificateThumbprint!, CertificateUse.ConnectorPlan);
                    source = "Windows certificate store";
                }
                try
                {
                    plan.Certificate = CertificateInspector.Describe(certificate, source);
                    host.WriteVerbose($"Certificate: {plan.Certificate.Subject}, thumbprint {plan.Certificate.Thumbprint}, valid " +
                        $"{plan.Certificate.NotBefore:u} to {plan.Certificate.NotAfter:u}.");
                    plan.TlsSenderCertificateName = CertificateInspector.Check(certificate, plan.Certificate, domain, _clock.UtcNow,
                        findings);
                }
                finally
                {
                    loaded?.Dispose();
                }
            }

            plan.ConnectorName = Clean(request.Name)
                ?? $"SMTP relay - {deviceName ?? domain} ({(plan.Method == RelayMethod.Certificate ? "certificate" : "IP")})";
            if (request.ConnectorType == RelayConnectorType.Partner)
                findings.Add(new PlanFinding("PartnerConnectorNoRelay", FindingSeverity.Warning,
                    "A Partner connector accepts the device's mail for your own recipients only: relaying to recipients outside the " +
                        "organization needs an OnPremises connector.",
                    "Use -ConnectorType OnPremises unless the device belongs to a partner organization."));

            // DNS: the SPF record and the MX endpoint.
            IMailDomainLookup lookup = _lookupFactory(request.DnsServer, host.WriteVerbose);
            IReadOnlyList<string>? txt = await LookupAsync(() => lookup.GetTxtRecordsAsync(domain, cancellationToken),
                domain, "TXT", findings, host).ConfigureAwait(false);
            IReadOnlyList<(string Host, int Preference)>? mx = await LookupAsync(() => lookup.GetMxAsync(domain, cancellationToken),
                domain, "MX", findings, host).ConfigureAwait(false);
            plan.SmtpServer = PickServer(domain, mx, findings);
            if (plan.Method == RelayMethod.Certificate || senderUsable)
                plan.Spf = SpfRecordPlanner.Plan(domain, findings.Any(f => f.Id == "DomainNotFound") ? null : txt, range, findings);
            else
                plan.Spf = new SpfChange { Domain = domain, Checked = false };

            plan.Findings = findings.Select((f, i) => (f, i)).OrderByDescending(x => x.f.Severity)
                .ThenBy(x => x.i).Select(x => x.f).ToArray();
            BuildCommands(plan, domain, deviceName);
            plan.DeviceSettings = BuildDeviceSettings(plan, domain);
            plan.Script = BuildScript(plan, deviceName, request.Force);

            var script = new PlanScript(scriptPath, plan.Script, plan.IsReady || request.Force, request.Force,
                "Write the relay connector script", PlanErrorCodes.RelayPlanHasErrors,
                "Fix the Error findings (see the plan's Findings) and run the plan again, or add -Force to write the script anyway (it " +
                    "then says so at its top).");
            PlanScriptWriter.Finish(host, plan, script, plan.Findings, (p, path) => p.ScriptPath = path);
        }

        private static bool CheckSender(SenderAddressRange range, List<PlanFinding> findings)
        {
            if (range.IsIPv6)
            {
                findings.Add(new PlanFinding("SenderIPv6NotSupported", FindingSeverity.Error,
                    $"{range.Input} is an IPv6 address; inbound connectors match IPv4 senders only (-SenderIPAddresses takes IPv4 " +
                        "addresses and /24-/32 ranges).",
                    "Give the public IPv4 address the device's mail leaves from, or use a certificate-based connector."));
                return false;
            }
            if (range.PrefixLength < 24)
            {
                findings.Add(new PlanFinding("SenderIPPrefixTooShort", FindingSeverity.Error,
                    $"/{range.PrefixLength} is wider than connectors accept: -SenderIPAddresses takes single addresses and ranges from " +
                        "/24 to /32.",
                    "List the sending addresses or a /24 (or narrower) range they are in."));
                return false;
            }
            string? reason = range.NonPublicReason();
            if (reason != null)
            {
                findings.Add(new PlanFinding("SenderIPNotPublic", FindingSeverity.Error,
                    $"{reason}. Exchange Online sees the public address the device's mail leaves your network from, so a connector for " +
                        "this address never matches.",
                    "Find the public address (for example from the device's network: what an 'what is my IP' site shows, or your " +
                        "firewall's outbound NAT address) and plan with that, or use a certificate-based connector."));
                return false;
            }
            if (range.HostBitsSet)
                findings.Add(new PlanFinding("SenderIPHostBitsSet", FindingSeverity.Warning,
                    $"{range.Input} has host bits set; the range it names is {range.Text}, which the plan uses.",
                    $"Write the range as {range.Text}."));
            findings.Add(new PlanFinding("SenderIPMustBeStatic", FindingSeverity.Information,
                $"The connector trusts mail from {range.Text}: it must be a static address that only your organization sends from (not a " +
                    "shared hosting or cloud egress address, not a dynamic one)."));
            return true;
        }

        private static async Task<T?> LookupAsync<T>(Func<Task<T>> query, string domain, string type, List<PlanFinding> findings,
            IOperationHost host) where T : class
        {
            try
            {
                T result = await query().ConfigureAwait(false);
                host.WriteVerbose($"{domain} {type}: read from DNS.");
                return result;
            }
            catch (M365SmtpException e) when (e.Code != DnsErrorCodes.InvalidDnsServer && e.Code != DnsErrorCodes.NoDnsServers)
            {
                if (e.Code == DnsErrorCodes.NameNotFound)
                {
                    if (!findings.Any(f => f.Id == "DomainNotFound"))
                        findings.Add(new PlanFinding("DomainNotFound", FindingSeverity.Error,
                            $"{domain} doesn't exist in DNS (NXDOMAIN), so it can't be an accepted domain that receives and sends mail.",
                            "Check the spelling of -Domain; it must be a domain you have added to Microsoft 365 (Get-AcceptedDomain)."));
                }
                else
                    findings.Add(new PlanFinding("DnsLookupFailed", FindingSeverity.Warning,
                        $"The {type} records of {domain} couldn't be read: {e.Message} The plan leaves that part unchecked.",
                        type == "MX" ? "Look up the MX endpoint with Get-M365MxEndpoint and enter it on the device." : "Check the SPF " +
                            "record with Test-M365MailDomain."));
                return null;
            }
        }

        private static string? PickServer(string domain, IReadOnlyList<(string Host, int Preference)>? mx, List<PlanFinding> findings)
        {
            if (mx == null) return null;
            string guess = domain.Replace('.', '-') + ".mail.protection.outlook.com";
            var ordered = mx.Select(r => (Host: r.Host.Trim().TrimEnd('.').ToLowerInvariant(), r.Preference))
                .OrderBy(r => r.Preference).ThenBy(r => r.Host, StringComparer.Ordinal).ToList();
            if (ordered.Count == 0)
            {
                findings.Add(new PlanFinding("MxNotFound", FindingSeverity.Warning,
                    $"{domain} has no MX records, so there is no Microsoft 365 endpoint to read. Microsoft 365 usually assigns {guess}, " +
                        "but that is a guess (domains with hyphens get another name).",
                    "Publish the MX record shown in the Microsoft 365 admin center (Settings > Domains) and use that host as the " +
                        "device's SMTP server."));
                return null;
            }
            foreach (var r in ordered)
                if (Microsoft365MxSuffixes.Any(s => r.Host.EndsWith(s, StringComparison.Ordinal))) return r.Host;
            findings.Add(new PlanFinding("MxNotMicrosoft365", FindingSeverity.Warning,
                $"The MX of {domain} is {ordered[0].Host}, not a Microsoft 365 endpoint (a filtering service in front of Microsoft 365, " +
                    $"or mail hosted elsewhere). A relay device must connect to the tenant's Microsoft 365 endpoint, usually {guess} (a " +
                    "guess: read the real one in the admin center).",
                "Use the Microsoft 365 endpoint from the admin center (Settings > Domains > the domain > DNS records) as the device's " +
                    "SMTP server."));
            return null;
        }

        private static void BuildCommands(RelayConnectorPlan plan, string domain, string? deviceName)
        {
            bool partner = plan.ConnectorType == RelayConnectorType.Partner;
            var p = new StringBuilder();
            p.Append(" -ConnectorType ").Append(plan.ConnectorType);
            // A Partner connector that restricts domains to its certificate or addresses must name only this domain:
            // with '*' it would refuse every other sender on the internet that doesn't come from the device.
            p.Append(" -SenderDomains ").Append(PowerShellText.Quote(partner ? domain : "*"));
            if (plan.Method == RelayMethod.Certificate)
            {
                p.Append(" -TlsSenderCertificateName ").Append(PowerShellText.Quote(plan.TlsSenderCertificateName ?? domain));
                p.Append(" -RequireTls $true");
                if (partner) p.Append(" -RestrictDomainsToCertificate $true");
            }
            else
            {
                p.Append(" -SenderIPAddresses ").Append(PowerShellText.Quote(plan.SenderIPAddress ?? ""));
                if (partner) p.Append(" -RestrictDomainsToIPAddresses $true");
            }
            string what = plan.Method == RelayMethod.Certificate
                ? "certificate " + plan.TlsSenderCertificateName
                : "IP " + plan.SenderIPAddress;
            p.Append(" -Comment ").Append(PowerShellText.Quote($"SMTP relay for {deviceName ?? domain} ({what}), planned with " +
                "M365SmtpTools New-M365RelayConnectorPlan."));
            string name = PowerShellText.Quote(plan.ConnectorName);
            plan.ConnectorCommand = "New-InboundConnector -Name " + name + p;
            plan.UpdateCommand = "Set-InboundConnector -Identity " + name + p;
        }

        private static DeviceSetting[] BuildDeviceSettings(RelayConnectorPlan plan, string domain)
        {
            bool cert = plan.Method == RelayMethod.Certificate;
            string guess = domain.Replace('.', '-') + ".mail.protection.outlook.com";
            var rows = new List<DeviceSetting>
            {
                plan.SmtpServer != null
                    ? new DeviceSetting("SMTP server", plan.SmtpServer, $"the Microsoft 365 MX endpoint of {domain}, from DNS; a name, " +
                        "never an IP address")
                    : new DeviceSetting("SMTP server", guess, "a GUESS: read the tenant's MX endpoint in the admin center or with " +
                        "Get-M365MxEndpoint"),
                new DeviceSetting("Port", "25", "relay uses port 25, not 587 or 465"),
                cert
                    ? new DeviceSetting("TLS", "STARTTLS, required (TLS 1.2 or later)", "the connector matches the certificate " +
                        "presented in TLS")
                    : new DeviceSetting("TLS", "STARTTLS when offered (TLS 1.2 or later)", "recommended; not required by an IP connector"),
                new DeviceSetting("Authentication", "none", "leave user name and password empty: the connector recognizes the " +
                    "device by its " + (cert ? "certificate" : "IP address")),
                new DeviceSetting("From address", "any address @" + domain, $"for example noreply@{domain}; it doesn't need a mailbox, " +
                    "but the domain must be accepted"),
            };
            if (cert && plan.Certificate != null)
                rows.Add(new DeviceSetting("Client certificate", $"{plan.Certificate.Subject} (thumbprint {plan.Certificate.Thumbprint})",
                    "install it on the device with its private key"));
            if (!cert)
                rows.Add(new DeviceSetting("Sending IP address", plan.SenderIPAddress ?? "", "the public address Microsoft 365 sees: " +
                    "static, used only by your organization"));
            rows.Add(new DeviceSetting("Recipients", plan.ConnectorType == RelayConnectorType.OnPremises
                ? "anyone, inside or outside the organization"
                : "your organization's recipients only", null));
            return rows.ToArray();
        }

        private string BuildScript(RelayConnectorPlan plan, string? deviceName, bool forced)
        {
            var s = new List<string>();
            if (forced && !plan.IsReady)
            {
                s.Add("# WRITTEN WITH -Force DESPITE ERRORS: the connector below is expected not to work as planned until they are fixed:");
                foreach (PlanFinding f in plan.Findings.Where(f => f.Severity == FindingSeverity.Error))
                    s.AddRange(PowerShellText.CommentLines($"{f.Id}: {f.Message}", "  "));
                s.Add("#");
            }
            s.AddRange(new List<string>
            {
                $"# Inbound connector for SMTP relay from {PowerShellText.Comment(deviceName ?? "a device or application")} as {plan.Domain} ({plan.Method}, {plan.ConnectorType}).",
                $"# Written by New-M365RelayConnectorPlan (M365SmtpTools) on {PowerShellText.Date(_clock.UtcNow)}.",
                "#",
                "# Run it in a PowerShell session that is connected to Exchange Online as an Exchange administrator:",
                "#     Connect-ExchangeOnline",
                "# It is safe to run again: a connector with this name is updated with Set-InboundConnector, not duplicated.",
                "# It changes no DNS record: publish the SPF record below at your DNS host yourself.",
                "#",
                "# Findings:",
            });
            foreach (PlanFinding f in plan.Findings)
            {
                s.AddRange(PowerShellText.CommentLines($"[{f.Severity}] {f.Id}: {f.Message}", "  "));
                if (f.Remediation != null) s.AddRange(PowerShellText.CommentLines("Fix: " + f.Remediation, "      "));
            }
            s.Add("#");
            s.Add("# SPF record of " + PowerShellText.Comment(plan.Domain) + " (DNS TXT):");
            if (!plan.Spf.Checked) s.Add("#   not checked (DNS couldn't be read): run Test-M365MailDomain.");
            else
            {
                foreach (string r in plan.Spf.CurrentRecords) s.Add("#   now:     " + PowerShellText.Comment(r));
                if (plan.Spf.CurrentRecords.Length == 0) s.Add("#   now:     (none)");
                if (plan.Spf.Proposed != null)
                {
                    s.Add("#   publish: " + PowerShellText.Comment(plan.Spf.Proposed));
                    if (plan.Spf.ProposedStrings.Length > 1)
                        s.Add("#   (longer than 255 characters: enter it as these strings of one " +
                            "TXT record: " +
                            PowerShellText.Comment(string.Join(" ", plan.Spf.ProposedStrings.Select(x => "\"" + x + "\""))) + ")");
                }
                else if (!plan.Spf.ChangeNeeded) s.Add("#   no change needed.");
            }
            s.Add("#");
            s.Add("# Device settings:");
            foreach (DeviceSetting d in plan.DeviceSettings)
                s.Add("#   " + (d.Setting + ":").PadRight(20) + PowerShellText.Comment(d.Value)
                    + (d.Note == null ? "" : "  (" + PowerShellText.Comment(d.Note) + ")"));
            s.Add("");
            s.Add("$ErrorActionPreference = 'Stop'");
            s.Add("if (-not (Get-Command -Name Get-InboundConnector -ErrorAction SilentlyContinue)) {");
            s.Add("    throw 'Get-InboundConnector is not available: connect to Exchange Online first (Connect-ExchangeOnline), then run " +
                "this script again.'");
            s.Add("}");
            s.Add("");
            s.Add("$connectorName = " + PowerShellText.Quote(plan.ConnectorName));
            s.Add("# An unknown -Identity can return every connector, so keep only the one with exactly this name.");
            s.Add("$existing = Get-InboundConnector -Identity $connectorName -ErrorAction SilentlyContinue | Where-Object { $_.Name -eq " +
                "$connectorName }");
            s.Add("if ($existing) {");
            s.Add("    Write-Host \"Updating the inbound connector '$connectorName'.\"");
            s.Add("    " + plan.UpdateCommand);
            s.Add("}");
            s.Add("else {");
            s.Add("    Write-Host \"Creating the inbound connector '$connectorName'.\"");
            s.Add("    " + plan.ConnectorCommand);
            s.Add("}");
            s.Add("Get-InboundConnector -Identity $connectorName | Format-List -Property 'Name', 'ConnectorType', 'SenderDomains', " +
                "'SenderIPAddresses', 'TlsSenderCertificateName', 'RequireTls', 'Enabled'");
            return string.Join("\n", s) + "\n";
        }

        private static string? Clean(string? value)
        {
            if (value == null) return null;
            string v = new string(value.Where(c => !TerminalText.NeedsEscape(c)).ToArray()).Trim();
            return v.Length == 0 ? null : v;
        }
    }
}
