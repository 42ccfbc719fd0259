using System.Text;
using M365SmtpTools.Engine.Dns;
using M365SmtpTools.Engine.Operations;
using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Engine.Tests.Operations.TestMailDomain;

/// <summary>
/// Asks nsd, but answers Microsoft's own names (spf.protection.outlook.com) from the stand-in zone msft-mirror.test:
/// the loopback nsd can't be authoritative for outlook.com without changing what other tests expect of it (they rely
/// on it refusing that name). Every answer still comes from nsd; only the question's name is mapped.
/// </summary>
internal sealed class MirroringResolver : IDnsResolver
{
    public const string MirrorZone = "msft-mirror.test";
    private static readonly string[] Mirrored = { "spf.protection.outlook.com" };
    private readonly IDnsResolver _inner;

    public MirroringResolver(IDnsResolver inner) => _inner = inner;

    public List<string> Asked { get; } = new();

    public async Task<DnsAnswer> QueryAsync(string name, DnsRecordType type, CancellationToken cancellationToken = default)
    {
        string n = DnsName.Normalize(name, allowUnderscore: true);
        lock (Asked) Asked.Add($"{n} {type}");
        if (!Mirrored.Contains(n)) return await _inner.QueryAsync(n, type, cancellationToken);
        DnsAnswer a = await _inner.QueryAsync(n + "." + MirrorZone, type, cancellationToken);
        return new DnsAnswer(n, type, a.ResponseCode, a.Records, a.Server, a.ViaTcp);
    }
}

/// <summary>Fails (as a timeout) every question whose name matches, and passes the others on: a sub-check's DNS failure.</summary>
internal sealed class FailingResolver : IDnsResolver
{
    private readonly IDnsResolver _inner;
    private readonly Func<string, DnsRecordType, bool> _fails;

    public FailingResolver(IDnsResolver inner, Func<string, DnsRecordType, bool> fails)
    {
        _inner = inner;
        _fails = fails;
    }

    public Task<DnsAnswer> QueryAsync(string name, DnsRecordType type, CancellationToken cancellationToken = default)
    {
        if (_fails(name, type))
            throw new DnsException(DnsErrorCodes.Timeout,
                $"No answer for {name} ({type}) from the DNS server 192.0.2.53:53 within 1 seconds.")
            { QueryName = name, QueryType = type, Server = "192.0.2.53:53", RecommendedAction = "Give another server with -DnsServer." };
        return _inner.QueryAsync(name, type, cancellationToken);
    }
}

internal static class MailDomainRun
{
    public static string NsdServer() => "127.0.0.1:" + InteropServer.Require("nsd").Port("PORT");

    /// <summary>Runs Test-M365MailDomain's operation against nsd (with Microsoft's SPF include mirrored) and writes every
    /// command the reports recommend to tests/generated/maildomain.</summary>
    public static async Task<(List<MailDomainReport> Reports, List<M365SmtpException> Errors, RecordingHost Host)> Run(
        TestMailDomainRequest request, Func<IDnsResolver, IDnsResolver>? wrap = null, bool mirror = true)
    {
        string server = NsdServer();
        request.DnsServer ??= server;
        request.TimeoutSeconds ??= 5;
        var reports = new List<MailDomainReport>();
        var errors = new List<M365SmtpException>();
        var host = new RecordingHost();
        TestMailDomainOperation operation = mirror || wrap != null
            ? new TestMailDomainOperation((req, log) =>
            {
                IDnsResolver r = DnsClient.Create(req.DnsServer, req.TimeoutSeconds, log);
                if (mirror) r = new MirroringResolver(r);
                return wrap != null ? wrap(r) : r;
            })
            : new TestMailDomainOperation();
        await operation.RunAsync(request, new OperationHost<MailDomainReport>(host, reports.Add, errors.Add),
            TestContext.Current.CancellationToken);
        WriteCommands(reports);
        return (reports, errors, host);
    }

    public static async Task<MailDomainReport> One(string domain, string? sender = null)
    {
        var (reports, errors, _) = await Run(new TestMailDomainRequest
        {
            Domain = new[] { domain },
            SenderIPAddress = sender == null ? null : System.Net.IPAddress.Parse(sender),
        });
        Assert.True(errors.Count == 0, string.Join("\n", errors.Select(e => e.Message)));
        return Assert.Single(reports);
    }

    /// <summary>tests/generated/maildomain: one .ps1 per domain with the commands its report recommends; CI checks them
    /// with pscheck.</summary>
    public static string GeneratedDir => Path.Combine(TestPaths.RepoRoot, "tests", "generated", "maildomain");

    public static void WriteCommands(IEnumerable<MailDomainReport> reports)
    {
        foreach (MailDomainReport r in reports)
        {
            var commands = r.Findings.Where(f => f.Command != null).ToList();
            if (commands.Count == 0) continue;
            Directory.CreateDirectory(GeneratedDir);
            var text = new StringBuilder();
            text.Append("# Commands Test-M365MailDomain recommends for ").Append(r.Domain).Append(" (run after Connect-ExchangeOnline).\n");
            foreach (MailDomainFinding f in commands)
                text.Append("# ").Append(f.Id).Append(": ").Append(f.Message.Replace('\n', ' ')).Append('\n')
                    .Append(f.Command).Append('\n');
            File.WriteAllText(Path.Combine(GeneratedDir, r.Domain + ".ps1"), text.ToString());
        }
    }

    public static MailDomainFinding Finding(MailDomainReport r, string id) =>
        r.Findings.SingleOrDefault(f => f.Id == id) ?? throw new Xunit.Sdk.XunitException(
            $"{r.Domain}: no finding {id}; found: {string.Join(", ", r.Findings.Select(f => $"{f.Id} ({f.Severity})"))}");

    public static string Ids(MailDomainReport r) => string.Join(", ", r.Findings.Select(f => $"{f.Id} ({f.Severity})"));
}
