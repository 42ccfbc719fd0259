using System.Text.RegularExpressions;
using M365SmtpTools.Engine.Operations;
using M365SmtpTools.Engine.Tests.Infrastructure;
using static M365SmtpTools.Engine.Tests.Operations.Plans.TestCertificates;

namespace M365SmtpTools.Engine.Tests.Operations.Plans;

/// <summary>
/// Every Exchange Online command the plans emit names a cmdlet documented in ../shared/reference/exchange-online-cmdlets
/// and only its documented parameters (the same rule pscheck applies to the written scripts in CI).
/// </summary>
public sealed class ExchangeReferenceTests
{
    private static readonly string[] Common = { "Confirm", "WhatIf", "ErrorAction", "Verbose" };

    private static Dictionary<string, HashSet<string>> Reference()
    {
        string dir = Path.GetFullPath(Path.Combine(TestPaths.RepoRoot, "..", "shared", "reference", "exchange-online-cmdlets"));
        if (!Directory.Exists(dir)) Assert.Skip($"The Exchange Online cmdlet reference is not at {dir} (../shared beside the repository).");
        var commands = new Dictionary<string, HashSet<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (string file in Directory.GetFiles(dir, "*-*.md"))
        {
            string text = File.ReadAllText(file);
            var names = Regex.Matches(text, @"^### -([A-Za-z0-9]+)\s*$", RegexOptions.Multiline).Select(m => m.Groups[1].Value);
            commands[Path.GetFileNameWithoutExtension(file)] = new HashSet<string>(names.Concat(Common), StringComparer.OrdinalIgnoreCase);
        }
        return commands;
    }

    private static async Task<List<string>> EmittedCommands()
    {
        var commands = new List<string>();
        var host = new RecordingHost();
        using var cert = Good("contoso.com");
        foreach (var type in new[] { RelayConnectorType.OnPremises, RelayConnectorType.Partner })
        {
            foreach (var request in new[]
            {
                new NewRelayConnectorPlanRequest { Domain = "contoso.com", Certificate = cert, ConnectorType = type },
                new NewRelayConnectorPlanRequest { Domain = "contoso.com", SenderIPAddress = "52.160.10.0/28", ConnectorType = type },
            })
            {
                var plan = await new NewRelayConnectorPlanOperation((_, _) => FakeMailDomainLookup.Contoso(), new FakeClock())
                    .RunForResultAsync(request, host);
                commands.Add(plan.ConnectorCommand);
                commands.Add(plan.UpdateCommand);
            }
        }
        foreach (var model in new[] { SmtpAppAccessModel.MailboxPermission, SmtpAppAccessModel.AppRbac })
        {
            var plan = await new NewSmtpAppAccessPlanOperation(new FakeClock()).RunForResultAsync(new NewSmtpAppAccessPlanRequest
            {
                AppId = Guid.NewGuid(), ServicePrincipalObjectId = Guid.NewGuid(), Mailbox = new[] { "a@contoso.com", "b@contoso.com" },
                SendAs = new[] { "c@contoso.com" }, Model = model, EnableSmtpClientAuthentication = true,
            }, host);
            commands.AddRange(plan.Steps.Where(s => s.InScript).Select(s => s.Command));
        }
        var graphPlan = await new NewSmtpAppAccessPlanOperation(new FakeClock()).RunForResultAsync(new NewSmtpAppAccessPlanRequest
        {
            AppId = Guid.NewGuid(), ServicePrincipalObjectId = Guid.NewGuid(), Mailbox = new[] { "a@contoso.com" },
            SendAs = new[] { "c@contoso.com" }, Graph = true,
        }, host);
        commands.AddRange(graphPlan.Steps.Where(s => s.InScript).Select(s => s.Command));
        return commands;
    }

    [Fact]
    public async Task EveryEmittedCommandUsesDocumentedParameters()
    {
        var reference = Reference();
        var problems = new List<string>();
        var commands = await EmittedCommands();
        Assert.True(commands.Count >= 14);
        foreach (string command in commands)
        {
            string name = command.Split(' ')[0];
            if (!reference.TryGetValue(name, out var parameters)) { problems.Add($"{name} is not in the reference: {command}"); continue; }
            string unquoted = Regex.Replace(command, @"'(?:[^']|'')*'|""[^""]*""", "''");
            foreach (Match m in Regex.Matches(unquoted, @"(?<=\s)-([A-Za-z]+)(?=[\s:]|$)"))
                if (!parameters.Contains(m.Groups[1].Value)) problems.Add($"{name} has no parameter -{m.Groups[1].Value}: {command}");
        }
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void TheCheckCatchesAnUndocumentedParameter()
    {
        var reference = Reference();
        Assert.Contains("SenderDomains", reference["New-InboundConnector"]);
        Assert.DoesNotContain("SenderDomain", reference["New-InboundConnector"]);
        Assert.Contains("CustomResourceScope", reference["New-ManagementRoleAssignment"]);
    }
}
