using M365SmtpTools.Cli.Binding;
using M365SmtpTools.Engine;
using M365SmtpTools.Engine.Operations;

namespace M365SmtpTools.Cli.Commands;

/// <summary><c>m365smtp relay-plan &lt;domain&gt;</c>: New-M365RelayConnectorPlan.</summary>
internal sealed class RelayPlanCommand : CliCommand<NewRelayConnectorPlanRequest>
{
    /// <inheritdoc />
    public override string Name => "relay-plan";

    /// <inheritdoc />
    public override string Cmdlet => "New-M365RelayConnectorPlan";

    /// <inheritdoc />
    public override string Description =>
        "Checks a relay device's certificate (preferred) or static public IPv4 address and the domain's DNS, and plans the inbound " +
            "connector, "
        + "the SPF record and the device settings for SMTP relay. Changes nothing: prints the plan, and with --script-path writes a .ps1 " +
            "to run after "
        + "Connect-ExchangeOnline. Exit code 0 when the plan was made (read its findings), 2 for invalid input, 10 when DNS failed, 1 " +
            "when a script "
        + "was asked for but the plan has errors (the script is not written).";

    /// <inheritdoc />
    public override IReadOnlyList<(string CommandLine, string Explanation)> Examples { get; } = new[]
    {
        ("m365smtp relay-plan contoso.com --certificate-path ./scanner.pfx --certificate-password-env PFX_PASSWORD --device-name Scanner " +
            "--script-path ./relay.ps1",
            "A certificate-based connector for a scanner: checks the certificate covers contoso.com and writes the script; the PFX " +
                "password comes from $PFX_PASSWORD."),
        ("m365smtp relay-plan contoso.com --sender-ip-address 203.0.113.25 --json", "An IP-based connector as one JSON line, with the " +
            "SPF record to publish if the IP isn't authorized yet."),
    };

    /// <inheritdoc />
    protected override RequestBinding<NewRelayConnectorPlanRequest> CreateBinding() => new RequestBinding<NewRelayConnectorPlanRequest>()
        .Map(new System.CommandLine.Argument<string>("domain")
                {
                    Description = "The accepted domain the device sends from (contoso.com)."
                },
            r => r.Domain)
        .Map(CliOptions.Text("--certificate-path", "FILE", "Certificate-based (preferred): the certificate the device presents, as " +
                ".pfx/.p12 (with key) or .cer/.crt/.pem."),
            r => r.CertificatePath,
            (path, _) => path == null ? null : Path.GetFullPath(path))
        .Map(CliOptions.Text("--certificate-password-env", "NAME",
                "The NAME of an environment variable holding the PFX file's password (never the password itself)."),
            r => r.CertificatePassword,
            (name, context) => Engine.Auth.SecretText.ToSecureString(context.SecretFromEnvironment("--certificate-password-env", name!)))
        .Map(CliOptions.Text("--certificate-thumbprint", "THUMBPRINT", "Certificate-based, from the Windows certificate store " +
                "(CurrentUser\\My, then LocalMachine\\My). Windows only."),
            r => r.CertificateThumbprint)
        .Exclude(r => r.Certificate, AuthOptionGroup.CertificateExclusion)
        .Map(CliOptions.Text("--sender-ip-address", "IPV4[/NN]",
                "IP-based: the static public IPv4 address, or a /24 to /32 range, the device sends from."),
            r => r.SenderIPAddress)
        .Map(CliOptions.Text("--name", "NAME", "The connector's name. Default: made from the device name and the domain."),
            r => r.Name)
        .Map(CliOptions.Text("--device-name", "NAME", "The device or application (for the connector name, its comment and the script)."),
            r => r.DeviceName)
        .Map(CliOptions.Enum<RelayConnectorType>("--connector-type",
                "OnPremises (your own devices: may relay to anyone; default) or Partner."),
            r => r.ConnectorType)
        .Map(CliOptions.Text("--script-path", "FILE.ps1", "Also write the plan as a commented, idempotent PowerShell script to this file."),
            r => r.ScriptPath,
            (path, _) => path == null ? null : Path.GetFullPath(path))
        .Map(CliOptions.Text("--dns-server", "HOST[:PORT]", "The DNS server for the MX and SPF lookups. Default: the system's resolvers."),
            r => r.DnsServer)
        .Map(CliOptions.Flag("--force",
                "Replace an existing --script-path file, and write it even though the plan has errors (it says so at its top)."),
            r => r.Force);

    /// <inheritdoc />
    public override async Task<int> RunAsync(NewRelayConnectorPlanRequest request, CliSession session, CancellationToken cancellationToken)
    {
        int? exitCode = await session.RunAsync(new NewRelayConnectorPlanOperation(), request, plan => Write(session, plan),
                cancellationToken)
            .ConfigureAwait(false);
        return exitCode ?? ExitCodes.Ok;
    }

    private static void Write(CliSession session, RelayConnectorPlan plan)
    {
        if (session.Output.Json) { session.Output.WriteJson(plan); return; }
        var o = session.Output;
        o.WriteLine($"Relay connector plan for {plan.Domain}: {plan.ConnectorName} ({plan.ConnectorType}, by {plan.Method})");
        o.WriteLine();
        PlanOutput.Findings(o, plan.Findings.Select(f => (f.Severity, f.Id, f.Message, f.Remediation)));
        PlanOutput.Section(o, "Connector (Exchange Online PowerShell)", new[] { plan.ConnectorCommand });
        PlanOutput.Section(o, "SPF", !plan.Spf.Checked ? new[] { "not checked (see the findings)" }
            : plan.Spf.ChangeNeeded ? new[] { $"current:  {plan.Spf.Current ?? "(none)"}", $"publish:  {plan.Spf.Proposed}" }
            : new[] { $"no change needed: {plan.Spf.Current}" });
        PlanOutput.Section(o, "Device settings",
            plan.DeviceSettings.Select(s => $"{s.Setting}: {s.Value}{(s.Note != null ? "  (" + s.Note + ")" : "")}"));
        if (plan.ScriptPath != null) o.WriteLine($"Script written to {plan.ScriptPath}");
    }
}
