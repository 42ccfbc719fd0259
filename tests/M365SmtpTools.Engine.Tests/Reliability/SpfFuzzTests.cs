using M365SmtpTools.Engine.Dns.Spf;

namespace M365SmtpTools.Engine.Tests.Reliability;

/// <summary>Seeded, bounded fuzzing of the SPF record parser: it answers true/false (or SpfSyntaxError), never crashes or hangs.</summary>
public class SpfFuzzTests
{
    private static readonly string[] Seeds =
    {
        "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 include:spf.protection.outlook.com -all",
        "v=spf1 a mx:mail.%{d} exists:%{ir}.%{l1r+-}._spf.%{d} redirect=_spf.example.com",
        "v=spf1 a:example.com/24//64 mx/30 ptr:%{d2} ~all exp=explain.%{o}",
        "v=spf1 ?include:%{s}.%{v}.%{h}.%{c}.%{r}.%{t} +all unknown-mod=x",
    };

    private static readonly string Alphabet = "v=spf1 :/%{}.-_+~?!aipmx46dlsorhct0123456789AZaz\t\u00e9\u0000\\\"";

    [Fact]
    public void Mutated_and_random_records_never_escape_as_anything_but_a_parse_result()
    {
        var rng = new Random(72082026);
        int parsed = 0, refused = 0;
        for (int i = 0; i < 20_000; i++)
        {
            string text;
            if (i % 4 == 0)
            {
                var chars = new char[rng.Next(0, 300)];
                for (int k = 0; k < chars.Length; k++) chars[k] = Alphabet[rng.Next(Alphabet.Length)];
                text = (rng.Next(2) == 0 ? "v=spf1 " : "") + new string(chars);
            }
            else
            {
                var chars = Seeds[rng.Next(Seeds.Length)].ToCharArray().ToList();
                for (int k = rng.Next(1, 8); k > 0; k--)
                {
                    int at = rng.Next(chars.Count + 1);
                    switch (rng.Next(4))
                    {
                        case 0 when chars.Count > 0 && at < chars.Count: chars.RemoveAt(at); break;
                        case 1: chars.Insert(at, Alphabet[rng.Next(Alphabet.Length)]); break;
                        case 2 when at < chars.Count: chars[at] = Alphabet[rng.Next(Alphabet.Length)]; break;
                        default: chars.InsertRange(at, new string('%', rng.Next(1, 50)) + "{" + new string('9', rng.Next(1, 40))); break;
                    }
                }
                text = new string(chars.ToArray());
            }

            bool ok = SpfRecord.TryParse(text, out SpfRecord? record, out string? error);
            if (ok)
            {
                parsed++;
                Assert.NotNull(record);
                Assert.Null(error);
                Assert.All(record!.Mechanisms, m => Assert.False(string.IsNullOrEmpty(m.Text)));
            }
            else
            {
                refused++;
                Assert.False(string.IsNullOrWhiteSpace(error));
                var e = Assert.IsType<M365SmtpException>(Record.Exception(() => SpfRecord.Parse(text)), exactMatch: false);
                Assert.Equal("SpfSyntaxError", e.ErrorId);
            }
        }
        // The generator must reach both sides, or the run proves little.
        Assert.True(parsed > 500, $"only {parsed} records parsed");
        Assert.True(refused > 500, $"only {refused} records refused");
    }

    [Fact]
    public void Huge_records_are_parsed_in_bounded_time_and_memory()
    {
        string many = "v=spf1 " + string.Join(" ", Enumerable.Range(0, 50_000)
            .Select(i => $"ip4:10.{i / 65536 % 256}.{i / 256 % 256}.{i % 256}"));
        Assert.True(SpfRecord.TryParse(many, out SpfRecord? r, out _));
        Assert.Equal(50_000, r!.Mechanisms.Count);
        string macro = "v=spf1 exists:" + string.Concat(Enumerable.Repeat("%{ir}.", 20_000)) + "example.com";
        SpfRecord.TryParse(macro, out _, out _); // either answer; it must return
        Assert.False(SpfRecord.TryParse("v=spf1 " + new string('%', 100_000), out _, out string? error));
        Assert.NotNull(error);
    }
}
