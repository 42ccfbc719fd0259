namespace M365SmtpTools.Host.Tests.Infrastructure;

/// <summary>The loopback servers of tests/interop/servers, read from their env files (the test command starts them).</summary>
public static class InteropServers
{
    /// <summary>The nsd DNS server as "127.0.0.1:port", or a skip that says how to start it.</summary>
    public static string RequireNsd()
    {
        string env = Path.Combine(ModuleSession.RepoRoot, "tests", "interop", ".state", "nsd", "env");
        if (!File.Exists(env))
            Assert.Skip("nsd is not running: start it with 'bash tests/interop/servers/nsd.sh start' (bash tests/run.sh does).");
        string port = File.ReadAllLines(env).Select(l => l.Split('=', 2)).First(p => p[0] == "PORT")[1].Trim();
        return "127.0.0.1:" + port;
    }
}
