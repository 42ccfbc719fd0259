using System.Text.RegularExpressions;
using M365SmtpTools.Engine.Exchange;
using M365SmtpTools.Engine.Tests.Infrastructure;
using static M365SmtpTools.Engine.Tests.Exchange.ExchangeOnlineReplySamples;

namespace M365SmtpTools.Engine.Tests.Exchange;

/// <summary>
/// The reply catalogue as data: every row is complete and sourced, every row is reached by a real reply text of
/// <see cref="ExchangeOnlineReplySamples"/>, no two rows read a sample differently, and the fix commands pass pscheck
/// against the Exchange Online cmdlet reference.
/// </summary>
public sealed class ReplyCatalogueTableTests
{
    private static readonly RemediationContext Filled = new()
    {
        Mailbox = "scanner@contoso.com", Sender = "noreply@contoso.com", Recipient = "sales@contoso.com",
        AppId = "11111111-2222-3333-4444-555555555555", ServicePrincipalObjectId = "66666666-7777-8888-9999-000000000000", UsedOAuth = true,
    };

    public static TheoryData<string> SampleNames() => new(All.Select(s => s.Name));

    public static TheoryData<int> RowIndexes() => new(Enumerable.Range(0, ReplyCatalogue.Entries.Count));

    private static string Describe(ReplyCatalogueEntry e) => $"{e.Id} {e.EnhancedCode} /{e.TextPattern}/";

    [Theory]
    [MemberData(nameof(RowIndexes))]
    public void Every_row_has_a_meaning_a_retry_class_a_source_and_who_fixes_it(int index)
    {
        ReplyCatalogueEntry e = ReplyCatalogue.Entries[index];
        Assert.False(string.IsNullOrWhiteSpace(e.Summary), Describe(e) + ": no meaning");
        Assert.False(string.IsNullOrWhiteSpace(e.Fix), Describe(e) + ": no fix");
        Assert.True(Enum.IsDefined(e.Retry), Describe(e) + ": no retry class");
        Assert.NotEqual(ReplyFixOwner.None, e.FixOwner);
        Assert.NotEqual(ReplyStages.None, e.Stages);
        Assert.NotNull(e.Source);
        Assert.Contains(e.Source, ReplySources.All);
        Assert.StartsWith("https://", e.Source.Url);
        Assert.Contains(e.Meaning.TrimEnd('.'), e.MeaningFor(null));
        Assert.Contains(e.Fix, e.Remediation);
        Assert.Matches(@"Retry: (later|only after the fix|no)", e.Remediation);
        Assert.Matches(@"Who can fix it: (the sender's admin|the recipient's admin|Microsoft)", e.Remediation);
        // The enhanced code is well formed (a code, a range or a list), and a fallback row says its candidates in order.
        Assert.Matches(@"^$|^[245]\.\d{1,3}\.\d{1,3}(-\d{1,3})?(,[245]\.\d{1,3}\.\d{1,3}(-\d{1,3})?)*$", e.EnhancedCode);
        if (e.IsFallback)
        {
            Assert.True(e.Candidates.Count >= 2, Describe(e) + ": a fallback row must list at least two candidates");
            Assert.Contains("In order of likelihood: 1) ", e.Meaning);
        }
        Assert.DoesNotMatch(@"\{(?!Mailbox\}|Sender\}|Recipient\}|AppId\}|ServicePrincipal\}|Add=)", string.Join(" ", e.CommandTemplates));
    }

