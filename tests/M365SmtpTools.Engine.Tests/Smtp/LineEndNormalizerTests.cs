using System.Text;
using M365SmtpTools.Engine.Smtp;

namespace M365SmtpTools.Engine.Tests.Smtp;

/// <summary>
/// The bytes DATA and BDAT put on the wire for tricky line ends, checked exactly, with the content cut into two
/// writes at every possible point (the normaliser keeps state between writes: a pending CR, the start of a line).
/// </summary>
public class LineEndNormalizerTests
{
    private static string Normalize(string input, bool dotStuff, int cut)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(input);
        var n = new LineEndNormalizer(dotStuff);
        var output = new MemoryStream();
        foreach (var (offset, count) in new[] { (0, cut), (cut, bytes.Length - cut) })
        {
            var buffer = new byte[LineEndNormalizer.MaxOutput(count)];
            int produced = n.Transform(bytes, offset, count, buffer);
            Assert.InRange(produced, 0, buffer.Length);
            output.Write(buffer, 0, produced);
        }
        var end = new byte[4];
        output.Write(end, 0, n.Finish(end));
        return Encoding.ASCII.GetString(output.ToArray());
    }

    [Theory]
    // input, DATA (dot-stuffed), BDAT (not stuffed)
    [InlineData("", "", "")]
    [InlineData("a", "a\r\n", "a\r\n")]
    [InlineData("a\r\n", "a\r\n", "a\r\n")]
    [InlineData("a\n", "a\r\n", "a\r\n")]
    [InlineData("a\r", "a\r\n", "a\r\n")]
    [InlineData("a\rb", "a\r\nb\r\n", "a\r\nb\r\n")]
    [InlineData("a\r\rb", "a\r\n\r\nb\r\n", "a\r\n\r\nb\r\n")]
    [InlineData("a\r\r\nb", "a\r\n\r\nb\r\n", "a\r\n\r\nb\r\n")]
    [InlineData("a\n\rb", "a\r\n\r\nb\r\n", "a\r\n\r\nb\r\n")]
    [InlineData("\n", "\r\n", "\r\n")]
    [InlineData("\r", "\r\n", "\r\n")]
    [InlineData("\rab\n", "\r\nab\r\n", "\r\nab\r\n")] // a CR at the buffer's first byte, with an LF after it
    [InlineData(".", "..\r\n", ".\r\n")]
    [InlineData("..", "...\r\n", "..\r\n")]
    [InlineData(".\r\n.", "..\r\n..\r\n", ".\r\n.\r\n")]
    [InlineData("a.b\r\n.c", "a.b\r\n..c\r\n", "a.b\r\n.c\r\n")]
    [InlineData("x\r.y", "x\r\n..y\r\n", "x\r\n.y\r\n")]
    [InlineData("x\n.y", "x\r\n..y\r\n", "x\r\n.y\r\n")]
    [InlineData("x\r\n\r\n.\r\n", "x\r\n\r\n..\r\n", "x\r\n\r\n.\r\n")]
    [InlineData("a .\r\n", "a .\r\n", "a .\r\n")]
    public void Line_ends_become_crlf_and_dots_at_line_start_are_doubled_for_DATA_only(string input, string data, string bdat)
    {
        for (int cut = 0; cut <= input.Length; cut++)
        {
            Assert.Equal(data, Normalize(input, dotStuff: true, cut));
            Assert.Equal(bdat, Normalize(input, dotStuff: false, cut));
        }
    }

    [Fact]
    public void Finish_resets_the_state_for_the_next_message()
    {
        var n = new LineEndNormalizer(dotStuff: true);
        var buffer = new byte[64];
        n.Transform("a\r"u8.ToArray(), 0, 2, buffer);
        Assert.Equal(2, n.Finish(buffer));
        Assert.Equal(0, n.Finish(buffer)); // nothing pending any more
        int produced = n.Transform(".x"u8.ToArray(), 0, 2, buffer);
        Assert.Equal("..x", Encoding.ASCII.GetString(buffer, 0, produced)); // a new message starts at a line start
    }

    [Fact]
    public void The_output_bound_holds_for_the_worst_input()
    {
        // Every byte a bare CR or LF, or a dot at a line start: each input byte can become at most 2-3 output bytes.
        foreach (string worst in new[] { new string('\r', 100), new string('\n', 100), string.Concat(Enumerable.Repeat("\n.", 50)),
            string.Concat(Enumerable.Repeat("\r.", 50)) })
        {
            byte[] input = Encoding.ASCII.GetBytes(worst);
            var n = new LineEndNormalizer(dotStuff: true);
            var buffer = new byte[LineEndNormalizer.MaxOutput(input.Length)];
            int produced = n.Transform(input, 0, input.Length, buffer);
            Assert.True(produced <= buffer.Length);
            Assert.DoesNotContain("\r\r", Encoding.ASCII.GetString(buffer, 0, produced).Replace("\r\n", ""));
        }
    }
}
