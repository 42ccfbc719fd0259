using M365SmtpTools.Engine.Dns;
using M365SmtpTools.Engine.Exchange;
using M365SmtpTools.Engine.Operations;
using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Engine.Tests.Operations.MxEndpoint;

/// <summary>Get-M365MxEndpoint's operation against nsd on loopback.</summary>
public class GetMxEndpointOperationTests
{
    private static async Task<(List<MxEndpointResult> Results, List<M365SmtpException> Errors, RecordingHost Host)> Run(
        GetMxEndpointRequest request)
    {
        var results = new List<MxEndpointResult>();
        var errors = new List<M365SmtpException>();
        var host = new RecordingHost();
        await new GetMxEndpointOperation().RunAsync(request, new OperationHost<MxEndpointResult>(host, results.Add, errors.Add),
            TestContext.Current.CancellationToken);
        return (results, errors, host);
    }

    private static string Nsd() => "127.0.0.1:" + InteropServer.Require("nsd").Port("PORT");

    [Fact]
    public async Task Reports_each_Microsoft_365_form_and_other_hosts()
    {
        string server = Nsd();
        var (results, errors, host) = await Run(new GetMxEndpointRequest
        {
            Domain = new[] { "contoso.test", "FABRIKAM.test.", "cn.contoso.test", "gov.contoso.test", "mixed.contoso.test" },
            DnsServer = server,
            TimeoutSeconds = 5,
        });
        Assert.Empty(errors);
        Assert.Equal(
            new[]
            {
                ("contoso.test", "contoso-test.mail.protection.outlook.com", MxEndpointForm.Legacy, true, (int?)0),
                ("fabrikam.test", "fabrikam-test.e-v1.mx.microsoft", MxEndpointForm.Dnssec, true, 0),
                ("cn.contoso.test", "cn-contoso-test.mail.protection.partner.outlook.cn", MxEndpointForm.China, true, 10),
                ("gov.contoso.test", "gov-contoso-test.mail.protection.office365.us", MxEndpointForm.GccHigh, true, 10),
                ("mixed.contoso.test", "mx1.filter.example", MxEndpointForm.Other, false, 10),
                ("mixed.contoso.test", "mixed-contoso-test.mail.protection.outlook.com", MxEndpointForm.Legacy, true, 20),
            },
            results.Select(r => (r.Domain, r.MxHost, r.EndpointForm, r.IsMicrosoft365, r.Preference)));
        Assert.All(results, r => Assert.False(r.IsGuess));
        Assert.All(results, r => Assert.Equal(server, r.DnsServer));
        Assert.All(results, r => Assert.Equal(300, r.TimeToLive));
        Assert.Equal("fabrikam-test", results[1].TenantLabel);
        Assert.Contains(host.Verbose, v => v.Contains("mixed.contoso.test") && v.Contains("not Microsoft 365"));
    }

    [Fact]
    public async Task Errors_are_per_domain_and_the_others_go_on()
    {
        string server = Nsd();
        var (results, errors, _) = await Run(new GetMxEndpointRequest
        {
            Domain = new[] { "bad..name", "nothere.contoso.test", "nomx.contoso.test", "contoso.test" },
            DnsServer = server,
        });
        Assert.Equal(new[] { "contoso-test.mail.protection.outlook.com" }, results.Select(r => r.MxHost));
        Assert.Equal(new[] { DnsErrorIds.InvalidDomainName, DnsErrorIds.NameNotFound, DnsErrorIds.NoMxRecords },
            errors.Select(e => e.ErrorId));
        Assert.Equal(new object[] { "bad..name", "nothere.contoso.test", "nomx.contoso.test" }, errors.Select(e => e.TargetObject));
        Assert.Contains("NXDOMAIN", errors[1].Message);
        Assert.Contains(server, errors[1].Message);
        Assert.Contains("no MX records", errors[2].Message);
        Assert.Contains("nomx-contoso-test.mail.protection.outlook.com", errors[2].RecommendedAction);
        Assert.Equal(ErrorKind.ObjectNotFound, errors[2].Kind);
    }

    [Fact]
    public async Task The_derived_guess_is_output_only_when_asked_and_is_marked()
    {
        string server = Nsd();
        var without = await Run(new GetMxEndpointRequest { Domain = new[] { "nomx.contoso.test" }, DnsServer = server });
        Assert.Empty(without.Results);
        Assert.Single(without.Errors);

        var with = await Run(new GetMxEndpointRequest
        {
            Domain = new[] { "nomx.contoso.test", "hyphen-domain.test" }, DnsServer = server, IncludeDerivedGuess = true
        });
        Assert.Equal(2, with.Errors.Count);
        Assert.All(with.Errors, e => Assert.Equal(DnsErrorIds.NoMxRecords, e.ErrorId));
        Assert.Equal(2, with.Results.Count);
        MxEndpointResult guess = with.Results[0];
        Assert.Equal("nomx-contoso-test.mail.protection.outlook.com", guess.MxHost);
        Assert.True(guess.IsGuess);
        Assert.Equal(MxEndpointForm.DerivedGuess, guess.EndpointForm);
        Assert.Null(guess.Preference);
        Assert.DoesNotContain("unreliable", guess.Note);
        MxEndpointResult hyphen = with.Results[1];
        Assert.Equal("hyphen-domain-test.mail.protection.outlook.com", hyphen.MxHost);
        Assert.Contains("unreliable", hyphen.Note);
        Assert.Contains("unreliable", with.Errors[1].RecommendedAction);
    }

    [Fact]
    public async Task An_answer_over_512_bytes_is_read_over_TCP()
    {
        var (results, errors, host) = await Run(new GetMxEndpointRequest { Domain = new[] { "big.contoso.test" }, DnsServer = Nsd() });
        Assert.Empty(errors);
        Assert.Equal(30, results.Count);
        Assert.Equal(Enumerable.Range(1, 30).Select(i => (int?)i), results.Select(r => r.Preference));
        Assert.Contains(host.Verbose, v => v.Contains("over TCP"));
    }

    [Fact]
    public async Task A_null_MX_is_reported_with_a_warning()
    {
        var (results, errors, host) = await Run(new GetMxEndpointRequest { Domain = new[] { "nullmx.contoso.test" }, DnsServer = Nsd() });
        Assert.Empty(errors);
        MxEndpointResult r = Assert.Single(results);
        Assert.Equal(".", r.MxHost);
        Assert.False(r.IsMicrosoft365);
        Assert.Contains(host.Warnings, w => w.Contains("null MX"));
    }

    [Fact]
    public async Task A_timeout_names_the_server_that_was_asked()
    {
        using var silent = new FakeDnsServer(_ => Array.Empty<byte[]>());
        var (results, errors, _) = await Run(new GetMxEndpointRequest
        {
            Domain = new[] { "contoso.test" }, DnsServer = silent.Endpoint, TimeoutSeconds = 1
        });
        Assert.Empty(results);
        M365SmtpException e = Assert.Single(errors);
        Assert.Equal(DnsErrorIds.Timeout, e.ErrorId);
        Assert.Contains(silent.Endpoint, e.Message);
        Assert.Equal("contoso.test", e.TargetObject);
    }

    [Fact]
    public async Task An_unusable_DNS_server_stops_the_whole_run()
    {
        var e = await Assert.ThrowsAsync<DnsException>(() => Run(new GetMxEndpointRequest
        {
            Domain = new[] { "contoso.test" }, DnsServer = "1.2.3.4:99999"
        }));
        Assert.Equal(DnsErrorIds.InvalidDnsServer, e.ErrorId);
    }
}
