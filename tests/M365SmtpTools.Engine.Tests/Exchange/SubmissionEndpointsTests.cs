using M365SmtpTools.Engine.Exchange;
using M365SmtpTools.Engine.Smtp;

namespace M365SmtpTools.Engine.Tests.Exchange;

public sealed class SubmissionEndpointsTests
{
    [Fact]
    public void ClientSubmission_IsTheCloudsHostOn587_WithMicrosoftsLimits()
    {
        ResolvedSmtpEndpoint e = SubmissionEndpoints.Resolve(SendMethod.ClientSubmission);
        Assert.Equal("smtp.office365.com", e.Host);
        Assert.Equal(587, e.Port);
        Assert.Equal(SmtpTlsMode.StartTlsRequired, e.TlsMode);
        Assert.True(e.RequiresAuthentication);
        Assert.Equal(30, e.Info.MessagesPerMinute);
        Assert.Equal(10000, e.Info.RecipientsPerDay);
        Assert.Equal(3, e.Info.MaxConnections);
        Assert.Empty(e.Warnings);
        Assert.Equal("smtp.office365.us",
            SubmissionEndpoints.Resolve(SendMethod.ClientSubmission, environment: M365Environment.USGovGCCHigh).Host);
    }

    [Theory]
    [InlineData(SubmissionEndpointKind.HighVolumeEmail, "smtp-hve.office365.com")]
    [InlineData(SubmissionEndpointKind.AzureCommunicationServices, "smtp.azurecomm.net")]
    [InlineData(SubmissionEndpointKind.LegacyTls, "smtp-legacy.office365.com")]
    public void NamedEndpoints_HaveTheirHosts(SubmissionEndpointKind kind, string host)
    {
        ResolvedSmtpEndpoint e = SubmissionEndpoints.Resolve(SendMethod.ClientSubmission, kind);
        Assert.Equal(host, e.Host);
        Assert.Equal(587, e.Port);
        Assert.Equal(kind == SubmissionEndpointKind.LegacyTls, e.Warnings.Any(w => w.Contains("AllowLegacyTLSClients")));
        // A known host given with -SmtpServer brings the same row.
        Assert.Equal(kind, SubmissionEndpoints.Resolve(SendMethod.ClientSubmission, smtpServer: host).Info.Kind);
    }

    [Fact]
    public void LegacyTls_DoesNotExistInGccHigh()
    {
        var e = Assert.Throws<M365SmtpException>(() =>
            SubmissionEndpoints.Resolve(SendMethod.ClientSubmission, SubmissionEndpointKind.LegacyTls, M365Environment.USGovGCCHigh));
        Assert.Equal("EndpointNotInCloud", e.ErrorId);
    }

    [Theory]
    [InlineData(SendMethod.ClientSubmission, null)]
    [InlineData(SendMethod.ClientSubmission, "smtp.office365.com")]
    [InlineData(SendMethod.Relay, null)]
    [InlineData(SendMethod.DirectSend, "contoso-com.mail.protection.outlook.com")]
    public void Port465_ToMicrosoft365_IsRefused(SendMethod method, string? server)
    {
        var e = Assert.Throws<M365SmtpException>(() => SubmissionEndpoints.Resolve(method, smtpServer: server, port: 465));
        Assert.Equal("ImplicitTlsNotSupported", e.ErrorId);
        Assert.Equal("Port", e.TargetObject);
    }

    [Fact]
    public void Port465_ToAnotherServer_MeansImplicitTls()
    {
        ResolvedSmtpEndpoint e = SubmissionEndpoints.Resolve(SendMethod.ClientSubmission, smtpServer: "mail.example.org", port: 465);
        Assert.Equal(SmtpTlsMode.ImplicitTls, e.TlsMode);
        Assert.Null(e.Info.MessagesPerMinute); // no Microsoft limits for another server
    }

    [Fact]
    public void AnIpAddress_InsteadOfSmtpOffice365Com_Warns()
    {
        ResolvedSmtpEndpoint e = SubmissionEndpoints.Resolve(SendMethod.ClientSubmission, smtpServer: "52.96.0.1");
        Assert.Contains(e.Warnings, w => w.Contains("IP address") && w.Contains("smtp.office365.com"));
    }

    [Fact]
    public void RelayAndDirectSend_UsePort25_TlsWhenOffered_RequiredWithRequireTlsOrACertificate()
    {
        ResolvedSmtpEndpoint relay = SubmissionEndpoints.Resolve(SendMethod.Relay);
        Assert.True(relay.NeedsMxLookup);
        Assert.Equal(25, relay.Port);
        Assert.False(relay.RequiresAuthentication);
        Assert.Equal(SmtpTlsMode.StartTlsWhenAvailable, relay.TlsMode);
        Assert.Equal(SmtpTlsMode.StartTlsRequired, SubmissionEndpoints.Resolve(SendMethod.Relay, requireTls: true).TlsMode);
        Assert.Equal(SmtpTlsMode.StartTlsRequired, SubmissionEndpoints.Resolve(SendMethod.Relay, clientCertificate: true).TlsMode);
        Assert.Equal(SmtpTlsMode.StartTlsWhenAvailable, SubmissionEndpoints.Resolve(SendMethod.DirectSend).TlsMode);
        Assert.Equal("contoso-com.mail.protection.outlook.com",
            SubmissionEndpoints.Resolve(SendMethod.Relay, smtpServer: "contoso-com.mail.protection.outlook.com").Host);
        var e = Assert.Throws<M365SmtpException>(() =>
            SubmissionEndpoints.Resolve(SendMethod.DirectSend, SubmissionEndpointKind.HighVolumeEmail));
        Assert.Equal("EndpointNotApplicable", e.ErrorId);
    }
}
