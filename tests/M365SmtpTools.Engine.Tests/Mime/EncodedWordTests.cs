using System.Text;
using M365SmtpTools.Engine.Mime;

namespace M365SmtpTools.Engine.Tests.Mime;

/// <summary>RFC 2047 encoded words, exactly: the Q alphabet, the Q/B choice, and where long text is split.</summary>
public class EncodedWordTests
{
    /// <summary>Decodes one word independently of the encoder: RFC 2047 section 4 (B = base64, Q = '_' space and =XX).</summary>
    private static byte[] Decode(string word)
    {
        Assert.StartsWith("=?UTF-8?", word);
        Assert.EndsWith("?=", word);
        Assert.True(word.Length <= 75, $"{word.Length} characters: {word}");
        char kind = word[8];
        string payload = word[10..^2];
        if (kind == 'B') return Convert.FromBase64String(payload);
        Assert.Equal('Q', kind);
        var bytes = new List<byte>();
        for (int i = 0; i < payload.Length; i++)
        {
            if (payload[i] == '_') bytes.Add((byte)' ');
            else if (payload[i] == '=') { bytes.Add(Convert.ToByte(payload.Substring(i + 1, 2), 16)); i += 2; }
            else bytes.Add((byte)payload[i]);
        }
        return bytes.ToArray();
    }

    [Theory]
    [InlineData("Hello World!*+-/", "=?UTF-8?Q?Hello_World!*+-/?=")]   // RFC 2047 5(3): letters, digits, ! * + - / stay literal
    [InlineData("abcd_", "=?UTF-8?Q?abcd=5F?=")]                       // '_' means space in Q, so a real '_' is encoded
    [InlineData("abcdefgh=?", "=?UTF-8?Q?abcdefgh=3D=3F?=")]           // 14 characters in Q, 16 in B
    [InlineData("ab=?", "=?UTF-8?Q?ab=3D=3F?=")]                       // 8 characters either way: Q is preferred on a tie
    [InlineData("a.b,c", "=?UTF-8?B?YS5iLGM=?=")]                      // Q would be 9 characters, B is 8
    [InlineData("\u00e9t\u00e9", "=?UTF-8?B?w6l0w6k=?=")]              // Q would be 14 characters, B is 8
    [InlineData("", "=?UTF-8?Q??=")]
    // The ends of each literal range stay literal; the characters just outside them are encoded.
    [InlineData("azAZ09 azAZ09 \u00e9", "=?UTF-8?Q?azAZ09_azAZ09_=C3=A9?=")]
    [InlineData("`{@[/: azAZ09 azAZ09 azAZ09 azAZ09 azAZ09 \u00e9",
        "=?UTF-8?Q?=60=7B=40=5B/=3A_azAZ09_azAZ09_azAZ09_azAZ09_azAZ09_=C3=A9?=")]
    public void Short_text_is_one_word_in_the_shorter_encoding(string text, string expected)
    {
        Assert.Equal(new[] { expected }, EncodedWordEncoder.Encode(text));
    }

    [Theory]
    [InlineData(75, new[] { 63, 37 })]
    [InlineData(40, new[] { 28, 63, 9 })]
    [InlineData(10, new[] { 12, 63, 25 })] // the first word is never shorter than 24 characters in all
    public void Long_q_text_is_split_into_words_of_at_most_75_characters(int firstMax, int[] lengths)
    {
        List<string> words = EncodedWordEncoder.Encode(new string('a', 100), firstMax);
        Assert.Equal(lengths, words.Select(w => Decode(w).Length).ToArray());
        Assert.All(words, w => Assert.StartsWith("=?UTF-8?Q?", w));
    }

    [Theory]
    [InlineData("\u00e9", 30, 75, new[] { 22, 8 })]
    [InlineData("\u00e9", 30, 30, new[] { 6, 22, 2 })]
    [InlineData("\u00e9", 30, 10, new[] { 4, 22, 4 })]
    [InlineData("\U0001F600", 20, 75, new[] { 11, 9 })]   // a surrogate pair is one character: never split
    public void Long_b_text_is_split_between_characters_never_inside_one(string character, int count, int firstMax, int[] perWord)
    {
        string text = string.Concat(Enumerable.Repeat(character, count));
        List<string> words = EncodedWordEncoder.Encode(text, firstMax);
        Assert.All(words, w => Assert.StartsWith("=?UTF-8?B?", w));
        string[] decoded = words.Select(w => new UTF8Encoding(false, true).GetString(Decode(w))).ToArray();
        Assert.Equal(perWord.Select(n => string.Concat(Enumerable.Repeat(character, n))).ToArray(), decoded);
        Assert.True(words[0].Length <= Math.Max(firstMax, 24), words[0]);
    }
}
