using System.Text;
using M365SmtpTools.Engine.Auth;
using M365SmtpTools.Engine.Smtp;
using static M365SmtpTools.Engine.Tests.Smtp.Replay;

namespace M365SmtpTools.Engine.Tests.Smtp;

/// <summary>
/// A server that echoes the client's AUTH (the SASL blob, the token, its base64 and base64url forms) gets none of it
/// into the reply text, the error, or the transcript (issue 14, item 3).
/// </summary>
public sealed class EchoedSecretTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Token = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJ1cG4iOiJhbGljZUBjb250b3NvLmNvbSJ9.c2lnbmF0dXJlLXZhbHVlLTEyMzQ";

    private static string Url(string b64) => b64.TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static IEnumerable<string> Forbidden()
    {
        string blob = B64("user=alice@contoso.com\u0001auth=Bearer " + Token + "\u0001\u0001");
        yield return Token;
        yield return Token.Split('.')[2];
        yield return blob;
        yield return B64(Token);
        yield return Url(B64(Token));
        // The token's encoding inside other blobs, at the two other alignments (only the part that depends on the token alone).
        foreach (string prefix in new[] { "x", "xy" })
        {
            string shifted = B64(prefix + Token);
            yield return shifted.Substring(4);
            yield return Url(shifted).Substring(4);
        }
    }

    [Fact]
    public async Task AnEchoingServerGetsNoSecretIntoRepliesErrorsOrTheTranscript()
    {
        var log = new InMemorySmtpTranscriptLogger();
        var options = Options();
        options.TranscriptLogger = log;
        string[] f = Forbidden().ToArray();
        string reply = $"535-5.7.8 You sent AUTH XOAUTH2 {f[2]}\r\n535-5.7.8 token {f[0]}\r\n535-5.7.8 b64 {f[3]} url {f[4]}\r\n"
            + $"535-5.7.8 inside x{B64("x" + Token)} y {Url(B64("xy" + Token))}\r\n535 5.7.8 Authentication failed\r\n";
        var (client, _) = await ConnectAsync(options, Greeting, Ehlo("AUTH XOAUTH2"), reply);
        var ex = await Assert.ThrowsAsync<SmtpCommandException>(() =>
            client.AuthenticateAsync(Replay.Token(token: Token), SmtpAuthMechanism.XOAuth2, Ct));

        Assert.Equal(535, ex.ReplyCode);
        Assert.Contains("You sent AUTH XOAUTH2 ********", ex.ReplyText);
        string sinks = string.Join("\n", ex.ToString(), ex.Message, ex.ReplyText, ex.RecommendedAction,
            string.Join("\n", log.Entries.Select(e => e.ToString())));
        Assert.Contains(log.Entries, e => e.Direction == SmtpTranscriptDirection.Server
            && e.Text == "535-5.7.8 You sent AUTH XOAUTH2 ********");
        foreach (string secret in f) Assert.DoesNotContain(secret, sinks);
    }

    [Fact]
    public void FormsCoverEveryEncodingOfASecret()
    {
        var forms = new SecretForms();
        forms.Add(Token);
        // not the signature alone, not the blob (registered by the channel)
        foreach (string secret in Forbidden().Where((s, i) => i != 1 && i != 2))
            Assert.DoesNotContain(secret, forms.Redact("a " + secret + " b", "#"));
        // Short values are never masked as forms (they would hide ordinary text).
        Assert.All(SecretForms.Of("abcd").Skip(1), x => Assert.True(x.Length >= SecretForms.MinimumLength));
    }
}
