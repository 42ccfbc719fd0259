using System.Text;
using M365SmtpTools.Engine.Mime;

namespace M365SmtpTools.Engine.Tests.Mime;

public class HeaderEncodingTests
{
    private static string Field(string name, IReadOnlyList<string> tokens)
    {
        var sb = new StringBuilder();
        HeaderFolder.Append(sb, name, tokens);
        return sb.ToString();
    }

    private static string DecodeWord(string word)
    {
        Assert.StartsWith("=?UTF-8?", word);
        Assert.EndsWith("?=", word);
        char kind = word[8];
        string payload = word.Substring(10, word.Length - 12);
        byte[] bytes;
        if (kind == 'B') bytes = Convert.FromBase64String(payload);
        else
        {
            var list = new List<byte>();
            for (int i = 0; i < payload.Length; i++)
            {
                if (payload[i] == '_') list.Add((byte)' ');
                else if (payload[i] == '=') { list.Add(Convert.ToByte(payload.Substring(i + 1, 2), 16)); i += 2; }
                else list.Add((byte)payload[i]);
            }
            bytes = list.ToArray();
        }
        // Strict: a word holding half a character would throw here.
        return new UTF8Encoding(false, true).GetString(bytes);
    }

    [Theory]
    [InlineData("Grüße aus Köln")]
    [InlineData("Привет, мир! Это длинная тема письма, которая должна быть разбита на несколько слов")]
    [InlineData("Καλημέρα κόσμε")]
    [InlineData("日本語の件名です。長い件名は複数のエンコードされた単語に分割されます。文字は決して分割されません。")]
    [InlineData("مرحبا بالعالم")]
    [InlineData("🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉 party 👩‍👩‍👧‍👦")]
    public void Encoded_words_are_ascii_short_and_never_split_a_character(string text)
    {
        List<string> words = EncodedWordEncoder.Encode(text);
        Assert.All(words, w => Assert.True(w.Length <= 75, $"{w.Length}: {w}"));
        Assert.All(words, w => Assert.True(w.All(c => c > 0x20 && c < 0x7f), w));
        Assert.Equal(text, string.Concat(words.Select(DecodeWord)));
    }

    [Fact]
    public void Q_is_chosen_for_mostly_ascii_and_B_for_mostly_non_ascii()
    {
        Assert.StartsWith("=?UTF-8?Q?", EncodedWordEncoder.Encode("Café au lait")[0]);
        Assert.StartsWith("=?UTF-8?B?", EncodedWordEncoder.Encode("Привет мир")[0]);
        Assert.Equal("=?UTF-8?Q?Caf=C3=A9_au_lait?=", EncodedWordEncoder.Encode("Café au lait")[0]);
    }

    [Fact]
    public void Ascii_subject_is_written_raw_and_folded_at_spaces()
    {
        string subject = string.Join(" ", Enumerable.Range(1, 40).Select(i => "word" + i));
        string field = Field("Subject", HeaderFolder.UnstructuredTokens("Subject", subject, false));
        Assert.All(field.Split("\r\n").Where(l => l.Length > 0), l => Assert.True(l.Length <= 76, l));
        Assert.Equal("Subject: " + subject + "\r\n", field.Replace("\r\n ", " "));
    }

    [Fact]
    public void Non_ascii_subject_is_encoded_and_folded_within_76()
    {
        string subject = "Ünïcödé " + new string('x', 30) + " Привет мир " + string.Concat(Enumerable.Repeat("日本", 30));
        string field = Field("Subject", HeaderFolder.UnstructuredTokens("Subject", subject, false));
        Assert.True(field.All(c => c < 0x80));
        Assert.All(field.Split("\r\n").Where(l => l.Length > 0), l => Assert.True(l.Length <= 76, l));
        string value = field.Substring("Subject:".Length).Replace("\r\n", "");
        Assert.Equal(subject, string.Concat(value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(DecodeWord)));
    }

    [Theory]
    [InlineData(" leading")]
    [InlineData("trailing ")]
    [InlineData("looks =?like?= an encoded word")]
    [InlineData("tab\there")]
    public void Ascii_text_that_could_be_misread_is_encoded(string value)
    {
        Assert.False(HeaderFolder.CanWriteRaw(value, false));
        Assert.StartsWith("=?UTF-8?", HeaderFolder.UnstructuredTokens("Subject", value, false)[0]);
    }

