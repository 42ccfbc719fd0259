using M365SmtpTools.Engine;
using M365SmtpTools.Engine.Dns;
using M365SmtpTools.Engine.Smtp;
using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Cli.Tests;

/// <summary>The exit-code table: one place, mapped from engine failures by phase, and the README shows the same table.</summary>
public sealed class ExitCodeTests
{
    [Theory]
    [InlineData(SmtpPhase.Connect, 11)]
    [InlineData(SmtpPhase.Greeting, 11)]
    [InlineData(SmtpPhase.Ehlo, 11)]
    [InlineData(SmtpPhase.StartTls, 12)]
    [InlineData(SmtpPhase.Auth, 13)]
    [InlineData(SmtpPhase.MailFrom, 14)]
    [InlineData(SmtpPhase.RcptTo, 15)]
    [InlineData(SmtpPhase.Data, 16)]
    [InlineData(SmtpPhase.Bdat, 16)]
    public void Smtp_failures_map_by_phase(SmtpPhase phase, int expected)
    {
        Assert.Equal(expected, ExitCodes.For(new SmtpCommandException("SmtpSomethingRejected", ErrorKind.PermissionDenied, "m", phase, "smtp.test")));
        Assert.Equal(expected, ExitCodes.For(new SmtpProtocolException("SmtpConnectionLost", ErrorKind.ProtocolError, "m", phase, "smtp.test")));
    }

    [Fact]
    public void Other_failures_map_by_kind_and_id()
    {
        Assert.Equal(18, ExitCodes.For(new SmtpDeliveryUnknownException("m", SmtpPhase.Data, "smtp.test", null)));
        Assert.Equal(12, ExitCodes.For(new SmtpProtocolException("SmtpCertificateInvalid", ErrorKind.SecurityError, "m", SmtpPhase.Connect, "smtp.test")));
        Assert.Equal(12, ExitCodes.For(new SmtpCommandException("SmtpTlsRequired", ErrorKind.SecurityError, "m", SmtpPhase.Auth, "smtp.test")));
        Assert.Equal(10, ExitCodes.For(new SmtpProtocolException("SmtpHostNotFound", ErrorKind.ObjectNotFound, "m", SmtpPhase.Connect, "smtp.test")));
        Assert.Equal(1, ExitCodes.For(new SmtpCommandException("SmtpResetFailed", ErrorKind.ProtocolError, "m", SmtpPhase.Rset, "smtp.test")));
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

    [Theory]
    [InlineData("SmtpHostNotFound", 10)]
    [InlineData("DnsTimeout", 10)]
    [InlineData("SmtpConnectFailed", 11)]
    [InlineData("SmtpStartTlsNotOffered", 12)]
    [InlineData("SmtpAuthenticationFailed", 13)]
    [InlineData("AadInvalidClientSecret", 13)]
    [InlineData("SmtpSenderRejected", 14)]
    [InlineData("SmtpRecipientsRejected", 15)]
    [InlineData("SmtpMessageTooLarge", 16)]
    [InlineData("SmtpDeliveryUnknown", 18)]
    [InlineData("SomethingNew", 1)]
    [InlineData(null, 1)]
    public void Result_error_ids_map_to_the_phase(string? errorId, int expected) => Assert.Equal(expected, ExitCodes.ForErrorId(errorId));

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
