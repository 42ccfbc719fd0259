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
        SmtpReplyReader r = Reader("550-5.7.139 Authentication unsuccessful, SmtpClientAuthentication\r\n"
            + "550-5.7.139 is disabled for the Tenant.\r\n550 5.7.139 Visit https://aka.ms/smtp_auth_disabled\r\n");
        SmtpReply reply = await r.ReadReplyAsync(SmtpPhase.Auth, Ct);
        Assert.Equal(550, reply.Code);
        Assert.Equal(3, reply.Lines.Count);
        Assert.Equal(new EnhancedStatusCode(5, 7, 139), reply.EnhancedStatusCode);
        Assert.True(reply.EnhancedStatusCode!.Is("5.7.139"));
        Assert.True(reply.IsPermanentFailure);
        Assert.Equal("550-5.7.139 Authentication unsuccessful, SmtpClientAuthentication\r\n"
            + "550-5.7.139 is disabled for the Tenant.\r\n550 5.7.139 Visit https://aka.ms/smtp_auth_disabled", reply.ToString());
    }

    [Theory]
    [InlineData("250\r\n", 250, "", null)]
    [InlineData("250 \r\n", 250, "", null)]
    [InlineData("235 2.7.0 Authentication successful\r\n", 235, "2.7.0 Authentication successful", "2.7.0")]
    [InlineData("250 5.1.1 class does not match the code\r\n", 250, "5.1.1 class does not match the code", null)]
    [InlineData("432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded\n", 432,
        "4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded", "4.3.2")]
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
        Assert.Equal("\uFFFD\uFFFDx", reply.Lines[0]); // each invalid byte is a replacement character
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
                input = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, random.Next(1, 4))
                    .Select(_ => seeds[random.Next(seeds.Length)])));
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

    [Theory]
    // The line bound counts the bytes before the LF (a CR included): 10 fits a bound of 10, 11 doesn't.
    [InlineData("250 abcde\r\n", false)]
    [InlineData("250 abcdef\r\n", true)]
    [InlineData("250 abcdef\n", false)]
    public async Task The_line_bound_is_exact(string text, bool tooLong)
    {
        var r = new SmtpReplyReader(new MemoryStream(Encoding.ASCII.GetBytes(text)), "mx.test") { MaxLineLength = 10 };
        if (!tooLong)
        {
            Assert.Equal(250, (await r.ReadReplyAsync(SmtpPhase.Ehlo, Ct)).Code);
            return;
        }
        var ex = await Assert.ThrowsAsync<SmtpProtocolException>(() => r.ReadReplyAsync(SmtpPhase.Ehlo, Ct));
        Assert.Equal("SmtpReplyTooLong", ex.ErrorId);
        Assert.Equal("The server at mx.test sent a reply line longer than 10 bytes.", ex.Message);
    }

    [Theory]
    // Each line counts with its CRLF: "250-ab" and "250 cd" are 8 bytes each, 16 in all.
    [InlineData(16, false)]
    [InlineData(15, true)]
    public async Task The_reply_bound_counts_every_line_with_its_line_end(int maxReply, bool tooLong)
    {
        var r = new SmtpReplyReader(new MemoryStream(Encoding.ASCII.GetBytes("250-ab\r\n250 cd\r\n")), "mx.test")
            { MaxReplyLength = maxReply };
        if (!tooLong)
        {
            Assert.Equal(new[] { "ab", "cd" }, (await r.ReadReplyAsync(SmtpPhase.Ehlo, Ct)).Lines);
            return;
        }
        var ex = await Assert.ThrowsAsync<SmtpProtocolException>(() => r.ReadReplyAsync(SmtpPhase.Ehlo, Ct));
        Assert.Equal("SmtpReplyTooLong", ex.ErrorId);
        Assert.Equal($"The server at mx.test sent a reply longer than {maxReply} bytes.", ex.Message);
    }

    [Fact]
    public async Task A_reply_delivered_one_byte_at_a_time_reads_the_same_as_in_one_piece()
    {
        // Long lines (past the first line buffer), multi-line, and a second reply: every refill and resize path.
        string text = "250-" + new string('x', 700) + "\r\n250-SIZE 35882577\r\n250 " + new string('y', 300) + "\r\n221 2.0.0 Bye\r\n";
        var trickle = new SmtpReplyReader(new TrickleStream(Encoding.ASCII.GetBytes(text)), "mx.test");
        var received = new List<string>();
        trickle.LineReceived = received.Add;
        SmtpReply first = await trickle.ReadReplyAsync(SmtpPhase.Ehlo, Ct);
        Assert.Equal(250, first.Code);
        Assert.Equal(new[] { new string('x', 700), "SIZE 35882577", new string('y', 300) }, first.Lines);
        Assert.Equal(new[] { "250-" + new string('x', 700), "250-SIZE 35882577", "250 " + new string('y', 300) }, received);
        SmtpReply second = await trickle.ReadReplyAsync(SmtpPhase.Quit, Ct);
        Assert.Equal("221 2.0.0 Bye", second.ToString());
        Assert.Equal(new EnhancedStatusCode(2, 0, 0), second.EnhancedStatusCode);
    }

    [Fact]
    public async Task Bytes_after_a_reply_stay_buffered_for_the_next_one()
    {
        SmtpReplyReader r = Reader("220 ready\r\n250 next");
        await r.ReadReplyAsync(SmtpPhase.Greeting, Ct);
        Assert.True(r.HasBufferedData); // e.g. a server that answers before STARTTLS completes: must be seen
    }

    [Theory]
    [InlineData("", "The server at mx.test closed the connection without a reply.")]
    [InlineData("250-partial\r\n", "The server at mx.test closed the connection without a reply.")]
    [InlineData("250 no line end", "The server at mx.test closed the connection in the middle of a reply.")]
    public async Task Connection_closed_says_whether_a_line_was_cut(string text, string message)
    {
        var ex = await Assert.ThrowsAsync<SmtpProtocolException>(() => Reader(text).ReadReplyAsync(SmtpPhase.Data, Ct));
        Assert.Equal(message, ex.Message);
        Assert.Equal(SmtpPhase.Data, ex.Phase);
        Assert.Equal("Reconnect and try again; check the server's logs if it keeps happening.", ex.RecommendedAction);
    }

    [Theory]
    [InlineData("HTTP/1.1 400 Bad Request\r\n", "'HTTP/1.1 400 Bad Request'")]
    [InlineData("25\x01\x7f\r\n", "'25??'")]
    [InlineData("+OK 123456789012345678901234567890123456789012345678901234567890TAIL\r\n",
        "'+OK 12345678901234567890123456789012345678901234567890123456…'")]
    [InlineData("250x\r\n", "'250x'")]
    [InlineData("+OK 12345678901234567890123456789012345678901234567890123456\r\n",
        "'+OK 12345678901234567890123456789012345678901234567890123456'")] // exactly 60: whole
    public async Task A_line_that_isnt_SMTP_is_quoted_printable_and_short_in_the_error(string text, string excerpt)
    {
        var ex = await Assert.ThrowsAsync<SmtpProtocolException>(() => Reader(text).ReadReplyAsync(SmtpPhase.Greeting, Ct));
        Assert.Equal("The server at mx.test sent a reply line that isn't SMTP: " + excerpt, ex.Message);
        Assert.Equal("Check that the host and port are an SMTP server (not another protocol or an intercepting proxy).",
            ex.RecommendedAction);
    }

    [Fact]
    public async Task A_code_change_inside_a_multi_line_reply_names_both_codes()
    {
        var ex = await Assert.ThrowsAsync<SmtpProtocolException>(() =>
            Reader("250-first\r\n251 second\r\n").ReadReplyAsync(SmtpPhase.Ehlo, Ct));
        Assert.Equal("The server at mx.test changed the reply code inside a multi-line reply (250, then 251).", ex.Message);
    }

    [Theory]
    [InlineData("200 ok\r\n", 200)]
    [InlineData("599 max\r\n", 599)]
    [InlineData("209 digits\r\n", 209)]
    [InlineData("590 digits\r\n", 590)]
    public async Task Every_code_from_200_to_599_is_read_digit_by_digit(string text, int code) =>
        Assert.Equal(code, (await Reader(text).ReadReplyAsync(SmtpPhase.Ehlo, Ct)).Code);

    [Theory]
    [InlineData("199 x\r\n")]
    [InlineData("600 x\r\n")]
    [InlineData("2/0 x\r\n")]
    [InlineData("25: x\r\n")]
    public async Task Codes_outside_2xx_to_5xx_or_with_non_digits_are_invalid(string text)
    {
        var ex = await Assert.ThrowsAsync<SmtpProtocolException>(() => Reader(text).ReadReplyAsync(SmtpPhase.Ehlo, Ct));
        Assert.Equal("SmtpInvalidReply", ex.ErrorId);
    }

    [Theory]
    [InlineData(250, true, false, false, false)]
    [InlineData(299, true, false, false, false)]
    [InlineData(300, false, true, false, false)]
    [InlineData(354, false, true, false, false)]
    [InlineData(399, false, true, false, false)]
    [InlineData(400, false, false, true, false)]
    [InlineData(499, false, false, true, false)]
    [InlineData(500, false, false, false, true)]
    [InlineData(200, true, false, false, false)]
    public void Reply_classes_follow_the_first_digit(int code, bool positive, bool intermediate, bool transient, bool permanent)
    {
        var reply = new SmtpReply(code, new[] { "x" });
        Assert.Equal((positive, intermediate, transient, permanent),
            (reply.IsPositiveCompletion, reply.IsPositiveIntermediate, reply.IsTransientFailure, reply.IsPermanentFailure));
    }

    [Fact]
    public void A_reply_is_written_back_with_dashes_on_all_but_the_last_line_and_its_text_joins_the_lines()
    {
        var reply = new SmtpReply(250, new[] { "mx.test", "SIZE 1000", "PIPELINING" });
        Assert.Equal("250-mx.test\r\n250-SIZE 1000\r\n250 PIPELINING", reply.ToString());
        Assert.Equal("mx.test SIZE 1000 PIPELINING", reply.Text);
        var low = Assert.Throws<ArgumentOutOfRangeException>(() => new SmtpReply(199, new[] { "x" }));
        Assert.StartsWith("An SMTP reply code is between 200 and 599.", low.Message);
        Assert.Equal("code", low.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SmtpReply(600, new[] { "x" }));
        var empty = Assert.Throws<ArgumentException>(() => new SmtpReply(250, Array.Empty<string>()));
        Assert.StartsWith("A reply has at least one line.", empty.Message);
        Assert.Equal("lines", empty.ParamName);
        Assert.Equal(200, new SmtpReply(200, new[] { "x" }).Code);
        Assert.Equal(599, new SmtpReply(599, new[] { "x" }).Code);
    }

    [Theory]
    [InlineData(250, "2.1.5 Recipient OK", "2.1.5")]
    [InlineData(451, "4.4.2 timeout", "4.4.2")]
    [InlineData(550, "5.1.1 unknown user", "5.1.1")]
    [InlineData(550, "5.1.1", "5.1.1")]          // the code alone, no text after it
    [InlineData(550, "4.1.1 wrong class", null)]  // RFC 3463: the class must be the reply's first digit
    [InlineData(250, "5.1.1 wrong class", null)]
    [InlineData(550, "5.999.999 widest", "5.999.999")]
    [InlineData(550, "5.1000.1 too wide", null)]
    [InlineData(550, "5..1 empty part", null)]
    [InlineData(550, "5.1.1.1 four parts", null)]
    [InlineData(550, "5.1.x letters", null)]
    [InlineData(550, "5.1./ below digits", null)]
    [InlineData(550, "5.1.: above digits", null)]
    [InlineData(250, "3.1.1 class 3", null)]
    public void Enhanced_codes_are_taken_from_the_first_word_only_when_well_formed_and_of_the_same_class(int code, string line,
        string? expected)
    {
        Assert.Equal(expected, new SmtpReply(code, new[] { line }).EnhancedStatusCode?.ToString());
    }

    [Fact]
    public void Enhanced_codes_compare_by_value_and_refuse_impossible_parts()
    {
        var a = new EnhancedStatusCode(5, 7, 139);
        Assert.True(a.Is("5.7.139"));
        Assert.False(a.Is("5.7.13"));
        Assert.False(a.Is("5.6.139"));
        Assert.False(a.Is("4.7.139"));
        Assert.False(a.Is("garbage"));
        Assert.True(a.Equals((object)new EnhancedStatusCode(5, 7, 139)));
        Assert.False(a.Equals((object?)null));
        Assert.Equal(new EnhancedStatusCode(5, 7, 139).GetHashCode(), a.GetHashCode());
        Assert.NotEqual(new EnhancedStatusCode(5, 7, 138).GetHashCode(), a.GetHashCode());
        Assert.NotEqual(new EnhancedStatusCode(5, 6, 139).GetHashCode(), a.GetHashCode());
        Assert.NotEqual(new EnhancedStatusCode(4, 7, 139).GetHashCode(), a.GetHashCode());
        Assert.Equal("2.0.0", new EnhancedStatusCode(2, 0, 0).ToString());
        Assert.Equal("4.999.999", new EnhancedStatusCode(4, 999, 999).ToString());
        var wrongClass = Assert.Throws<ArgumentOutOfRangeException>(() => new EnhancedStatusCode(3, 1, 1));
        Assert.StartsWith("The class of an enhanced status code is 2, 4 or 5.", wrongClass.Message);
        foreach (var (c, s, d) in new[] { (3, 1, 1), (1, 1, 1), (6, 1, 1), (5, -1, 1), (5, 1000, 1), (5, 1, -1), (5, 1, 1000) })
            Assert.Throws<ArgumentOutOfRangeException>(() => new EnhancedStatusCode(c, s, d));
    }

    /// <summary>A stream that hands out one byte per read, as a slow or fragmenting network might.</summary>
    private sealed class TrickleStream(byte[] data) : MemoryStream(data)
    {
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            base.ReadAsync(buffer, offset, Math.Min(1, count), cancellationToken);
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