    [Theory]
    [InlineData(67, "Subject: {0}\r\n")]       // "Subject: " and the token are exactly 76 characters: no fold
    [InlineData(75, "Subject:\r\n {0}\r\n")]  // too long after "Subject: ", fits a line of its own (76 with the space)
    [InlineData(76, "Subject: {0}\r\n")]       // no shorter on a line of its own: stays after the colon
    [InlineData(80, "Subject: {0}\r\n")]
    public void A_long_first_token_moves_to_its_own_line_only_when_that_line_is_short_enough(int length, string expected)
    {
        string token = new string('x', length);
        Assert.Equal(string.Format(expected, token), Field("Subject", new[] { token }));
    }

    [Theory]
    [InlineData(65, "Subject: a {0}\r\n")]      // the line is exactly 76 characters: the token stays on it
    [InlineData(66, "Subject: a\r\n {0}\r\n")]  // 77: folded before the token
    [InlineData(80, "Subject: a\r\n {0}\r\n")]  // longer than any line: still folded, on a line of its own
    public void A_later_token_is_folded_when_the_line_would_pass_76_characters(int length, string expected)
    {
        string token = new string('x', length);
        Assert.Equal(string.Format(expected, token), Field("Subject", new[] { "a", token }));
    }

    [Fact]
    public void Two_spaces_at_a_fold_never_make_a_line_of_only_white_space()
    {
        // "AAA…  BBB…" (two spaces, so an empty token between the words): the empty token stays on the full line, and
        // the fold comes before the next word. Folding at the empty token would leave a line of one space, which
        // RFC 5322 forbids.
        string a = new string('A', 67), b = new string('B', 75);
        string field = Field("Subject", HeaderFolder.UnstructuredTokens("Subject", a + "  " + b, false));
        Assert.Equal("Subject: " + a + " \r\n " + b + "\r\n", field);
        Assert.DoesNotContain("\r\n \r\n", field);
    }

    [Fact]
    public void A_word_of_900_octets_is_written_raw_and_one_of_901_is_encoded()
    {
        Assert.True(HeaderFolder.CanWriteRaw("a " + new string('w', 900), false));
        Assert.False(HeaderFolder.CanWriteRaw("a " + new string('w', 901), false));
        Assert.True(HeaderFolder.CanWriteRaw(string.Concat(Enumerable.Repeat("é", 450)), true)); // 900 octets of UTF-8
        Assert.False(HeaderFolder.CanWriteRaw(string.Concat(Enumerable.Repeat("é", 450)) + "a", true));
    }

    [Fact]
    public void An_empty_subject_is_an_empty_field_not_an_encoded_word()
    {
        Assert.True(HeaderFolder.CanWriteRaw("", false));
        Assert.Equal("Subject: \r\n", Field("Subject", HeaderFolder.UnstructuredTokens("Subject", "", false)));
    }

    [Fact]
    public void Word_longer_than_a_line_is_encoded_so_no_line_exceeds_998()
    {
        string value = new string('a', 2000);
        string field = Field("X-Long", HeaderFolder.UnstructuredTokens("X-Long", value, false));
        Assert.All(field.Split("\r\n"), l => Assert.True(l.Length <= 76, l.Length.ToString()));
    }

    [Fact]
    public void Utf8_headers_write_raw_utf8_when_allowed()
    {
        List<string> tokens = HeaderFolder.UnstructuredTokens("Subject", "Grüße aus Köln", true);
        Assert.Equal(new[] { "Grüße", "aus", "Köln" }, tokens);
    }

    [Theory]
    [InlineData("Alice Example", false, "Alice Example")]
    [InlineData("Example, Alice", false, "\"Example, Alice\"")]
    [InlineData("Alice \"Boss\" Ex", false, "\"Alice \\\"Boss\\\" Ex\"")]
    [InlineData("O'Brien (IT)", false, "\"O'Brien (IT)\"")]
    [InlineData("Zoë", false, "=?UTF-8?Q?Zo=C3=AB?=")]
    [InlineData("Zoë", true, "Zoë")]
    [InlineData("Zoë, Ann", true, "\"Zoë, Ann\"")]
    public void Display_names_become_atoms_quoted_strings_or_encoded_words(string name, bool utf8, string expected)
        => Assert.Equal(expected, string.Join(" ", AddressFormatter.PhraseTokens(name, utf8)));

    [Fact]
    public void Address_list_uses_punycode_domains_without_utf8_and_unicode_with_it()
    {
        var list = new[] { EmailAddress.Parse("Jörg <joerg@bücher.example>"), EmailAddress.Parse("b@contoso.com") };
        Assert.Equal("=?UTF-8?B?SsO2cmc=?= <joerg@xn--bcher-kva.example>, b@contoso.com",
            string.Join(" ", AddressFormatter.Tokens(list, false)));
        Assert.Equal("Jörg <joerg@bücher.example>, b@contoso.com", string.Join(" ", AddressFormatter.Tokens(list, true)));
    }