    [Fact]
    public void A_finding_id_and_an_enhanced_code_name_one_row()
    {
        var duplicates = ReplyCatalogue.Entries.GroupBy(e => (e.Id, e.EnhancedCode)).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key.Id} {g.Key.EnhancedCode}").ToList();
        Assert.True(duplicates.Count == 0, "rows with the same id and code: " + string.Join(", ", duplicates));
    }

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void Each_real_reply_is_explained_as_its_finding(string name)
    {
        Sample s = Get(name);
        ReplyExplanation x = ReplyCatalogue.Explain(s.Code, null, s.Text, Filled);
        Assert.True(x.Entry != null, $"{s.Reply}: no catalogue row; generic meaning '{x.Meaning}'");
        Assert.Equal(s.ExpectedId, x.Id);
        Assert.True(x.Entry!.Stages.HasFlag(s.Stage), $"{s.Reply}: the row says it comes at {x.Entry.Stages}, the source at {s.Stage}");
        Assert.Equal(x.Entry.MeaningFor(Filled), x.Meaning);
        Assert.Equal(x.Entry.Commands(Filled), x.Commands);
    }

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void No_two_rows_of_the_same_precedence_read_a_sample_differently(string name)
    {
        Sample s = Get(name);
        var clashes = ReplyCatalogue.Matching(s.Code, null, s.Text)
            .GroupBy(e => e.Precedence)
            .Where(g => g.Select(e => e.Id).Distinct().Count() > 1)
            .Select(g => string.Join(" vs ", g.Select(Describe)))
            .ToList();
        Assert.True(clashes.Count == 0, $"{s.Reply}: {string.Join("; ", clashes)}");
    }

    [Fact]
    public void Every_row_is_reached_by_a_real_reply()
    {
        var reached = All.Select(s => ReplyCatalogue.Matching(s.Code, null, s.Text).FirstOrDefault()).Where(e => e != null).ToHashSet();
        var missing = ReplyCatalogue.Entries.Where(e => !reached.Contains(e)).Select(Describe).ToList();
        Assert.True(missing.Count == 0, "rows no sample reaches: " + string.Join(", ", missing));
    }

    [Fact]
    public void Every_row_met_in_the_dialogue_has_a_sample_played_at_one_of_its_stages()
    {
        // CatalogueDialogueTests plays every sample whose stage isn't Ndr on the Exchange Online double; a row that
        // Exchange Online sends during the dialogue must be among them. Rows met only in NDRs are explained, not played.
        var played = All.Where(s => s.Stage != ReplyStages.Ndr)
            .Select(s => ReplyCatalogue.Matching(s.Code, null, s.Text).FirstOrDefault()).ToHashSet();
        var missing = ReplyCatalogue.Entries.Where(e => (e.Stages & ~ReplyStages.Ndr) != 0 && !played.Contains(e))
            .Select(Describe).ToList();
        Assert.True(missing.Count == 0, "rows of the dialogue no sample plays: " + string.Join(", ", missing));
    }

    [Fact]
    public void The_codes_the_issue_names_all_have_rows()
    {
        // 4.3.2, 4.4.x, 4.7.26, 4.7.500–699, 5.0.350, 5.1.0/1/8/10/90, 5.2.2/3/121/122/252, 5.4.1/6/14/316, 5.6.11/211, 5.7.1,
        // 5.7.23, 5.7.25, 5.7.50–51, 5.7.57, 5.7.60, 5.7.64, 5.7.68, 5.7.124, 5.7.133–134, 5.7.139, 5.7.501–503, 5.7.505,
        // 5.7.506, 5.7.508–512, 5.7.520, 5.7.606–649, 5.7.700–750.
        string[] codes =
        {
            "4.3.2", "4.4.7", "4.4.316", "4.7.26", "4.7.500", "4.7.699", "5.0.350", "5.1.0", "5.1.1", "5.1.8", "5.1.10", "5.1.90", "5.2.2",
            "5.2.3", "5.2.121", "5.2.122", "5.2.252", "5.4.1", "5.4.6", "5.4.14", "5.4.316", "5.6.11", "5.6.211", "5.7.1", "5.7.23",
            "5.7.25", "5.7.50", "5.7.51", "5.7.57", "5.7.60", "5.7.64", "5.7.68", "5.7.124", "5.7.133", "5.7.134", "5.7.139", "5.7.501",
            "5.7.502", "5.7.503", "5.7.505", "5.7.506", "5.7.508", "5.7.509", "5.7.510", "5.7.511", "5.7.512", "5.7.520", "5.7.606",
            "5.7.649", "5.7.700", "5.7.705", "5.7.708", "5.7.750",
        };
        var missing = codes
            .Where(c => !ReplyCatalogue.Entries.Any(e => e.EnhancedCode.Length > 0
                && EnhancedCodeParts.Parse(c)!.Value.Within(e.EnhancedCode)))
            .ToList();
        Assert.True(missing.Count == 0, "codes without a row: " + string.Join(", ", missing));
    }

    [Fact]
    public void Every_code_of_Microsofts_NDR_table_that_a_sender_can_meet_has_a_row()
    {
        string page = Path.GetFullPath(Path.Combine(TestPaths.RepoRoot, "..", "shared", "reference", "exchange-online-ndr",
            "SupportArticles-docs", "non-delivery-reports-in-exchange-online.md"));
        if (!File.Exists(page)) Assert.Skip($"Microsoft's NDR overview is not at {page} (../shared beside the repository).");
        // Codes of Exchange Online's own delivery to other organizations' servers (MTA-STS, DANE): they are never a reply
        // to a client, relay or Direct Send device submitting to Microsoft 365.
        string[] outboundOnly =
        {
            "4.4.8", "5.4.8", "4.7.5", "5.7.5", "4.7.321", "4.7.322", "4.7.323", "4.7.324", "4.7.325", "5.7.321", "5.7.322", "5.7.323",
            "5.7.324", "5.7.325"
        };
        var codes = new List<string>();
        foreach (string line in File.ReadAllLines(page).Where(l => Regex.IsMatch(l, @"^\|[^|]*\d\.\d+\.\d+")))
        {
            string first = line.Split('|')[1];
            foreach (Match m in Regex.Matches(first, @"([245])\.(\d+)\.(\d+)(?:-(\d+))?"))
            {
                codes.Add($"{m.Groups[1].Value}.{m.Groups[2].Value}.{m.Groups[3].Value}");
                if (m.Groups[4].Success) codes.Add($"{m.Groups[1].Value}.{m.Groups[2].Value}.{m.Groups[4].Value}");
            }
        }
        Assert.True(codes.Count >= 60, $"only {codes.Count} codes read from the table");
        var missing = codes.Except(outboundOnly)
            .Where(c => !ReplyCatalogue.Entries.Any(e => e.EnhancedCode.Length > 0
                && EnhancedCodeParts.Parse(c)!.Value.Within(e.EnhancedCode)))
            .Distinct().ToList();
        Assert.True(missing.Count == 0, "codes of the NDR table without a row: " + string.Join(", ", missing));
    }

    [Fact]
    public void Every_source_page_is_one_of_the_stored_reference_pages()
    {
        string root = Path.GetFullPath(Path.Combine(TestPaths.RepoRoot, "..", "shared", "reference"));
        if (!Directory.Exists(root)) Assert.Skip($"The reference pages are not at {root} (../shared beside the repository).");
        string ndr = Path.Combine(root, "exchange-online-ndr");
        var notStored = new List<string>();
        foreach (ReplySource source in ReplyCatalogue.Entries.Select(e => e.Source).Distinct())
        {
            string last = source.Url.Split('#')[0].TrimEnd('/').Split('/').Last();
            string? file = source.Url switch
            {
                var u when u.Contains("/mail-flow-best-practices/non-delivery-reports-in-exchange-online/")
                    => Path.Combine(ndr, "OfficeDocs-Exchange", last + ".md"),
                var u when u.Contains("/email-delivery/ndr/") => Path.Combine(ndr, "SupportArticles-docs", last + ".md"),
                var u when u.Contains("/powershell/module/exchange/")
                    => Directory.GetFiles(Path.Combine(root, "exchange-online-cmdlets"), "*.md")
                        .FirstOrDefault(f => Path.GetFileNameWithoutExtension(f).Equals(last, StringComparison.OrdinalIgnoreCase))
                        ?? "(no cmdlet page " + last + ")",
                var u when u.Contains("/legacy-protocols/") => Path.Combine(ndr, "office-developer-exchange-docs", last + ".md"),
                var u when u.Contains("learn.microsoft.com/exchange/") => Path.Combine(ndr, "OfficeDocs-Exchange", last + ".md"),
                _ => null, // a page outside the stored reference (external forwarding, RFC 5322): its address is the provenance
            };
            if (file != null && !File.Exists(file)) notStored.Add($"{source.Title}: {file}");
        }
        Assert.True(notStored.Count == 0, "sources without a stored page: " + string.Join("; ", notStored));
    }

    // ---- the four misreadings of issue 17 ----

    [Fact]
    public void Credentials_incorrect_is_a_wrong_password_not_a_policy_block()
    {
        Sample s = Get("5.7.139-credentials");
        ReplyExplanation password = ReplyCatalogue.Explain(s.Code, null, s.Text,
            new RemediationContext { Mailbox = "alice@contoso.com", UsedOAuth = false });
        ReplyExplanation oauth = ReplyCatalogue.Explain(s.Code, null, s.Text,
            new RemediationContext { Mailbox = "alice@contoso.com", UsedOAuth = true });
        Assert.Equal("CredentialsIncorrect", password.Id);
        Assert.Contains("password", password.Meaning);
        Assert.Contains("not a tenant policy block", password.Meaning);
        Assert.Contains("token", oauth.Meaning);
        Assert.Empty(password.Commands); // not Set-CASMailbox: SMTP AUTH isn't what failed
        Assert.DoesNotContain("Set-CASMailbox", password.Remediation);
        Assert.Equal(ReplyRetry.RetryAfterFix, password.Entry!.Retry);
    }

    [Fact]
    public void SendAsDenied_at_the_end_of_data_is_the_Send_As_permission()
    {
        Sample s = Get("5.2.252-sendas");
        var context = new RemediationContext { Mailbox = "alice@contoso.com", Sender = "boss@contoso.com", UsedOAuth = true };
        ReplyExplanation x = ReplyCatalogue.Explain(s.Code, null, s.Text, context);
        ReplyExplanation at560 = ReplyCatalogue.Explain(550, null, "5.7.60 SMTP; Client does not have permissions to send as this sender",
            context);
        Assert.Equal("SendAsDenied", x.Id);
        Assert.Contains("Send As", x.Meaning);
        Assert.DoesNotContain("mailbox is full", x.Meaning);
        Assert.Equal(
            new[]
            {
                "Add-RecipientPermission -Identity 'boss@contoso.com' -Trustee 'alice@contoso.com' -AccessRights SendAs -Confirm:$false"
            },
            x.Commands);
        Assert.Equal(at560.Commands, x.Commands);
    }

    [Fact]
    public void RecipientNotFound_is_a_recipient_that_does_not_exist()
    {
        Sample s = Get("5.1.10-dbeb");
        ReplyExplanation x = ReplyCatalogue.Explain(s.Code, null, s.Text);
        Assert.Equal("RecipientNotFound", x.Id);
        Assert.Contains("doesn't exist", x.Meaning);
        Assert.Contains("Directory-Based Edge Blocking", x.Meaning);
        Assert.Equal(ReplyRetry.DoNotRetry, x.Entry!.Retry);
    }

    [Fact]
    public void Spamhaus_at_the_greeting_is_the_sending_IP_on_a_block_list()
    {
        Sample s = Get("5.7.1-spamhaus");
        ReplyExplanation x = ReplyCatalogue.Explain(s.Code, null, s.Text);
        Assert.Equal("SendingIpBlockListed", x.Id);
        Assert.Contains("IP address is on a block list", x.Meaning);
        Assert.Contains("delist", x.Remediation);
        Assert.Contains("smtp.office365.com", x.Remediation); // another path
        Assert.True(x.Entry!.Stages.HasFlag(ReplyStages.Greeting));
    }

    [Fact]
    public void An_ambiguous_code_lists_its_candidates_most_likely_first()
    {
        ReplyExplanation x = ReplyCatalogue.Explain(535, null, "5.7.139 Authentication unsuccessful");
        Assert.Equal("AuthenticationRefused", x.Id);
        int credentials = x.Meaning.IndexOf("1) the credentials are wrong", StringComparison.Ordinal);
        int disabled = x.Meaning.IndexOf("2) SMTP AUTH is disabled", StringComparison.Ordinal);
        Assert.True(credentials > 0 && disabled > credentials, x.Meaning);
        Assert.DoesNotContain(x.Commands,
            c => c.StartsWith("Set-", StringComparison.Ordinal)); // only checks, no change, while the cause is unknown
    }

    // ---- the fix commands against the Exchange Online cmdlet reference ----

    private static string? PscheckCommand(out string why)
    {
        string? node = ExternalTool.Find("node");
        string tool = Path.GetFullPath(Path.Combine(TestPaths.RepoRoot, "..", "shared", "tools", "pscheck"));
        string docs = Path.GetFullPath(Path.Combine(TestPaths.RepoRoot, "..", "shared", "reference", "exchange-online-cmdlets"));
        // A mutation run (tests/mutation.sh) would start pscheck again for every mutant of the catalogue: minutes each.
        why = Environment.GetEnvironmentVariable("M365SMTP_MUTATION_RUN") == "1" ? "a mutation run doesn't start pscheck for every mutant"
            : node == null ? "node is not on PATH"
            : !File.Exists(Path.Combine(tool, "pscheck.mjs")) ? $"pscheck is not at {tool}"
            : !Directory.Exists(Path.Combine(tool, "node_modules")) ? $"pscheck's packages are not installed (npm ci --prefix {tool})"
            : !Directory.Exists(docs) ? $"the cmdlet reference is not at {docs}" : "";
        return why.Length == 0 ? node : null;
    }

    private static ExternalTool.Result Pscheck(string node, params string[] paths) =>
        ExternalTool.Run(node, new[]
        {
            Path.GetFullPath(Path.Combine(TestPaths.RepoRoot, "..", "shared", "tools", "pscheck", "pscheck.mjs")), "commands", "--docs",
            Path.GetFullPath(Path.Combine(TestPaths.RepoRoot, "..", "shared", "reference", "exchange-online-cmdlets")),
        }.Concat(paths), timeout: TimeSpan.FromMinutes(8));

    [Fact]
    public void Every_rows_fix_commands_are_written_and_pass_pscheck()
    {
        string dir = Path.Combine(TestPaths.RepoRoot, "tests", "generated", "reply-catalogue");
        Directory.CreateDirectory(dir);
        var lines = new List<string>
        {
            "# The fix commands of every reply catalogue row, filled and with placeholders " +
            "(written by ReplyCatalogueTableTests; checked with pscheck)."
        };
        int commands = 0;
        foreach (ReplyCatalogueEntry e in ReplyCatalogue.Entries.Where(e => e.CommandTemplates.Count > 0))
        {
            lines.Add($"# {e.Id} {e.EnhancedCode} ({e.Source.Title})");
            foreach (string c in e.Commands(Filled).Concat(e.Commands(null))) { lines.Add(c); commands++; }
        }
        Assert.True(commands >= 30, $"only {commands} commands");
        string rows = Path.Combine(dir, "rows.ps1");
        File.WriteAllText(rows, string.Join("\n", lines) + "\n");

        string? node = PscheckCommand(out string why);
        if (node == null) Assert.Skip("pscheck can't run here: " + why);
        // One run (pscheck is slow to start) over the rows and a control file with a parameter Set-CASMailbox doesn't
        // have: the control must be reported, so a check that can't fail would fail this test.
        string control = TestPaths.NewTempDir();
        File.WriteAllText(Path.Combine(control, "control.ps1"), "Set-CASMailbox -Identity 'alice@contoso.com' -SmtpAuthDisabled $false\n");
        ExternalTool.Result r = Pscheck(node, rows, control);
        Directory.Delete(control, true);
        string output = r.StdOut + r.StdErr;
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("control.ps1:1:", output);
        Assert.Contains("SmtpAuthDisabled", output);
        Assert.Contains("1 finding(s)", output);
        Assert.DoesNotContain("rows.ps1", output);
    }
}
