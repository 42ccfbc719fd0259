using M365SmtpTools.Engine.Smtp;

namespace M365SmtpTools.Engine.Tests.Smtp;

/// <summary>Helpers for replay tests: scripted replies, a connected client over a <see cref="ScriptedSmtpStream"/>.</summary>
internal static class Replay
{
    public const string Greeting = "220 mx.test ESMTP ready\r\n";
    public const string EhloCommand = "EHLO client.test\r\n";

    /// <summary>A 250 EHLO reply announcing <paramref name="extensions"/>.</summary>
    public static string Ehlo(params string[] extensions)
    {
        var lines = new List<string> { "mx.test Hello" };
        lines.AddRange(extensions);
        return string.Concat(lines.Select((l, i) => "250" + (i == lines.Count - 1 ? " " : "-") + l + "\r\n"));
    }

    /// <summary>Options as the engine's operations set them: with Exchange Online's rules (port 465, reply advice).</summary>
    public static SmtpConnectOptions Options(SmtpTlsMode mode = SmtpTlsMode.None) => new()
    {
        TlsMode = mode,
        ServerRules = M365SmtpTools.Engine.Exchange.ExchangeOnlineServerRules.Instance,
        LocalDomain = "client.test",
        CommandTimeout = TimeSpan.FromSeconds(5),
    };

    public static async Task<(SmtpClient Client, ScriptedSmtpStream Stream)> ConnectAsync(SmtpConnectOptions options,
        params string[] script)
    {
        var stream = new ScriptedSmtpStream(script);
        var client = new SmtpClient();
        await client.ConnectAsync(stream, "mx.test", options, TestContext.Current.CancellationToken);
        return (client, stream);
    }

    public static Task<(SmtpClient Client, ScriptedSmtpStream Stream)> ConnectAsync(params string[] script) =>
        ConnectAsync(Options(), script);

    public static SmtpCredential Password(string user = "alice@contoso.com", string password = "s3cret-Pa55") =>
        new(user, SmtpSecretKind.Password, _ => Task.FromResult(password));

    public static SmtpCredential Token(string user = "alice@contoso.com",
        string token = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.payload.sig") =>
        SmtpCredential.FromAccessToken(user, _ => Task.FromResult(token));

    public static string B64(string s) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(s));
}