    [Fact]
    public void Utf8_local_part_without_utf8_headers_is_a_clear_error()
    {
        var e = Assert.Throws<M365SmtpException>(() =>
            AddressFormatter.Tokens(new[] { EmailAddress.Parse("José <josé@contoso.com>") }, false));
        Assert.Equal("SmtpUtf8Required", e.ErrorId);
        Assert.Contains("SMTPUTF8", e.Message);
    }

    [Theory]
    [InlineData("report.pdf", "filename=\"report.pdf\"")]
    [InlineData("a \"quoted\"; (paren).txt", "filename=\"a \\\"quoted\\\"; (paren).txt\"")]
    [InlineData("naïve.txt", "filename*=utf-8''na%C3%AFve.txt")]
    [InlineData("\U0001F4CE clip.pdf", "filename*=utf-8''%F0%9F%93%8E%20clip.pdf")]   // a surrogate pair is one character
    [InlineData("tab\there.txt", "filename*=utf-8''tab%09here.txt")]                   // printable ASCII only in a quoted string
    public void Parameters_are_quoted_or_rfc2231_encoded(string value, string expected)
        => Assert.Equal(expected, string.Join(" ", ParameterFormatter.ParameterTokens("filename", value, false)));

    [Theory]
    [InlineData(63, 1)]  // filename="…" with 63 characters of value: 74 characters, one quoted string
    [InlineData(64, 2)]  // 75: RFC 2231 continuations, so the line with "; " before it stays within 76
    public void An_ascii_parameter_is_one_quoted_string_up_to_74_characters(int letters, int tokens)
    {
        string value = new string('f', letters);
        List<string> result = ParameterFormatter.ParameterTokens("filename", value, false);
        Assert.Equal(tokens, result.Count);
        if (tokens == 1) Assert.Equal("filename=\"" + value + "\"", result[0]);
        else Assert.StartsWith("filename*0", result[0]);
    }

    [Fact]
    public void With_utf8_headers_a_non_ascii_parameter_is_a_quoted_utf8_string_up_to_900_octets()
    {
        Assert.Equal(new[] { "filename=\"naïve.txt\"" }, ParameterFormatter.ParameterTokens("filename", "naïve.txt", true));
        // filename="…" with 889 octets of value is 900 octets: still one quoted string; one octet more is RFC 2231.
        string at900 = string.Concat(Enumerable.Repeat("é", 444)) + "a";
        Assert.Equal(new[] { "filename=\"" + at900 + "\"" }, ParameterFormatter.ParameterTokens("filename", at900, true));
        List<string> over = ParameterFormatter.ParameterTokens("filename", at900 + "a", true);
        Assert.StartsWith("filename*0*=utf-8''%C3%A9", over[0]);
    }

    [Theory]
    [InlineData(51, 1)]  // filename*=utf-8'' + %C3%A9 + 51 letters: 74 characters, one token
    [InlineData(52, 2)]  // 75: continuations
    public void An_rfc2231_value_is_one_token_up_to_74_characters(int letters, int tokens)
    {
        string value = "é" + new string('a', letters);
        List<string> result = ParameterFormatter.ParameterTokens("filename", value, false);
        Assert.Equal(tokens, result.Count);
        if (tokens == 1) Assert.Equal("filename*=utf-8''%C3%A9" + new string('a', letters), result[0]);
    }

    [Theory]
    [InlineData("Отчёт за квартал Отчёт за квартал Отчёт за квартал Отчёт за квартал Отчёт за квартал Отчёт за квартал .xlsx")]
    [InlineData("a\U0001F600\U0001F600\U0001F600\U0001F600\U0001F600\U0001F600\U0001F600\U0001F600\U0001F600\U0001F600\U0001F600")]
    public void Long_parameters_use_rfc2231_continuations_that_fill_each_line_without_splitting_characters(string tail)
    {
        // Every offset of the multi-octet characters against the line end: one of them fills a line to exactly 76.
        for (int letters = 0; letters < 12; letters++)
        {
            string name = new string('a', letters) + tail;
            List<string> tokens = ParameterFormatter.ParameterTokens("filename", name, false);
            Assert.True(tokens.Count > 2);
            var bytes = new List<byte>();
            for (int i = 0; i < tokens.Count; i++)
            {
                string t = tokens[i].TrimEnd(';');
                string head = $"filename*{i}*=";
                Assert.StartsWith(head, t);
                Assert.Equal(i < tokens.Count - 1, tokens[i].EndsWith(';'));
                Assert.True(1 + tokens[i].Length <= 76, tokens[i]); // folded, each continuation is a line of its own
                if (i > 0)
                {
                    // Filled: the next token's first character (one %XX per octet) would not have fit on this line.
                    string next = tokens[i].Substring(head.Length);
                    int first = next[0] == '%' ? 3 * Utf8SequenceLength(Convert.ToByte(next.Substring(1, 2), 16)) : 1;
                    Assert.True(1 + tokens[i - 1].Length + first > 76, $"'{tokens[i - 1]}' had room for '{next.Substring(0, first)}'");
                }
                string v = t.Substring(head.Length);
                if (i == 0) { Assert.StartsWith("utf-8''", v); v = v.Substring(7); }
                var piece = new List<byte>();
                for (int k = 0; k < v.Length; k++)
                    if (v[k] == '%') { piece.Add(Convert.ToByte(v.Substring(k + 1, 2), 16)); k += 2; }
                    else piece.Add((byte)v[k]);
                new UTF8Encoding(false, true).GetString(piece.ToArray()); // each piece holds whole characters
                bytes.AddRange(piece);
            }
            Assert.Equal(name, Encoding.UTF8.GetString(bytes.ToArray()));
        }
    }

