using M365SmtpTools.Engine.Operations;

namespace M365SmtpTools.Engine.Tests.Infrastructure;

/// <summary>An operation host that records everything, for assertions.</summary>
public sealed class RecordingHost : IOperationHost
{
    private readonly object _gate = new();
    public List<string> Verbose { get; } = new();
    public List<string> Warnings { get; } = new();
    public List<string> Information { get; } = new();
    public List<OperationProgress> Progress { get; } = new();
    public List<(string Target, string Action)> ShouldProcessCalls { get; } = new();

    /// <summary>What ShouldProcess answers (false simulates -WhatIf).</summary>
    public bool ShouldProcessAnswer { get; set; } = true;

    public bool IsInteractive { get; set; }

    /// <summary>Every line written to any stream, for secret scans.</summary>
    public IEnumerable<string> AllText()
    {
        lock (_gate)
            return Verbose.Concat(Warnings).Concat(Information)
                .Concat(Progress.Select(p => $"{p.Activity} {p.Status} {p.CurrentOperation}"))
                .Concat(ShouldProcessCalls.Select(c => $"{c.Target} {c.Action}")).ToList();
    }

    public void WriteVerbose(string message) { lock (_gate) Verbose.Add(message); }
    public void WriteWarning(string message) { lock (_gate) Warnings.Add(message); }
    public void WriteInformation(string message, params string[] tags) { lock (_gate) Information.Add(message); }
    public void WriteProgress(OperationProgress progress) { lock (_gate) Progress.Add(progress); }
    public bool ShouldProcess(string target, string action)
    {
        lock (_gate) ShouldProcessCalls.Add((target, action));
        return ShouldProcessAnswer;
    }
}
