using M365SmtpTools.Cli.Binding;
using M365SmtpTools.Engine.Operations;
using M365SmtpTools.Engine.Smtp;

namespace M365SmtpTools.Cli.Commands;

/// <summary><c>m365smtp test</c>: Test-M365SmtpAuth, the staged diagnosis of a submission path.</summary>
internal sealed class TestCommand : CliCommand<TestSmtpAuthRequest>
{
    /// <inheritdoc />
    public override string Name => "test";

    /// <inheritdoc />
    public override string Cmdlet => "Test-M365SmtpAuth";

    /// <inheritdoc />
    public override string Description =>
        "Finds why sending fails: runs a real submission in stages (resolve, connect, greeting, TLS, EHLO, token checks, AUTH, and with "
        + "--from/--to MAIL FROM and RCPT TO) and stops at the first that fails or at --stop-after. Prints the report: each stage, " +
            "the TLS and "
        + "token facts (never the token), and findings with the fix and the exact Exchange Online command. Exit code 0 when it passed (or "
        + "passed with warnings), otherwise the code of the stage that failed: 10 resolve, 11 connect/greeting/EHLO, 12 TLS, 13 " +
            "token/AUTH, "
        + "14 MAIL FROM, 15 RCPT TO, 16 the test message.";

    /// <inheritdoc />
    public override IReadOnlyList<(string CommandLine, string Explanation)> Examples { get; } = new[]
    {
        ("CLIENT_SECRET=... m365smtp test --tenant-id contoso.onmicrosoft.com --client-id 11111111-2222-3333-4444-555555555555 " +
            "--client-secret-env CLIENT_SECRET --user-name scanner@contoso.com",
            "The app-only path to smtp.office365.com:587 up to AUTH: a 535 5.7.3 becomes findings with New-ServicePrincipal / " +
                "Add-MailboxPermission commands."),
        ("m365smtp test --managed-identity --user-name alerts@contoso.com --from shared@contoso.com --to ops@contoso.com",
            "Also checks MAIL FROM (Send As on the shared mailbox: 5.7.60) and RCPT TO, without sending anything."),
        ("m365smtp test --smtp-server smtp.office365.com --stop-after Tls --json", "Only the network and TLS part (firewall, TLS " +
            "interception), as one JSON object."),
    };

    /// <inheritdoc />
    protected override RequestBinding<TestSmtpAuthRequest> CreateBinding() => new RequestBinding<TestSmtpAuthRequest>()
        .AddAuthOptions()
        .Map(CliOptions.Text("--smtp-server", "HOST", "The SMTP server. Default: the cloud's submission host (smtp.office365.com)."),
            r => r.SmtpServer)
        .Map(CliOptions.Int("--port", 1, 65535, "The port. Default 587."), r => r.Port)
        .Exclude(r => r.ConnectionName, "The CLI keeps no session connections between runs; give the auth options instead.")
        .Map(CliOptions.Text("--from", "ADDRESS",
                "Also test MAIL FROM with this address (Send As, 5.7.60). Default: the authenticating mailbox."),
            r => r.From)
        .Map(CliOptions.List("--to", "ADDRESS", "Also test RCPT TO for this recipient (nothing is sent unless --send-test-message)."),
            r => r.To)
        .Map(CliOptions.Enum<SmtpTestStopAfter>("--stop-after", "Stop after this stage, like swaks' quit-after."), r => r.StopAfter)
        .Map(CliOptions.Flag("--send-test-message", "Go all the way: send a short test message to --to."), r => r.SendTestMessage)
        .Map(CliOptions.Enum<SmtpAuthMechanism>("--mechanism",
                "The SASL mechanism. Default Auto: XOAUTH2 for tokens, PLAIN/LOGIN for passwords."),
            r => r.Mechanism)
        .Map(CliOptions.Int("--timeout-seconds", 1, 300, "How long connecting and each reply may take. Default 30."), r => r.TimeoutSeconds)
        .Map(CliOptions.List("--expected-issuer", "NAME", "An issuer the server's certificate may have besides Microsoft's (others " +
                "are flagged as likely TLS interception)."),
            r => r.ExpectedIssuer)
        .Map(CliOptions.Flag("--app-rbac",
                "The app is authorized through Exchange App RBAC, so an app-only token without SMTP.SendAsApp is expected."),
            r => r.AppRbac)
        .Map(CliOptions.Flag("--allow-retired-basic-auth",
                "Try Basic authentication against Microsoft 365 even after its final removal date."),
            r => r.AllowRetiredBasicAuth)
        .Map(CliOptions.Flag("--transcript", "Add the protocol transcript (secrets redacted) to the report."), r => r.Transcript)
        .Exclude(r => r.PassThru, "The CLI always prints the report (text or --json).")
        .Exclude(r => r.ErrorOnFailure, "The exit code reports a failed test: the failed stage's code.");

    /// <inheritdoc />
    public override async Task<int> RunAsync(TestSmtpAuthRequest request, CliSession session, CancellationToken cancellationToken)
    {
        SmtpAuthTestReport report = await session.RunReportAsync(new TestSmtpAuthOperation(), request, r => r.ToText(), cancellationToken)
            .ConfigureAwait(false);
        if (report.Overall != SmtpTestOutcome.Failed) return ExitCodes.Ok;
        return report.FailedStage switch
        {
            SmtpTestStage.Resolve => ExitCodes.Resolve,
            SmtpTestStage.Connect or SmtpTestStage.Greeting or SmtpTestStage.Ehlo => ExitCodes.Connect,
            SmtpTestStage.Tls => ExitCodes.Tls,
            SmtpTestStage.Token or SmtpTestStage.Auth => ExitCodes.Auth,
            SmtpTestStage.MailFrom => ExitCodes.Sender,
            SmtpTestStage.RcptTo => ExitCodes.Recipients,
            SmtpTestStage.Message => ExitCodes.Data,
            _ => ExitCodes.Other,
        };
    }
}
