using M365SmtpTools.Engine.Exchange;
using M365SmtpTools.Engine.Operations;
using M365SmtpTools.Engine.Tests.Auth;
using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Engine.Tests.Operations.TestSmtpAuth;

/// <summary>
/// Every entry of the Exchange Online reply catalogue, produced by the Exchange Online double, becomes the right
/// finding with the right remediation command (values filled in from the run).
/// </summary>
public sealed class CatalogueFindingTests
{
    private sealed record Case(
        string Name,
        string EntryId,
        string EnhancedCode,
        SmtpTestStage Stage,
        string ReplyStart,
        Action<ExchangeOnlineDoubleOptions> Server,
        Func<ExchangeOnlineDouble, TestSmtpAuthRequest, TestSmtpAuthRequest> Client,
        string[] Commands);

    private const string Tag = "[Hostname=BN8PR01CA0001.outlook.office365.com]";

    private static TestSmtpAuthRequest Token(ExchangeOnlineDouble exo, TestSmtpAuthRequest r) => r.WithToken(Diag.DelegatedToken(exo));
    private static TestSmtpAuthRequest Password(ExchangeOnlineDouble exo, TestSmtpAuthRequest r) =>
        r.WithPassword(Diag.Alice, "app-password");

    private static readonly Case[] Cases =
    {
        new("SmtpAuthDisabled", "SmtpAuthDisabled", "5.7.139", SmtpTestStage.Auth,
            "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled",
            o => o.AuthPolicy = DoubleAuthPolicy.SmtpAuthDisabledForTenant, Token,
            new[]
            {
                "Set-CASMailbox -Identity 'alice@contoso.com' -SmtpClientAuthenticationDisabled $false",
                "Set-TransportConfig -SmtpClientAuthenticationDisabled $false"
            }),
        new("SecurityDefaultsBlock", "SecurityDefaultsBlock", "5.7.139", SmtpTestStage.Auth,
            "535 5.7.139 Authentication unsuccessful, user is locked by your organization's security defaults",
            o => o.AuthPolicy = DoubleAuthPolicy.SecurityDefaults, Password, Array.Empty<string>()),
        new("BasicAuthBlocked", "BasicAuthBlocked", "5.7.139", SmtpTestStage.Auth,
            "535 5.7.139 Authentication unsuccessful, basic authentication is disabled",
            o => o.ScriptedReplies["AUTH"] = $"535 5.7.139 Authentication unsuccessful, basic authentication is disabled. {Tag}",
            Password, Array.Empty<string>()),
        new("ConditionalAccessBlock", "ConditionalAccessBlock", "5.7.139", SmtpTestStage.Auth,
            "535 5.7.139 Authentication unsuccessful, the request did not meet the criteria",
            o => o.ScriptedReplies["AUTH"] = $"535 5.7.139 Authentication unsuccessful, the request did not meet the criteria "
                + $"to be authenticated successfully. Contact your administrator. {Tag}",
            Password, Array.Empty<string>()),
        // A 5.7.139 whose text names no cause: the candidates in order, and commands that only check (issue 17: it was
        // read as a policy block with Set-CASMailbox as the fix).
        new("AuthenticationRefused", "AuthenticationRefused", "5.7.139", SmtpTestStage.Auth,
            "535 5.7.139 Authentication unsuccessful, the account is blocked",
            o => o.ScriptedReplies["AUTH"] = $"535 5.7.139 Authentication unsuccessful, the account is blocked. {Tag}", Token,
            new[] { "Get-CASMailbox -Identity 'alice@contoso.com'", "Get-TransportConfig" }),
        new("BasicAuthRetired", "BasicAuthRetired", "5.7.30", SmtpTestStage.Auth,
            "550 5.7.30 Basic authentication is not supported for Client Submission",
            o => o.AuthPolicy = DoubleAuthPolicy.BasicAuthRetired, Password, Array.Empty<string>()),
        new("AuthenticationUnsuccessful", "AuthenticationUnsuccessful", "5.7.3", SmtpTestStage.Auth,
            "535 5.7.3 Authentication unsuccessful",
            // An app-only token Exchange doesn't accept (the service principal isn't registered): the commands name the
            // app and its service principal from the token.
            _ => { }, (exo, r) => r.WithToken(TestJwt.AppOnly(TestJwt.Tenant, DateTimeOffset.UtcNow.AddHours(1))),
            new[]
            {
                $"New-ServicePrincipal -AppId '{TestJwt.AppId}' -ObjectId '{TestJwt.Oid}'",
                $"Add-MailboxPermission -Identity 'alice@contoso.com' -User '{TestJwt.Oid}' -AccessRights FullAccess"
            }),
        new("ClientNotAuthenticated", "ClientNotAuthenticated", "5.7.57", SmtpTestStage.MailFrom,
            "530 5.7.57 Client not authenticated to send mail",
            _ => { }, (exo, r) => { r.From = Diag.Alice; r.StopAfter = SmtpTestStopAfter.MailFrom; return r; }, Array.Empty<string>()),
        new("SendAsDenied", "SendAsDenied", "5.7.60", SmtpTestStage.MailFrom,
            "550 5.7.60 SMTP; Client does not have permissions to send as this sender",
            _ => { }, (exo, r) => { r.From = "boss@contoso.com"; return Token(exo, r); },
            new[]
            {
                "Add-RecipientPermission -Identity 'boss@contoso.com' -Trustee 'alice@contoso.com' -AccessRights SendAs -Confirm:$false"
            }),
        new("ConcurrentConnectionLimit", "ConcurrentConnectionLimit", "4.3.2", SmtpTestStage.MailFrom,
            "432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded",
            o => o.MaxConnectionsPerMailbox = 0, (exo, r) => { r.From = Diag.Alice; return Token(exo, r); }, Array.Empty<string>()),
        new("SenderMailboxFull", "SenderMailboxFull", "5.2.2", SmtpTestStage.Message, "554 5.2.2 mailbox full",
            o => o.MailboxFull = true,
            (exo, r) => { r.To = new[] { "bob@contoso.com" }; r.SendTestMessage = true; return Token(exo, r); }, Array.Empty<string>()),
        new("SubmissionQuotaExceeded-5.2.2", "SubmissionQuotaExceeded", "5.2.2", SmtpTestStage.Message,
            "554 5.2.2 Submission quota exceeded",
            o => o.ScriptedReplies["ENDOFDATA"] = "554 5.2.2 Submission quota exceeded; "
                + "STOREDRV.Submission.Exception:SubmissionQuotaExceededException",
            (exo, r) => { r.To = new[] { "bob@contoso.com" }; r.SendTestMessage = true; return Token(exo, r); }, Array.Empty<string>()),
        new("SubmissionQuotaExceeded-5.2.0", "SubmissionQuotaExceeded", "5.2.0", SmtpTestStage.Message,
            "554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException",
            o => o.MessagesPerMinute = 0,
            (exo, r) => { r.To = new[] { "bob@contoso.com" }; r.SendTestMessage = true; return Token(exo, r); }, Array.Empty<string>()),
        new("SenderThrottled", "SenderThrottled", "5.2.251-255", SmtpTestStage.MailFrom, "550 5.2.252 SendAsDenied",
            o => o.ScriptedReplies["MAIL"] = $"550 5.2.252 SendAsDenied; Sender throttled due to continuous send as denied errors. {Tag}",
            (exo, r) => { r.From = Diag.Alice; return Token(exo, r); }, Array.Empty<string>()),
        new("TemporaryAccessDenied", "TemporaryAccessDenied", "4.7.500-699", SmtpTestStage.MailFrom, "451 4.7.500 Server busy",
            o => o.ScriptedReplies["MAIL"] = $"451 4.7.500 Server busy. Please try again later. {Tag}",
            (exo, r) => { r.From = Diag.Alice; return Token(exo, r); }, Array.Empty<string>()),
        new("IpReputationBlocked", "IpReputationBlocked", "5.7.708", SmtpTestStage.Greeting,
            "550 5.7.708 Service unavailable. Access denied, traffic not accepted from this IP",
            o => o.ScriptedReplies["GREETING"] = $"550 5.7.708 Service unavailable. Access denied, traffic not accepted "
                + $"from this IP. {Tag}",
            Token, Array.Empty<string>()),
        new("RelayAccessDenied", "RelayAccessDenied", "5.7.64", SmtpTestStage.RcptTo, "550 5.7.64 TenantAttribution; Relay Access Denied",
            o => { o.Role = DoubleRole.Mx; o.MxBehavior = DoubleMxBehavior.RelayDenied; },
            (exo, r) => { r.From = "scanner@contoso.com"; r.To = new[] { "partner@fabrikam.com" }; return r; },
            new[] { "Get-InboundConnector" }),
        new("DirectSendRejected", "DirectSendRejected", "5.7.68", SmtpTestStage.RcptTo,
            "550 5.7.68 TenantInboundAttribution; Direct Send not allowed",
            o => { o.Role = DoubleRole.Mx; o.MxBehavior = DoubleMxBehavior.DirectSendRejected; },
            (exo, r) => { r.From = "scanner@contoso.com"; r.To = new[] { "alice@contoso.com" }; return r; },
            new[] { "Set-OrganizationConfig -RejectDirectSend $false" }),
        new("RelayNotPermitted", "RelayNotPermitted", "5.7.54", SmtpTestStage.RcptTo,
            "550 5.7.54 SMTP; Unable to relay recipient in non-accepted domain",
            o => { o.Role = DoubleRole.Mx; o.MxBehavior = DoubleMxBehavior.UnableToRelayNonAccepted; },
            (exo, r) => { r.From = "scanner@contoso.com"; r.To = new[] { "partner@fabrikam.com" }; return r; }, Array.Empty<string>()),
        new("MessageTooLarge-5.3.4", "MessageTooLarge", "5.3.4", SmtpTestStage.MailFrom,
            "552 5.3.4 Message size exceeds fixed maximum message size",
            o => o.ScriptedReplies["MAIL"] = "552 5.3.4 Message size exceeds fixed maximum message size",
            (exo, r) => { r.From = Diag.Alice; return Token(exo, r); }, Array.Empty<string>()),
        new("MessageTooLarge-552", "MessageTooLarge", "", SmtpTestStage.MailFrom, "552 Message size exceeds fixed limit",
            o => o.ScriptedReplies["MAIL"] = "552 Message size exceeds fixed limit",
            (exo, r) => { r.From = Diag.Alice; return Token(exo, r); }, Array.Empty<string>()),
    };

