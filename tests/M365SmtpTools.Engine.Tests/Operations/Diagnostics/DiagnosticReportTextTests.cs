using M365SmtpTools.Engine.Operations;

namespace M365SmtpTools.Engine.Tests.Operations.Diagnostics;

/// <summary>
/// What both staged tests' reports say the same way: the summary (the most serious finding that isn't information, or
/// the verdict) and the findings block of the report's text, read from a Test-M365GraphSend report and a
/// Test-M365SmtpAuth report built by hand.
/// </summary>
public sealed class DiagnosticReportTextTests
{
    [Fact]
    public void A_report_without_findings_says_all_stages_passed_or_its_verdict_and_lists_none()
    {
        var graph = new GraphSendTestReport("https://graph.microsoft.com")
        {
            Overall = SmtpTestOutcome.Passed, Mailbox = "reports@contoso.com"
        };
        Assert.Equal("All stages passed.", graph.Summary);
        Assert.Equal("Passed reports@contoso.com: All stages passed.", graph.ToString());
        Assert.EndsWith("Findings  :" + Environment.NewLine + "  (none)" + Environment.NewLine, graph.ToText(), StringComparison.Ordinal);
        var smtp = new SmtpAuthTestReport("smtp.office365.com", 587) { Overall = SmtpTestOutcome.Warning };
        // Only information findings: the verdict names itself.
        smtp.AddFinding(new SmtpTestFinding("TlsVersion", FindingSeverity.Information, SmtpTestStage.Tls, "TLS 1.3", "Fine.", "Nothing."));
        Assert.Equal("Warning", smtp.Summary);
    }

    [Fact]
    public void The_summary_is_the_most_serious_finding_and_the_text_lists_every_finding_most_serious_first()
    {
        var report = new GraphSendTestReport("https://graph.microsoft.com")
        {
            Overall = SmtpTestOutcome.Failed, Mailbox = "reports@contoso.com"
        };
        report.AddFinding(new GraphTestFinding("TokenExpiresSoon", FindingSeverity.Warning, GraphTestStage.Claims, "exp in 4 min",
            "The token expires soon.", "Get a new one."));
        report.AddFinding(new GraphTestFinding("GraphErrorAccessDenied", FindingSeverity.Error, GraphTestStage.Mailbox,
            "403 ErrorAccessDenied", "No Mail.Send.", "Grant Mail.Send.",
            new[] { "New-ApplicationAccessPolicy -AppId x", "Test-ApplicationAccessPolicy -Identity y" }));
        Assert.Equal("GraphErrorAccessDenied: No Mail.Send.", report.Summary);
        string n = Environment.NewLine;
        string expected =
            "Findings  :" + n +
            "  [Error] GraphErrorAccessDenied (Mailbox)" + n +
            "    Evidence    : 403 ErrorAccessDenied" + n +
            "    Meaning     : No Mail.Send." + n +
            "    Remediation : Grant Mail.Send." + n +
            "    > New-ApplicationAccessPolicy -AppId x" + n +
            "    > Test-ApplicationAccessPolicy -Identity y" + n +
            "  [Warning] TokenExpiresSoon (Claims)" + n +
            "    Evidence    : exp in 4 min" + n +
            "    Meaning     : The token expires soon." + n +
            "    Remediation : Get a new one." + n;
        Assert.EndsWith(expected, report.ToText(), StringComparison.Ordinal);
    }
}
