using M365SmtpTools.Engine.Dns;
using M365SmtpTools.Engine.Operations;
using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Engine.Tests.Operations.Plans;

/// <summary>The relay plan reading real DNS answers (nsd on loopback) through <see cref="MailDomainLookup"/>.</summary>
public sealed class RelayConnectorPlanNsdTests
{
    private static string Nsd() => "127.0.0.1:" + InteropServer.Require("nsd").Port("PORT");

    private static Task<RelayConnectorPlan> Run(string domain, string server, NewRelayConnectorPlanOperation? operation = null) =>
        (operation ?? new NewRelayConnectorPlanOperation()).RunForResultAsync(
            new NewRelayConnectorPlanRequest { Domain = domain, SenderIPAddress = "52.160.10.25", DnsServer = server }, new RecordingHost(),
            TestContext.Current.CancellationToken);

    [Fact]
    public async Task ReadsTheMxAndMergesTheSpfRecordOfAMicrosoft365Domain()
    {
        var plan = await Run("contoso.test", Nsd());
        Assert.Equal("contoso-test.mail.protection.outlook.com", plan.SmtpServer);
        Assert.Equal("v=spf1 ip4:192.0.2.10 include:spf.protection.outlook.com -all", plan.Spf.Current);
        Assert.Equal("v=spf1 ip4:192.0.2.10 ip4:52.160.10.25 include:spf.protection.outlook.com -all", plan.Spf.Proposed);
        Assert.DoesNotContain(plan.Findings, f => f.Id == "DnsLookupFailed");
    }

    [Fact]
    public async Task JoinsATxtRecordSplitIntoStrings()
    {
        var plan = await Run("split.contoso.test", Nsd(),
            new NewRelayConnectorPlanOperation((s, log) => MailDomainLookup.Create(s, log), new FakeClock()));
        Assert.Equal("v=spf1 ip4:192.0.2.1 include:spf.protection.outlook.com -all", plan.Spf.Current);
    }

    [Fact]
    public async Task PrefersTheMicrosoft365MxOverAFilterInFront()
    {
        var plan = await Run("mixed.contoso.test", Nsd());
        Assert.Equal("mixed-contoso-test.mail.protection.outlook.com", plan.SmtpServer);
    }

    [Fact]
    public async Task ANullMxIsNoMx()
    {
        var plan = await Run("nullmx.contoso.test", Nsd());
        Assert.Contains(plan.Findings, f => f.Id == "MxNotFound");
        Assert.Null(plan.SmtpServer);
    }

    [Fact]
    public async Task ANameThatDoesNotExistIsDomainNotFound()
    {
        var plan = await Run("no-such-name.contoso.test", Nsd());
        Assert.Equal("DomainNotFound", plan.Findings[0].Id);
        Assert.False(plan.IsReady);
    }

    [Fact]
    public async Task AnInvalidDnsServerIsRefusedBeforeAnyQuery()
    {
        var e = await Assert.ThrowsAnyAsync<M365SmtpException>(() => Run("contoso.test", "not a server:99999"));
        Assert.Equal("InvalidDnsServer", e.ErrorId);
    }
}

/// <summary>The adapter from the DNS client to the plans' lookup, with a scripted resolver.</summary>
public sealed class DnsMailDomainLookupTests
{
    private sealed class ScriptedResolver(DnsAnswer answer) : IDnsResolver
    {
        public Task<DnsAnswer> QueryAsync(string name, DnsRecordType type, CancellationToken cancellationToken = default) =>
            Task.FromResult(answer);
    }

    [Fact]
    public async Task NxdomainIsDnsNameNotFound()
    {
        var lookup = new DnsMailDomainLookup(new ScriptedResolver(new DnsAnswer("x.test", DnsRecordType.TXT, DnsResponseCode.NameError,
            Array.Empty<DnsRecord>(), "127.0.0.1:53", false)));
        Assert.Equal("DnsNameNotFound", (await Assert.ThrowsAsync<DnsException>(() =>
            lookup.GetTxtRecordsAsync("x.test", TestContext.Current.CancellationToken))).ErrorId);
        Assert.Equal("DnsNameNotFound", (await Assert.ThrowsAsync<DnsException>(() =>
            lookup.GetMxAsync("x.test", TestContext.Current.CancellationToken))).ErrorId);
    }

    [Fact]
    public async Task TxtStringsAreJoinedAndNullMxLeftOut()
    {
        var txt = new DnsMailDomainLookup(new ScriptedResolver(new DnsAnswer("x.test", DnsRecordType.TXT, DnsResponseCode.NoError,
            new DnsRecord[] { new TxtRecord("x.test", 60, new[] { "v=spf1 ", "-all" }) }, "127.0.0.1:53", false)));
        Assert.Equal(new[] { "v=spf1 -all" }, await txt.GetTxtRecordsAsync("x.test", TestContext.Current.CancellationToken));
        var mx = new DnsMailDomainLookup(new ScriptedResolver(new DnsAnswer("x.test", DnsRecordType.MX, DnsResponseCode.NoError,
            new DnsRecord[] { new MxRecord("x.test", 60, 0, ""), new MxRecord("x.test", 60, 10, "x-test.mail.protection.outlook.com") },
            "127.0.0.1:53", false)));
        Assert.Equal(new[] { ("x-test.mail.protection.outlook.com", 10) },
            await mx.GetMxAsync("x.test", TestContext.Current.CancellationToken));
    }
}
