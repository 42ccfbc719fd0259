using System.Security.Cryptography.X509Certificates;
using M365SmtpTools.Engine.Auth;
using M365SmtpTools.Engine.Dns;
using M365SmtpTools.Engine.Exchange;
using M365SmtpTools.Engine.Operations;
using M365SmtpTools.Engine.Tests.Infrastructure;
using static M365SmtpTools.Engine.Tests.Operations.Plans.TestCertificates;

namespace M365SmtpTools.Engine.Tests.Operations.Plans;

/// <summary>New-M365RelayConnectorPlan's operation: commands, SPF, device settings, DNS failures, the script.</summary>
public sealed class RelayConnectorPlanTests
{
    private readonly RecordingHost _host = new();
    private readonly List<M365SmtpException> _errors = new();
    private string? _askedServer;

    private async Task<RelayConnectorPlan> Run(NewRelayConnectorPlanRequest request, FakeMailDomainLookup? dns = null)
    {
        dns ??= FakeMailDomainLookup.Contoso();
        var op = new NewRelayConnectorPlanOperation((server, log) => { _askedServer = server; return dns; }, new FakeClock());
        OperationRun<RelayConnectorPlan> run = await op.CollectAsync(request, _host, TestContext.Current.CancellationToken);
        _errors.AddRange(run.Errors);
        return Assert.Single(run.Results);
    }

    private const string Comment = ", planned with M365SmtpTools New-M365RelayConnectorPlan.'";

