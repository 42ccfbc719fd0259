using M365SmtpTools.Engine;
using M365SmtpTools.Engine.Auth;
using M365SmtpTools.Engine.Dns;
using M365SmtpTools.Engine.Graph;
using M365SmtpTools.Engine.Operations;
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
        ErrorCode rejected = TestErrorCodes.Of("SmtpSomethingRejected");
        Assert.Equal(expected, ExitCodes.For(new SmtpCommandException(rejected, ErrorKind.PermissionDenied, "m", phase, "smtp.test")));
        var lost = new SmtpProtocolException(SmtpErrorCodes.ConnectionLost, ErrorKind.ProtocolError, "m", phase, "smtp.test");
        Assert.Equal(expected, ExitCodes.For(lost));
    }

    [Fact]
    public void Other_failures_map_by_kind_and_id()
    {
        Assert.Equal(18, ExitCodes.For(new SmtpDeliveryUnknownException("m", SmtpPhase.Data, "smtp.test", null)));
        Assert.Equal(12, ExitCodes.For(new SmtpProtocolException(SmtpErrorCodes.CertificateInvalid, "m", SmtpPhase.Connect, "smtp.test")));
        Assert.Equal(12, ExitCodes.For(new SmtpCommandException(SmtpErrorCodes.TlsRequired, "m", SmtpPhase.Auth, "smtp.test")));
        Assert.Equal(10, ExitCodes.For(new SmtpProtocolException(SmtpErrorCodes.HostNotFound, "m", SmtpPhase.Connect, "smtp.test")));
        Assert.Equal(1, ExitCodes.For(new SmtpCommandException(SmtpErrorCodes.ResetFailed, "m", SmtpPhase.Rset, "smtp.test")));
        Assert.Equal(10, ExitCodes.For(new DnsException(DnsErrorCodes.Timeout, "t")));
        Assert.Equal(10, ExitCodes.For(new DnsException(DnsErrorCodes.NameNotFound, "t")));
        Assert.Equal(10, ExitCodes.For(new M365SmtpException(SmtpErrorCodes.HostNotFound, "t")));
        Assert.Equal(2, ExitCodes.For(new DnsException(DnsErrorCodes.InvalidDomainName, "t")));
        Assert.Equal(2, ExitCodes.For(new M365SmtpException(AuthErrorCodes.AuthMethodMissing, "t")));
        Assert.Equal(13, ExitCodes.For(new M365SmtpException(TokenErrorCodes.IdentityEndpointUnreachable, "t")));
        Assert.Equal(13, ExitCodes.For(new M365SmtpException(TokenErrorCodes.AadInvalidClientSecret, "t")));
        Assert.Equal(13, ExitCodes.For(new M365SmtpException(CertificateErrorCodes.CertificateExpired, "t")));
        Assert.Equal(12, ExitCodes.For(new M365SmtpException(TestErrorCodes.Of("SomeTlsThing"), ErrorKind.SecurityError, "t")));
        Assert.Equal(130, ExitCodes.For(new M365SmtpException(TokenErrorCodes.AuthenticationCancelled, "t")));
        Assert.Equal(130, ExitCodes.For(new OperationCanceledException()));
        Assert.Equal(1, ExitCodes.For(new M365SmtpException(TestErrorCodes.Of("SomethingElse"), "t")));
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
    public void Result_error_ids_map_to_the_phase(string? errorId, int expected)
    {
        // An id unknown to the registry has no step: a result carrying it exits with "other".
        ErrorCode? code = ErrorCodeRegistry.Find(errorId);
        Assert.Equal(expected, code is null ? ExitCodes.Other : ExitCodes.For(code.Phase));
    }

    // What the removed ExitCodes.ForErrorId answered for each id when it matched id strings and prefixes (before the
    // codes had a phase), written down from that table: every id not listed gave 1 (other).
    private static readonly Dictionary<string, int> s_exitCodeByIdBeforeCodes = new(StringComparer.Ordinal)
    {
        ["DnsMalformedResponse"] = 10,
        ["DnsNameNotFound"] = 10,
        ["DnsNoMxRecords"] = 10,
        ["DnsNoRecords"] = 10,
        ["DnsNoServers"] = 10,
        ["DnsServerFailure"] = 10,
        ["DnsTimeout"] = 10,
        ["RelayEndpointNotFound"] = 10,
        ["SmtpHostNotFound"] = 10,
        ["GraphConnectionFailed"] = 11,
        ["GraphTimeout"] = 11,
        ["SmtpConnectFailed"] = 11,
        ["SmtpConnectTimeout"] = 11,
        ["SmtpConnectionClosed"] = 11,
        ["SmtpConnectionLost"] = 11,
        ["SmtpEhloRejected"] = 11,
        ["SmtpGreetingRejected"] = 11,
        ["SmtpImplicitTlsNotSupported"] = 11,
        ["SmtpInvalidReply"] = 11,
        ["SmtpNotConnected"] = 11,
        ["SmtpReplyTooLong"] = 11,
        ["SmtpTimeout"] = 11,
        ["SmtpCertificateInvalid"] = 12,
        ["SmtpStartTlsInjection"] = 12,
        ["SmtpStartTlsNotOffered"] = 12,
        ["SmtpStartTlsRefused"] = 12,
        ["SmtpTlsHandshakeFailed"] = 12,
        ["SmtpTlsProtocolNotAllowed"] = 12,
        ["SmtpTlsRequired"] = 12,
        ["AadAccountLocked"] = 13,
        ["AadAppNotFound"] = 13,
        ["AadAssertionOutsideValidity"] = 13,
        ["AadCertificateRejected"] = 13,
        ["AadClientSecretExpired"] = 13,
        ["AadConsentMissing"] = 13,
        ["AadError"] = 13,
        ["AadInvalidClientSecret"] = 13,
        ["AadInvalidScope"] = 13,
        ["AadInvalidUserCredentials"] = 13,
        ["AadMfaRequired"] = 13,
        ["AadPublicClientFlowsDisabled"] = 13,
        ["AadRedirectUriMismatch"] = 13,
        ["AadRefreshTokenExpired"] = 13,
        ["AadResourceNotFound"] = 13,
        ["AadTenantInvalid"] = 13,
        ["AadTenantNotFound"] = 13,
        ["AadUserNotFound"] = 13,
        ["AccessTokenEmpty"] = 13,
        ["AccessTokenExpired"] = 13,
        ["AuthenticationCancelled"] = 13,
        ["BasicAuthRetired"] = 13,
        ["CertificateExpired"] = 13,
        ["CertificateFileNotFound"] = 13,
        ["CertificateFileUnreadable"] = 13,
        ["CertificateHasNoPrivateKey"] = 13,
        ["CertificateMissing"] = 13,
        ["CertificateNotFoundInStore"] = 13,
        ["CertificatePasswordWithoutPath"] = 13,
        ["CertificateStoreNotSupported"] = 13,
        ["CertificateThumbprintInvalid"] = 13,
        ["DelegatedAuthNotInteractive"] = 13,
        ["DelegatedSignInExpired"] = 13,
        ["GraphErrorAccessDenied"] = 13,
        ["GraphForbidden"] = 13,
        ["GraphInvalidAuthenticationToken"] = 13,
        ["GraphTokenExpired"] = 13,
        ["GraphTokenWrongAudience"] = 13,
        ["GraphUnauthorized"] = 13,
        ["IdentityEndpointTimeout"] = 13,
        ["IdentityEndpointUnreachable"] = 13,
        ["InteractiveSignInUnavailable"] = 13,
        ["ManagedIdentityUnavailable"] = 13,
        ["ManagedIdentityWithClientId"] = 13,
        ["SmtpAuthMechanismNotOffered"] = 13,
        ["SmtpAuthNotOffered"] = 13,
        ["SmtpAuthenticationFailed"] = 13,
        ["SmtpCredentialEmpty"] = 13,
        ["TokenCachePersistenceUnavailable"] = 13,
        ["TokenNotJwt"] = 13,
        ["TokenRequestFailed"] = 13,
        ["GraphErrorSendAsDenied"] = 14,
        ["GraphMailboxNotEnabledForRESTAPI"] = 14,
        ["GraphMailboxNotFound"] = 14,
        ["MessageHasNoSender"] = 14,
        ["SmtpSenderRejected"] = 14,
        ["DirectSendExternalRecipient"] = 15,
        ["GraphErrorInvalidRecipients"] = 15,
        ["SmtpInvalidAddress"] = 15,
        ["SmtpNoRecipients"] = 15,
        ["SmtpRecipientsRejected"] = 15,
        ["GraphErrorMessageSizeExceeded"] = 16,
        ["GraphMessageTooLarge"] = 16,
        ["SmtpContentFailed"] = 16,
        ["SmtpDataRejected"] = 16,
        ["SmtpMessageRejected"] = 16,
        ["SmtpMessageTooLarge"] = 16,
        ["GraphDeliveryUnknown"] = 18,
        ["SmtpDeliveryUnknown"] = 18,
    };

    private static int ExpectedExitCode(string id) => s_exitCodeByIdBeforeCodes.TryGetValue(id, out int code) ? code : ExitCodes.Other;

    [Fact]
    public void Every_registered_code_gives_the_exit_code_its_id_gave()
    {
        Assert.NotEmpty(ErrorCodeRegistry.All);
        foreach (ErrorCode code in ErrorCodeRegistry.All)
        {
            int expected = ExpectedExitCode(code.Id);
            int byPhase = ExitCodes.For(code.Phase);
            Assert.True(expected == byPhase, $"{code.Id} ({code.Phase}): expected {expected}, got {byPhase}");
            Assert.Same(code, ErrorCodeRegistry.Find(code.Id));
        }
    }

    [Fact]
    public void A_batch_result_maps_by_its_error_code_without_looking_the_id_up()
    {
        Assert.Equal(18, ExitCodes.For(new SendMailResult { Status = SendMailStatus.Unknown }));
        Assert.Equal(1, ExitCodes.For(new SendMailResult { Status = SendMailStatus.Failed }));
        var refused = new SmtpCommandException(SmtpErrorCodes.SenderRejected, ErrorKind.PermissionDenied, "m", SmtpPhase.MailFrom, "smtp");
        Assert.Equal(14, ExitCodes.For(new SendMailResult { Status = SendMailStatus.Failed, Error = refused }));
        // The code decides, not the SMTP phase: a connection lost during DATA is a connect failure for a batch row,
        // as its id always was.
        var lost = new SmtpProtocolException(SmtpErrorCodes.ConnectionLost, "m", SmtpPhase.Data, "smtp.test");
        Assert.Equal(11, ExitCodes.For(new SendMailResult { Status = SendMailStatus.Failed, Error = lost }));
        var denied = new M365SmtpException(GraphErrorCodes.ErrorSendAsDenied, "m");
        Assert.Equal(14, ExitCodes.For(new SendMailResult { Status = SendMailStatus.Failed, Error = denied }));
        // A Graph error code no catalogue explains keeps its id and is "other".
        var unexplained = new M365SmtpException(GraphErrorCodes.ForServerCode("ErrorSomethingNew"), "m");
        Assert.Equal("GraphErrorSomethingNew", unexplained.ErrorId);
        Assert.Equal(1, ExitCodes.For(new SendMailResult { Status = SendMailStatus.Failed, Error = unexplained }));
    }

    [Fact]
    public void Every_id_of_the_old_table_is_a_registered_code()
    {
        foreach (string id in s_exitCodeByIdBeforeCodes.Keys)
            Assert.True(ErrorCodeRegistry.Find(id) != null, id + " is not in the registry");
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
        var rows = readme.Split('\n').Select(l => l.Trim())
            .Where(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\| \d+ \|")).ToList();
        Assert.Equal(ExitCodes.Table.Select(e => $"| {e.Code} | {e.Name} | {e.Meaning} |"), rows);
    }
}
