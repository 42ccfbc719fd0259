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
        { 535, "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. " +
            "Visit https://aka.ms/smtp_auth_disabled for more information.", "SmtpAuthDisabled" },
        { 535, "535 5.7.139 Authentication unsuccessful, user is locked by your organization's security defaults policy. " +
            "Contact your administrator.", "SecurityDefaultsBlock" },
        { 535, "535 5.7.139 Authentication unsuccessful, basic authentication is disabled.", "BasicAuthBlocked" },
        { 535, "535 5.7.139 Authentication unsuccessful, the request did not meet the criteria to be authenticated successfully.",
            "ConditionalAccessBlock" },
        { 550, "550 5.7.30 Basic authentication is not supported for Client Submission.", "BasicAuthRetired" },
        { 530, "530 5.7.57 Client not authenticated to send mail. [MW4PR03CA0055.namprd03.prod.outlook.com]", "ClientNotAuthenticated" },
        { 554, "554 5.7.60 SMTP; Client does not have permissions to send as this sender", "SendAsDenied" },
        { 550, "550 5.7.60 SMTP; Client does not have permissions to send as this sender", "SendAsDenied" },
        { 432, "432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded", "ConcurrentConnectionLimit" },
        { 554, "554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException; " +
            "Failed to process message due to a permanent exception", "SubmissionQuotaExceeded" },
        { 550, "550 5.2.2 Submission quota exceeded", "SubmissionQuotaExceeded" },
        { 554, "554 5.2.2 mailbox full; STOREDRV.Submission.Exception:QuotaExceededException", "SenderMailboxFull" },
        { 550, "550 5.2.252 SendAsDenied; Sender throttled due to continuous invalid recipients", "SenderThrottled" },
        { 451, "451 4.7.500 Server busy. Please try again later from [203.0.113.9]. (S77719) [Access denied, please try again later]",
            "TemporaryAccessDenied" },
        { 550, "550 5.7.708 Service unavailable. Access denied, traffic not accepted from this IP.", "IpReputationBlocked" },
        { 550, "550 5.7.64 TenantAttribution; Relay Access Denied", "RelayAccessDenied" },
        { 550, "550 5.7.68 TenantInboundAttribution; Direct Send not allowed for this organization from unauthorized sources",
            "DirectSendRejected" },
        { 550, "550 5.7.54 SMTP; Unable to relay recipient in non-accepted domain", "RelayNotPermitted" },
        { 552, "552 5.3.4 Message size exceeds fixed maximum message size", "MessageTooLarge" },
    };

    [Theory]
    [MemberData(nameof(Replies))]
    public void EachCatalogueReplyIsRecognized(int code, string reply, string expectedId)
    {
        string text = reply[4..];
        ReplyExplanation e = ReplyCatalogue.Explain(code, text.Split(' ')[0], text,
            new RemediationContext { Mailbox = "scanner@contoso.com", Sender = "noreply@contoso.com", UsedOAuth = true });
        Assert.Equal(expectedId, e.Id);
        Assert.NotNull(e.Entry);
        Assert.False(string.IsNullOrWhiteSpace(e.Meaning));
        Assert.False(string.IsNullOrWhiteSpace(e.Remediation));
        Assert.Equal(code / 100 == 4, e.IsTransient);
    }

    [Fact]
    public void RemediationCommandsAreFilledWithTheContextAndQuoted()
    {
        var e = ReplyCatalogue.Explain(535, "5.7.139",
            "5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.",
            new RemediationContext { Mailbox = "o'brien@contoso.com" });
        Assert.Equal("Set-CASMailbox -Identity 'o''brien@contoso.com' -SmtpClientAuthenticationDisabled $false", e.Commands[0]);

        var sendAs = ReplyCatalogue.Explain(550, "5.7.60", "5.7.60 SMTP; Client does not have permissions to send as this sender",
            new RemediationContext { Mailbox = "app@contoso.com", Sender = "billing@contoso.com" });
        Assert.Equal(
            "Add-RecipientPermission -Identity 'billing@contoso.com' -Trustee 'app@contoso.com' -AccessRights SendAs -Confirm:$false",
            sendAs.Commands.Single());

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
    [InlineData(451, "4.4.1 No answer from host",
        "Persistent transient failure: network and routing status: no answer from host (4.4.1).", true)]
    [InlineData(554, "no enhanced code here", "Permanent failure (reply 554).", false)]
    public void UnknownRepliesGetRfc3463sGenericMeaning(int code, string text, string meaning, bool transient)
    {
        var e = ReplyCatalogue.Explain(code, null, text);
        Assert.Null(e.Entry);
        Assert.Equal(meaning, e.Meaning);
        Assert.Equal(transient, e.IsTransient);
        Assert.Equal("SmtpReply" + code, e.Id);
    }

    [Theory]
    // RFC 3463 section 3: the class, then the subject, then the details the RFC names for the codes senders meet.
    [InlineData(250, "2.0.0", "Success: other or undefined status (2.0.0).")]
    [InlineData(550, "5.1.1",
        "Permanent failure: addressing status (a mailbox address or domain): bad destination mailbox address (5.1.1).")]
    [InlineData(550, "5.1.2",
        "Permanent failure: addressing status (a mailbox address or domain): bad destination system address (5.1.2).")]
    [InlineData(550, "5.1.3",
        "Permanent failure: addressing status (a mailbox address or domain): bad destination mailbox address syntax (5.1.3).")]
    [InlineData(550, "5.1.7",
        "Permanent failure: addressing status (a mailbox address or domain): bad sender's mailbox address syntax (5.1.7).")]
    [InlineData(550, "5.1.8", "Permanent failure: addressing status (a mailbox address or domain): bad sender's system address (5.1.8).")]
    [InlineData(550, "5.1.9", "Permanent failure: addressing status (a mailbox address or domain) (5.1.9).")]
    [InlineData(550, "5.2.1",
        "Permanent failure: mailbox status (the mailbox is full, disabled or not accepting mail): " +
        "mailbox disabled, not accepting messages (5.2.1).")]
    [InlineData(452, "4.2.2",
        "Persistent transient failure: mailbox status (the mailbox is full, disabled or not accepting mail): mailbox full (4.2.2).")]
    [InlineData(552, "5.2.3",
        "Permanent failure: mailbox status (the mailbox is full, disabled or not accepting mail): " +
        "message length exceeds administrative limit (5.2.3).")]
    [InlineData(552, "5.3.4", "Permanent failure: mail system status (the receiving system): message too big for system (5.3.4).")]
    [InlineData(451, "4.4.1", "Persistent transient failure: network and routing status: no answer from host (4.4.1).")]
    [InlineData(451, "4.4.7", "Persistent transient failure: network and routing status: delivery time expired (4.4.7).")]
    [InlineData(500, "5.5.1", "Permanent failure: mail delivery protocol status: invalid command (5.5.1).")]
    [InlineData(501, "5.5.2", "Permanent failure: mail delivery protocol status: syntax error (5.5.2).")]
    [InlineData(452, "4.5.3", "Persistent transient failure: mail delivery protocol status: too many recipients (4.5.3).")]
    [InlineData(554, "5.6.0", "Permanent failure: message content or media status (5.6.0).")]
    [InlineData(550, "5.7.0", "Permanent failure: security or policy status: other security or policy status (5.7.0).")]
    [InlineData(550, "5.7.1", "Permanent failure: security or policy status: delivery not authorized, message refused (5.7.1).")]
    [InlineData(535, "5.7.8", "Permanent failure: security or policy status: authentication credentials invalid (5.7.8).")]
    [InlineData(534, "5.7.9", "Permanent failure: security or policy status: authentication mechanism is too weak (5.7.9).")]
    [InlineData(538, "5.7.11",
        "Permanent failure: security or policy status: encryption required for requested authentication mechanism (5.7.11).")]
    [InlineData(550, "5.8.1", "Permanent failure: an unknown subject (5.8.1).")]
    // The enhanced code's class wins over the reply code's; with no enhanced code the reply code's class is used.
    [InlineData(550, "4.4.1", "Persistent transient failure: network and routing status: no answer from host (4.4.1).")]
    [InlineData(250, null, "Success (reply 250).")]
    [InlineData(451, null, "Persistent transient failure (reply 451).")]
    [InlineData(354, null, "Unknown reply class (reply 354).")]
    public void The_generic_meaning_names_class_subject_and_detail_as_RFC_3463_does(int code, string? enhanced, string meaning) =>
        Assert.Equal(meaning, ReplyCatalogue.GenericMeaning(code, EnhancedCodeParts.Parse(enhanced)));

    [Theory]
    [InlineData(451, "4.9.9 something odd", true, FindingSeverity.Warning, "A temporary failure: retry later.")]
    [InlineData(400, "no code", true, FindingSeverity.Warning, "A temporary failure: retry later.")]
    [InlineData(499, "no code", true, FindingSeverity.Warning, "A temporary failure: retry later.")]
    [InlineData(500, "no code", false, FindingSeverity.Error, "A permanent failure: read the server's text for the reason.")]
    [InlineData(399, "no code", false, FindingSeverity.Error, "A permanent failure: read the server's text for the reason.")]
    public void A_reply_no_row_explains_is_transient_only_for_4xx(int code, string text, bool transient, FindingSeverity severity,
        string remediation)
    {
        ReplyExplanation x = ReplyCatalogue.Explain(code, null, text);
        Assert.Null(x.Entry);
        Assert.Equal((transient, severity, remediation), (x.IsTransient, x.Severity, x.Remediation));
        Assert.Empty(x.Commands);
    }

    [Fact]
    public void The_enhanced_code_given_wins_over_one_in_the_text()
    {
        Assert.Equal("ClientNotAuthenticated", ReplyCatalogue.Explain(530, "5.7.57", "5.7.3 Client not authenticated to send mail").Id);
        Assert.Equal("ClientNotAuthenticated",
            Assert.IsType<ReplyCatalogueEntry>(ReplyCatalogue.Matching(530, "5.7.57", "Client not authenticated").First()).Id);
        Assert.Equal("Permanent failure: mail delivery protocol status: syntax error (5.5.2).",
            ReplyCatalogue.Explain(501, "5.5.2", "5.5.4 Syntax error").Meaning);
    }

    [Fact]
    public void Every_row_names_the_public_page_it_is_grounded_in()
    {
        Assert.All(ReplyCatalogue.Entries, e =>
        {
            Assert.False(string.IsNullOrWhiteSpace(e.Source.Title), e.Id);
            Assert.StartsWith("https://", e.Source.Url);
            Assert.Equal($"{e.Source.Title} <{e.Source.Url}>", e.Source.ToString());
        });
    }

    [Fact]
    public void An_enhanced_code_in_the_text_is_used_when_none_is_given()
    {
        // The reply reader may not have parsed one (a class that disagrees with the reply code): the text still counts.
        Assert.Equal("Permanent failure: mail delivery protocol status: syntax error (5.5.2).",
            ReplyCatalogue.Explain(501, null, "5.5.2 Syntax error").Meaning);
        Assert.Equal("Permanent failure: mail delivery protocol status: syntax error (5.5.2).",
            ReplyCatalogue.Explain(501, "5.5.2", "Syntax error").Meaning);
    }

    [Theory]
    [InlineData("5.7.139", "5.7.139", true)]
    [InlineData("5.7.139", "5.7.13", false)]
    [InlineData("5.7.139", "5.6.139", false)]
    [InlineData("5.7.139", "4.7.139", false)]
    [InlineData("4.7.500", "4.7.500-699", true)]
    [InlineData("4.7.699", "4.7.500-699", true)]
    [InlineData("4.7.499", "4.7.500-699", false)]
    [InlineData("4.7.700", "4.7.500-699", false)]
    [InlineData("5.4.14", "5.4.6,5.4.14", true)]
    [InlineData("5.4.6", "5.4.6, 5.4.14", true)]
    [InlineData("5.4.7", "5.4.6,5.4.14", false)]
    [InlineData("5.2.253", "5.2.0,5.2.251-255", true)]
    public void An_enhanced_code_is_within_a_code_a_range_or_a_list(string code, string pattern, bool within) =>
        Assert.Equal(within, EnhancedCodeParts.Parse(code)!.Value.Within(pattern));

    [Theory]
    [InlineData("5.7.139", "5.7.139")]
    [InlineData("  4.3.2 text", "4.3.2")]
    [InlineData("5.7.1000", null)]
    [InlineData("3.1.1", null)]
    [InlineData("x 5.1.1", null)]
    [InlineData(null, null)]
    public void Enhanced_code_parts_are_parsed_from_the_start_of_the_text(string? text, string? parsed) =>
        Assert.Equal(parsed, EnhancedCodeParts.Parse(text)?.ToString());

    private static ReplyCatalogueEntry Row(ReplyFixOwner owner, ReplyRetry retry, string enhanced = "5.7.1", string? text = "refused") =>
        new("TestRow", enhanced, text, 550) { FixOwner = owner, Retry = retry, Summary = "It was refused.", Fix = "Fix it." };

    [Theory]
    [InlineData(ReplyFixOwner.SendersAdmin, "Who can fix it: the sender's admin.")]
    [InlineData(ReplyFixOwner.RecipientsAdmin, "Who can fix it: the recipient's admin.")]
    [InlineData(ReplyFixOwner.Microsoft, "Who can fix it: Microsoft.")]
    [InlineData(ReplyFixOwner.SendersAdmin | ReplyFixOwner.Microsoft, "Who can fix it: the sender's admin or Microsoft.")]
    [InlineData(ReplyFixOwner.SendersAdmin | ReplyFixOwner.RecipientsAdmin | ReplyFixOwner.Microsoft,
        "Who can fix it: the sender's admin, the recipient's admin, Microsoft.")]
    [InlineData(ReplyFixOwner.None, "")]
    public void The_remediation_says_what_to_do_who_can_do_it_and_whether_to_retry(ReplyFixOwner owner, string who) =>
        Assert.Equal($"Fix it. {who} Retry: only after the fix; until then every attempt gets the same reply.",
            Row(owner, ReplyRetry.RetryAfterFix).Remediation);

    [Theory]
    [InlineData(ReplyRetry.RetryLater, "4.7.500", "Retry: later, with back-off; it clears by itself.", true)]
    [InlineData(ReplyRetry.RetryLater, "5.7.500",
        "Retry: later, with back-off; it clears by itself.", false)] // a 5.x.x row is never transient
    [InlineData(ReplyRetry.RetryAfterFix, "4.7.500", "Retry: only after the fix; until then every attempt gets the same reply.", false)]
    [InlineData(ReplyRetry.DoNotRetry, "5.1.1", "Retry: no; the same message will be refused again.", false)]
    public void The_retry_sentence_and_transience_follow_the_retry_class(ReplyRetry retry, string enhanced, string sentence, bool transient)
    {
        ReplyCatalogueEntry e = Row(ReplyFixOwner.SendersAdmin, retry, enhanced);
        Assert.EndsWith(" " + sentence, e.Remediation);
        Assert.Equal(transient, e.IsTransient);
        Assert.Equal(transient ? FindingSeverity.Warning : FindingSeverity.Error, e.Severity);
    }

    [Fact]
    public void The_meaning_joins_summary_cause_and_numbered_candidates_and_a_password_session_may_read_differently()
    {
        var e = new ReplyCatalogueEntry("TestRow", "5.7.139", null, 535)
        {
            Summary = "Authentication was refused.", Cause = "Several things cause it.",
            Candidates = new[] { "wrong password", "SMTP AUTH disabled" },
            PasswordSummary = "The password was refused.", Fix = "Check.", FixOwner = ReplyFixOwner.SendersAdmin,
            Retry = ReplyRetry.RetryAfterFix,
        };
        Assert.Equal(
            "Authentication was refused. Several things cause it. In order of likelihood: 1) wrong password; 2) SMTP AUTH disabled.",
            e.Meaning);
        Assert.Equal(e.Meaning, e.MeaningFor(null));
        Assert.Equal(e.Meaning, e.MeaningFor(new RemediationContext { UsedOAuth = true }));
        Assert.Equal("The password was refused. Several things cause it. In order of likelihood: 1) wrong password; 2) SMTP AUTH disabled.",
            e.MeaningFor(new RemediationContext { UsedOAuth = false }));
        Assert.True(e.IsFallback);

        var plain = Row(ReplyFixOwner.SendersAdmin, ReplyRetry.DoNotRetry);
        Assert.Equal("It was refused.", plain.Meaning); // no cause, no candidates: the summary alone
        Assert.Equal(plain.Meaning, plain.MeaningFor(new RemediationContext { UsedOAuth = false })); // no password summary
        Assert.False(plain.IsFallback);
    }

    [Fact]
    public void Every_placeholder_is_filled_from_the_context_or_quoted_as_a_placeholder()
    {
        var e = new ReplyCatalogueEntry("TestRow", "5.7.1", "x", 550)
        {
            CommandTemplates = new[]
            {
                "Do-It -Mailbox {Mailbox} -Sender {Sender} -Recipient {Recipient} -AppId {AppId} -Sp {ServicePrincipal}"
            },
        };
        var context = new RemediationContext
        {
            Mailbox = "m@contoso.test", Sender = "s@contoso.test", Recipient = "r@contoso.test", AppId = "app",
            ServicePrincipalObjectId = "sp"
        };
        Assert.Equal("Do-It -Mailbox 'm@contoso.test' -Sender 's@contoso.test' -Recipient 'r@contoso.test' -AppId 'app' -Sp 'sp'",
            Assert.Single(e.Commands(context)));
        Assert.Equal("Do-It -Mailbox '<mailbox>' -Sender '<sender address>' -Recipient '<recipient address>' -AppId '<application id>' " +
            "-Sp '<enterprise application object id>'", Assert.Single(e.Commands(null)));
        // ForRecipient names the refused recipient and keeps the rest; null keeps the context as it is.
        RemediationContext forBob = context.ForRecipient("bob@contoso.test");
        Assert.Equal("Do-It -Mailbox 'm@contoso.test' -Sender 's@contoso.test' -Recipient 'bob@contoso.test' -AppId 'app' -Sp 'sp'",
            Assert.Single(e.Commands(forBob)));
        Assert.Same(context, context.ForRecipient(null));
        Assert.True(new RemediationContext { UsedOAuth = true }.ForRecipient("x@y.test").UsedOAuth);
    }

    [Theory]
    [InlineData("5.7.139", "text", 6)]
    [InlineData("5.7.139", null, 2)]
    [InlineData("4.7.500-699", "text", 5)]
    [InlineData("5.4.6,5.4.14", null, 1)]
    [InlineData("", "text", 4)]
    [InlineData("", null, 0)]
    public void A_text_pattern_outranks_a_code_and_an_exact_code_outranks_a_range_or_list(string enhanced, string? text, int precedence) =>
        Assert.Equal(precedence, new ReplyCatalogueEntry("TestRow", enhanced, text).Precedence);

    [Theory]
    [InlineData(550, "5.7.1", "refused here", true)]
    [InlineData(551, "5.7.1", "refused here", false)]  // another basic code
    [InlineData(550, "5.7.2", "refused here", false)]  // another enhanced code
    [InlineData(550, null, "refused here", false)]     // no enhanced code at all
    [InlineData(550, "5.7.1", "accepted", false)]      // the text doesn't match
    [InlineData(550, "5.7.1", "REFUSED", true)]        // the text matches ignoring case
    public void A_row_matches_its_code_its_enhanced_code_and_its_text(int code, string? enhanced, string text, bool matches) =>
        Assert.Equal(matches,
            Row(ReplyFixOwner.SendersAdmin, ReplyRetry.DoNotRetry).Matches(code, EnhancedCodeParts.Parse(enhanced), text));

    [Fact]
    public void A_row_without_codes_or_text_matches_any_reply_of_its_enhanced_code()
    {
        var any = new ReplyCatalogueEntry("TestRow", "", null);
        Assert.True(any.Matches(421, null, "whatever"));
        var byCode = new ReplyCatalogueEntry("TestRow", "4.4.2", null);
        Assert.True(byCode.Matches(421, EnhancedCodeParts.Parse("4.4.2"), ""));
        Assert.False(byCode.Matches(421, null, ""));
    }

    [Fact]
    public void EveryRemediationCommandIsWrittenOutForThePowerShellChecks()
    {
        // CI checks these with pscheck against the Exchange Online cmdlet reference (syntax and parameter names).
        string dir = Path.Combine(TestPaths.RepoRoot, "tests", "generated", "remediation");
        Directory.CreateDirectory(dir);
        var context = new RemediationContext
        {
            Mailbox = "scanner@contoso.com", Sender = "noreply@contoso.com", AppId = "11111111-2222-3333-4444-555555555555",
            ServicePrincipalObjectId = "66666666-7777-8888-9999-000000000000"
        };
        var lines = ReplyCatalogue.Entries.SelectMany(e => e.Commands(context).Concat(e.Commands(null))).Distinct().ToList();
        Assert.True(lines.Count >= 8, "the catalogue should carry remediation commands");
        File.WriteAllLines(Path.Combine(dir, "reply-catalogue.ps1"),
            new[] { "# Every remediation command the reply catalogue can emit (written by ReplyCatalogueTests)." }.Concat(lines));
        Assert.All(lines, l => Assert.DoesNotMatch(@"\{(Mailbox|Sender|Recipient|AppId|ServicePrincipal)\}", l));
    }
}
