namespace M365SmtpTools.Host.Tests.Infrastructure;

/// <summary>The loopback servers of tests/interop/servers, read from their env files (the test command starts them).</summary>
public static class InteropServers
{
    private static Dictionary<string, string> Env(string server)
    {
        string env = Path.Combine(ModuleSession.RepoRoot, "tests", "interop", ".state", server, "env");
        if (!File.Exists(env))
            Assert.Skip($"{server} is not running: start it with 'bash tests/interop/servers/{server}.sh start' (bash tests/run.sh does).");
        return File.ReadAllLines(env).Select(l => l.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1].Trim());
    }

    /// <summary>The nsd DNS server as "127.0.0.1:port".</summary>
    public static string RequireNsd() => "127.0.0.1:" + Env("nsd")["PORT"];

    /// <summary>Postfix's relay port (no AUTH; recipients nobody-*@contoso.test are refused with 550 5.1.1) and its mail log.</summary>
    public static (int RelayPort, string MailLog) RequirePostfixRelay()
    {
        Dictionary<string, string> env = Env("postfix");
        return (int.Parse(env["RELAY_PORT"]), env["MAILLOG"]);
    }

    /// <summary>Postfix's submission port (STARTTLS, AUTH PLAIN/LOGIN with the user and password below) and its Maildir root.</summary>
    public static (int Port, string User, string Password, string MaildirBase) RequirePostfixSubmission()
    {
        Dictionary<string, string> env = Env("postfix");
        return (int.Parse(env["SUBMISSION_PORT"]), env["USER"], env["PASSWORD"], env["MAILDIR_BASE"]);
    }

    /// <summary>Waits up to <paramref name="wait"/> for a delivered file under <paramref name="root"/> containing
    /// <paramref name="marker"/>.</summary>
    public static string? WaitForDelivery(string root, string marker, TimeSpan wait)
    {
        DateTime until = DateTime.UtcNow + wait;
        while (true)
        {
            string? found = DeliveredContaining(root, marker).FirstOrDefault();
            if (found != null || DateTime.UtcNow >= until) return found;
            Thread.Sleep(200);
        }
    }

    /// <summary>
    /// Whether Postfix accepted a message with this Message-ID (its cleanup daemon logs every one it is handed). Waits
    /// up to <paramref name="wait"/> for it to appear; pass zero to look once.
    /// </summary>
    public static bool PostfixReceived(string mailLog, string messageId, TimeSpan wait)
    {
        DateTime until = DateTime.UtcNow + wait;
        while (true)
        {
            if (File.Exists(mailLog)
                && File.ReadAllText(mailLog).Contains("message-id=" + messageId, StringComparison.Ordinal)) return true;
            if (DateTime.UtcNow >= until) return false;
            Thread.Sleep(100);
        }
    }

    /// <summary>aiosmtpd's plain listener (STARTTLS with a self-signed certificate, no AUTH) and where it stores what it
    /// receives.</summary>
    public static (int Port, string MessagesDir) RequireAiosmtpd()
    {
        Dictionary<string, string> env = Env("aiosmtpd");
        return (int.Parse(env["NORMAL_PORT"]), Path.Combine(ModuleSession.RepoRoot, "tests", "interop", ".state", "aiosmtpd", "messages"));
    }

    /// <summary>The delivered files (Maildir or .eml) under <paramref name="root"/> that contain <paramref name="marker"/>.</summary>
    public static List<string> DeliveredContaining(string root, string marker) =>
        Directory.Exists(root)
            ? Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
                .Where(f => !f.EndsWith(".json", StringComparison.Ordinal)
                    && File.ReadAllText(f).Contains(marker, StringComparison.Ordinal))
                .ToList()
            : new List<string>();
}
