using System.Security;
using System.Security.Cryptography.X509Certificates;
using M365SmtpTools.Engine.Auth;
using M365SmtpTools.Engine.Dns;
using M365SmtpTools.Engine.Operations;
using M365SmtpTools.Engine.Smtp;
using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Engine.Tests.Operations.SendMail;

/// <summary>MX answers from a table (domain → exchanges), counting the questions asked.</summary>
public sealed class TableDns : IDnsResolver
{
    private readonly Dictionary<string, string[]> _mx = new(StringComparer.OrdinalIgnoreCase);
    public int Queries;

    public TableDns Mx(string domain, params string[] exchanges) { _mx[domain] = exchanges; return this; }

    public Task<DnsAnswer> QueryAsync(string name, DnsRecordType type, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref Queries);
        if (!_mx.TryGetValue(name, out string[]? hosts))
            return Task.FromResult(new DnsAnswer(name, type, DnsResponseCode.NameError, Array.Empty<DnsRecord>(), "table", false));
        var records = hosts.Select((h, i) => (DnsRecord)new MxRecord(name, 300, (ushort)(10 * (i + 1)), h)).ToList();
        return Task.FromResult(new DnsAnswer(name, type, DnsResponseCode.NoError, records, "table", false));
    }
}

/// <summary>A clock that advances at once and runs a hook on every wait (to change a server's behaviour between attempts).</summary>
public sealed class HookClock : IClock
{
    private readonly object _gate = new();
    public DateTimeOffset UtcNow { get; private set; } = new(2026, 11, 22, 9, 0, 0, TimeSpan.Zero);
    public List<TimeSpan> Waits { get; } = new();
    public Action<TimeSpan>? OnDelay { get; set; }

    public Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate) { Waits.Add(delay); if (delay > TimeSpan.Zero) UtcNow += delay; }
        OnDelay?.Invoke(delay);
        return Task.CompletedTask;
    }
}

internal static class SendKit
{
    public const string Token = "good-token";
    public const string Password = "app-password";

    public static readonly TableDns ContosoDns = new TableDns()
        .Mx("contoso.com", "contoso-com.mail.protection.outlook.com")
        .Mx("sales.contoso.com", "contoso-com.mail.protection.outlook.com")
        .Mx("fabrikam.com", "mx.fabrikam.com")
        .Mx("tailspin.com", "tailspin-com.mail.protection.outlook.com");

    public static SecureString Secure(string s) => SecretText.ToSecureString(s);

    /// <summary>Settings that put the double behind every host name, trust its CA, and use the given clock and DNS.</summary>
    public static SendMailOperationSettings For(ExchangeOnlineDouble exo, IClock? clock = null, IDnsResolver? dns = null,
        SmtpConnectionRegistry? registry = null, Func<string, int, (string, int)>? redirect = null) => new()
    {
        Clock = clock ?? new FakeClock(),
        Registry = registry ?? new SmtpConnectionRegistry(),
        DnsResolverFactory = (_, _) => dns ?? ContosoDns,
        RetrySeed = 7,
        ConfigureConnection = o =>
        {
            o.TlsPolicy.ServerName = "localhost";
            o.TlsPolicy.TrustedRootCertificates = new X509Certificate2Collection(exo.CaCertificate);
            o.LocalDomain = "client.contoso.com";
            o.ConnectTimeout = TimeSpan.FromSeconds(10);
            o.CommandTimeout = TimeSpan.FromSeconds(20);
        },
        Redirect = redirect ?? ((_, _) => (exo.Host, exo.Port)),
    };

    /// <summary>Client submission as alice@contoso.com with a static access token (the double accepts "good-token").</summary>
    public static SendMailRequest TokenRequest(string to = "bob@contoso.com", string subject = "Hello") => new()
    {
        AccessToken = Secure(Token),
        UserName = "alice@contoso.com",
        Message = new() { From = "alice@contoso.com", To = new[] { to }, Subject = subject, Body = "Body text" },
    };

    public static async Task<List<SendMailResult>> RunAsync(SendMailOperation op, SendMailRequest request,
        IReadOnlyList<MailMessageSpec>? specs, IOperationHost host, CancellationToken ct = default)
    {
        var results = new List<SendMailResult>();
        await Batch(op, request, specs, host, results.Add, ct);
        return results;
    }

    /// <summary>
    /// Sends <paramref name="specs"/> (null: the request's own message) through the operation's one contract, each
    /// result to <paramref name="onResult"/> as it is written; a send reports failures in its results, never as errors.
    /// </summary>
    public static Task Batch(SendMailOperation op, SendMailRequest request, IReadOnlyList<MailMessageSpec>? specs, IOperationHost host,
        Action<SendMailResult> onResult, CancellationToken ct = default)
    {
        request.Messages = specs;
        return op.RunAsync(request, new OperationHost<SendMailResult>(host, onResult,
            e => throw new Xunit.Sdk.XunitException($"Send wrote an error instead of a result: {e.ErrorId}")), ct);
    }

    public static List<MailMessageSpec> Specs(int count, string domain = "contoso.com") =>
        Enumerable.Range(1, count)
            .Select(i => new MailMessageSpec { To = new[] { $"user{i}@{domain}" }, Subject = $"Message {i}", Body = $"Body {i}" })
            .ToList();
}
