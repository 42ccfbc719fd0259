using System.Security.Cryptography.X509Certificates;
using M365SmtpTools.Engine.Exchange;
using M365SmtpTools.Engine.Operations;
using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Engine.Tests.Operations.SendMail;

/// <summary>
/// Request mistakes of Send-M365Mail found before anything connects: the relay client certificate (-ClientCertificate,
/// -ClientCertificatePath, -ClientCertificateThumbprint) and -ConnectionName beside auth parameters, through
/// the operation: each mistake is one error naming the parameter.
/// </summary>
public sealed class SendRequestCheckTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static SendMailRequest Relay() => new()
    {
        Method = SendMethod.Relay,
        Message = new() { From = "scanner@contoso.com", To = new[] { "accounts@fabrikam.com" }, Subject = "Scan", Body = "Attached." },
    };

    private static async Task<M365SmtpException> Refused(SendMailRequest request)
    {
        await using var exo = ExchangeOnlineDouble.Start(new ExchangeOnlineDoubleOptions
        {
            Role = DoubleRole.Mx, MxBehavior = DoubleMxBehavior.RelayConnectorMatched
        });
        var e = await Assert.ThrowsAsync<M365SmtpException>(() =>
            new SendMailOperation(SendKit.For(exo)).RunForResultAsync(request, new RecordingHost(), Ct));
        Assert.Equal(0, exo.ConnectionCount);
        return e;
    }

    [Fact]
    public async Task A_missing_file_names_the_client_parameter()
    {
        SendMailRequest r = Relay();
        r.ClientCertificatePath = "/nonexistent/relay.pfx ";
        M365SmtpException e = await Refused(r);
        Assert.Equal("ClientCertificateFileNotFound", e.ErrorId);
        Assert.Equal(ErrorKind.ObjectNotFound, e.Kind);
        Assert.Equal("-ClientCertificatePath '/nonexistent/relay.pfx' does not exist.", e.Message);
    }

    [Fact]
    public async Task A_wrong_password_is_unreadable_and_neither_password_is_shown()
    {
        using X509Certificate2 cert = TestCertificates.CreateClient("relay.contoso.com");
        string pfx = Path.Combine(TestPaths.NewTempDir(), "relay.pfx");
        File.WriteAllBytes(pfx, cert.Export(X509ContentType.Pfx, "right-password-7"));
        SendMailRequest r = Relay();
        r.ClientCertificatePath = pfx;
        r.ClientCertificatePassword = SendKit.Secure("wrong-password-9");
        M365SmtpException e = await Refused(r);
        Assert.Equal("ClientCertificateFileUnreadable", e.ErrorId);
        Assert.Contains("-ClientCertificatePassword", e.Message);
        Assert.DoesNotContain("wrong-password-9", e.Message + e.RecommendedAction);
        Assert.DoesNotContain("right-password-7", e.Message + e.RecommendedAction);
    }

    [Fact]
    public async Task A_public_certificate_file_has_no_key_to_present()
    {
        using X509Certificate2 cert = TestCertificates.CreateClient("relay.contoso.com");
        string cer = Path.Combine(TestPaths.NewTempDir(), "relay.cer");
        File.WriteAllBytes(cer, cert.Export(X509ContentType.Cert));
        SendMailRequest r = Relay();
        r.ClientCertificatePath = cer;
        M365SmtpException e = await Refused(r);
        Assert.Equal("ClientCertificateHasNoPrivateKey", e.ErrorId);
        Assert.Equal("ClientCertificatePath", e.TargetObject);
        Assert.Contains("can't be presented in TLS", e.Message);
    }

    [Fact]
    public async Task Two_certificates_or_a_password_alone_are_refused()
    {
        SendMailRequest both = Relay();
        both.ClientCertificate = TestCertificates.CreateClient("relay.contoso.com");
        both.ClientCertificateThumbprint = new string('A', 40);
        M365SmtpException conflict = await Refused(both);
        Assert.Equal("ClientCertificateConflict", conflict.ErrorId);
        Assert.Equal("ClientCertificateThumbprint", conflict.TargetObject);

        SendMailRequest passwordOnly = Relay();
        passwordOnly.ClientCertificatePassword = SendKit.Secure("p");
        Assert.Equal("ClientCertificatePasswordWithoutPath", (await Refused(passwordOnly)).ErrorId);
    }

    [Fact]
    public async Task A_thumbprint_is_checked_for_shape_then_needs_the_windows_store()
    {
        SendMailRequest bad = Relay();
        bad.ClientCertificateThumbprint = "AB12";
        M365SmtpException shape = await Refused(bad);
        Assert.Equal("ClientCertificateThumbprintInvalid", shape.ErrorId);
        Assert.Equal("ClientCertificateThumbprint", shape.TargetObject);

        if (OperatingSystem.IsWindows()) return; // the store exists there; the lookup is the Windows workflow's to test
        SendMailRequest good = Relay();
        good.ClientCertificateThumbprint = "\u200e3a:4b:5c:6d:7e:8f:90:12:a3:b4:c5:d6:e7:f8:09:1a:2b:3c:4d:5e";
        M365SmtpException store = await Refused(good);
        Assert.Equal("ClientCertificateStoreNotSupported", store.ErrorId);
        Assert.Contains("-ClientCertificatePath", store.RecommendedAction);
    }

    [Fact]
    public async Task A_session_connection_with_auth_parameters_or_with_relay_is_one_mistake()
    {
        var withAuth = SendKit.TokenRequest();
        withAuth.ConnectionName = "Reports";
        M365SmtpException e = await Refused(withAuth);
        Assert.Equal("ConnectionNameNotApplicable", e.ErrorId);
        Assert.Equal("-ConnectionName names a session connection, but auth parameters were given too.", e.Message);

        SendMailRequest relay = Relay();
        relay.ConnectionName = "Reports";
        M365SmtpException r = await Refused(relay);
        Assert.Equal("ConnectionNameNotApplicable", r.ErrorId);
        Assert.Equal("-ConnectionName names a session connection, but -Method Relay doesn't authenticate.", r.Message);
        Assert.Equal("ConnectionName", r.TargetObject);
    }
}
