using System.CommandLine;
using System.Net;
using M365SmtpTools.Cli.Binding;
using M365SmtpTools.Engine.Operations;

namespace M365SmtpTools.Cli.Commands;

/// <summary><c>m365smtp domain &lt;domain&gt;...</c>: Test-M365MailDomain.</summary>
internal sealed class DomainCommand : CliCommand<TestMailDomainRequest>
{
    /// <inheritdoc />
    public override string Name => "domain";

    /// <inheritdoc />
    public override string Cmdlet => "Test-M365MailDomain";

    /// <inheritdoc />
    public override string Description =>
        "Checks a mail domain's DNS for Microsoft 365: MX (Microsoft 365 or not, which form), SPF (evaluated per RFC 7208: lookups, voids, "
        + "loops; with --sender-ip-address whether that IP passes, e.g. for Direct Send), DMARC (policy, alignment, reporting) and the "
        + "Microsoft 365 DKIM selectors; one report per domain with findings and fixes. Exit code 0 when every domain was checked " +
            "(read the "
        + "findings), 10 when DNS failed for a domain, 2 for invalid input.";

    /// <inheritdoc />
    public override IReadOnlyList<(string CommandLine, string Explanation)> Examples { get; } = new[]
    {
        ("m365smtp domain contoso.com", "MX, SPF, DMARC and DKIM of contoso.com, with what to fix."),
        ("m365smtp domain contoso.com --sender-ip-address 198.51.100.7 --json | jq '.spf.senderResult'", "Would mail from 198.51.100.7 " +
            "(a Direct Send device) pass SPF?"),
    };

    /// <inheritdoc />
    protected override RequestBinding<TestMailDomainRequest> CreateBinding() => new RequestBinding<TestMailDomainRequest>()
        .Map(new Argument<string[]>("domain")
                {
                    Arity = ArgumentArity.OneOrMore,
                    Description = "The domains to check, such as contoso.com."
                },
            r => r.Domain)
        .Map(CliOptions.Text("--dns-server", "HOST[:PORT]", "The DNS server to ask. Default: the system's resolvers."), r => r.DnsServer)
        .Map(CliOptions.Int("--timeout-seconds", 1, 300, "Seconds to wait for each DNS answer. Default 3."), r => r.TimeoutSeconds)
        .Map(CliOptions.Text("--sender-ip-address", "IP", "The public IP address a device sends from (e.g. for Direct Send): the " +
                "report says whether SPF passes for it."),
            r => r.SenderIPAddress,
            (text, _) => IPAddress.TryParse(text, out IPAddress? ip)
                ? ip
                : throw new CliUsageException("--sender-ip-address", $"'{text}' is not an IPv4 or IPv6 address."));

    /// <inheritdoc />
    public override async Task<int> RunAsync(TestMailDomainRequest request, CliSession session, CancellationToken cancellationToken)
    {
        int? exitCode = await session.RunAsync(new TestMailDomainOperation(), request, report =>
        {
            if (session.Output.Json) { session.Output.WriteJson(report); return; }
            var o = session.Output;
            o.WriteLine($"{report.Domain}: {report.Overall}{(report.IsMicrosoft365 ? " (Microsoft 365)" : "")}");
            o.WriteLine($"  MX     {string.Join(", ", report.Mx.Select(m => $"{m.Preference} {m.MxHost} ({m.EndpointForm})"))}");
            o.WriteLine($"  SPF    {report.Spf} -> {report.Spf.Result}" +
                $"{(report.Spf.SenderIPAddress != null ? $"; {report.Spf.SenderIPAddress}: {report.Spf.SenderResult}" : "")}");
            o.WriteLine($"  DMARC  {report.Dmarc}");
            foreach (var d in report.Dkim) o.WriteLine($"  DKIM   {d.Selector}: {d.State}{(d.Target != null ? " -> " + d.Target : "")}");
            o.WriteLine();
            PlanOutput.Findings(o, report.Findings.Select(f => (f.Severity, f.Id, f.Message, f.Command ?? f.Remediation)));
        }, cancellationToken).ConfigureAwait(false);
        return exitCode ?? ExitCodes.Ok;
    }
}
