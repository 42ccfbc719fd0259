using M365SmtpTools.Engine;
using M365SmtpTools.Engine.Dns;
using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Cli.Tests;

/// <summary>The exit-code table: one place, mapped from engine failures by phase, and the README shows the same table.</summary>
public sealed class ExitCodeTests
{
    public enum FakePhase { Connect, Greeting, Ehlo, StartTls, Auth, MailFrom, RcptTo, Data, Bdat, Rset, Quit }

    // Shaped like the SMTP client's SmtpException (Phase, DeliveryUnknown), which lands on main separately.
    private sealed class FakeSmtpException : M365SmtpException
    {
        public FakeSmtpException(FakePhase phase, ErrorKind kind, bool deliveryUnknown = false) : base("SmtpSomething", kind, "m")
        {
            Phase = phase;
            DeliveryUnknown = deliveryUnknown;
        }
        public FakePhase Phase { get; }
        public bool DeliveryUnknown { get; }
    }

    [Theory]
    [InlineData(FakePhase.Connect, 11)]
    [InlineData(FakePhase.Greeting, 11)]
    [InlineData(FakePhase.Ehlo, 11)]
    [InlineData(FakePhase.StartTls, 12)]
    [InlineData(FakePhase.Auth, 13)]
    [InlineData(FakePhase.MailFrom, 14)]
    [InlineData(FakePhase.RcptTo, 15)]
    [InlineData(FakePhase.Data, 16)]
    [InlineData(FakePhase.Bdat, 16)]
    public void Smtp_failures_map_by_phase(FakePhase phase, int expected) =>
        Assert.Equal(expected, ExitCodes.For(new FakeSmtpException(phase, ErrorKind.ProtocolError)));

    [Fact]
    public void Other_failures_map_by_kind_and_id()
    {
        Assert.Equal(18, ExitCodes.For(new FakeSmtpException(FakePhase.Data, ErrorKind.ConnectionError, deliveryUnknown: true)));
        Assert.Equal(10, ExitCodes.For(new DnsException(DnsErrorIds.Timeout, ErrorKind.OperationTimeout, "t")));
        Assert.Equal(10, ExitCodes.For(new DnsException(DnsErrorIds.NameNotFound, ErrorKind.ObjectNotFound, "t")));
        Assert.Equal(10, ExitCodes.For(new M365SmtpException("SmtpHostNotFound", ErrorKind.ObjectNotFound, "t")));
        Assert.Equal(2, ExitCodes.For(new DnsException(DnsErrorIds.InvalidDomainName, ErrorKind.InvalidArgument, "t")));
        Assert.Equal(2, ExitCodes.For(new M365SmtpException("AuthMethodMissing", ErrorKind.InvalidArgument, "t")));
        Assert.Equal(13, ExitCodes.For(new M365SmtpException("IdentityEndpointUnreachable", ErrorKind.ConnectionError, "t")));
        Assert.Equal(13, ExitCodes.For(new M365SmtpException("AadInvalidClientSecret", ErrorKind.AuthenticationError, "t")));
        Assert.Equal(13, ExitCodes.For(new M365SmtpException("CertificateExpired", ErrorKind.SecurityError, "t")));
        Assert.Equal(12, ExitCodes.For(new M365SmtpException("SomeTlsThing", ErrorKind.SecurityError, "t")));
        Assert.Equal(130, ExitCodes.For(new M365SmtpException("AuthenticationCancelled", ErrorKind.Cancelled, "t")));
        Assert.Equal(130, ExitCodes.For(new OperationCanceledException()));
        Assert.Equal(1, ExitCodes.For(new M365SmtpException("SomethingElse", ErrorKind.InvalidOperation, "t")));
        Assert.Equal(1, ExitCodes.For(new InvalidOperationException()));
    }

    [Fact]
    public void Codes_and_names_are_unique()
    {
        Assert.Equal(ExitCodes.Table.Count, ExitCodes.Table.Select(e => e.Code).Distinct().Count());
        Assert.Equal(ExitCodes.Table.Count, ExitCodes.Table.Select(e => e.Name).Distinct().Count());
    }

    [Fact]
    public void The_readme_shows_the_same_table()
    {
        string readme = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "src", "M365SmtpTools.Cli", "README.md"));
        var rows = readme.Split('\n').Select(l => l.Trim()).Where(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\| \d+ \|")).ToList();
        Assert.Equal(ExitCodes.Table.Select(e => $"| {e.Code} | {e.Name} | {e.Meaning} |"), rows);
    }
}
