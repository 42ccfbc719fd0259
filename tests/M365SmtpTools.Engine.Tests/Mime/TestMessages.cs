using M365SmtpTools.Engine.Mime;

namespace M365SmtpTools.Engine.Tests.Mime;

internal static class TestMessages
{
    public static readonly DateTimeOffset FixedDate = new(2025, 3, 4, 5, 6, 7, TimeSpan.FromHours(2));

    public static MessageBuilder Basic(string? subject = "Hello")
    {
        var b = new MessageBuilder
        {
            From = EmailAddress.Parse("Alice Example <alice@contoso.com>"),
            Subject = subject,
            Clock = () => FixedDate,
        };
        b.To.Add(EmailAddress.Parse("bob@contoso.com"));
        return b;
    }

    public static string Text(this MimeMessage m) => System.Text.Encoding.UTF8.GetString(m.ToBytes());

    public static string HeaderBlock(this MimeMessage m)
    {
        string s = m.Text();
        return s.Substring(0, s.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 2);
    }

    /// <summary>The unfolded value of the first header with this name in a header block.</summary>
    public static string? Header(string block, string name)
    {
        string unfolded = block.Replace("\r\n ", " ").Replace("\r\n\t", "\t");
        foreach (string line in unfolded.Split("\r\n"))
            if (line.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase)) return line.Substring(name.Length + 1).TrimStart();
        return null;
    }

    public static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
