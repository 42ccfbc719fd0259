using M365SmtpTools.Engine.Exchange;
using M365SmtpTools.Engine.Tests.Infrastructure;
using Xunit;

namespace M365SmtpTools.Engine.Tests.Exchange;

/// <summary>Every reply in DOMAIN.md's catalogue maps to its finding, meaning and fix.</summary>
public sealed class ReplyCatalogueTests
{
    public static TheoryData<int, string, string> Replies => new()
    {
        { 535, "535 5.7.3 Authentication unsuccessful [SN4PR0201CA0047.namprd02.prod.outlook.com]", "AuthenticationUnsuccessful" },
        { 535, "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.", "SmtpAuthDisabled" },
        { 535, "535 5.7.139 Authentication unsuccessful, user is locked by your organization's security defaults policy. Contact your administrator.", "SecurityDefaultsBlock" },
        { 535, "535 5.7.139 Authentication unsuccessful, basic authentication is disabled.", "BasicAuthBlocked" },
        { 535, "535 5.7.139 Authentication unsuccessful, the request did not meet the criteria to be authenticated successfully.", "ConditionalAccessBlock" },
        { 550, "550 5.7.30 Basic authentication is not supported for Client Submission.", "BasicAuthRetired" },
        { 530, "530 5.7.57 Client not authenticated to send mail. [MW4PR03CA0055.namprd03.prod.outlook.com]", "ClientNotAuthenticated" },
        { 554, "554 5.7.60 SMTP; Client does not have permissions to send as this sender", "SendAsDenied" },
        { 550, "550 5.7.60 SMTP; Client does not have permissions to send as this sender", "SendAsDenied" },
        { 432, "432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded", "ConcurrentConnectionLimit" },
        { 554, "554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException; Failed to process message due to a permanent exception", "SubmissionQuotaExceeded" },
        { 550, "550 5.2.2 Submission quota exceeded", "SubmissionQuotaExceeded" },
        { 554, "554 5.2.2 mailbox full; STOREDRV.Submission.Exception:QuotaExceededException", "SenderMailboxFull" },
        { 550, "550 5.2.252 SendAsDenied; Sender throttled due to continuous invalid recipients", "SenderThrottled" },
        { 451, "451 4.7.500 Server busy. Please try again later from [203.0.113.9]. (S77719) [Access denied, please try again later]", "TemporaryAccessDenied" },
        { 550, "550 5.7.708 Service unavailable. Access denied, traffic not accepted from this IP.", "IpReputationBlocked" },
        { 550, "550 5.7.64 TenantAttribution; Relay Access Denied", "RelayAccessDenied" },
        { 550, "550 5.7.68 TenantInboundAttribution; Direct Send not allowed for this organization from unauthorized sources", "DirectSendRejected" },
        { 550, "550 5.7.54 SMTP; Unable to relay recipient in non-accepted domain", "RelayNotPermitted" },
        { 552, "552 5.3.4 Message size exceeds fixed maximum message size", "MessageTooLarge" },
    };

    [Theory]
    [MemberData(nameof(Replies))]
    public void EachCatalogueReplyIsRecognized(int code, string reply, string expectedId)
    {
        string text = reply[4..];
        ReplyExplanation e = ReplyCatalogue.Explain(code, text.Split(' ')[0], text, new RemediationContext { Mailbox = "scanner@contoso.com", Sender = "noreply@contoso.com", UsedOAuth = true });
        Assert.Equal(expectedId, e.Id);
        Assert.NotNull(e.Entry);
        Assert.False(string.IsNullOrWhiteSpace(e.Meaning));
        Assert.False(string.IsNullOrWhiteSpace(e.Remediation));
        Assert.Equal(code / 100 == 4, e.IsTransient);
    }

    [Fact]
    public void RemediationCommandsAreFilledWithTheContextAndQuoted()
    {
        var e = ReplyCatalogue.Explain(535, "5.7.139", "5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.",
            new RemediationContext { Mailbox = "o'brien@contoso.com" });
        Assert.Equal("Set-CASMailbox -Identity 'o''brien@contoso.com' -SmtpClientAuthenticationDisabled $false", e.Commands[0]);

        var sendAs = ReplyCatalogue.Explain(550, "5.7.60", "5.7.60 SMTP; Client does not have permissions to send as this sender",
            new RemediationContext { Mailbox = "app@contoso.com", Sender = "billing@contoso.com" });
        Assert.Equal("Add-RecipientPermission -Identity 'billing@contoso.com' -Trustee 'app@contoso.com' -AccessRights SendAs -Confirm:$false", sendAs.Commands.Single());

        var unknown = ReplyCatalogue.Explain(535, "5.7.3", "5.7.3 Authentication unsuccessful", null);
        Assert.Contains("New-ServicePrincipal -AppId '<application id>' -ObjectId '<enterprise application object id>'", unknown.Commands);
    }

    [Fact]
    public void PasswordUsersGetThePasswordMeaningOf573()
    {
        var basic = ReplyCatalogue.Explain(535, "5.7.3", "5.7.3 Authentication unsuccessful", new RemediationContext { UsedOAuth = false });
        var oauth = ReplyCatalogue.Explain(535, "5.7.3", "5.7.3 Authentication unsuccessful", new RemediationContext { UsedOAuth = true });
        Assert.Contains("password", basic.Meaning);
        Assert.Contains("token", oauth.Meaning);
    }

    [Theory]
    [InlineData(501, "5.5.2 Syntax error in parameters", "Permanent failure: mail delivery protocol status: syntax error (5.5.2).", false)]
    [InlineData(451, "4.4.1 No answer from host", "Persistent transient failure: network and routing status: no answer from host (4.4.1).", true)]
    [InlineData(554, "no enhanced code here", "Permanent failure (reply 554).", false)]
    public void UnknownRepliesGetRfc3463sGenericMeaning(int code, string text, string meaning, bool transient)
    {
        var e = ReplyCatalogue.Explain(code, null, text);
        Assert.Null(e.Entry);
        Assert.Equal(meaning, e.Meaning);
        Assert.Equal(transient, e.IsTransient);
        Assert.Equal("SmtpReply" + code, e.Id);
    }

    [Fact]
    public void EveryRemediationCommandIsWrittenOutForThePowerShellChecks()
    {
        // CI checks these with pscheck against the Exchange Online cmdlet reference (syntax and parameter names).
        string dir = Path.Combine(TestPaths.RepoRoot, "tests", "generated", "remediation");
        Directory.CreateDirectory(dir);
        var context = new RemediationContext { Mailbox = "scanner@contoso.com", Sender = "noreply@contoso.com", AppId = "11111111-2222-3333-4444-555555555555", ServicePrincipalObjectId = "66666666-7777-8888-9999-000000000000" };
        var lines = ReplyCatalogue.Entries.SelectMany(e => e.Commands(context).Concat(e.Commands(null))).Distinct().ToList();
        Assert.True(lines.Count >= 8, "the catalogue should carry remediation commands");
        File.WriteAllLines(Path.Combine(dir, "reply-catalogue.ps1"), new[] { "# Every remediation command the reply catalogue can emit (written by ReplyCatalogueTests)." }.Concat(lines));
        Assert.All(lines, l => Assert.DoesNotMatch(@"\{(Mailbox|Sender|Recipient|AppId|ServicePrincipal)\}", l));
    }
}
