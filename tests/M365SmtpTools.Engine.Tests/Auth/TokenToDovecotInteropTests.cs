using System.Security.Cryptography.X509Certificates;
using M365SmtpTools.Engine.Auth;
using M365SmtpTools.Engine.Operations;
using M365SmtpTools.Engine.Smtp;
using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Engine.Tests.Auth;

/// <summary>
/// The whole OAuth path against independent servers: MSAL gets an app-only token from the loopback identity endpoint
/// (client credentials with a secret), the token is a JWT signed with the key Dovecot validates, and the SMTP client
/// authenticates with it over XOAUTH2 to Postfix + Dovecot and delivers a message. A token signed with another key
/// fails through Dovecot's 334-JSON path.
/// </summary>
public sealed class TokenToDovecotInteropTests : IDisposable
{
    private readonly LoopbackIdentityServer _identity = new();
    public void Dispose() => _identity.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<SmtpConnection> ConnectWithIssuedToken(PostfixServer pf, string token)
    {
        _identity.OnToken = _ => LoopbackIdentityServer.TokenResponse(_identity.Issue(token), expiresIn: 600);
        var request = AuthTestHelpers.SecretRequest();
        request.UserName = pf.User;
        request.SmtpServer = pf.Host;
        request.Port = pf.SubmissionPort;
        var operation = new ConnectSmtpOperation(new SmtpConnectionRegistry(), new TokenProviderFactory(_identity.ClientOptions()));
        return await operation.RunForResultAsync(request, new RecordingHost(), Ct);
    }

    private static async Task<SmtpClient> OpenAsync(PostfixServer pf)
    {
        var client = new SmtpClient();
        await client.ConnectAsync(pf.Host, pf.SubmissionPort, new SmtpConnectOptions
        {
            TlsPolicy = new TlsPolicy { ServerName = "localhost",
                TrustedRootCertificates = new X509Certificate2Collection(pf.CaCertificate) },
            CommandTimeout = TimeSpan.FromSeconds(30),
        }, Ct);
        return client;
    }

    [Fact]
    public async Task A_token_from_the_identity_platform_authenticates_xoauth2_and_the_message_arrives()
    {
        PostfixServer pf = PostfixServer.Require();
        SmtpConnection connection = await ConnectWithIssuedToken(pf, pf.MintJwt(pf.User, TimeSpan.FromMinutes(10)));
        var host = new RecordingHost();

        using SmtpClient client = await OpenAsync(pf);
        var credential = SmtpCredential.FromAccessToken(connection.UserName!,
            async ct => (await connection.GetAccessTokenAsync(host, ct)).RevealToken());
        SmtpReply reply = await client.AuthenticateAsync(credential, SmtpAuthMechanism.XOAuth2, Ct);
        Assert.Equal(235, reply.Code);

        string to = pf.NewRecipient("oauth");
        string subject = "token from MSAL " + Guid.NewGuid().ToString("N");
        var message = new M365SmtpTools.Engine.Mime.MessageBuilder
        {
            From = M365SmtpTools.Engine.Mime.EmailAddress.Parse(pf.User),
            Subject = subject,
            TextBody = "Sent with an app-only token.",
        };
        message.To.Add(M365SmtpTools.Engine.Mime.EmailAddress.Parse(to));
        await client.SendAsync(new SmtpEnvelope(pf.User, new[] { to }), message.Build(), Ct);
        await client.QuitAsync(Ct);

        string delivered = await File.ReadAllTextAsync(pf.WaitForDelivery(to, TimeSpan.FromSeconds(30)).Single(), Ct);
        Assert.Contains("Subject: " + subject, delivered);
        Assert.Single(_identity.TokenRequests); // one token request for the connection
    }

    [Fact]
    public async Task A_token_signed_with_another_key_is_refused_through_the_334_json_path()
    {
        PostfixServer pf = PostfixServer.Require();
        byte[] otherKey = new byte[32];
        Random.Shared.NextBytes(otherKey);
        SmtpConnection connection = await ConnectWithIssuedToken(pf, pf.MintJwt(pf.User, TimeSpan.FromMinutes(10), otherKey));

        using SmtpClient client = await OpenAsync(pf);
        var credential = SmtpCredential.FromAccessToken(connection.UserName!,
            async ct => (await connection.GetAccessTokenAsync(new RecordingHost(), ct)).RevealToken());
        var e = await Assert.ThrowsAsync<SmtpCommandException>(() => client.AuthenticateAsync(credential, SmtpAuthMechanism.XOAuth2, Ct));
        Assert.Equal(535, e.ReplyCode);
        Assert.Contains("401", e.ServerErrorDetail);
        Assert.True(client.IsConnected);
    }
}