    public static TheoryData<string> CaseNames() => new(Cases.Select(c => c.Name));

    private static ReplyCatalogueEntry EntryOf(Case c) =>
        ReplyCatalogue.Entries.Single(e => e.Id == c.EntryId && e.EnhancedCode == c.EnhancedCode);

    [Fact]
    public void Every_case_names_one_catalogue_row()
    {
        // Every row is played at its stage from real reply texts by CatalogueDialogueTests; these cases are the replies
        // the double produces from its own settings (limits, policies, roles), each tied to the row that explains it.
        Assert.All(Cases, c => EntryOf(c));
        Assert.Equal(Cases.Length, Cases.Select(EntryOf).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task The_double_reply_becomes_the_catalogue_finding_with_its_commands(string name)
    {
        Case c = Cases.Single(x => x.Name == name);
        var options = new ExchangeOnlineDoubleOptions();
        c.Server(options);
        await using var exo = ExchangeOnlineDouble.Start(options);
        TestSmtpAuthRequest request = c.Client(exo, Diag.Request(exo));

        SmtpAuthTestReport report = await Diag.Op(exo).RunAsync(request);

        Assert.Equal(SmtpTestOutcome.Failed, report.Overall);
        Assert.Equal(c.Stage, report.FailedStage);
        Assert.Equal(SmtpTestStageStatus.Failed, report.Stage(c.Stage).Status);
        SmtpTestFinding finding = report.Findings.First(f => f.Severity == FindingSeverity.Error || f.Id == c.EntryId);
        Assert.Equal(c.EntryId, finding.Id);
        Assert.Equal(c.Stage, finding.Stage);
        // The evidence is the server's exact reply, and it is the reply the catalogue entry explains.
        Assert.Contains(c.ReplyStart, finding.Evidence);
        ReplyCatalogueEntry entry = EntryOf(c);
        Assert.Equal(entry.Meaning, finding.Meaning);
        if (c.EntryId == "SmtpAuthDisabled")
        {
            // SMTP AUTH off: the catalogue's fix, then the way around it (GraphAlternativeTests has the command).
            Assert.StartsWith(entry.Remediation, finding.Remediation);
            Assert.Contains("Send-M365Mail -Method Graph", finding.Remediation);
        }
        else
            Assert.Equal(entry.Remediation, finding.Remediation);
        string reply = finding.Evidence.Split('\n')[0];
        if (reply.Contains("-> ")) reply = reply[(reply.IndexOf("-> ", StringComparison.Ordinal) + 3)..];
        int code = int.Parse(reply[..3]);
        Assert.Same(entry, ReplyCatalogue.Explain(code, null, reply[4..]).Entry);
        Assert.Equal(c.Commands, finding.Commands);
        Assert.Equal(entry.Severity, finding.Severity);
        Assert.Contains(c.EntryId, report.ToText());
        Diag.WriteCommands("catalogue-" + c.Name, report);

        await exo.WaitForSessionsAsync();
        // Nothing was ever delivered, and the session ended politely or was closed by the client after a refused greeting.
        Assert.Empty(exo.Messages);
    }
}
