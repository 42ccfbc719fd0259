using M365SmtpTools.Engine.Tests.Infrastructure;
using M365SmtpTools.Engine.Mime;
using M365SmtpTools.Engine.Smtp;

namespace M365SmtpTools.Engine.Tests.Reliability;

/// <summary>Tests that measure process-wide memory and file descriptors: run alone, after the parallel tests.</summary>
[CollectionDefinition(nameof(ProcessWideMeasurements), DisableParallelization = true)]
public sealed class ProcessWideMeasurements;

/// <summary>
/// A bounded soak (the 30-minute one can't run in CI): 5,000 messages over one session to a loopback sink, pacing off.
/// Managed memory after a full collection and the process's open file descriptors must be flat between message
/// 1,000 and message 5,000 — a per-message leak of a buffer, a task, a timer or a handle would show.
/// </summary>
[Collection(nameof(ProcessWideMeasurements))]
public class SoakTests
{
    private static long ManagedBytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static int OpenDescriptors() => Directory.Exists("/proc/self/fd") ? Directory.GetFiles("/proc/self/fd").Length : -1;

    [Theory]
    [InlineData(true)]  // BDAT
    [InlineData(false)] // DATA
    public async Task Five_thousand_messages_over_one_session_keep_memory_and_handles_flat(bool chunking)
    {
        const int total = 5000, checkpoint = 1000;
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using var sink = new CountingSink(chunking);
        using var client = new SmtpClient();
        await client.ConnectAsync("127.0.0.1", sink.Port, new SmtpConnectOptions
        {
            TlsMode = SmtpTlsMode.None, LocalDomain = "client.test", CommandTimeout = TimeSpan.FromSeconds(30)
        }, ct);
        await client.AuthenticateAsync(new SmtpCredential("alice@contoso.com", SmtpSecretKind.Password,
            _ => Task.FromResult("soak-password")), SmtpAuthMechanism.Plain, ct);
        byte[] attachment = new byte[3000];
        new Random(5).NextBytes(attachment);

        long memoryAtCheckpoint = 0;
        int fdsAtCheckpoint = 0;
        for (int i = 1; i <= total; i++)
        {
            var b = new MessageBuilder
            {
                From = EmailAddress.Parse("alice@contoso.com"), Subject = "soak " + i, TextBody = "message " + i + "\r\n",
                HtmlBody = "<p>message " + i + "</p>"
            };
            b.To.Add(EmailAddress.Parse("bob@contoso.com"));
            b.Attachments.Add(MimeAttachment.FromBytes("a.bin", attachment));
            MimeMessage m = b.Build();
            SmtpSendResult r = await client.SendAsync(new SmtpEnvelope(m.EnvelopeSender.EnvelopeAddress,
                m.EnvelopeRecipients.Select(a => a.EnvelopeAddress)), m, ct);
            Assert.Equal(250, r.FinalReply.Code);
            if (i == checkpoint)
            {
                memoryAtCheckpoint = ManagedBytes();
                fdsAtCheckpoint = OpenDescriptors();
            }
        }
        long memoryAtEnd = ManagedBytes();
        int fdsAtEnd = OpenDescriptors();
        await client.QuitAsync(ct);

        Assert.Equal(total, sink.Messages);
        // 4,000 more messages: a leak of even 256 bytes per message would be 1 MB.
        Assert.True(memoryAtEnd - memoryAtCheckpoint < 1024 * 1024,
            $"managed memory grew from {memoryAtCheckpoint} to {memoryAtEnd} bytes between message {checkpoint} and {total}");
        if (fdsAtEnd >= 0)
            Assert.True(fdsAtEnd - fdsAtCheckpoint <= 2, $"open file descriptors went from {fdsAtCheckpoint} to {fdsAtEnd}");
    }
}
