using System.Text.RegularExpressions;
using M365SmtpTools.Engine.Exchange;
using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Engine.Tests.Exchange;

/// <summary>
/// Independent expectations for the reply catalogue. The Exchange Online double and most catalogue tests use reply
/// texts written by this project, so a misread reply would be shared by the code and its tests. Here the reply texts
/// come from Microsoft's own pages (../shared/reference/exchange-online-ndr, read at test time, not copied), and the
/// expected finding is written from each page's explanation, not from the catalogue. When the catalogue and Microsoft's
/// wording disagree, these fail. Skipped, with the reason, where the shared/ folder is not beside the repository.
/// </summary>
public sealed class MicrosoftReplyTextTests
{
    private const string NdrTable = "exchange-online-ndr/SupportArticles-docs/non-delivery-reports-in-exchange-online.md";
    private const string OAuthPage =
        "exchange-online-ndr/office-developer-exchange-docs/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth.md";

    private static string Shared(string relative)
    {
        string path = Path.GetFullPath(Path.Combine(TestPaths.RepoRoot, "..", "shared", "reference", relative));
        if (!File.Exists(path))
            Assert.Skip($"{path} is not present: this check needs the shared/ folder beside the repository (as CI has it).");
        return path;
    }

    /// <summary>The backticked reply texts in the NDR table row whose first cell is <paramref name="firstCell"/>.</summary>
    private static string[] NdrTexts(string firstCell)
    {
        string row = File.ReadLines(Shared(NdrTable)).Single(l => l.StartsWith("|" + firstCell + "|", StringComparison.Ordinal));
        string text = row.Split('|')[2];
        return Regex.Matches(text, "`([^`]+)`").Select(m => m.Groups[1].Value).ToArray();
    }

    // Each case: the reply Exchange Online sends (code and enhanced code as the page gives them, text from the page),
    // and the finding the page's explanation calls for.
    public static TheoryData<string, int, string, int, string> NdrRows => new()
    {
        // "You configured an application or device to send (relay) … using the smtp.office365.com endpoint": the client
        // did not authenticate (at MAIL FROM Exchange Online answers 530; the page's NDR shows it as 550 5.7.57, which
        // the catalogue table reads the same way).
        { "5.7.57", 0, "5.7.57", 550, "ClientNotAuthenticated" },
        // "You use an inbound connector … the inbound connector's configuration [is] incorrect": relay refused.
        { "5.7.64", 0, "5.7.64", 550, "RelayAccessDenied" },
        // "The sender has exceeded the recipient rate limit or the message rate limit".
        { "5.2.2", 0, "5.2.2", 550, "SubmissionQuotaExceeded" },
        { "5.2.2", 0, "5.2.2", 554, "SubmissionQuotaExceeded" },
        // "Suspicious activity has been detected and sending has been temporarily restricted": transient.
        { "4.7.500-699", 0, "4.7.500", 451, "TemporaryAccessDenied" },
        // "…sending email from known, low reputation IP addresses": the 5.7.708 text of the 5.7.705/5.7.708 row.
        { "5.7.705 <br/><br/> 5.7.708", 1, "", 550, "IpReputationBlocked" },
    };

    [Theory]
    [MemberData(nameof(NdrRows))]
    public void A_reply_worded_as_Microsoft_documents_it_gets_the_finding_the_page_describes(string row, int textIndex, string enhanced,
        int code, string expectedId)
    {
        string text = NdrTexts(row)[textIndex];
        // The table gives some texts with their enhanced code in front (5.7.708 …), others without (the row's code).
        string replyText = enhanced.Length > 0 ? enhanced + " " + text : text;
        ReplyExplanation e = ReplyCatalogue.Explain(code, replyText.Split(' ')[0], replyText);
        Assert.True(expectedId == e.Id, $"'{code} {replyText}' ({NdrTable}, row {row}): expected {expectedId}, the catalogue says {e.Id}");
    }

    [Fact]
    public void The_failed_XOAUTH2_reply_of_Microsofts_OAuth_page_is_an_authentication_failure()
    {
        // The page's SMTP example: "S: 535 5.7.3 Authentication unsuccessful [<front-end host>]" after a bad token.
        string line = File.ReadLines(Shared(OAuthPage)).Single(l => l.StartsWith("S: 535 ", StringComparison.Ordinal))[3..];
        ReplyExplanation e = ReplyCatalogue.Explain(int.Parse(line[..3]), line[4..].Split(' ')[0], line[4..],
            new RemediationContext { UsedOAuth = true });
        Assert.Equal("AuthenticationUnsuccessful", e.Id);
        Assert.False(e.IsTransient);
    }

    [Fact]
    public void The_documented_recipient_thread_limit_is_transient()
    {
        // "432 4.3.2 STOREDRV.Deliver; recipient thread limit exceeded": the recipient's mailbox is throttled; the page
        // says the message is retried. Whatever finding the catalogue gives it, it must not be a permanent failure.
        string text = NdrTexts("432&nbsp;4.3.2").Single();
        ReplyExplanation e = ReplyCatalogue.Explain(432, "4.3.2", "4.3.2 " + text);
        Assert.True(e.IsTransient, $"432 4.3.2 {text}: the catalogue says {e.Id}, not transient");
    }
}
