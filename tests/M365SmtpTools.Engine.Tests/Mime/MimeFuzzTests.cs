using System.Text;
using System.Text.Json;
using M365SmtpTools.Engine.Mime;

namespace M365SmtpTools.Engine.Tests.Mime;

/// <summary>Seeded, bounded fuzzing of the header encoder and the address
/// parser; decoded back in one batch by Python and by MimeKit.</summary>
public class MimeFuzzTests
{
    private static readonly string[] Pool =
    {
        "a", "Z", "0", " ", " ", "  ", "\t", ".", ",", ";", ":", "\"", "\\", "(", ")", "<", ">", "@", "[", "]", "=", "?", "_",
        "=?", "?=", "-", "'", "*", "%",
        "é", "ß", "Å", "ñ", "Ж", "щ", "Ω", "λ", "中", "文", "日", "本",
        "ع", "ب", "ש", "ह", "ก", "ё\u0301", "\u200d", "\u00a0", "\ufeff",
        "🎉", "👩‍💻", "𝄞", "🇫🇷", "\r", "\n", "\r\n",
        "\u0000", "\u0007", "\u001b", "\u007f", "\u0085", "\u2028", "\ud800", "\udc00",
    };

    private static string RandomText(Random rng, int maxParts)
    {
        var sb = new StringBuilder();
        int n = rng.Next(0, maxParts);
        for (int i = 0; i < n; i++)
        {
            if (rng.Next(4) == 0) sb.Append((char)rng.Next(0x20, 0x7f));
            else sb.Append(Pool[rng.Next(Pool.Length)]);
        }
        return sb.ToString();
    }

    private static void CheckLines(string field, bool ascii)
    {
        Assert.EndsWith("\r\n", field);
        string body = field.Substring(0, field.Length - 2);
        Assert.DoesNotContain('\n', body.Replace("\r\n", ""));
        Assert.DoesNotContain('\r', body.Replace("\r\n", ""));
        foreach (string line in body.Split("\r\n"))
        {
            Assert.True(Encoding.UTF8.GetByteCount(line) <= 998, $"line of {line.Length}");
            if (ascii) Assert.True(line.All(c => c < 0x80), line);
            Assert.False(line.Trim().Length == 0 && line.Length > 0, "whitespace-only line");
        }
    }

    [Fact]
    public void Header_encoder_only_throws_engine_errors_and_decodes_back()
    {
        var rng = new Random(20250304);
        var fields = new List<string>();
        var expected = new List<string>();
        int rejected = 0;
        for (int round = 0; round < 600; round++)
        {
            string value = RandomText(rng, round % 3 == 0 ? 200 : 30);
            bool utf8 = round % 4 == 3;
            MessageHeader header;
            try { header = new MessageHeader("X-Fuzz", value); }
            catch (M365SmtpException e)
            {
                Assert.Contains(e.ErrorId, new[] { "HeaderInjection", "InvalidHeaderValue" });
                rejected++;
                continue;
            }
            var sb = new StringBuilder();
            HeaderFolder.Append(sb, header.Name, HeaderFolder.UnstructuredTokens(header.Name, header.Value, utf8));
            string field = sb.ToString();
            CheckLines(field, !utf8);
            fields.Add(field.Substring(0, field.Length - 2));
            expected.Add(value);
        }
        Assert.InRange(rejected, 1, 590); // both paths were exercised

        foreach ((string reader, JsonElement decoded) in MimeReaders.DecodeHeaders(fields))
            for (int i = 0; i < fields.Count; i++)
            {
                // Both strip the whitespace a header value starts or ends with; everything in between must be exact.
                Assert.True(expected[i].Trim(' ', '\t') == decoded[i].GetString()!.Trim(' ', '\t'),
                    $"{reader}, field {i}: {fields[i]}\nexpected: {JsonSerializer.Serialize(expected[i])}\n" +
                    $"decoded:  {JsonSerializer.Serialize(decoded[i].GetString())}");
            }
    }

    [Fact]
    public void Address_parser_only_throws_engine_errors_and_formats_what_decodes_back()
    {
        var rng = new Random(4242);
        string[] locals = { "alice", "bob.smith", "a+tag", "o'hara", "用户", "josé", "x", "a..b", ".a", "a b", "\"quoted person\"", "" };
        string[] domains = { "contoso.com", "bücher.example", "例子.广告", "xn--bcher-kva.example", "[192.0.2.1]", "-bad.com", "a..b",
            "ex_ample.com", "" };
        var fields = new List<string>();
        var expected = new List<EmailAddress>();
        int parsed = 0, rejected = 0;
        for (int round = 0; round < 800; round++)
        {
            string input;
            string name = RandomText(rng, 12);
            string spec = locals[rng.Next(locals.Length)] + (rng.Next(10) == 0 ? "" : "@") + domains[rng.Next(domains.Length)];
            input = rng.Next(4) switch
            {
                0 => spec,
                1 => name + " <" + spec + ">",
                2 => "\"" + name.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\" <" + spec + ">",
                _ => RandomText(rng, 20) + (rng.Next(2) == 0 ? "@" : "<") + RandomText(rng, 10),
            };
            EmailAddress a;
            try { a = EmailAddress.Parse(input); parsed++; }
            catch (M365SmtpException e)
            {
                Assert.Contains(e.ErrorId, new[] { "InvalidEmailAddress", "HeaderInjection", "InvalidHeaderValue" });
                if (e.ErrorId == "InvalidEmailAddress") Assert.Equal(input, e.TargetObject);
                rejected++;
                continue;
            }
            bool utf8 = a.RequiresSmtpUtf8 || round % 5 == 0;
            var sb = new StringBuilder();
            HeaderFolder.Append(sb, "To", AddressFormatter.Tokens(new[] { a }, utf8));
            string field = sb.ToString();
            CheckLines(field, !utf8);
            fields.Add(field.Substring(0, field.Length - 2));
            expected.Add(a);
            if (!utf8)
                Assert.Throws<M365SmtpException>(() => AddressFormatter.Tokens(new[] { EmailAddress.Parse("用户@contoso.com") }, false));
        }
        Assert.True(parsed > 100 && rejected > 100, $"parsed {parsed}, rejected {rejected}");

        foreach ((string reader, JsonElement decoded) in MimeReaders.DecodeHeaders(fields))
            for (int i = 0; i < fields.Count; i++)
            {
                EmailAddress a = expected[i];
                JsonElement list = decoded[i];
                Assert.True(list.GetArrayLength() == 1, $"{reader}: {fields[i]} → {list}");
                Assert.True((a.DisplayName ?? "") == list[0][0].GetString(),
                    $"{reader}: {JsonSerializer.Serialize(fields[i])} → {JsonSerializer.Serialize(list[0][0].GetString())}");
                if (EmailAddress.IsDotAtom(a.LocalPart, true))
                {
                    string addr = list[0][1].GetString()!;
                    Assert.True(addr == a.LocalPart + "@" + a.Domain || addr == a.EnvelopeAddress, $"{reader}: {fields[i]} → {addr}");
                }
            }
    }
}
