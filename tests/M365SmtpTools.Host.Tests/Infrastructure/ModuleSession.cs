using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Reflection;

namespace M365SmtpTools.Host.Tests.Infrastructure;

/// <summary>
/// A PowerShell runspace in this process that has imported the built module with Import-Module, as a user's session
/// does. Each test class gets its own (several runspaces import the module into one process, as in a runbook worker).
/// </summary>
public sealed class ModuleSession : IDisposable
{
    private static string Metadata(string key) =>
        typeof(ModuleSession).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().First(a => a.Key == key).Value!;

    public static string RepoRoot { get; } = Path.GetFullPath(Metadata("RepoRoot"));
    public static string ModuleDir { get; } = Path.Combine(RepoRoot, "out", "M365SmtpTools");
    public static string ManifestPath { get; } = Path.Combine(ModuleDir, "M365SmtpTools.psd1");

    /// <summary>The nine cmdlets, as the manifest exports them.</summary>
    public static readonly string[] Cmdlets =
    {
        "Connect-M365Smtp", "Disconnect-M365Smtp", "Get-M365MxEndpoint", "Get-M365SmtpConnection", "New-M365RelayConnectorPlan",
        "New-M365SmtpAppAccessPlan", "Send-M365Mail", "Test-M365MailDomain", "Test-M365SmtpAuth",
    };

    private readonly Runspace _runspace;

    public ModuleSession()
    {
        Assert.True(File.Exists(ManifestPath), $"{ManifestPath} is missing: 'dotnet build' makes it.");
        _runspace = OpenRunspace();
        // Connections live for the process, as in a runbook worker: each test names its own and removes only those
        // (a Disconnect-M365Smtp of all of them here would pull them from under test classes running in parallel).
        HostResult import = Run("Import-Module -Name $manifest -ErrorAction Stop", ("manifest", ManifestPath));
        Assert.True(import.Terminating == null, $"Import-Module failed: {import.Terminating}");
        Assert.True(HasFileSystemRoot(_runspace), "The runspace lost its file system root drive while importing the module.");
    }

    // Under heavy load (tests/stress.sh), PowerShell 7.6 once opened a runspace whose FileSystem provider had no "/"
    // drive, before the module was imported; every path given to a cmdlet then failed with DriveNotFound. That is the
    // host, not the module, so such a runspace is opened again; a root lost later still fails the test.
    private static Runspace OpenRunspace()
    {
        for (int attempt = 1; ; attempt++)
        {
            InitialSessionState state = InitialSessionState.CreateDefault2();
            if (OperatingSystem.IsWindows()) state.ExecutionPolicy = Microsoft.PowerShell.ExecutionPolicy.Bypass;
            Runspace runspace = RunspaceFactory.CreateRunspace(state);
            runspace.Open();
            if (HasFileSystemRoot(runspace)) return runspace;
            runspace.Dispose();
            Assert.True(attempt < 3, "PowerShell opened three runspaces in a row without a file system root drive.");
        }
    }

    private static bool HasFileSystemRoot(Runspace runspace)
    {
        string root = OperatingSystem.IsWindows() ? Path.GetPathRoot(Environment.SystemDirectory)!.TrimEnd('\\', ':') : "/";
        return runspace.SessionStateProxy.Drive.GetAllForProvider("FileSystem")
            .Any(d => string.Equals(d.Name, root, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Runs a script in the session; variables are set first. Terminating errors are captured, not thrown.</summary>
    public HostResult Run(string script, params (string Name, object? Value)[] variables)
    {
        foreach ((string name, object? value) in variables) _runspace.SessionStateProxy.SetVariable(name, value);
        using PowerShell ps = PowerShell.Create();
        ps.Runspace = _runspace;
        ps.AddScript(script);
        Collection<PSObject> output = new();
        Exception? terminating = null;
        try { output = ps.Invoke(); }
        catch (RuntimeException e) { terminating = e; }
        return new HostResult(
            output.Where(o => o != null).ToList(),
            ps.Streams.Error.ToList(),
            ps.Streams.Warning.Select(w => w.Message).ToList(),
            ps.Streams.Verbose.Select(v => v.Message).ToList(),
            ps.Streams.Debug.Select(d => d.Message).ToList(),
            ps.Streams.Information.Select(i => i.MessageData?.ToString() ?? "").ToList(),
            terminating,
            ps.Streams.Progress.ToList());
    }

    /// <summary>Runs a script that must not fail, and returns its output.</summary>
    public IReadOnlyList<PSObject> Output(string script, params (string Name, object? Value)[] variables)
    {
        HostResult r = Run(script, variables);
        Assert.True(r.Terminating == null, $"terminating error: {r.Terminating?.Message}");
        Assert.True(r.Errors.Count == 0, "errors: " + string.Join(" | ", r.Errors.Select(e => e.FullyQualifiedErrorId + ": " + e)));
        return r.Output;
    }

    public void Dispose() => _runspace.Dispose();
}

/// <summary>What a command wrote to each stream, and the terminating error if there was one.</summary>
public sealed record HostResult(
    IReadOnlyList<PSObject> Output,
    IReadOnlyList<ErrorRecord> Errors,
    IReadOnlyList<string> Warnings,
    IReadOnlyList<string> Verbose,
    IReadOnlyList<string> Debug,
    IReadOnlyList<string> Information,
    Exception? Terminating,
    IReadOnlyList<ProgressRecord> Progress)
{
    /// <summary>The ErrorRecord of the terminating error, if it carried one.</summary>
    public ErrorRecord? TerminatingRecord => (Terminating as IContainsErrorRecord)?.ErrorRecord;
}
