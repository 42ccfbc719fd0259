using System.Text;
using M365SmtpTools.Engine.Smtp;

namespace M365SmtpTools.Engine.Tests.Smtp;

/// <summary>
/// The transcript lines the client's bytes become: one line per LF, secrets replaced by one marker however they are
/// split over writes, content never logged, long lines cut at 4096 bytes with an ellipsis.
/// </summary>
public sealed class SmtpTranscriptRecorderTests
{
    private sealed class Lines : ISmtpTranscriptLogger
    {
        public List<SmtpTranscriptEntry> Entries { get; } = new();
        public IEnumerable<string> Client => Entries.Where(e => e.Direction == SmtpTranscriptDirection.Client).Select(e => e.Text);
        public void Log(SmtpTranscriptEntry entry) => Entries.Add(entry);
    }

    private static void Write(SmtpTranscriptRecorder r, string text, SmtpWriteKind kind = SmtpWriteKind.Normal)
    {
        byte[] b = Encoding.UTF8.GetBytes(text);
        r.ClientBytes(b, 0, b.Length, kind);
    }

    [Fact]
    public void Each_line_the_client_writes_is_one_entry_without_its_line_end()
    {
        var log = new Lines();
        var r = new SmtpTranscriptRecorder(log, redact: true) { Phase = SmtpPhase.MailFrom };
        Write(r, "MAIL FROM:<a@contoso.test>\r\nRCPT TO:<b@contoso.test>\r\nRC");
        Write(r, "PT TO:<c@contoso.test>\n");
        Assert.Equal(new[] { "MAIL FROM:<a@contoso.test>", "RCPT TO:<b@contoso.test>", "RCPT TO:<c@contoso.test>" }, log.Client);
        Assert.All(log.Entries, e => Assert.Equal(SmtpPhase.MailFrom, e.Phase));
    }

    [Fact]
    public void Only_the_given_part_of_the_buffer_is_logged()
    {
        var log = new Lines();
        var r = new SmtpTranscriptRecorder(log, redact: true);
        byte[] b = Encoding.ASCII.GetBytes("xxQUIT\r\nyy");
        r.ClientBytes(b, 2, 6, SmtpWriteKind.Normal);
        Assert.Equal(new[] { "QUIT" }, log.Client);
    }

    [Fact]
    public void A_secret_split_over_writes_is_one_marker_and_the_next_line_starts_clean()
    {
        var log = new Lines();
        var r = new SmtpTranscriptRecorder(log, redact: true);
        Write(r, "AUTH PLAIN ");
        Write(r, "AGFsaWNl", SmtpWriteKind.Secret);
        Write(r, "AHMzY3JldA==", SmtpWriteKind.Secret);
        Write(r, "\r\n", SmtpWriteKind.Secret);
        Write(r, "dG9rZW4=", SmtpWriteKind.Secret); // a second secret line: its own marker
        Write(r, "\r\n");
        Write(r, "EHLO a", SmtpWriteKind.Normal);
        Write(r, "b", SmtpWriteKind.Secret);
        Write(r, "c", SmtpWriteKind.Normal);
        Write(r, "d\r\n", SmtpWriteKind.Secret); // a new secret run after normal text gets a new marker
        Assert.Equal(new[] { "AUTH PLAIN ********", "********", "EHLO a********c********" }, log.Client);
        Assert.DoesNotContain(log.Client, l => l.Contains("AGFsaWNl") || l.Contains("dG9rZW4="));
    }

    [Fact]
    public void An_unredacted_session_logs_secret_bytes_as_they_are()
    {
        var log = new Lines();
        var r = new SmtpTranscriptRecorder(log, redact: false);
        Write(r, "AUTH XOAUTH2 ");
        Write(r, "dXNlcj1h\r\n", SmtpWriteKind.Secret);
        Assert.Equal(new[] { "AUTH XOAUTH2 dXNlcj1h" }, log.Client);
    }

    [Fact]
    public void Message_content_is_never_logged()
    {
        var log = new Lines();
        var r = new SmtpTranscriptRecorder(log, redact: true);
        Write(r, "Subject: secret plans\r\n\r\nbody\r\n", SmtpWriteKind.Content);
        Write(r, ".\r\n");
        Assert.Equal(new[] { "." }, log.Client);
    }

    [Theory]
    [InlineData(4095, false)]
    [InlineData(4096, false)]
    [InlineData(4097, true)]
    [InlineData(10000, true)]
    public void A_line_longer_than_4096_bytes_is_cut_with_an_ellipsis_and_the_next_line_is_whole(int length, bool cut)
    {
        var log = new Lines();
        var r = new SmtpTranscriptRecorder(log, redact: true);
        Write(r, new string('a', length) + "\r\n");
        Write(r, "NOOP\r\n");
        string first = log.Client.First();
        Assert.Equal(cut ? new string('a', 4096) + "…" : new string('a', length), first);
        Assert.Equal("NOOP", log.Client.Last());
    }

    [Fact]
    public void A_marker_that_does_not_fit_is_cut_like_any_text()
    {
        var log = new Lines();
        var r = new SmtpTranscriptRecorder(log, redact: true);
        Write(r, new string('a', 4093));
        Write(r, "token", SmtpWriteKind.Secret);
        Write(r, "\r\n");
        Assert.Equal(new string('a', 4093) + "***…", Assert.Single(log.Client));
    }

    [Fact]
    public void Server_lines_and_notes_are_logged_with_their_direction_and_phase()
    {
        var log = new Lines();
        var r = new SmtpTranscriptRecorder(log, redact: true) { Phase = SmtpPhase.Data };
        r.ServerLine("354 go ahead");
        r.Info("[message content: 12 bytes]");
        Assert.Equal(new[] { (SmtpTranscriptDirection.Server, SmtpPhase.Data, "354 go ahead"),
            (SmtpTranscriptDirection.Info, SmtpPhase.Data, "[message content: 12 bytes]") },
            log.Entries.Select(e => (e.Direction, e.Phase, e.Text)));
        Assert.True(r.Enabled);
    }

    [Fact]
    public void Without_a_logger_nothing_is_recorded()
    {
        var r = new SmtpTranscriptRecorder(null, redact: true);
        Assert.False(r.Enabled);
        Write(r, "QUIT\r\n"); // nothing to see, and no failure
        r.ServerLine("221 bye");
        var n = new SmtpTranscriptRecorder(NullSmtpTranscriptLogger.Instance, redact: true);
        Assert.False(n.Enabled);
    }
}
