using M365SmtpTools.Cli.Binding;
using M365SmtpTools.Engine.Operations;

namespace M365SmtpTools.Cli.Commands;

/// <summary><c>m365smtp test-graph</c>: Test-M365GraphSend, the staged check of sending through Microsoft Graph.</summary>
internal sealed class TestGraphCommand : CliCommand<TestGraphSendRequest>
{
    /// <inheritdoc />
    public override string Name => "test-graph";

    /// <inheritdoc />
    public override string Cmdlet => "Test-M365GraphSend";

    /// <inheritdoc />
    public override string Description =>
        "Checks, without sending, that sending through Microsoft Graph (send --method Graph) works for an app and mailbox: gets the " +
            "token, checks "
        + "its claims (audience Microsoft Graph of the cloud, Mail.Send in roles or scp, expiry), then POSTs sendMail with a message " +
            "that has no "
        + "recipients: Graph answers 400 ErrorInvalidRecipients only after it found the mailbox and authorized the app, so that answer " +
            "passes and "
        + "403/404/401 answers become findings with the fix. --send-test-message then sends one real message. Prints the report (never " +
            "the token). "
        + "Exit code 0 when it passed (or passed with warnings), otherwise 13 token/claims, 14 mailbox access, 16 the test message.";

    /// <inheritdoc />
    public override IReadOnlyList<(string CommandLine, string Explanation)> Examples { get; } = new[]
    {
        ("m365smtp test-graph --managed-identity --user-name reports@contoso.com",
            "The managed identity's Graph token and its access to reports@contoso.com, without sending anything."),
        ("CLIENT_SECRET=... m365smtp test-graph --tenant-id contoso.onmicrosoft.com --client-id 11111111-2222-3333-4444-555555555555 " +
            "--client-secret-env CLIENT_SECRET --user-name reports@contoso.com --send-test-message --to ops@contoso.com",
            "App-only with a secret: the checks, then one real test message to ops@contoso.com."),
        ("ACCESS_TOKEN=$(az account get-access-token --resource https://graph.microsoft.com --query accessToken -o tsv) m365smtp " +
            "test-graph --access-token-env ACCESS_TOKEN --user-name reports@contoso.com --json",
            "A token from the Azure CLI: its audience must be https://graph.microsoft.com; the report as one JSON object."),
    };

    /// <inheritdoc />
    protected override RequestBinding<TestGraphSendRequest> CreateBinding() => new RequestBinding<TestGraphSendRequest>()
        .AddAuthOptions()
        .Map(CliOptions.Text("--from", "ADDRESS", "The From address (default: the mailbox). Another address needs Send As, which " +
                "only --send-test-message proves."),
            r => r.From)
        .Map(CliOptions.List("--to", "ADDRESS", "A recipient of the test message (--send-test-message). Default: the mailbox itself."),
            r => r.To)
        .Map(CliOptions.Flag("--send-test-message", "After the checks, send one short test message through Graph."), r => r.SendTestMessage)
        .Map(CliOptions.Text("--graph-endpoint", "URL",
                "The https:// base address instead of the cloud's Graph host (private endpoints, tests)."),
            r => r.GraphEndpoint)
        .Map(CliOptions.Flag("--skip-certificate-validation", "Don't validate the server's TLS certificate (test servers given " +
                "with --graph-endpoint only; refused for Microsoft Graph)."),
            r => r.SkipCertificateValidation)
        .Map(CliOptions.Int("--timeout-seconds", 1, 3600, "How long each Graph request may take. Default 30."), r => r.TimeoutSeconds)
        .Map(CliOptions.Flag("--app-rbac",
                "The app is authorized through RBAC for Applications, so an app-only token without the Mail.Send role is expected."),
            r => r.AppRbac)
        .Exclude(r => r.PassThru, "The CLI always prints the report (text or --json).")
        .Exclude(r => r.ErrorOnFailure, "The exit code reports a failed test: the failed stage's code.");

    /// <inheritdoc />
    public override async Task<int> RunAsync(TestGraphSendRequest request, CliSession session, CancellationToken cancellationToken)
    {
        AuthOptionGroup.RequireAuth(request, session.Binding, "test-graph", AuthOptionGroup.GraphWays);
        GraphSendTestReport report = await session.RunReportAsync(new TestGraphSendOperation(), request, r => r.ToText(), cancellationToken)
            .ConfigureAwait(false);
        if (report.Overall != SmtpTestOutcome.Failed) return ExitCodes.Ok;
        return report.FailedStage switch
        {
            GraphTestStage.Token or GraphTestStage.Claims => ExitCodes.Auth,
            GraphTestStage.Mailbox when report.Findings.Any(f => f.Id is "GraphConnectionFailed" or "GraphTimeout") => ExitCodes.Connect,
            GraphTestStage.Mailbox => ExitCodes.Sender,
            GraphTestStage.Message => ExitCodes.Data,
            _ => ExitCodes.Other,
        };
    }
}
