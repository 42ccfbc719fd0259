using System.CommandLine;
using M365SmtpTools.Cli.Binding;
using M365SmtpTools.Cli.Output;
using M365SmtpTools.Engine;
using M365SmtpTools.Engine.Operations;

namespace M365SmtpTools.Cli.Commands;

/// <summary><c>m365smtp mx &lt;domain&gt;...</c>: Get-M365MxEndpoint.</summary>
internal sealed class MxCommand : CliCommand<GetMxEndpointRequest>
{
    /// <inheritdoc />
    public override string Name => "mx";

    /// <inheritdoc />
    public override string Cmdlet => "Get-M365MxEndpoint";

    /// <inheritdoc />
    public override string Description =>
        "Reads each domain's MX records and shows which are Microsoft 365 endpoints and in which form: Legacy "
        + "(name.mail.protection.outlook.com), Dnssec (name.<letter>-v1.mx.microsoft), China, GccHigh, Other. The Microsoft 365 "
        + "endpoint is the SMTP server for relay devices and Direct Send (port 25). Each failing domain is reported on stderr and "
        + "the others go on; the exit code is 0 when every domain answered, 10 when DNS failed for any (NXDOMAIN, no MX, timeout, "
        + "server failure), 2 for an invalid domain name or DNS server; with several failures, the first one's code.";

    /// <inheritdoc />
    public override IReadOnlyList<(string CommandLine, string Explanation)> Examples { get; } = new[]
    {
        ("m365smtp mx contoso.com", "Shows contoso.com's MX records; a row with M365 yes and form Legacy or Dnssec is the endpoint to " +
            "configure on a relay device."),
        ("m365smtp mx contoso.com fabrikam.com --dns-server 1.1.1.1 --timeout-seconds 5", "Asks 1.1.1.1, waiting up to 5 seconds per " +
            "answer; a failing domain doesn't stop the other."),
        ("m365smtp mx contoso.com --include-derived-guess --json | jq -r 'select(.isMicrosoft365) | .mxHost' | head -1", "The first " +
            "Microsoft 365 endpoint's host name for a script; when the domain has no MX yet, the derived legacy endpoint (isGuess true)."),
    };

    /// <inheritdoc />
    protected override RequestBinding<GetMxEndpointRequest> CreateBinding() => new RequestBinding<GetMxEndpointRequest>()
        .Map(new Argument<string[]>("domain")
                {
                    Arity = ArgumentArity.OneOrMore,
                    Description = "The domain names to look up, such as contoso.com (internationalized names are accepted)."
                },
            r => r.Domain)
        .Map(CliOptions.Text("--dns-server", "HOST[:PORT]", "The DNS server to ask, as host, host:port, an IPv6 address or " +
                "[IPv6]:port (e.g. 1.1.1.1 or 127.0.0.1:5353). Default: the system's resolvers."),
            r => r.DnsServer)
        .Map(CliOptions.Int("--timeout-seconds", 1, 300, "Seconds to wait for each DNS answer before retrying or giving up. Default 3."),
            r => r.TimeoutSeconds)
        .Map(CliOptions.Flag("--include-derived-guess", "When a domain has no MX records, also output the legacy endpoint derived " +
                "from the domain name, marked as a guess (unreliable for domains with hyphens)."),
            r => r.IncludeDerivedGuess);

    /// <inheritdoc />
    public override async Task<int> RunAsync(GetMxEndpointRequest request, CliSession session, CancellationToken cancellationToken)
    {
        var table = new TextTable("DOMAIN", ">PREF", "MX HOST", "FORM", "M365", ">TTL", "NOTE");
        int? exitCode = await session.RunAsync(new GetMxEndpointOperation(), request, result =>
        {
            if (session.Output.Json) session.Output.WriteJson(result);
            else table.Add(result.Domain, result.Preference?.ToString(), result.MxHost, result.EndpointForm.ToString(),
                result.IsMicrosoft365 ? (result.IsGuess ? "guess" : "yes") : "no", result.TimeToLive?.ToString(), result.Note);
        }, cancellationToken).ConfigureAwait(false);
        if (table.Count > 0) session.Output.WriteTable(table);
        return exitCode ?? ExitCodes.Ok;
    }
}
