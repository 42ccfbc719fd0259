using System.Diagnostics;
using M365SmtpTools.Engine.Mime;
using M365SmtpTools.Engine.Smtp;

namespace M365SmtpTools.Bench;

/// <summary>Where the time of a large send goes (diagnostic, not part of run.sh).</summary>
public static class Probe
{
    public static async Task<int> RunAsync(Options o)
    {
        string file = o.Require("file");
        for (int r = 0; r < 2; r++)
        {
            var b = new MessageBuilder { From = EmailAddress.Parse("a@contoso.test"), Subject = "x", TextBody = "x\r\n" };
            b.To.Add(EmailAddress.Parse("b@contoso.test"));
            b.Attachments.Add(MimeAttachment.FromFile(file));
            MimeMessage m = b.Build();
            var sw = Stopwatch.StartNew();
            await m.WriteToAsync(Stream.Null, default);
            Console.WriteLine($"mime to Stream.Null: {sw.Elapsed.TotalSeconds:0.000}s");
            var norm = new LineEndNormalizer(true);
            var counting = new NormalizingNull(norm);
            sw.Restart();
            await m.WriteToAsync(counting, default);
            Console.WriteLine($"mime + LineEndNormalizer: {sw.Elapsed.TotalSeconds:0.000}s");
        }
        return 0;
    }

    private sealed class NormalizingNull(LineEndNormalizer n) : Stream
    {
        private readonly byte[] _scratch = new byte[LineEndNormalizer.MaxOutput(8192)];
        public override void Write(byte[] buffer, int offset, int count)
        {
            while (count > 0) { int k = Math.Min(count, 8192); n.Transform(buffer, offset, k, _scratch); offset += k; count -= k; }
        }
        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct)
        {
            Write(buffer, offset, count); return Task.CompletedTask;
        }
        public override bool CanRead => false; public override bool CanSeek => false; public override bool CanWrite => true;
        public override long Length => 0; public override long Position { get => 0; set { } }
        public override void Flush() { } public override int Read(byte[] b, int o, int c) => 0;
        public override long Seek(long o, SeekOrigin s) => 0; public override void SetLength(long v) { }
    }
}
