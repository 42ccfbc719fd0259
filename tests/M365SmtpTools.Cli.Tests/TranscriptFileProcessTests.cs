using M365SmtpTools.Cli.Tests.Infrastructure;
using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Cli.Tests;

/// <summary>
/// <c>m365smtp send --transcript-path</c> as a process (issue 14 item 7): the transcript is a new owner-only file, an
/// existing one is replaced only with --force, a symbolic link is never written through, and nothing is sent when the
/// file is refused. The server's control characters are escaped in it.
/// </summary>
public sealed class TranscriptFileProcessTests
{
    private static string[] Send(ScriptedSmtpServer server, string transcript, string to, params string[] more) =>
        new[] { "send", "--method", "Relay", "--smtp-server", "127.0.0.1", "--port", server.Port.ToString(), "--from", "sender@contoso.com",
            "--to", to, "--subject", "transcript", "--body", "x", "--max-retry", "0",
            "--transcript-path", transcript }.Concat(more).ToArray();

    [Fact]
    public async Task A_new_transcript_is_owner_only_and_escapes_the_servers_control_characters()
    {
        await using var server = new ScriptedSmtpServer();
        string path = Path.Combine(TestPaths.NewTempDir(), "smtp.log");
        CliRun run = await CliProcess.RunAsync(Send(server, path, "esc@contoso.com"));

        Assert.True(run.ExitCode == 15, run.ToString()); // the scripted server refuses esc@ with a reply full of escapes
        string text = File.ReadAllText(path);
        Assert.Contains("MAIL FROM:<sender@contoso.com>", text, StringComparison.Ordinal);
        Assert.True(text.Contains("550 5.1.1 \\x1B]0;pwned\\x07\\x1B[2J\\x0Dfake 250 OK", StringComparison.Ordinal),
            text); // the scripted server writes ASCII: its U+202E arrives as ?
        Assert.DoesNotContain('\u001B', text);
        Assert.DoesNotContain('\u0007', text);
        Assert.DoesNotContain('\r', text);
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public async Task An_existing_transcript_is_kept_and_nothing_is_sent_without_force()
    {
        await using var server = new ScriptedSmtpServer();
        string path = Path.Combine(TestPaths.NewTempDir(), "smtp.log");
        File.WriteAllText(path, "yesterday's transcript");
        CliRun run = await CliProcess.RunAsync(Send(server, path, "ok@contoso.com"));

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("error TranscriptExists", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("--force", run.Stderr, StringComparison.Ordinal);
        Assert.Equal("yesterday's transcript", File.ReadAllText(path));
        Assert.Empty(server.Accepted);
        Assert.Empty(server.Log); // refused before connecting

        CliRun forced = await CliProcess.RunAsync(Send(server, path, "ok@contoso.com", "--force"));
        Assert.True(forced.ExitCode == 0, forced.ToString());
        string text = File.ReadAllText(path);
        Assert.DoesNotContain("yesterday", text, StringComparison.Ordinal);
        Assert.Contains("250 2.0.0 OK queued", text, StringComparison.Ordinal);
        Assert.Equal(new[] { "transcript" }, server.Accepted);
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public async Task A_symbolic_link_is_never_written_through_even_with_force()
    {
        if (OperatingSystem.IsWindows()) return; // creating links needs a privilege there; the check is the same code
        await using var server = new ScriptedSmtpServer();
        string dir = TestPaths.NewTempDir();
        string target = Path.Combine(dir, "victim.txt"), link = Path.Combine(dir, "smtp.log"), dangling = Path.Combine(dir, "dangling.log");
        File.WriteAllText(target, "keep me");
        File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        File.CreateSymbolicLink(link, target);
        File.CreateSymbolicLink(dangling, Path.Combine(dir, "created-through-the-link.log"));

        foreach (string path in new[] { link, dangling })
        {
            CliRun run = await CliProcess.RunAsync(Send(server, path, "ok@contoso.com", "--force"));
            Assert.True(run.ExitCode == 1, run.ToString());
            Assert.Contains("error TranscriptPathIsLink", run.Stderr, StringComparison.Ordinal);
        }
        Assert.Equal("keep me", File.ReadAllText(target));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            File.GetUnixFileMode(target));
        Assert.False(File.Exists(Path.Combine(dir, "created-through-the-link.log")));
        Assert.Equal(LinkTargetOf(link), target);
        Assert.Empty(server.Accepted);
    }

    private static string? LinkTargetOf(string path) => new FileInfo(path).LinkTarget;
}
