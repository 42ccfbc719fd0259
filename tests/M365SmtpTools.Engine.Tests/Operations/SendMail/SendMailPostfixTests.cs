using System.Security.Cryptography.X509Certificates;
using M365SmtpTools.Engine.Auth;
using M365SmtpTools.Engine.Dns;
using M365SmtpTools.Engine.Exchange;
using M365SmtpTools.Engine.Operations;
using M365SmtpTools.Engine.Smtp;
using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Engine.Tests.Operations.SendMail;

/// <summary>Send-M365Mail's engine against Postfix + Dovecot (tests/interop/servers/postfix.sh), each method.</summary>
public sealed class SendMailPostfixTests
{
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(30);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static SendMailOperationSettings Settings(PostfixServer pf, IDnsResolver? dns = null,
        Func<string, int, (string, int)>? redirect = null) => new()
    {
        Clock = new FakeClock(),
        Registry = new SmtpConnectionRegistry(),
        DnsResolverFactory = (_, _) => dns ?? new TableDns(),
        ConfigureConnection = o =>
        {
            o.TlsPolicy.ServerName = "localhost";
            o.TlsPolicy.TrustedRootCertificates = new X509Certificate2Collection(pf.CaCertificate);
            o.LocalDomain = "client.contoso.test";
        },
        Redirect = redirect,
    };

    [Fact]
    public async Task ClientSubmission_Xoauth2_WithAMintedToken_IsDelivered()
    {
        PostfixServer pf = PostfixServer.Require();
        string to = pf.NewRecipient("send-xoauth2");
        var request = new SendMailRequest
        {
            SmtpServer = "localhost",
            Port = pf.SubmissionPort,
            AccessToken = SendKit.Secure(pf.MintJwt(pf.User, TimeSpan.FromMinutes(30))),
            UserName = pf.User,
            Message = new() { To = new[] { to }, Subject = "XOAUTH2 through Send", Body = "token auth" },
        };
        var host = new RecordingHost();
        SendMailResult r = await new SendMailOperation(Settings(pf)).RunForResultAsync(request, host, Ct);

        Assert.True(r.Status == SendMailStatus.Sent, r.ErrorMessage);
        Assert.Equal(pf.User, r.From);
        string delivered = Assert.Single(pf.WaitForDelivery(to, DeliveryTimeout));
        ParsedMessage parsed = PythonMime.ParseFile(delivered);
        Mime.MimeKitMime.AssertAgrees(parsed, File.ReadAllBytes(delivered));
        Assert.Equal("XOAUTH2 through Send", parsed.Subject);
        Assert.Contains($"sasl_method=XOAUTH2, sasl_username={pf.User}", pf.ReadMaillog());
        Assert.DoesNotContain(host.Warnings, w => w.Contains("Basic authentication"));
    }

    [Fact]
    public async Task ClientSubmission_Plain_WithACredential_IsDelivered_WithoutTheMicrosoftWarning()
    {
        PostfixServer pf = PostfixServer.Require();
        string to = pf.NewRecipient("send-plain");
        var request = new SendMailRequest
        {
            SmtpServer = "localhost",
            Port = pf.SubmissionPort,
            Credential = new System.Net.NetworkCredential(pf.User, pf.Password),
            Message = new() { To = new[] { to }, Subject = "PLAIN through Send", Body = "password auth" },
        };
        var host = new RecordingHost();
        SendMailResult r = await new SendMailOperation(Settings(pf)).RunForResultAsync(request, host, Ct);

        Assert.True(r.Status == SendMailStatus.Sent, r.ErrorMessage);
        Assert.Single(pf.WaitForDelivery(to, DeliveryTimeout));
        Assert.Contains($"sasl_method=PLAIN, sasl_username={pf.User}", pf.ReadMaillog());
        Assert.DoesNotContain(host.Warnings, w => w.Contains("Basic authentication"));
        Assert.DoesNotContain(host.AllText(), t => t.Contains(pf.Password));
    }

