using System.Text.Json;
using M365SmtpTools.Cli.Tests.Infrastructure;
using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Cli.Tests;

/// <summary>
/// <c>m365smtp send</c> run as a process against the Exchange Online behaviour double: a refused message says what
/// the reply means, how to fix it and the commands to run, from the same reply catalogue as Test-M365SmtpAuth.
/// </summary>
public sealed class DiagnosisProcessTests
{
    private static string[] Send(ExchangeOnlineDouble exo, params string[] more) =>
        new[] { "send", "--access-token-env", "M365SMTP_TEST_TOKEN", "--user-name", "alice@contoso.com", "--from", "boss@contoso.com",
            "--to", "bob@contoso.com", "--subject", "s", "--body", "b", "--smtp-server", "localhost", "--port", exo.Port.ToString(),
            "--skip-certificate-validation" }.Concat(more).ToArray();

    private static readonly Dictionary<string, string> Env = new() { ["M365SMTP_TEST_TOKEN"] = "good-token" };

    // Issue 17: this reply was read as "the mailbox is full"; it is a missing Send As permission.
    private const string SendAsDenied = "554 5.2.252 SendAsDenied; alice@contoso.com not allowed to send as boss@contoso.com; "
        + "STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied; Failed to process message due to a permanent "
        + "exception with message [BeginDiagnosticData]Cannot submit message.";

    [Fact]
    public async Task A_refused_message_says_the_meaning_the_fix_and_the_commands()
    {
        var options = new ExchangeOnlineDoubleOptions { SendAsCheck = DoubleSendAsCheck.EndOfData };
        options.ScriptedReplies["ENDOFDATA"] = SendAsDenied;
        await using var exo = ExchangeOnlineDouble.Start(options);

        CliRun run = await CliProcess.RunAsync(Send(exo), Env);

        Assert.True(run.ExitCode != 0, run.ToString());
        string error = Assert.Single(run.StderrLines, l => l.StartsWith("m365smtp: error ", StringComparison.Ordinal));
        Assert.Contains("Meaning: The authenticated mailbox may not send as the From address: it has no Send As permission on it.", error);
        Assert.Contains("Fix: Send from the authenticated mailbox itself, or give it Send As", error);
        Assert.EndsWith("Run: Add-RecipientPermission -Identity 'boss@contoso.com' -Trustee 'alice@contoso.com' "
            + "-AccessRights SendAs -Confirm:$false", error);
        Assert.DoesNotContain("mailbox is full", error);
        Assert.Empty(exo.Messages);
    }

    [Fact]
    public async Task The_json_result_carries_the_same_diagnosis()
    {
        var options = new ExchangeOnlineDoubleOptions { SendAsCheck = DoubleSendAsCheck.EndOfData };
        options.ScriptedReplies["ENDOFDATA"] = SendAsDenied;
        await using var exo = ExchangeOnlineDouble.Start(options);

        CliRun run = await CliProcess.RunAsync(Send(exo, "--json"), Env);

        Assert.True(run.StdoutLines.Length == 1, run.ToString());
        JsonElement result = JsonDocument.Parse(run.StdoutLines[0]).RootElement;
        Assert.Equal("Failed", result.GetProperty("status").GetString());
        // The failure is written as text (its id, phase and message), never as an exception object (that used to crash --json).
        Assert.False(result.TryGetProperty("error", out _), run.ToString());
        Assert.Contains(result.GetProperty("phase").GetString(), new[] { "Data", "Bdat" }); // the end of the message, however it was sent
        Assert.Contains("5.2.252", result.GetProperty("errorMessage").GetString());
        Assert.Equal("5.2.252", result.GetProperty("enhancedStatusCode").GetString());
        Assert.StartsWith("The authenticated mailbox may not send as the From address", result.GetProperty("meaning").GetString());
        Assert.Equal("Add-RecipientPermission -Identity 'boss@contoso.com' -Trustee 'alice@contoso.com' "
            + "-AccessRights SendAs -Confirm:$false",
            Assert.Single(result.GetProperty("remediationCommands").EnumerateArray()).GetString());
    }
}
