using M365SmtpTools.Engine.Exchange;
using M365SmtpTools.Engine.Operations;
using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Engine.Tests.Operations.Plans;

/// <summary>
/// Hostile values from DNS, certificates and the user reach the generated scripts only as comment text or single-quoted
/// literals: real PowerShell parses every script to exactly the planned commands (issue 14, item 1).
/// </summary>
public sealed class ScriptInjectionTests
{
    public static readonly string[] HostileSpf =
    {
        "v=spf1 a:mail.x\nWrite-Host 'PWNED'\n# -all",
        "v=spf1 a:mail.x\r\nWrite-Host PWNED\r\n# -all",
        "v=spf1 a:mail.x\rWrite-Host PWNED -all",
        "v=spf1 a:mail.x\u2028Write-Host PWNED\u2029# -all",
        "v=spf1 a:mail.x\u0085Write-Host PWNED\u000B\u000C# -all",
        "v=spf1 a:mail.x #> Write-Host PWNED <# -all",
        "v=spf1 a:mail.x$(Write-Host PWNED) `nWrite-Host `$x ~all",
        "v=spf1 a:mail.x\u2019;Write-Host(\u2019PWNED\u2019);# \u201C$(Write-Host PWNED)\u201D ~all",
        "v=spf1 a:mail.x\u001B]0;PWNED\u0007\u001B[2J\u202Eexists:x ~all",
        "v=spf1 " + string.Join(" ", Enumerable.Range(0, 30).Select(i => $"a:host{i}.example.net"))
            + " #>$(Write-Host PWNED)\nWrite-Host PWNED ~all",
        "v=spf1 " + string.Join(" ", Enumerable.Range(0, 30).Select(i => $"a:host{i}.example.net")) + " #>$(Write-Host PWNED) ~all",
    };

    private static readonly string[] RelayCommands =
        {
            "Get-Command", "Get-InboundConnector", "Where-Object", "Write-Host", "Set-InboundConnector", "Write-Host",
            "New-InboundConnector", "Get-InboundConnector", "Format-List"
        };

    private const string HostileName = "x\u2019;Write-Host(\u2019PWNED\u2019);# '$(Write-Host PWNED)` \u2018\u201A\u201B";
    private const string HostileDevice = "Scanner\u2019; Write-Host \u2019PWNED\u2019; #\u2028Write-Host PWNED\u0085Write-Host PWNED #>";

    private static async Task<RelayConnectorPlan> Relay(string spf, string? name = null, string? device = null)
    {
        var dns = FakeMailDomainLookup.Contoso(spf);
        OperationRun<RelayConnectorPlan> run = await new NewRelayConnectorPlanOperation((_, _) => dns, new FakeClock()).CollectAsync(
            new NewRelayConnectorPlanRequest { Domain = "contoso.com", SenderIPAddress = "52.160.10.1", Name = name, DeviceName = device },
            new RecordingHost(), TestContext.Current.CancellationToken);
        return Assert.Single(run.Results);
    }

    private static void AssertNoRawControls(string script)
    {
        var bad = script.Select((c, i) => (c, i)).Where(x => x.c != '\n' && TerminalText.NeedsEscape(x.c)).ToList();
        Assert.True(bad.Count == 0, "raw control or separator characters in the script: "
            + string.Join(", ", bad.Select(x => $"U+{(int)x.c:X4} at {x.i}")));
    }

