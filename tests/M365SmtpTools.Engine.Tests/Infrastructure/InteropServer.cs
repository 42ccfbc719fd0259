using Xunit;
namespace M365SmtpTools.Engine.Tests.Infrastructure;

/// <summary>
/// A real server started by tests/interop/servers/NAME.sh. The script writes KEY=VALUE lines (ports, paths) to
/// tests/interop/.state/NAME/env when the server is up. Tests call <see cref="Require"/>: when the server isn't running
/// the test is reported as skipped with the command that starts it, never silently passed.
/// </summary>
public sealed class InteropServer
{
    private readonly Dictionary<string, string> _values;

    private InteropServer(string name, string stateDir, Dictionary<string, string> values)
    {
        Name = name;
        StateDir = stateDir;
        _values = values;
    }

    /// <summary>The script's name (nsd, postfix, aiosmtpd, …).</summary>
    public string Name { get; }

    /// <summary>The server's state folder (logs, Maildir, keys).</summary>
    public string StateDir { get; }

    /// <summary>A value from the env file.</summary>
    public string this[string key] =>
        _values.TryGetValue(key, out string? v) ? v : throw new KeyNotFoundException($"{Name} env has no {key}");

    /// <summary>An integer value (a port) from the env file.</summary>
    public int Port(string key) => int.Parse(this[key]);

    /// <summary>The running server, or null when it isn't running.</summary>
    public static InteropServer? Find(string name)
    {
        string stateDir = Path.Combine(TestPaths.InteropStateDir, name);
        string envFile = Path.Combine(stateDir, "env");
        if (!File.Exists(envFile)) return null;
        var values = File.ReadAllLines(envFile)
            .Where(l => l.Contains('='))
            .Select(l => l.Split('=', 2))
            .ToDictionary(p => p[0].Trim(), p => p[1].Trim());
        return new InteropServer(name, stateDir, values);
    }

    /// <summary>The running server; skips the calling test (with the start command) when it isn't running.</summary>
    public static InteropServer Require(string name)
    {
        InteropServer? server = Find(name);
        if (server == null)
            Assert.Skip($"{name} is not running: start it with 'tests/interop/servers/{name}.sh start' " +
                $"(or run tests/run.sh, which starts every interop server).");
        return server!;
    }
}