    private static int Utf8SequenceLength(byte lead) => lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;

    [Theory]
    [InlineData("X-Bad Name")]
    [InlineData("X-Bad:Name")]
    [InlineData("X-Ünicode")]
    [InlineData("")]
    public void Custom_header_names_must_be_ftext(string name)
        => Assert.Equal("InvalidHeaderName", Assert.Throws<M365SmtpException>(() => new MessageHeader(name, "v")).ErrorId);

    [Theory]
    [InlineData("Bcc")]
    [InlineData("content-type")]
    [InlineData("Subject")]
    public void Builder_owned_headers_cannot_be_added(string name)
        => Assert.Equal("ReservedHeaderName", Assert.Throws<M365SmtpException>(() => new MessageHeader(name, "v")).ErrorId);

    [Theory]
    [InlineData("value\r\nBcc: eve@evil.example", "HeaderInjection")]
    [InlineData("value\nX: y", "HeaderInjection")]
    [InlineData("nul\u0000", "InvalidHeaderValue")]
    [InlineData("esc\u001b[0m", "InvalidHeaderValue")]
    public void Custom_header_values_are_validated(string value, string errorId)
    {
        var e = Assert.Throws<M365SmtpException>(() => new MessageHeader("X-Test", value));
        Assert.Equal(errorId, e.ErrorId);
        Assert.Equal(value, e.TargetObject);
    }

    // C1 controls (U+0080-U+009F) are refused where a value enters, so the folders' "c >= 0x80 is UTF-8 text"
    // never sees one: even with UTF-8 headers allowed, a header can't carry a raw C1 control.
    [Theory]
    [InlineData('\u0080')]
    [InlineData('\u009f')]
    public void C1_controls_are_refused_in_every_value_that_becomes_a_header(char c)
    {
        string value = "a" + c + "b";
        Assert.Equal("InvalidHeaderValue", Assert.Throws<M365SmtpException>(() => TestMessages.Basic(value).Build()).ErrorId);
        Assert.Equal("InvalidHeaderValue", Assert.Throws<M365SmtpException>(() => new MessageHeader("X-Test", value)).ErrorId);
        Assert.Equal("InvalidHeaderValue",
            Assert.Throws<M365SmtpException>(() => MimeAttachment.FromBytes(value + ".txt", new byte[] { 1 })).ErrorId);
        Assert.Equal("InvalidHeaderValue",
            Assert.Throws<M365SmtpException>(() => new EmailAddress("alice@contoso.com", value)).ErrorId);
    }

    [Fact]
    public void The_first_character_past_the_c1_controls_is_written_raw_with_utf8_headers()
    {
        MessageBuilder b = TestMessages.Basic("a\u00a0b");
        b.AddHeader("X-Test", "c\u00a0d");
        b.Attachments.Add(MimeAttachment.FromBytes("e\u00a0f.txt", new byte[] { 1 }));
        MimeMessage m = b.Build();
        m.Options = new MimeWriterOptions { AllowUtf8Headers = true };
        string block = m.Text();
        Assert.Equal("a\u00a0b", TestMessages.Header(block, "Subject"));
        Assert.Equal("c\u00a0d", TestMessages.Header(block, "X-Test"));
        Assert.Contains("filename=\"e\u00a0f.txt\"", block);
    }

    [Fact]
    public void Subject_with_line_break_is_header_injection_at_build()
    {
        var b = TestMessages.Basic("Hi\r\nBcc: eve@evil.example");
        Assert.Equal("HeaderInjection", Assert.Throws<M365SmtpException>(() => b.Build()).ErrorId);
    }
}