    [Fact]
    public async Task CertificatePlanForAScanner()
    {
        using var cert = Good("contoso.com");
        var plan = await Run(new NewRelayConnectorPlanRequest
        {
            Domain = "Contoso.com.", Certificate = cert, DeviceName = "Scanner 3F",
            ScriptPath = GeneratedScripts.PathFor("relay-certificate-onpremises")
        });

        Assert.Equal("contoso.com", plan.Domain);
        Assert.Equal(RelayMethod.Certificate, plan.Method);
        Assert.Equal(RelayConnectorType.OnPremises, plan.ConnectorType);
        Assert.Equal("SMTP relay - Scanner 3F (certificate)", plan.ConnectorName);
        Assert.True(plan.IsReady);
        Assert.Equal("contoso.com", plan.TlsSenderCertificateName);
        Assert.Equal("New-InboundConnector -Name 'SMTP relay - Scanner 3F (certificate)' -ConnectorType OnPremises -SenderDomains '*' "
            + "-TlsSenderCertificateName 'contoso.com' -RequireTls $true -Comment 'SMTP relay for Scanner 3F (certificate contoso.com)"
            + Comment, plan.ConnectorCommand);
        Assert.Equal("Set-InboundConnector -Identity 'SMTP relay - Scanner 3F (certificate)' -ConnectorType OnPremises -SenderDomains '*' "
            + "-TlsSenderCertificateName 'contoso.com' -RequireTls $true -Comment 'SMTP relay for Scanner 3F (certificate contoso.com)"
            + Comment, plan.UpdateCommand);
        Assert.Equal("contoso-com.mail.protection.outlook.com", plan.SmtpServer);
        Assert.False(plan.Spf.ChangeNeeded);
        Assert.Equal(cert.Thumbprint, plan.Certificate!.Thumbprint);

        var settings = plan.DeviceSettings.ToDictionary(d => d.Setting, d => d.Value);
        Assert.Equal("contoso-com.mail.protection.outlook.com", settings["SMTP server"]);
        Assert.Equal("25", settings["Port"]);
        Assert.StartsWith("STARTTLS, required", settings["TLS"]);
        Assert.Equal("none", settings["Authentication"]);
        Assert.Equal("any address @contoso.com", settings["From address"]);
        Assert.Equal($"{cert.Subject} (thumbprint {cert.Thumbprint})", settings["Client certificate"]);
        Assert.Equal("anyone, inside or outside the organization", settings["Recipients"]);

        Assert.Equal(GeneratedScripts.PathFor("relay-certificate-onpremises"), plan.ScriptPath);
        string written = File.ReadAllText(plan.ScriptPath!);
        Assert.Equal(plan.Script, written);
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, File.ReadAllBytes(plan.ScriptPath!).Take(3));
        Assert.Contains(("" + plan.ScriptPath, "Write the relay connector script"), _host.ShouldProcessCalls);
        Assert.Empty(_errors);
    }

    [Fact]
    public async Task TheScriptChecksForTheConnectorAndUpdatesOrCreatesIt()
    {
        using var cert = Good("*.contoso.com");
        var plan = await Run(new NewRelayConnectorPlanRequest
        {
            Domain = "contoso.com", Certificate = cert, Name = "Relay - O'Brien's scanners"
        });
        string[] lines = plan.Script.Split('\n');
        Assert.Contains("#     Connect-ExchangeOnline", lines);
        Assert.Contains("if (-not (Get-Command -Name Get-InboundConnector -ErrorAction SilentlyContinue)) {", lines);
        Assert.Contains("$connectorName = 'Relay - O''Brien''s scanners'", lines);
        Assert.Contains("$existing = Get-InboundConnector -Identity $connectorName -ErrorAction SilentlyContinue "
            + "| Where-Object { $_.Name -eq $connectorName }", lines);
        int ifAt = Array.IndexOf(lines, "if ($existing) {");
        int elseAt = Array.IndexOf(lines, "else {");
        Assert.True(ifAt > 0 && elseAt > ifAt);
        Assert.Equal("    " + plan.UpdateCommand, lines[ifAt + 2]);
        Assert.Equal("    " + plan.ConnectorCommand, lines[elseAt + 2]);
        Assert.StartsWith("New-InboundConnector -Name 'Relay - O''Brien''s scanners' ", plan.ConnectorCommand);
        Assert.Contains("-TlsSenderCertificateName '*.contoso.com' -RequireTls $true", plan.ConnectorCommand);
        Assert.All(lines.Where(l => l.Length > 0 && !l.StartsWith("#") ), l => Assert.DoesNotContain("\r", l));
        File.WriteAllText(GeneratedScripts.PathFor("relay-certificate-wildcard-quotes"), plan.Script);
        Assert.Null(plan.ScriptPath);   // no -ScriptPath: nothing written by the operation
        Assert.Empty(_host.ShouldProcessCalls);
    }

    [Fact]
    public async Task IpPlanForAnApplication()
    {
        var dns = FakeMailDomainLookup.Contoso("v=spf1 mx include:spf.protection.outlook.com -all");
        var plan = await Run(new NewRelayConnectorPlanRequest
        {
            Domain = "contoso.com", SenderIPAddress = "52.160.10.25", DeviceName = "ERP", DnsServer = "127.0.0.1:5353",
            ScriptPath = GeneratedScripts.PathFor("relay-ip-onpremises")
        }, dns);
        Assert.Equal("127.0.0.1:5353", _askedServer);
        Assert.Equal(new[] { "TXT contoso.com", "MX contoso.com" }, dns.Questions);
        Assert.Equal(RelayMethod.IPAddress, plan.Method);
        Assert.Equal("52.160.10.25", plan.SenderIPAddress);
        Assert.Equal("New-InboundConnector -Name 'SMTP relay - ERP (IP)' -ConnectorType OnPremises -SenderDomains '*' "
            + "-SenderIPAddresses '52.160.10.25' -Comment 'SMTP relay for ERP (IP 52.160.10.25)" + Comment, plan.ConnectorCommand);
        Assert.DoesNotContain("RequireTls", plan.ConnectorCommand);
        Assert.Equal("v=spf1 mx include:spf.protection.outlook.com -all", plan.Spf.Current);
        Assert.Equal("v=spf1 mx ip4:52.160.10.25 include:spf.protection.outlook.com -all", plan.Spf.Proposed);
        Assert.Contains(plan.Findings, f => f.Id == "SpfNotAuthorized");
        Assert.Contains(plan.Findings, f => f.Id == "SenderIPMustBeStatic");
        Assert.True(plan.IsReady);
        var settings = plan.DeviceSettings.ToDictionary(d => d.Setting, d => d.Value);
        Assert.Equal("52.160.10.25", settings["Sending IP address"]);
        Assert.StartsWith("STARTTLS when offered", settings["TLS"]);
        Assert.DoesNotContain("Client certificate", settings.Keys);
        Assert.Contains("#   publish: v=spf1 mx ip4:52.160.10.25 include:spf.protection.outlook.com -all", plan.Script.Split('\n'));
        Assert.True(File.Exists(plan.ScriptPath));
    }

    [Fact]
    public async Task PartnerConnectorsRestrictToTheDomainAndTheCertificateOrAddresses()
    {
        var ip = await Run(new NewRelayConnectorPlanRequest
        {
            Domain = "contoso.com", SenderIPAddress = "52.160.10.0/28", Name = "Partner relay", ConnectorType = RelayConnectorType.Partner,
            ScriptPath = GeneratedScripts.PathFor("relay-ip-partner")
        });
        Assert.Equal("New-InboundConnector -Name 'Partner relay' -ConnectorType Partner -SenderDomains 'contoso.com' "
            + "-SenderIPAddresses '52.160.10.0/28' -RestrictDomainsToIPAddresses $true "
            + "-Comment 'SMTP relay for contoso.com (IP 52.160.10.0/28)" + Comment, ip.ConnectorCommand);
        Assert.Contains(ip.Findings, f => f.Id == "PartnerConnectorNoRelay" && f.Severity == FindingSeverity.Warning);
        Assert.Equal("your organization's recipients only", ip.DeviceSettings.Single(d => d.Setting == "Recipients").Value);

        using var cert = Good("contoso.com");
        var c = await Run(new NewRelayConnectorPlanRequest
        {
            Domain = "contoso.com", Certificate = cert, Name = "Partner relay", ConnectorType = RelayConnectorType.Partner,
            ScriptPath = GeneratedScripts.PathFor("relay-certificate-partner")
        });
        Assert.Equal("New-InboundConnector -Name 'Partner relay' -ConnectorType Partner -SenderDomains 'contoso.com' "
            + "-TlsSenderCertificateName 'contoso.com' -RequireTls $true -RestrictDomainsToCertificate $true "
            + "-Comment 'SMTP relay for contoso.com (certificate contoso.com)" + Comment, c.ConnectorCommand);
    }

    [Theory]
    [InlineData("192.168.10.20", "SenderIPNotPublic")]
    [InlineData("10.0.0.0/24", "SenderIPNotPublic")]
    [InlineData("100.64.1.1", "SenderIPNotPublic")]
    [InlineData("203.0.113.7", "SenderIPNotPublic")]
    [InlineData("2001:db8::25", "SenderIPv6NotSupported")]
    [InlineData("52.160.0.0/23", "SenderIPPrefixTooShort")]
    public async Task UnusableSenderAddressesAreErrorsAndNoScriptIsWritten(string ip, string id)
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "relay.ps1");
        var plan = await Run(new NewRelayConnectorPlanRequest { Domain = "contoso.com", SenderIPAddress = ip, ScriptPath = path });
        Assert.False(plan.IsReady);
        Assert.Equal(id, plan.Findings[0].Id);
        Assert.Equal(FindingSeverity.Error, plan.Findings[0].Severity);
        Assert.False(plan.Spf.Checked);       // no SPF advice for an address that can't be used
        Assert.Null(plan.Spf.Proposed);
        Assert.False(File.Exists(path));
        Assert.Null(plan.ScriptPath);
        var e = Assert.Single(_errors);
        Assert.Equal("RelayPlanHasErrors", e.ErrorId);
        Assert.Contains(id, e.Message);
        Assert.Empty(_host.ShouldProcessCalls);
    }

    [Fact]
    public async Task HostBitsAreClearedWithAWarning()
    {
        var plan = await Run(new NewRelayConnectorPlanRequest { Domain = "contoso.com", SenderIPAddress = "52.160.10.25/24" });
        Assert.Equal("52.160.10.0/24", plan.SenderIPAddress);
        Assert.Contains(plan.Findings, f => f.Id == "SenderIPHostBitsSet" && f.Severity == FindingSeverity.Warning);
        Assert.Contains("-SenderIPAddresses '52.160.10.0/24'", plan.ConnectorCommand);
    }

    [Fact]
    public async Task WhatIfWritesNothing()
    {
        _host.ShouldProcessAnswer = false;
        string path = Path.Combine(TestPaths.NewTempDir(), "relay.ps1");
        var plan = await Run(new NewRelayConnectorPlanRequest
        {
            Domain = "contoso.com", SenderIPAddress = "52.160.10.25", ScriptPath = path
        });
        Assert.Equal((path, "Write the relay connector script"), Assert.Single(_host.ShouldProcessCalls));
        Assert.False(File.Exists(path));
        Assert.Null(plan.ScriptPath);
        Assert.NotEmpty(plan.Script);
        Assert.Empty(_errors);
    }

    [Fact]
    public async Task FindingsAreOrderedErrorsFirst()
    {
        using var cert = Make("CN=fabrikam.com", new[] { "fabrikam.com" },
            eku: ClientAndServer);   // mismatch (error) + self-signed (warning)
        var plan = await Run(new NewRelayConnectorPlanRequest { Domain = "contoso.com", Certificate = cert });
        var severities = plan.Findings.Select(f => f.Severity).ToList();
        Assert.Equal(severities.OrderByDescending(s => s), severities);
        Assert.Equal("CertificateNameMismatch", plan.Findings[0].Id);
        Assert.Contains(plan.Findings, f => f.Id == "CertificateSelfSigned");
    }

    [Fact]
    public async Task AThirdPartyMxIsNotTheServerToUse()
    {
        var dns = FakeMailDomainLookup.Contoso();
        dns.Mx["contoso.com"] = new[] { ("mx2.filter.example.net", 20), ("mx1.filter.example.net", 10) };
        var plan = await Run(new NewRelayConnectorPlanRequest { Domain = "contoso.com", SenderIPAddress = "52.160.10.25" }, dns);
        Assert.Null(plan.SmtpServer);
        var f = Assert.Single(plan.Findings, x => x.Id == "MxNotMicrosoft365");
        Assert.Contains("mx1.filter.example.net", f.Message);
        Assert.Contains("contoso-com.mail.protection.outlook.com", f.Message);
        var server = plan.DeviceSettings.Single(d => d.Setting == "SMTP server");
        Assert.Equal("contoso-com.mail.protection.outlook.com", server.Value);
        Assert.Contains("GUESS", server.Note);
    }

    [Theory]
    [InlineData("contoso-com.mail.protection.outlook.com.")]
    [InlineData("contoso-com.e-v1.mx.microsoft")]
    public async Task TheMicrosoft365MxIsTheServerInEitherForm(string mx)
    {
        var dns = FakeMailDomainLookup.Contoso();
        dns.Mx["contoso.com"] = new[] { ("backup.example.net", 50), (mx, 0) };
        var plan = await Run(new NewRelayConnectorPlanRequest { Domain = "contoso.com", SenderIPAddress = "52.160.10.25" }, dns);
        Assert.Equal(mx.TrimEnd('.'), plan.SmtpServer);
        Assert.DoesNotContain(plan.Findings, f => f.Id.StartsWith("Mx"));
    }

    [Fact]
    public async Task NoMxIsAWarningWithALabelledGuess()
    {
        var dns = FakeMailDomainLookup.Contoso();
        dns.Mx.Clear();
        var plan = await Run(new NewRelayConnectorPlanRequest { Domain = "contoso.com", SenderIPAddress = "52.160.10.25" }, dns);
        Assert.Contains(plan.Findings, f => f.Id == "MxNotFound" && f.Message.Contains("guess"));
        Assert.Null(plan.SmtpServer);
    }

    [Fact]
    public async Task DnsFailuresLeaveThosePartsUncheckedButThePlanStands()
    {
        var dns = FakeMailDomainLookup.Contoso();
        dns.TxtError = new M365SmtpException(DnsErrorCodes.Timeout, "No answer from 127.0.0.1:5353 within 3 s.");
        dns.MxError = new M365SmtpException(DnsErrorCodes.ServerFailure, "SERVFAIL from 127.0.0.1:5353.");
        var plan = await Run(new NewRelayConnectorPlanRequest { Domain = "contoso.com", SenderIPAddress = "52.160.10.25" }, dns);
        Assert.True(plan.IsReady);
        Assert.False(plan.Spf.Checked);
        Assert.Null(plan.SmtpServer);
        var failures = plan.Findings.Where(f => f.Id == "DnsLookupFailed").ToList();
        Assert.Equal(2, failures.Count);
        Assert.Contains(failures, f => f.Message.Contains("TXT") && f.Message.Contains("127.0.0.1:5353"));
        Assert.Contains(failures, f => f.Message.Contains("MX") && f.Remediation!.Contains("Get-M365MxEndpoint"));
        Assert.Contains("#   not checked (DNS couldn't be read): run Test-M365MailDomain.", plan.Script.Split('\n'));
    }

    [Fact]
    public async Task ADomainThatDoesNotExistIsAnError()
    {
        var dns = new FakeMailDomainLookup
        {
            TxtError = new M365SmtpException(DnsErrorCodes.NameNotFound, "NXDOMAIN"),
            MxError = new M365SmtpException(DnsErrorCodes.NameNotFound, "NXDOMAIN")
        };
        var plan = await Run(new NewRelayConnectorPlanRequest { Domain = "contoso.com", SenderIPAddress = "52.160.10.25" }, dns);
        var f = Assert.Single(plan.Findings, x => x.Severity == FindingSeverity.Error);
        Assert.Equal("DomainNotFound", f.Id);
        Assert.False(plan.IsReady);
    }

    [Theory]
    [InlineData("InvalidDnsServer")]
    [InlineData("DnsNoServers")]
    public async Task NoUsableDnsServerStopsThePlan(string id)
    {
        var dns = new FakeMailDomainLookup { TxtError = new M365SmtpException(TestErrorCodes.Of(id), ErrorKind.InvalidArgument,
            "bad server") };
        var e = await Assert.ThrowsAsync<M365SmtpException>(() => Run(new NewRelayConnectorPlanRequest
        {
            Domain = "contoso.com", SenderIPAddress = "52.160.10.25", DnsServer = "::::"
        }, dns));
        Assert.Equal(id, e.ErrorId);
    }

    [Fact]
    public async Task SeveralSpfRecordsAreAnErrorOfThePlan()
    {
        var dns = FakeMailDomainLookup.Contoso();
        dns.Txt["contoso.com"] = new[] { "v=spf1 include:spf.protection.outlook.com -all", "v=spf1 ip4:40.1.2.3 -all" };
        var plan = await Run(new NewRelayConnectorPlanRequest { Domain = "contoso.com", SenderIPAddress = "52.160.10.25" }, dns);
        Assert.Equal("SpfMultipleRecords", plan.Findings[0].Id);
        Assert.False(plan.IsReady);
    }

    [Fact]
    public async Task ACertificatePlanWithoutSpfProposesMicrosoftsInclude()
    {
        using var cert = Good("contoso.com");
        var plan = await Run(new NewRelayConnectorPlanRequest
        {
            Domain = "contoso.com", Certificate = cert, ScriptPath = GeneratedScripts.PathFor("relay-certificate-new-spf")
        }, FakeMailDomainLookup.Contoso(spf: null));
        Assert.Equal("v=spf1 include:spf.protection.outlook.com ~all", plan.Spf.Proposed);
        Assert.Contains("#   now:     (none)", plan.Script.Split('\n'));
    }

    [Fact]
    public async Task LongMergedSpfIsSplitInTheScript()
    {
        string current = "v=spf1 " + string.Join(" ", Enumerable.Range(1, 20).Select(i => $"ip4:40.{i}.200.0/24"))
            + " include:spf.protection.outlook.com -all";
        var plan = await Run(new NewRelayConnectorPlanRequest
        {
            Domain = "contoso.com", SenderIPAddress = "52.160.10.25", ScriptPath = GeneratedScripts.PathFor("relay-ip-long-spf")
        }, FakeMailDomainLookup.Contoso(current));
        Assert.True(plan.Spf.ProposedStrings.Length > 1);
        Assert.Contains(plan.Script.Split('\n'), l => l.StartsWith("#   (longer than 255 characters")
            && l.Contains("\"" + plan.Spf.ProposedStrings[1] + "\""));
    }

    [Fact]
    public async Task CertificateFromAPfxFileWithItsPassword()
    {
        const string password = "Sup3r-Secret!pfx";
        using var cert = Good("*.contoso.com");
        string dir = TestPaths.NewTempDir();
        string pfx = Path.Combine(dir, "scanner.pfx");
        File.WriteAllBytes(pfx, cert.Export(X509ContentType.Pfx, password));
        var plan = await Run(new NewRelayConnectorPlanRequest
        {
            Domain = "contoso.com", CertificatePath = pfx, CertificatePassword = Secure(password), DeviceName = "Scanner",
            ScriptPath = Path.Combine(dir, "relay.ps1")
        });
        Assert.True(plan.Certificate!.HasPrivateKey);
        Assert.Equal(cert.Thumbprint, plan.Certificate.Thumbprint);
        Assert.Equal(pfx, plan.Certificate.Source);
        Assert.True(plan.IsReady);
        Assert.DoesNotContain(password, plan.Script);
        Assert.DoesNotContain(password, File.ReadAllText(Path.Combine(dir, "relay.ps1")));
        Assert.All(_host.AllText(), t => Assert.DoesNotContain(password, t));
        Assert.All(plan.Findings, f => Assert.DoesNotContain(password, f.Message + f.Remediation));
    }

    [Fact]
    public async Task AWrongPfxPasswordIsACleanErrorWithoutThePassword()
    {
        using var cert = Good("contoso.com");
        string pfx = Path.Combine(TestPaths.NewTempDir(), "scanner.pfx");
        File.WriteAllBytes(pfx, cert.Export(X509ContentType.Pfx, "right-password"));
        var e = await Assert.ThrowsAsync<M365SmtpException>(() => Run(new NewRelayConnectorPlanRequest
        {
            Domain = "contoso.com", CertificatePath = pfx, CertificatePassword = Secure("wrong-password-123")
        }));
        Assert.Equal("CertificateFileUnreadable", e.ErrorId);
        Assert.NotNull(e.InnerException);
        Assert.DoesNotContain("wrong-password-123", e.Message);
        Assert.DoesNotContain("right-password", e.Message);
    }

    [Fact]
    public async Task APublicCertificateFileWarnsAboutThePrivateKey()
    {
        using var cert = Good("contoso.com");
        string dir = TestPaths.NewTempDir();
        string cer = Path.Combine(dir, "scanner.cer");
        File.WriteAllBytes(cer, cert.Export(X509ContentType.Cert));
        var plan = await Run(new NewRelayConnectorPlanRequest { Domain = "contoso.com", CertificatePath = cer });
        Assert.False(plan.Certificate!.HasPrivateKey);
        Assert.Contains(plan.Findings, f => f.Id == "CertificateNoPrivateKey");
        Assert.True(plan.IsReady);

        string pem = Path.Combine(dir, "scanner.pem");
        File.WriteAllText(pem, cert.ExportCertificatePem());
        var fromPem = await Run(new NewRelayConnectorPlanRequest { Domain = "contoso.com", CertificatePath = pem });
        Assert.Equal(cert.Thumbprint, fromPem.Certificate!.Thumbprint);
    }

    [Fact]
    public async Task AMissingCertificateFileIsObjectNotFound()
    {
        var e = await Assert.ThrowsAsync<M365SmtpException>(() => Run(new NewRelayConnectorPlanRequest
        {
            Domain = "contoso.com", CertificatePath = "/nonexistent/scanner.pfx"
        }));
        Assert.Equal("CertificateFileNotFound", e.ErrorId);
        Assert.Equal(ErrorKind.ObjectNotFound, e.Kind);
    }

    [Fact]
    public async Task TheThumbprintNeedsTheWindowsStore()
    {
        var e = await Assert.ThrowsAsync<M365SmtpException>(() => Run(new NewRelayConnectorPlanRequest
        {
            Domain = "contoso.com", CertificateThumbprint = "\u200e8a 3f 0c 5e 9b 1d 2e 4f 6a 7b 8c 9d 0e 1f 2a 3b 4c 5d 6e 7f"
        }));
        Assert.Equal(OperatingSystem.IsWindows() ? "CertificateNotFoundInStore" : "CertificateStoreNotSupported", e.ErrorId);
        if (!OperatingSystem.IsWindows()) Assert.Contains("-CertificatePath", e.RecommendedAction);

        var bad = await Assert.ThrowsAsync<M365SmtpException>(() => Run(new NewRelayConnectorPlanRequest
        {
            Domain = "contoso.com", CertificateThumbprint = "not-a-thumbprint"
        }));
        Assert.Equal("CertificateThumbprintInvalid", bad.ErrorId);
    }

    [Fact]
    public void TheStoreIsOnlyAskedOnWindows() =>
        Assert.Equal("CertificateStoreNotSupported", Assert.Throws<M365SmtpException>(() =>
            CertificateLoader.FromStore(new string('A', 40), CertificateUse.ConnectorPlan, () => false)).ErrorId);

    [Theory]
    [InlineData(null, null, "RelayMethodMissing")]
    [InlineData("52.160.10.25", "x.pfx", "RelayMethodConflict")]
    public async Task ExactlyOneMethodIsNeeded(string? ip, string? path, string id)
    {
        var e = await Assert.ThrowsAsync<M365SmtpException>(() => Run(new NewRelayConnectorPlanRequest
        {
            Domain = "contoso.com", SenderIPAddress = ip, CertificatePath = path
        }));
        Assert.Equal(id, e.ErrorId);
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
    }

    [Theory]
    [InlineData("not a domain")]
    [InlineData("contoso")]
    [InlineData("-contoso.com")]
    [InlineData("")]
    public async Task AnInvalidDomainIsRefused(string domain)
    {
        var e = await Assert.ThrowsAsync<M365SmtpException>(() => Run(new NewRelayConnectorPlanRequest
        {
            Domain = domain, SenderIPAddress = "52.160.10.25"
        }));
        Assert.Equal("InvalidDomainName", e.ErrorId);
    }

    [Fact]
    public async Task TheScriptMustBeAPs1File()
    {
        var e = await Assert.ThrowsAsync<M365SmtpException>(() => Run(new NewRelayConnectorPlanRequest
        {
            Domain = "contoso.com", SenderIPAddress = "52.160.10.25", ScriptPath = "/tmp/relay.txt"
        }));
        Assert.Equal("ScriptPathNotPs1", e.ErrorId);
    }

    [Fact]
    public async Task ThePasswordWithoutAFileIsRefused()
    {
        var e = await Assert.ThrowsAsync<M365SmtpException>(() => Run(new NewRelayConnectorPlanRequest
        {
            Domain = "contoso.com", SenderIPAddress = "52.160.10.25", CertificatePassword = Secure("x")
        }));
        Assert.Equal("CertificatePasswordWithoutPath", e.ErrorId);
    }

    [Fact]
    public async Task AnInternationalDomainIsUsedInItsAsciiForm()
    {
        var dns = new FakeMailDomainLookup();
        dns.Mx["xn--bcher-kva.example"] = new[] { ("xn--bcher-kva-example.mail.protection.outlook.com", 0) };
        var plan = await Run(new NewRelayConnectorPlanRequest { Domain = "bücher.example", SenderIPAddress = "52.160.10.25" }, dns);
        Assert.Equal("xn--bcher-kva.example", plan.Domain);
        Assert.Equal("xn--bcher-kva-example.mail.protection.outlook.com", plan.SmtpServer);
    }
}
