using System.Text;
using M365SmtpTools.Engine.Smtp;

namespace M365SmtpTools.Engine.Tests.Smtp;

/// <summary>The reply parser: shapes, enhanced codes, bounds, garbage, and a seeded fuzz run.</summary>
public class SmtpReplyReaderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static SmtpReplyReader Reader(string text) => Reader(Encoding.UTF8.GetBytes(text));

    private static SmtpReplyReader Reader(byte[] bytes) => new(new MemoryStream(bytes), "mx.test");

    [Fact]
    public async Task Multi_line_reply_with_enhanced_codes()
    {
        SmtpReplyReader r = Reader("550-5.7.139 Authentication unsuccessful, SmtpClientAuthentication\r\n550-5.7.139 is disabled for the Tenant.\r\n550 5.7.139 Visit https://aka.ms/smtp_auth_disabled\r\n");
        SmtpReply reply = await r.ReadReplyAsync(SmtpPhase.Auth, Ct);
        Assert.Equal(550, reply.Code);
        Assert.Equal(3, reply.Lines.Count);
        Assert.Equal(new EnhancedStatusCode(5, 7, 139), reply.EnhancedStatusCode);
        Assert.True(reply.EnhancedStatusCode!.Is("5.7.139"));
        Assert.True(reply.IsPermanentFailure);
        Assert.Equal("550-5.7.139 Authentication unsuccessful, SmtpClientAuthentication\r\n550-5.7.139 is disabled for the Tenant.\r\n550 5.7.139 Visit https://aka.ms/smtp_auth_disabled", reply.ToString());
    }

    [Theory]
    [InlineData("250\r\n", 250, "", null)]
    [InlineData("250 \r\n", 250, "", null)]
    [InlineData("235 2.7.0 Authentication successful\r\n", 235, "2.7.0 Authentication successful", "2.7.0")]
    [InlineData("250 5.1.1 class does not match the code\r\n", 250, "5.1.1 class does not match the code", null)]
    [InlineData("432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded\n", 432, "4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded", "4.3.2")]
    [InlineData("554 5.2.0\r\n", 554, "5.2.0", "5.2.0")]
    [InlineData("550 5.7.1000 too many digits\r\n", 550, "5.7.1000 too many digits", null)]
    [InlineData("334 \r\n", 334, "", null)]
    public async Task Reply_shapes(string text, int code, string lineText, string? enhanced)
    {
        SmtpReply reply = await Reader(text).ReadReplyAsync(SmtpPhase.MailFrom, Ct);
        Assert.Equal(code, reply.Code);
        Assert.Equal(lineText, reply.Lines[0]);
        Assert.Equal(enhanced, reply.EnhancedStatusCode?.ToString());
    }

    [Fact]
    public async Task Consecutive_replies_in_one_read_are_returned_one_by_one()
    {
        SmtpReplyReader r = Reader("250 a\r\n550 b\r\n354 c\r\n");
        Assert.Equal(250, (await r.ReadReplyAsync(SmtpPhase.MailFrom, Ct)).Code);
        Assert.Equal(550, (await r.ReadReplyAsync(SmtpPhase.RcptTo, Ct)).Code);
        Assert.Equal(354, (await r.ReadReplyAsync(SmtpPhase.Data, Ct)).Code);
        Assert.False(r.HasBufferedData);
    }

    [Theory]
    [InlineData("HTTP/1.1 400 Bad Request\r\n")]
    [InlineData("+OK POP3 ready\r\n")]
    [InlineData("25\r\n")]
    [InlineData("2500 x\r\n")]
    [InlineData("250x\r\n")]
    [InlineData("150 one-digit class 1\r\n")]
    [InlineData("650 class 6\r\n")]
    [InlineData("250-first\r\n251 second\r\n")]
    public async Task Garbage_is_an_invalid_reply(string text)
    {
        var ex = await Assert.ThrowsAsync<SmtpProtocolException>(() => Reader(text).ReadReplyAsync(SmtpPhase.Greeting, Ct));
        Assert.Equal("SmtpInvalidReply", ex.ErrorId);
        Assert.Equal(ErrorKind.ProtocolError, ex.Kind);
        Assert.Equal(SmtpPhase.Greeting, ex.Phase);
        Assert.Equal("mx.test", ex.ServerHost);
    }

    [Fact]
    public async Task A_100_kb_reply_line_is_a_bounded_clear_error()
    {
        var stream = new CountingStream(Encoding.ASCII.GetBytes("250 " + new string('A', 100 * 1024) + "\r\n"));
        var r = new SmtpReplyReader(stream, "mx.test");
        var ex = await Assert.ThrowsAsync<SmtpProtocolException>(() => r.ReadReplyAsync(SmtpPhase.Ehlo, Ct));
        Assert.Equal("SmtpReplyTooLong", ex.ErrorId);
        Assert.Contains("65536", ex.Message);
        // It stopped at the bound instead of reading the whole line.
        Assert.True(stream.BytesRead <= SmtpReplyReader.DefaultMaxLineLength + 4096, $"read {stream.BytesRead} bytes");
    }

    [Fact]
    public async Task A_reply_of_many_lines_over_one_megabyte_is_an_error()
    {
        var sb = new StringBuilder();
        for (int i = 0; i < 20_000; i++) sb.Append("250-").Append(new string('B', 60)).Append("\r\n");
        sb.Append("250 end\r\n");
        var ex = await Assert.ThrowsAsync<SmtpProtocolException>(() => Reader(sb.ToString()).ReadReplyAsync(SmtpPhase.Ehlo, Ct));
        Assert.Equal("SmtpReplyTooLong", ex.ErrorId);
    }

    [Theory]
    [InlineData("")]
    [InlineData("250-partial\r\n")]
    [InlineData("250 no line end")]
    public async Task End_of_stream_is_connection_closed(string text)
    {
        var ex = await Assert.ThrowsAsync<SmtpProtocolException>(() => Reader(text).ReadReplyAsync(SmtpPhase.Data, Ct));
        Assert.Equal("SmtpConnectionClosed", ex.ErrorId);
        Assert.Equal(ErrorKind.ConnectionError, ex.Kind);
    }

    [Fact]
    public async Task Invalid_utf8_in_text_does_not_throw()
    {
        byte[] bytes = { (byte)'2', (byte)'5', (byte)'0', (byte)' ', 0xff, 0xfe, (byte)'x', (byte)'\r', (byte)'\n' };
        SmtpReply reply = await Reader(bytes).ReadReplyAsync(SmtpPhase.Ehlo, Ct);
        Assert.Equal(250, reply.Code);
        Assert.EndsWith("x", reply.Lines[0]);
    }

    [Fact]
    public void Enhanced_status_code_parsing()
    {
        Assert.True(EnhancedStatusCode.TryParse("5.7.139", out var c));
        Assert.Equal((5, 7, 139), (c!.Class, c.Subject, c.Detail));
        Assert.False(EnhancedStatusCode.TryParse("3.1.1", out _));
        Assert.False(EnhancedStatusCode.TryParse("5.7", out _));
        Assert.False(EnhancedStatusCode.TryParse("5.a.1", out _));
        Assert.False(EnhancedStatusCode.TryParse("55.1.1", out _));
        Assert.False(EnhancedStatusCode.TryParse(null, out _));
    }

    [Fact]
    public async Task Fuzz_byte_soup_and_mutated_replies_only_ever_raise_engine_exceptions()
    {
        var random = new Random(20261122);
        string[] seeds =
        {
            "220 mx.test ESMTP\r\n", "250-mx.test\r\n250-SIZE 1000\r\n250 PIPELINING\r\n", "535 5.7.3 Authentication unsuccessful\r\n",
            "334 eyJzdGF0dXMiOiI0MDEifQ==\r\n", "554-5.2.0 a\r\n554 5.2.0 b\r\n", "250 2.0.0 OK\r\n",
        };
        int parsed = 0, rejected = 0;
        for (int i = 0; i < 3000; i++)
        {
            byte[] input;
            if (i % 2 == 0)
            {
                input = new byte[random.Next(0, 400)];
                random.NextBytes(input);
                // sprinkle line ends and digits so that some of the soup looks like replies
                for (int k = 0; k < input.Length; k++)
                    if (random.Next(10) == 0) input[k] = (byte)"\r\n-2345 "[random.Next(8)];
            }
            else
            {
                input = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, random.Next(1, 4)).Select(_ => seeds[random.Next(seeds.Length)])));
                int mutations = random.Next(1, 6);
                for (int m = 0; m < mutations && input.Length > 0; m++)
                {
                    int at = random.Next(input.Length);
                    switch (random.Next(3))
                    {
                        case 0: input[at] = (byte)random.Next(256); break;
                        case 1: input = input.Take(at).Concat(input.Skip(at + 1)).ToArray(); break;
                        default: input = input.Take(at).Concat(new[] { (byte)random.Next(256) }).Concat(input.Skip(at)).ToArray(); break;
                    }
                }
            }
            var reader = new SmtpReplyReader(new MemoryStream(input), "fuzz.test") { MaxLineLength = 128, MaxReplyLength = 512 };
            for (int n = 0; n < 100; n++)
            {
                try
                {
                    SmtpReply reply = await reader.ReadReplyAsync(SmtpPhase.Ehlo, Ct);
                    Assert.InRange(reply.Code, 200, 599);
                    Assert.NotEmpty(reply.Lines);
                    SmtpCapabilities caps = SmtpCapabilities.Parse(reply); // any reply read as EHLO parses without throwing
                    Assert.NotNull(caps.AuthMechanisms);
                    parsed++;
                }
                catch (Exception ex)
                {
                    Assert.IsAssignableFrom<SmtpProtocolException>(ex);
                    rejected++;
                    break;
                }
            }
        }
        Assert.True(parsed > 100 && rejected > 100, $"parsed {parsed}, rejected {rejected}");
    }

    /// <summary>A read-only stream that counts what was read from it.</summary>
    private sealed class CountingStream(byte[] data) : MemoryStream(data)
    {
        public long BytesRead { get; private set; }

        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            int n = await base.ReadAsync(buffer, offset, count, cancellationToken);
            BytesRead += n;
            return n;
        }
    }
}
