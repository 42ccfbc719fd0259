using System.Text;
using M365SmtpTools.Engine.Smtp;
using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Engine.Tests.Reliability;

/// <summary>
/// Secret-hygiene sweep: every AUTH path (PLAIN, LOGIN, XOAUTH2; accepted and refused) runs with known secret values,
/// and every captured stream — the redacted transcript (in memory and in a file), the host's verbose/warning lines,
/// exception messages and ToString() — is scanned for the secrets and their base64 forms.
/// </summary>
public class SecretHygieneTests
{
    private const string User = "alice@contoso.com";

    private static IEnumerable<string> Forms(string secret, SmtpAuthMechanism mechanism)
    {
        static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));
        yield return secret;
        yield return B64(secret);
        if (mechanism == SmtpAuthMechanism.Plain) yield return B64("\0" + User + "\0" + secret);
        if (mechanism == SmtpAuthMechanism.XOAuth2) yield return B64("user=" + User + "\u0001auth=Bearer " + secret + "\u0001\u0001");
        // base64 of the secret at every alignment inside a longer blob: its middle part is the same whatever precedes it.
        for (int shift = 1; shift <= 2; shift++)
        {
            string b = B64(new string('x', shift) + secret);
            yield return b.Substring(4, b.Length - 8);
        }
    }

    [Theory]
    [InlineData(SmtpAuthMechanism.Plain, true)]
    [InlineData(SmtpAuthMechanism.Plain, false)]
    [InlineData(SmtpAuthMechanism.Login, true)]
    [InlineData(SmtpAuthMechanism.Login, false)]
    [InlineData(SmtpAuthMechanism.XOAuth2, true)]
    [InlineData(SmtpAuthMechanism.XOAuth2, false)]
    public async Task No_secret_or_its_base64_appears_in_any_captured_stream(SmtpAuthMechanism mechanism, bool rightSecret)
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        string good = "Hyg1ene-" + mechanism + "-Zq7vW2xK9pLm";
        string wrong = "Wr0ng-" + mechanism + "-Tr8sN4bY6cHd";
        var options = new ExchangeOnlineDoubleOptions { AuthMechanisms = new[] { "PLAIN", "LOGIN", "XOAUTH2" } };
        options.Passwords[User] = good;
        options.AccessTokens[good] = User;
        await using ExchangeOnlineDouble server = ExchangeOnlineDouble.Start(options);

        string transcriptFile = Path.Combine(Path.GetTempPath(), "m365smtp-hygiene-" + Guid.NewGuid().ToString("N") + ".log");
        var memory = new InMemorySmtpTranscriptLogger();
        var host = new RecordingHost();
        var captured = new List<string>();
        try
        {
            using (var file = new FileSmtpTranscriptLogger(transcriptFile))
            using (var client = new SmtpClient())
            {
                var both = new TeeLogger(memory, file);
                await client.ConnectAsync(server.Host, server.Port, server.ClientOptions(both, host), ct);
                string secret = rightSecret ? good : wrong;
                SmtpCredential credential = mechanism == SmtpAuthMechanism.XOAuth2
                    ? SmtpCredential.FromAccessToken(User, _ => Task.FromResult(secret))
                    : new SmtpCredential(User, SmtpSecretKind.Password, _ => Task.FromResult(secret));
                captured.Add(credential.ToString());
                try
                {
                    await client.AuthenticateAsync(credential, mechanism, ct);
                    Assert.True(rightSecret, "a wrong secret must not authenticate");
                    await client.SendAsync(new SmtpEnvelope(User, new[] { "bob@contoso.com" }),
                        new Smtp.TestMessageContent("Subject: hygiene\r\n\r\nbody\r\n"), ct);
                    await client.QuitAsync(ct);
                }
                catch (SmtpException e)
                {
                    Assert.False(rightSecret, "the right secret must authenticate: " + e.Message);
                    captured.Add(e.Message);
                    captured.Add(e.ToString());
                    captured.Add(e.RecommendedAction ?? "");
                    captured.Add((e as SmtpCommandException)?.ServerErrorDetail ?? "");
                }
            }
            captured.AddRange(memory.Entries.Select(en => en.ToString()));
            captured.AddRange(memory.Entries.Select(en => en.Text));
            captured.Add(File.ReadAllText(transcriptFile));
            captured.AddRange(host.AllText());
        }
        finally
        {
            File.Delete(transcriptFile);
        }

        Assert.Contains(captured, c =>
            c.Contains("AUTH " + (mechanism == SmtpAuthMechanism.XOAuth2 ? "XOAUTH2" : mechanism.ToString().ToUpperInvariant()),
                StringComparison.Ordinal));
        foreach (string secret in new[] { good, wrong })
            foreach (string form in Forms(secret, mechanism))
                foreach (string text in captured)
                    Assert.False(text.Contains(form, StringComparison.Ordinal), $"'{form}' (a form of a secret) appears in: {text}");
    }

    private sealed class TeeLogger(params ISmtpTranscriptLogger[] loggers) : ISmtpTranscriptLogger
    {
        public void Log(SmtpTranscriptEntry entry)
        {
            foreach (ISmtpTranscriptLogger l in loggers) l.Log(entry);
        }
    }
}
