using Xunit;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using M365SmtpTools.Engine.Auth;
using M365SmtpTools.Engine.Operations;

namespace M365SmtpTools.Engine.Tests.Auth;

internal static class AuthTestHelpers
{
    public const string ClientId = "c0ffee00-1234-4abc-8def-0123456789ab";
    public const string Mailbox = "scanner@contoso.com";

    public static ConnectSmtpRequest SecretRequest(string secret = "known-client-secret-value~Q8", string? name = null) => new()
    {
        TenantId = TestJwt.Tenant,
        ClientId = ClientId,
        ClientSecret = SecretText.ToSecureString(secret),
        UserName = Mailbox,
        AuthorityHost = LoopbackIdentityServer.AuthorityHost,
        Name = name,
    };

    public static X509Certificate2 NewCertificate(bool withPrivateKey = true, DateTimeOffset? notAfter = null)
    {
        using RSA rsa = RSA.Create(2048);
        var req = new CertificateRequest("CN=M365SmtpTools test app", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        X509Certificate2 cert = req.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), notAfter ?? DateTimeOffset.UtcNow.AddDays(30));
        if (withPrivateKey) return cert;
        var publicOnly = X509CertificateLoader.LoadCertificate(cert.Export(X509ContentType.Cert));
        cert.Dispose();
        return publicOnly;
    }

    public static async Task<M365SmtpException> ThrowsEngine(Func<Task> action)
    {
        return await Assert.ThrowsAnyAsync<M365SmtpException>(action);
    }
}

/// <summary>An SMTP AUTH tester double for Connect -Test: records what it was given, or fails.</summary>
internal sealed class FakeAuthTester : ISmtpAuthTester
{
    public List<(string User, string Host, int Port, string? Token)> Calls { get; } = new();
    public M365SmtpException? Failure { get; set; }

    public async Task TestAuthenticationAsync(SmtpConnection connection, IOperationHost host, CancellationToken cancellationToken)
    {
        string? token = connection.Method == SmtpAuthMethod.Basic ? null
            : (await connection.GetAccessTokenAsync(host, cancellationToken)).RevealToken();
        Calls.Add((connection.UserName!, connection.SmtpHost, connection.Port, token));
        if (Failure != null) throw Failure;
    }
}