    [Fact]
    public async Task HostileSpfRecordsAndNamesStayCommentsAndLiterals()
    {
        var plans = new List<RelayConnectorPlan> { await Relay("v=spf1 -all") };
        foreach (string spf in HostileSpf) plans.Add(await Relay(spf));
        plans.Add(await Relay("v=spf1 a:x\nWrite-Host PWNED\n-all", HostileName, HostileDevice));
        // Several SPF records: every one of them is listed in a finding.
        var several = FakeMailDomainLookup.Contoso(HostileSpf[0]);
        several.Txt["contoso.com"] = HostileSpf;
        plans.Add(Assert.Single((await new NewRelayConnectorPlanOperation((_, _) => several, new FakeClock()).CollectAsync(
            new NewRelayConnectorPlanRequest { Domain = "contoso.com", SenderIPAddress = "52.160.10.1" }, new RecordingHost(),
            TestContext.Current.CancellationToken)).Results));

        var parsed = PowerShellParser.ParseTexts(plans.Select(p => p.Script).ToArray());
        for (int i = 0; i < plans.Count; i++)
        {
            string why = $"plan {i}:\n{plans[i].Script}";
            Assert.True(parsed[i].Errors.Length == 0, why + "\n" + string.Join("\n", parsed[i].Errors));
            Assert.True(RelayCommands.SequenceEqual(parsed[i].Names), why + "\ncommands: " + string.Join(", ", parsed[i].Names));
            AssertNoRawControls(plans[i].Script);
            var create = parsed[i].Commands.Single(c => c.Name == "New-InboundConnector");
            Assert.Equal(plans[i].ConnectorName, create.Arguments["Name"]);
            Assert.Equal(plans[i].ConnectorName, parsed[i].Commands.Single(c => c.Name == "Set-InboundConnector").Arguments["Identity"]);
        }
        // The hostile name and device name arrive in the connector unchanged (quoted, not cut or run).
        var named = parsed[HostileSpf.Length + 1];
        Assert.Equal(HostileName, named.Commands.Single(c => c.Name == "New-InboundConnector").Arguments["Name"]);
        Assert.StartsWith("SMTP relay for Scanner\u2019; Write-Host \u2019PWNED\u2019; #Write-Host PWNEDWrite-Host PWNED #>",
            named.Commands.Single(c => c.Name == "New-InboundConnector").Arguments["Comment"]);
    }

    [Fact]
    public async Task AnSpfRecordWithLineBreaksIsNotMergedIntoAProposal()
    {
        var plan = await Relay(HostileSpf[0]);
        Assert.Null(plan.Spf.Proposed);
        var finding = Assert.Single(plan.Findings, f => f.Id == "SpfRecordInvalidCharacters");
        Assert.Equal(FindingSeverity.Error, finding.Severity);
        Assert.Contains("v=spf1 a:mail.x\\x0AWrite-Host 'PWNED'\\x0A# -all", finding.Message);
        Assert.Contains("#   now:     v=spf1 a:mail.x\\x0AWrite-Host 'PWNED'\\x0A# -all\n", plan.Script);
    }

    [Fact]
    public async Task ALongProposalIsCommentedWithItsStrings()
    {
        var plan = await Relay(HostileSpf[^1]);
        Assert.NotNull(plan.Spf.Proposed);
        Assert.True(plan.Spf.ProposedStrings.Length > 1);
        Assert.Contains("#   publish: " + plan.Spf.Proposed!.Replace("#>", "# >") + "\n", plan.Script);
        Assert.DoesNotContain("#>", plan.Script);
    }

    [Fact]
    public async Task AppAccessScriptsKeepHostileNamesAndAddressesLiteral()
    {
        var scripts = new List<string>();
        foreach (bool hostile in new[] { true, false })
            foreach (var model in new[] { SmtpAppAccessModel.MailboxPermission, SmtpAppAccessModel.AppRbac })
            {
                var request = new NewSmtpAppAccessPlanRequest
                {
                    AppId = Guid.NewGuid(), ServicePrincipalObjectId = Guid.NewGuid(), Model = model, EnableSmtpClientAuthentication = true,
                    Mailbox = hostile
                        ? new[] { "o\u2019brien@contoso.com", "x'y@contoso.com" }
                        : new[] { "a@contoso.com", "b@contoso.com" },
                    SendAs = hostile ? new[] { "a\u2018#b@contoso.com" } : new[] { "c@contoso.com" },
                    DisplayName = hostile ? HostileName + "\u2028Write-Host PWNED" : "SMTP app",
                    ScopeName = hostile ? HostileName : "Scope",
                };
                scripts.Add(Assert.Single((await new NewSmtpAppAccessPlanOperation(new FakeClock()).CollectAsync(request,
                    new RecordingHost(), TestContext.Current.CancellationToken)).Results).Script);
            }
        var parsed = PowerShellParser.ParseTexts(scripts.ToArray());
        for (int i = 0; i < 2; i++)
        {
            Assert.True(parsed[i].Errors.Length == 0, scripts[i] + "\n" + string.Join("\n", parsed[i].Errors));
            // Exactly the commands of the same plan with harmless names.
            Assert.True(parsed[i + 2].Names.SequenceEqual(parsed[i].Names),
                scripts[i] + "\ncommands: " + string.Join(", ", parsed[i].Names));
            Assert.Contains("New-ServicePrincipal", parsed[i].Names);
            AssertNoRawControls(scripts[i]);
            var sp = parsed[i].Commands.Single(c => c.Name == "New-ServicePrincipal");
            // Line separators and control characters are dropped from names (as control characters always were).
            Assert.Equal(HostileName + "Write-Host PWNED", sp.Arguments["DisplayName"]);
        }
        Assert.Equal(new[] { "o\u2019brien@contoso.com", "x'y@contoso.com" },
            parsed[0].Commands.Where(c => c.Name == "Add-MailboxPermission").Select(c => c.Arguments["Identity"]));
        Assert.Equal(new[] { "a\u2018#b@contoso.com" },
            parsed[0].Commands.Where(c => c.Name == "Add-RecipientPermission").Select(c => c.Arguments["Identity"]));
        var scope = parsed[1].Commands.Single(c => c.Name == "New-ManagementScope");
        Assert.Equal(HostileName, scope.Arguments["Name"]);
        // The filter is one single-quoted PowerShell string: its OPATH quotes are doubled once more.
        Assert.Contains("PrimarySmtpAddress -eq 'o\u2019\u2019brien@contoso.com'", scope.Arguments["RecipientRestrictionFilter"]);
    }

