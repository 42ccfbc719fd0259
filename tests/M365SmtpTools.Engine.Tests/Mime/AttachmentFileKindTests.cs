using System.Diagnostics;
using System.Text;
using M365SmtpTools.Engine.Mime;
using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Engine.Tests.Mime;

/// <summary>Attachments through symbolic links are measured by their target;
/// FIFOs and other non-regular files are refused (issue 14, item 6).</summary>
public sealed class AttachmentFileKindTests
{
    [Fact]
    public void A_symlinked_attachment_is_sent_with_its_targets_content()
    {
        string dir = TestPaths.NewTempDir();
        string target = Path.Combine(dir, "report-2026.pdf");
        byte[] content = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("0123456789abcdef", 500)));
        File.WriteAllBytes(target, content);
        string link = Path.Combine(dir, "report.pdf");
        File.CreateSymbolicLink(link, target);

        var b = TestMessages.Basic();
        b.Attachments.Add(MimeAttachment.FromFile(link));
        MimeMessage m = b.Build();
        byte[] bytes = m.ToBytes();
        Assert.Equal(m.ComputeSize(), bytes.Length);
        string text = Encoding.ASCII.GetString(bytes);
        Assert.Contains("filename=\"report.pdf\"", text);
        Assert.Contains(Convert.ToBase64String(content)[..76], text);
    }

    [Fact]
    public async Task A_fifo_attachment_is_refused_without_opening_it()
    {
        if (OperatingSystem.IsWindows()) Assert.Skip("FIFOs in the file system are a Unix thing.");
        string dir = TestPaths.NewTempDir();
        string fifo = Path.Combine(dir, "data.csv");
        var mk = ExternalTool.Run("mkfifo", new[] { fifo });
        Assert.Equal(0, mk.ExitCode);

        var b = TestMessages.Basic();
        b.Attachments.Add(MimeAttachment.FromFile(fifo));
        // Opening a FIFO blocks until a writer appears: run it where a hang would show as a failure, not a stuck run.
        Task<M365SmtpException> build =
            Task.Run(() => Assert.Throws<M365SmtpException>(() => b.Build()), TestContext.Current.CancellationToken);
        Task finished = await Task.WhenAny(build, Task.Delay(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken));
        if (finished != build)
        {
            using var writer = new FileStream(fifo, FileMode.Open, FileAccess.Write); // unblock the reader, then fail
            Assert.Fail("building a message with a FIFO attachment blocked");
        }
        M365SmtpException e = await build;
        Assert.Equal("AttachmentNotRegularFile", e.ErrorId);
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Equal(fifo, e.TargetObject);
    }
}
