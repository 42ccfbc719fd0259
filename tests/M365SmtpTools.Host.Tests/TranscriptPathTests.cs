using System.Management.Automation;
using M365SmtpTools.Host.Tests.Infrastructure;

namespace M365SmtpTools.Host.Tests;

/// <summary>
/// Send-M365Mail -TranscriptPath through PowerShell's binder against Postfix on loopback (issue 14 item 7): an existing
/// file is replaced only with -Force, a symbolic link is never written through, the file is owner-only, and a refused
/// path stops everything before a message is handed to the server.
/// </summary>
public sealed class TranscriptPathTests : IClassFixture<ModuleSession>
{
    private const string Send =
        "Send-M365Mail -Method Relay -SmtpServer 127.0.0.1 -Port $port -SkipCertificateValidation -From ops@contoso.test " +
        "-To ann@contoso.test -Subject $tag -Body 'x' -TranscriptPath $path -WarningAction SilentlyContinue";
    private readonly ModuleSession _session;

    public TranscriptPathTests(ModuleSession session) => _session = session;

    private static ErrorRecord TheError(HostResult r)
    {
        ErrorRecord? e = r.TerminatingRecord ?? r.Errors.SingleOrDefault();
        Assert.True(e != null, "no error was written");
        return e!;
    }

    private static string Status(HostResult r) => r.Output.Select(o => o.Properties["Status"]?.Value?.ToString()).SingleOrDefault() ?? "";

    [Fact]
    public void AnExistingTranscriptIsKeptAndNothingSentWithoutForce()
    {
        (int port, string mailLog) = InteropServers.RequirePostfixRelay();
        string dir = Path.Combine(Path.GetTempPath(), $"transcript-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, "smtp.log");
        File.WriteAllText(path, "yesterday's transcript");
        try
        {
            string tag = Guid.NewGuid().ToString("N");
            HostResult kept = _session.Run(Send, ("port", port), ("tag", tag), ("path", path));
            ErrorRecord error = TheError(kept);
            Assert.Equal("TranscriptExists,M365SmtpTools.Commands.SendM365MailCommand", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ResourceUnavailable, error.CategoryInfo.Category);
            Assert.Contains("-Force", error.ErrorDetails?.RecommendedAction ?? "", StringComparison.Ordinal);
            Assert.Equal("yesterday's transcript", File.ReadAllText(path));
            Assert.DoesNotContain(tag, File.Exists(mailLog) ? File.ReadAllText(mailLog) : "", StringComparison.Ordinal);
            Assert.NotEqual("Sent", Status(kept));

            HostResult forced = _session.Run(Send + " -Force", ("port", port), ("tag", tag), ("path", path));
            Assert.True(forced.Errors.Count == 0 && forced.Terminating == null,
                string.Join(" | ", forced.Errors) + forced.Terminating?.Message);
            Assert.Equal("Sent", Status(forced));
            string text = File.ReadAllText(path);
            Assert.DoesNotContain("yesterday", text, StringComparison.Ordinal);
            Assert.Contains("MAIL FROM:<ops@contoso.test>", text, StringComparison.Ordinal);
            Assert.Contains("S Greeting: 220 ", text, StringComparison.Ordinal);
            if (!OperatingSystem.IsWindows())
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void ASymbolicLinkAtThePathIsNeverWrittenThrough()
    {
        if (OperatingSystem.IsWindows()) return; // creating links needs a privilege there; the check is the same code
        (int port, string mailLog) = InteropServers.RequirePostfixRelay();
        string dir = Path.Combine(Path.GetTempPath(), $"transcript-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        string target = Path.Combine(dir, "victim.txt"), link = Path.Combine(dir, "smtp.log");
        File.WriteAllText(target, "keep me");
        File.CreateSymbolicLink(link, target);
        try
        {
            string tag = Guid.NewGuid().ToString("N");
            HostResult r = _session.Run(Send + " -Force", ("port", port), ("tag", tag), ("path", link));
            ErrorRecord error = TheError(r);
            Assert.Equal("TranscriptPathIsLink,M365SmtpTools.Commands.SendM365MailCommand", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidOperation, error.CategoryInfo.Category);
            Assert.Equal("keep me", File.ReadAllText(target));
            Assert.Equal(target, new FileInfo(link).LinkTarget);
            Assert.DoesNotContain(tag, File.Exists(mailLog) ? File.ReadAllText(mailLog) : "", StringComparison.Ordinal);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void ANewTranscriptIsCreatedOwnerOnly()
    {
        (int port, _) = InteropServers.RequirePostfixRelay();
        string dir = Path.Combine(Path.GetTempPath(), $"transcript-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, "smtp.log");
        try
        {
            HostResult r = _session.Run(Send, ("port", port), ("tag", Guid.NewGuid().ToString("N")), ("path", path));
            Assert.Equal("Sent", Status(r));
            Assert.Contains("MAIL FROM:<ops@contoso.test>", File.ReadAllText(path), StringComparison.Ordinal);
            if (!OperatingSystem.IsWindows())
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
