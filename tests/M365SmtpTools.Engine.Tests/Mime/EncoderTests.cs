using System.Text;
using M365SmtpTools.Engine.Mime;

namespace M365SmtpTools.Engine.Tests.Mime;

public class EncoderTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(56)]
    [InlineData(57)]
    [InlineData(58)]
    [InlineData(114)]
    [InlineData(65550)]
    [InlineData(200_003)]
    public void Base64_matches_the_framework_with_76_char_lines_and_arithmetic_size(int length)
    {
        byte[] data = TestMessages.RandomBytes(length, length);
        var encoder = new Base64LineEncoder();
        var output = new MemoryStream();
        var rng = new Random(length);
        byte[] buffer = new byte[Base64LineEncoder.MaxOutput(70000)];
        for (int offset = 0; offset < length;)
        {
            int n = Math.Min(rng.Next(1, 70000), length - offset);
            int w = encoder.Encode(data, offset, n, buffer);
            output.Write(buffer, 0, w);
            offset += n;
        }
        output.Write(buffer, 0, encoder.Flush(buffer));
        string text = Encoding.ASCII.GetString(output.ToArray());
        string expected = length == 0 ? "" : Convert.ToBase64String(data, Base64FormattingOptions.InsertLineBreaks) + "\r\n";
        Assert.Equal(expected, text);
        Assert.Equal(Base64LineEncoder.EncodedLength(length), output.Length);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(10)]
    [InlineData(56)]
    [InlineData(58)]
    public void Base64_fed_a_few_bytes_at_a_time_matches_one_piece(int chunk)
    {
        // A stream may hand back fewer bytes than asked for: partial lines must wait for the next bytes.
        byte[] data = TestMessages.RandomBytes(500, chunk);
        var encoder = new Base64LineEncoder();
        var output = new MemoryStream();
        byte[] buffer = new byte[Base64LineEncoder.MaxOutput(chunk)];
        for (int offset = 0; offset < data.Length; offset += chunk)
            output.Write(buffer, 0, encoder.Encode(data, offset, Math.Min(chunk, data.Length - offset), buffer));
        output.Write(buffer, 0, encoder.Flush(buffer));
        Assert.Equal(Convert.ToBase64String(data, Base64FormattingOptions.InsertLineBreaks) + "\r\n",
            Encoding.ASCII.GetString(output.ToArray()));
    }

    [Fact]
    public void Base64_writes_a_line_as_soon_as_its_57_bytes_are_there()
    {
        // Streaming: a whole line's input comes out at once, nothing is held back for the next call.
        byte[] data = TestMessages.RandomBytes(57, 57);
        var encoder = new Base64LineEncoder();
        byte[] buffer = new byte[Base64LineEncoder.MaxOutput(57)];
        Assert.Equal(78, encoder.Encode(data, 0, 57, buffer));
        Assert.Equal(Convert.ToBase64String(data) + "\r\n", Encoding.ASCII.GetString(buffer, 0, 78));
        Assert.Equal(0, encoder.Flush(buffer));
    }

    private static byte[] DecodeQp(byte[] qp)
    {
        var output = new List<byte>();
        for (int i = 0; i < qp.Length; i++)
        {
            if (qp[i] == '=')
            {
                if (qp[i + 1] == '\r' && qp[i + 2] == '\n') { i += 2; continue; }
                output.Add(Convert.ToByte(Encoding.ASCII.GetString(qp, i + 1, 2), 16));
                i += 2;
            }
            else output.Add(qp[i]);
        }
        return output.ToArray();
    }

    [Theory]
    [InlineData("plain ascii line\r\nsecond line")]
    [InlineData("trailing space \r\ntrailing tab\t\r\nend with space ")]
    [InlineData("equals = sign and caf\u00e9 cr\u00e8me br\u00fbl\u00e9e")]
    [InlineData(".leading dot\r\n.\r\nFrom the start")]
    public void Quoted_printable_round_trips_and_keeps_the_rules(string text)
    {
        byte[] input = Encoding.UTF8.GetBytes(text);
        byte[] qp = QuotedPrintableEncoder.EncodeAll(input);
        Assert.Equal(input, DecodeQp(qp));
        string s = Encoding.ASCII.GetString(qp);
        foreach (string line in s.Split("\r\n"))
        {
            Assert.True(line.Length <= 76, line);
            Assert.False(line.EndsWith(' ') || line.EndsWith('\t'), $"trailing whitespace: '{line}'");
        }
        Assert.DoesNotContain("=_", s);
        Assert.True(qp.All(b => b < 0x80));
    }

    [Fact]
    public void Quoted_printable_soft_breaks_long_lines_and_encodes_bare_cr_lf()
    {
        byte[] input = Encoding.UTF8.GetBytes(new string('x', 300) + "\r" + "a\nb");
        byte[] qp = QuotedPrintableEncoder.EncodeAll(input);
        Assert.Equal(input, DecodeQp(qp));
        string s = Encoding.ASCII.GetString(qp);
        Assert.Contains("=0D", s);
        Assert.Contains("=0A", s);
        Assert.All(s.Split("\r\n"), l => Assert.True(l.Length <= 76));
    }

    [Theory]
    // Exact quoted-printable output (RFC 2045 6.7): printable ASCII 33-126 except '=' is literal, everything else =XX in
    // upper-case hex; whitespace is literal unless a line break or the end follows it; CRLF stays a line break.
    [InlineData("!~", "!~")]
    [InlineData("a=b", "a=3Db")]
    [InlineData("\u007f\u0000", "=7F=00")]
    [InlineData("tab\tin", "tab\tin")]
    [InlineData("end ", "end=20")]
    [InlineData("end\t", "end=09")]
    [InlineData("a \r\nb", "a=20\r\nb")]
    [InlineData("a\t\r\nb", "a=09\r\nb")]
    [InlineData("a  b", "a  b")]
    [InlineData("a \rb", "a =0Db")]
    [InlineData("a \r", "a =0D")]
    [InlineData("\r\r\n", "=0D\r\n")]
    [InlineData("\n", "=0A")]
    [InlineData("\r\n\r\n", "\r\n\r\n")]
    public void Quoted_printable_output_is_exact(string input, string expected)
    {
        byte[] bytes = input.Select(c => (byte)c).ToArray();
        Assert.Equal(expected, Encoding.ASCII.GetString(QuotedPrintableEncoder.EncodeAll(bytes)));
    }

    [Fact]
    public void Quoted_printable_encodes_non_ascii_bytes_in_upper_case_hex()
    {
        Assert.Equal("caf=C3=A9 =E2=82=AC",
            Encoding.ASCII.GetString(QuotedPrintableEncoder.EncodeAll(Encoding.UTF8.GetBytes("café €"))));
        Assert.Equal("=80=FF", Encoding.ASCII.GetString(QuotedPrintableEncoder.EncodeAll(new byte[] { 0x80, 0xff })));
    }

    [Theory]
    // Lines hold at most 75 characters before the soft break "=" (76 with it); an =XX is never split.
    [InlineData(75, "", "")]
    [InlineData(76, "", "=\r\nx")]
    [InlineData(72, "=", "=3D")]
    [InlineData(73, "=", "=\r\n=3D")]
    [InlineData(74, " ", "=\r\n=20")]
    [InlineData(74, " y", " =\r\ny")]
    public void Quoted_printable_soft_breaks_exactly_at_76(int xs, string tail, string expectedTail)
    {
        string expected = new string('x', Math.Min(xs, 75)) + expectedTail;
        Assert.Equal(expected,
            Encoding.ASCII.GetString(QuotedPrintableEncoder.EncodeAll(Encoding.ASCII.GetBytes(new string('x', xs) + tail))));
    }

    [Fact]
    public void A_hard_line_break_starts_a_new_76_character_line()
    {
        string input = new string('a', 70) + "\r\n" + new string('b', 75);
        Assert.Equal(input, Encoding.ASCII.GetString(QuotedPrintableEncoder.EncodeAll(Encoding.ASCII.GetBytes(input))));
    }

    [Fact]
    public void Quoted_printable_fuzz_round_trips()
    {
        var rng = new Random(12345);
        byte[] alphabet = Encoding.ASCII.GetBytes(" \t\r\n=abc.-").Concat(new byte[] { 0, 0x80, 0xff, 0xc3, 0xa9 }).ToArray();
        for (int round = 0; round < 300; round++)
        {
            byte[] input = new byte[rng.Next(0, 400)];
            for (int i = 0; i < input.Length; i++) input[i] = rng.Next(3) == 0 ? (byte)rng.Next(256) : alphabet[rng.Next(alphabet.Length)];
            var encoder = new QuotedPrintableEncoder();
            var output = new MemoryStream();
            for (int offset = 0; offset < input.Length;)
            {
                int n = Math.Min(rng.Next(1, 20), input.Length - offset);
                encoder.Encode(input, offset, n, output);
                offset += n;
            }
            encoder.Flush(output);
            byte[] qp = output.ToArray();
            Assert.Equal(QuotedPrintableEncoder.EncodeAll(input), qp);
            Assert.Equal(input, DecodeQp(qp));
            foreach (string line in Encoding.ASCII.GetString(qp).Split("\r\n"))
            {
                Assert.True(line.Length <= 76);
                Assert.DoesNotContain('\r', line);
                Assert.DoesNotContain('\n', line);
                Assert.False(line.EndsWith(' ') || line.EndsWith('\t'));
            }
        }
    }

    [Theory]
    [InlineData("a\nb\rc\r\nd", "a\r\nb\r\nc\r\nd")]
    [InlineData("\n\n", "\r\n\r\n")]
    [InlineData("\r\r\n", "\r\n\r\n")]
    public void Text_is_normalized_to_crlf(string input, string expected)
        => Assert.Equal(expected, Encoding.UTF8.GetString(TextBodyEncoder.Normalize(input, "text body")));

    [Fact]
    public void Text_encoding_is_chosen_by_content_and_options()
    {
        byte[] ascii = TextBodyEncoder.Normalize("Hello\nWorld", "t");
        byte[] longLine = TextBodyEncoder.Normalize(new string('a', 999), "t");
        byte[] mostlyAscii = TextBodyEncoder.Normalize("Hello café, see you at the crème brûlée stand", "t");
        byte[] mostlyCyrillic = TextBodyEncoder.Normalize("Привет, как дела? Это письмо на русском языке.", "t");
        Assert.Equal("7bit", TextBodyEncoder.Encode(ascii, false).Encoding);
        Assert.Equal("quoted-printable", TextBodyEncoder.Encode(longLine, false).Encoding);
        Assert.Equal("quoted-printable", TextBodyEncoder.Encode(longLine, true).Encoding);
        Assert.Equal("quoted-printable", TextBodyEncoder.Encode(mostlyAscii, false).Encoding);
        Assert.Equal("base64", TextBodyEncoder.Encode(mostlyCyrillic, false).Encoding);
        Assert.Equal("8bit", TextBodyEncoder.Encode(mostlyCyrillic, true).Encoding);
        Assert.Equal("8bit", TextBodyEncoder.Encode(mostlyAscii, true).Encoding);
        Assert.Equal("quoted-printable", TextBodyEncoder.Encode(TextBodyEncoder.Normalize("nul\0byte", "t"), false).Encoding);
    }

    [Fact]
    public void Unpaired_surrogate_in_body_is_a_clear_error()
        => Assert.Equal("InvalidBodyText",
            Assert.Throws<M365SmtpException>(() => TextBodyEncoder.Normalize("bad \ud800 text", "text body")).ErrorId);

    [Fact]
    public void Content_types_come_from_the_extension()
    {
        Assert.Equal("application/pdf", ContentTypes.FromFileName("Report.PDF"));
        Assert.Equal("image/png", ContentTypes.FromFileName("logo.png"));
        Assert.Equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ContentTypes.FromFileName("a.b.xlsx"));
        Assert.Equal("application/octet-stream", ContentTypes.FromFileName("data.unknownext"));
        Assert.Equal("application/octet-stream", ContentTypes.FromFileName("noextension"));
    }
}