    [Fact]
    public async Task Relay_WithoutClientCertificate_IsDelivered_OverTls()
    {
        PostfixServer pf = PostfixServer.Require();
        string to = pf.NewRecipient("send-relay");
        var request = new SendMailRequest
        {
            Method = SendMethod.Relay,
            SmtpServer = "localhost",
            Port = pf.RelayPort,
            Message = new() { From = $"scanner@{pf.Domain}", To = new[] { to }, Subject = "Relay without certificate", Body = "scan" },
        };
        SendMailResult r = await new SendMailOperation(Settings(pf)).RunForResultAsync(request, new RecordingHost(), Ct);

        Assert.True(r.Status == SendMailStatus.Sent, r.ErrorMessage);
        string delivered = File.ReadAllText(Assert.Single(pf.WaitForDelivery(to, DeliveryTimeout)));
        Assert.Contains("Subject: Relay without certificate", delivered);
        Assert.DoesNotContain("Client CN", delivered);
        Assert.Contains("with ESMTPS", delivered); // STARTTLS was used because it was offered
    }

    [Fact]
    public async Task Relay_WithClientCertificate_PresentsIt_AndPostfixLogsItsCn()
    {
        PostfixServer pf = PostfixServer.Require();
        string cn = $"relay-{Guid.NewGuid():N}.contoso.test";
        string to = pf.NewRecipient("send-relay-cert");
        var request = new SendMailRequest
        {
            Method = SendMethod.Relay,
            SmtpServer = "localhost",
            Port = pf.RelayPort,
            Message = new() { From = $"scanner@{pf.Domain}", To = new[] { to }, Subject = "Relay with certificate", Body = "scan" },
            ClientCertificate = TestCertificates.CreateClient(cn),
        };
        SendMailResult r = await new SendMailOperation(Settings(pf)).RunForResultAsync(request, new RecordingHost(), Ct);

        Assert.True(r.Status == SendMailStatus.Sent, r.ErrorMessage);
        string delivered = File.ReadAllText(Assert.Single(pf.WaitForDelivery(to, DeliveryTimeout)));
        Assert.Contains($"(Client CN \"{cn}\"", delivered);
        Assert.Contains($"subject_CN={cn}", pf.ReadMaillog());
    }

    [Fact]
    public async Task DirectSend_ToTheRecipientsMxEndpoint_IsDelivered()
    {
        PostfixServer pf = PostfixServer.Require();
        string to = pf.NewRecipient("send-direct");
        string label = pf.Domain.Replace('.', '-');
        var dns = new TableDns().Mx(pf.Domain, $"{label}.mail.protection.outlook.com");
        var dialled = new List<(string, int)>();
        var settings = Settings(pf, dns, (h, p) => { dialled.Add((h, p)); return ("127.0.0.1", pf.RelayPort); });
        var request = new SendMailRequest
        {
            Method = SendMethod.DirectSend,
            Message = new() { From = $"noreply@{pf.Domain}", To = new[] { to }, Subject = "Direct Send", Body = "internal" },
            RequireTls = true,
        };
        SendMailResult r = await new SendMailOperation(settings).RunForResultAsync(request, new RecordingHost(), Ct);

        Assert.True(r.Status == SendMailStatus.Sent, r.ErrorMessage);
        Assert.Equal(($"{label}.mail.protection.outlook.com", 25), Assert.Single(dialled));
        Assert.Contains("Subject: Direct Send", File.ReadAllText(Assert.Single(pf.WaitForDelivery(to, DeliveryTimeout))));
    }

    [Fact]
    public async Task Batch_OverPostfixSubmission_UsesOneConnection()
    {
        PostfixServer pf = PostfixServer.Require();
        string tag = Guid.NewGuid().ToString("N")[..8];
        var recipients = Enumerable.Range(1, 10).Select(i => pf.NewRecipient($"send-batch{i}")).ToList();
        var specs = recipients
            .Select((to, i) => new MailMessageSpec { To = new[] { to }, Subject = $"Batch {tag} {i}", Body = "x" }).ToList();
        var request = new SendMailRequest
        {
            SmtpServer = "localhost",
            Port = pf.SubmissionPort,
            Credential = new System.Net.NetworkCredential(pf.User, pf.Password),
        };
        var host = new RecordingHost();
        var results = new List<SendMailResult>();
        await SendKit.Batch(new SendMailOperation(Settings(pf)), request, specs, host, results.Add, Ct);

        Assert.All(results, r => Assert.True(r.Status == SendMailStatus.Sent, r.ErrorMessage));
        foreach (string to in recipients) Assert.Single(pf.WaitForDelivery(to, DeliveryTimeout));
        Assert.Single(host.Verbose, v => v.StartsWith("Connecting to localhost:", StringComparison.Ordinal));
    }
}