    [Fact]
    public void PasteableFixesKeepASmartQuoteSenderLiteral()
    {
        // Issue 14, item 4: PowerShell treats U+2018-U+201B as single quotes, so each must be doubled like '.
        const string sender = "x\u2019;Write-Host(\u2019PWNED\u2019);#@contoso.com";
        const string mailbox = "y\u2018;Write-Host(\u201BPWNED\u201A);#@contoso.com";
        var context = new RemediationContext
        {
            Mailbox = mailbox, Sender = sender, AppId = "a\u2019;Write-Host PWNED;\u2019", ServicePrincipalObjectId = "sp'x"
        };
        var commands = ReplyCatalogue.Entries.SelectMany(e => e.Commands(context))
            .Concat(Findings.TokenCommands("TokenMissingSendAsApp", context))
            .Concat(Findings.HostNotFound("h\u2019;Write-Host PWNED;#", "NXDOMAIN", "smtp.office365.com").Commands)
            .Distinct().ToArray();
        Assert.True(commands.Length >= 8);
        var parsed = PowerShellParser.ParseTexts(string.Join("\n", commands) + "\n")[0];
        Assert.Empty(parsed.Errors);
        // One command per line, none of them Write-Host, and every value arrives unchanged.
        Assert.Equal(commands.Select(c => c.Split(' ')[0]), parsed.Names.Where(n => n != "Where-Object" && n != "Select-Object"));
        var values = parsed.Commands.SelectMany(c => c.Arguments.Values).ToHashSet();
        Assert.Contains(sender, values);
        Assert.Contains(mailbox, values);
        Assert.Contains("a\u2019;Write-Host PWNED;\u2019", values);
        // Resolve-DnsName -Name on Windows; dig, host or getent elsewhere, which take the name positionally.
        Assert.Contains(commands, c => c.EndsWith(" " + PowerShellText.Quote("h\u2019;Write-Host PWNED;#"), StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("it's", "'it''s'")]
    [InlineData("x\u2019;Write-Host(\u2019PWNED\u2019);#", "'x\u2019\u2019;Write-Host(\u2019\u2019PWNED\u2019\u2019);#'")]
    [InlineData("\u2018\u2019\u201A\u201B", "'\u2018\u2018\u2019\u2019\u201A\u201A\u201B\u201B'")]
    [InlineData("$(x) `n \"", "'$(x) `n \"'")]
    public void QuoteDoublesEverySingleQuote(string value, string expected) => Assert.Equal(expected, PowerShellText.Quote(value));

    [Theory]
    [InlineData("a\nb", "a\\x0Ab")]
    [InlineData("a\u2028b\u2029c\u0085d", "a\\u2028b\\u2029c\\x85d")]
    [InlineData("x #> y", "x # > y")]
    [InlineData("\u001B]0;t\u0007", "\\x1B]0;t\\x07")]
    [InlineData("\u202Eabc", "\\u202Eabc")]
    public void CommentEscapesWhatCouldEndOrHideIt(string value, string expected) => Assert.Equal(expected, PowerShellText.Comment(value));
}
