using M365SmtpTools.Engine.Exchange;
using M365SmtpTools.Engine.Operations;
using M365SmtpTools.Engine.Tests.Auth;
using M365SmtpTools.Engine.Tests.Infrastructure;
using M365SmtpTools.Engine.Tests.Exchange;
using M365SmtpTools.Engine.Tests.Operations.SendMail;
using static M365SmtpTools.Engine.Tests.Exchange.ExchangeOnlineReplySamples;

namespace M365SmtpTools.Engine.Tests.Operations.TestSmtpAuth;

/// <summary>
/// Every real reply of <see cref="ExchangeOnlineReplySamples"/> that comes in the SMTP dialogue, played by the
/// Exchange Online double at the stage where Exchange Online sends it (greeting, EHLO, AUTH, MAIL, RCPT, end of DATA
/// or BDAT), becomes Test-M365SmtpAuth's finding for its row; and Send-M365Mail's result for the same reply carries the
/// same meaning, remediation and commands.
/// </summary>
public sealed class CatalogueDialogueTests
{
    private const string Bob = "bob@contoso.com";

    public static TheoryData<string, bool> DialogueSamples()
    {
        var data = new TheoryData<string, bool>();
        foreach (Sample s in All.Where(s => s.Stage != ReplyStages.Ndr))
        {
            data.Add(s.Name, true);
            if (s.Stage == ReplyStages.EndOfData) data.Add(s.Name, false); // the end of DATA as well as BDAT LAST
        }
        return data;
    }

    /// <summary>Send-M365Mail's view: the permanent replies after AUTH (a 4xx would be retried with back-off).</summary>
    public static TheoryData<string> SendSamples() =>
        new(All.Where(s => s.Code >= 500 && s.Stage is ReplyStages.MailFrom or ReplyStages.RcptTo or ReplyStages.EndOfData)
            .Select(s => s.Name));

    private static string Step(ReplyStages stage) => stage switch
    {
        ReplyStages.Greeting => "GREETING",
        ReplyStages.Ehlo => "EHLO",
        ReplyStages.Auth => "AUTH",
        ReplyStages.MailFrom => "MAIL",
        ReplyStages.RcptTo => "RCPT",
        ReplyStages.EndOfData => "ENDOFDATA",
        _ => throw new ArgumentOutOfRangeException(nameof(stage)),
    };

    private static SmtpTestStage TestStage(ReplyStages stage) => stage switch
    {
        ReplyStages.Greeting or ReplyStages.Ehlo => SmtpTestStage.Greeting, // the banner and the first EHLO are one stage
        ReplyStages.Auth => SmtpTestStage.Auth,
        ReplyStages.MailFrom => SmtpTestStage.MailFrom,
        ReplyStages.RcptTo => SmtpTestStage.RcptTo,
        _ => SmtpTestStage.Message,
    };

    [Theory]
    [MemberData(nameof(DialogueSamples))]
    public async Task The_reply_at_its_stage_becomes_its_rows_finding(string name, bool chunking)
    {
        Sample s = Get(name);
        var options = new ExchangeOnlineDoubleOptions { OfferChunking = chunking };
        options.ScriptedReplies[Step(s.Stage)] = s.Reply;
        await using var exo = ExchangeOnlineDouble.Start(options);
        TestSmtpAuthRequest request = Diag.Request(exo).WithToken(Diag.DelegatedToken(exo));
        request.From = Diag.Alice;
        request.To = new[] { Bob };
        request.SendTestMessage = s.Stage == ReplyStages.EndOfData;

        SmtpAuthTestReport report = await Diag.Op(exo).RunAsync(request);

        SmtpTestStage stage = TestStage(s.Stage);
        Assert.Equal(SmtpTestOutcome.Failed, report.Overall);
        Assert.Equal(stage, report.FailedStage);
        SmtpTestFinding finding = report.Findings.FirstOrDefault(f => f.Id == s.ExpectedId)
            ?? throw new Xunit.Sdk.XunitException($"no finding {s.ExpectedId} for {s.Reply}; the report:\n{report.ToText()}");
        Assert.Equal(stage, finding.Stage);
        Assert.Contains(s.Reply, finding.Evidence);
        // What the finding says is what the table's row says, filled with this run's values.
        var context = new RemediationContext
        {
            Mailbox = Diag.Alice, Sender = Diag.Alice, Recipient = Bob, AppId = TestJwt.AppId, UsedOAuth = true
        };
        ReplyCatalogueEntry row = ReplyCatalogue.Matching(s.Code, null, s.Text)[0];
        Assert.Equal(s.ExpectedId, row.Id);
        Assert.Equal(row.MeaningFor(context), finding.Meaning);
        if (row.Id == "SmtpAuthDisabled")
        {
            // SMTP AUTH off: the row's fix, then the Send-M365Mail -Method Graph way around it (GraphAlternativeTests).
            Assert.StartsWith(row.Remediation, finding.Remediation);
            Assert.Contains("Send-M365Mail -Method Graph", finding.Remediation);
        }
        else
            Assert.Equal(row.Remediation, finding.Remediation);
        Assert.Equal(row.Commands(context), finding.Commands);
        Assert.Equal(row.Severity, finding.Severity);
        Assert.DoesNotContain(finding.Commands, c => c.Contains("'<mailbox>'") || c.Contains("'<sender address>'")
            || c.Contains("'<recipient address>'")); // filled from the run
        Assert.DoesNotContain(report.Findings, f => f.Severity == FindingSeverity.Error && f.Id != s.ExpectedId);
        Diag.WriteCommands("dialogue-" + s.Name, report);
        await exo.WaitForSessionsAsync();
        Assert.Empty(exo.Messages);
    }

    [Theory]
    [MemberData(nameof(SendSamples))]
    public async Task Send_M365Mail_says_what_the_diagnosis_says(string name)
    {
        Sample s = Get(name);
        var options = new ExchangeOnlineDoubleOptions();
        options.ScriptedReplies[Step(s.Stage)] = s.Reply;
        await using var exo = ExchangeOnlineDouble.Start(options);
        SendMailRequest request = SendKit.TokenRequest(Bob);

        SendMailResult r = await new SendMailOperation(SendKit.For(exo)).RunForResultAsync(request, new RecordingHost(),
            TestContext.Current.CancellationToken);

        Assert.Equal(SendMailStatus.Failed, r.Status);
        Assert.Equal(s.Code, r.ReplyCode);
        var context = new RemediationContext { Mailbox = Diag.Alice, Sender = Diag.Alice, Recipient = Bob, UsedOAuth = true };
        ReplyExplanation diagnosis = ReplyCatalogue.Explain(s.Code, null, s.Text, context);
        Assert.Equal(s.ExpectedId, diagnosis.Id);
        Assert.Equal(diagnosis.Meaning, r.Meaning);
        Assert.Equal(diagnosis.Remediation, r.Remediation);
        Assert.Equal(diagnosis.Commands, r.RemediationCommands);
        Assert.Empty(exo.Messages);
    }
}
