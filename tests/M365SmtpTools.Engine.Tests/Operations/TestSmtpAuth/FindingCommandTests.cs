using M365SmtpTools.Engine.Exchange;
using M365SmtpTools.Engine.Operations;
using M365SmtpTools.Engine.Smtp;

namespace M365SmtpTools.Engine.Tests.Operations.TestSmtpAuth;

/// <summary>
/// The commands a finding tells the user to run, for every kind of system (Windows; Linux or macOS with nc, dig or
/// host, or none of them), how a name is written into them, and the remaining rules of the non-reply findings.
/// </summary>
public sealed class FindingCommandTests
{
    private static Func<string, bool> Tools(params string[] present) => tool => present.Contains(tool);

    [Theory]
    [InlineData(true, new string[0], 587, "Test-NetConnection -ComputerName 'smtp.office365.com' -Port 587")]
    [InlineData(false, new[] { "nc" }, 587, "nc -vz smtp.office365.com 587")]
    [InlineData(false, new string[0], 587, "openssl s_client -starttls smtp -crlf -connect smtp.office365.com:587")]
    [InlineData(false, new string[0], 465, "openssl s_client -connect smtp.office365.com:465")]
    public void The_TCP_test_is_a_tool_this_system_has(bool windows, string[] tools, int port, string expected) =>
        Assert.Equal(expected, Findings.TcpTestCommand("smtp.office365.com", port, windows, Tools(tools)));

    [Theory]
    [InlineData(true, new string[0], "Resolve-DnsName -Name 'smtp.office365.com'")]
    [InlineData(false, new[] { "dig", "host" }, "dig +short smtp.office365.com")]
    [InlineData(false, new[] { "host" }, "host smtp.office365.com")]
    [InlineData(false, new string[0], "getent hosts smtp.office365.com")]
    public void The_DNS_test_is_a_tool_this_system_has(bool windows, string[] tools, string expected) =>
        Assert.Equal(expected, Findings.DnsTestCommand("smtp.office365.com", windows, Tools(tools)));

    [Theory]
    [InlineData("az.AZ.09-x:1", "az.AZ.09-x:1")]  // the ends of each range a host name uses stay plain
    [InlineData("a`", "'a`'")]                    // just before 'a'
    [InlineData("z{", "'z{'")]                    // just after 'z'
    [InlineData("A@", "'A@'")]                    // just before 'A'
    [InlineData("Z[", "'Z['")]                    // just after 'Z'
    [InlineData("0/", "'0/'")]                    // just before '0'
    [InlineData("", "''")]                        // an empty argument is still an argument
    public void A_name_is_written_plain_only_when_it_is_a_host_name_like_word(string name, string written) =>
        Assert.Equal("getent hosts " + written, Findings.DnsTestCommand(name, false, Tools()));

    [Fact]
    public void A_tool_is_found_in_any_directory_of_the_path_and_empty_entries_are_skipped()
    {
        string dir = Directory.CreateTempSubdirectory("m365smtp-path-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "dig"), "");
            char sep = Path.PathSeparator;
            Assert.True(Findings.OnPath("dig", $"{sep}/nonexistent-m365smtp{sep}{dir}"));
            Assert.False(Findings.OnPath("host", $"{sep}/nonexistent-m365smtp{sep}{dir}"));
            Assert.False(Findings.OnPath("dig", "/nonexistent-m365smtp"));
            Assert.False(Findings.OnPath("dig", null));
            // An empty entry is not the working directory: a file there (any file, named as the tool) isn't found.
            string here = Path.GetFileName(Directory.EnumerateFiles(Directory.GetCurrentDirectory()).First());
            Assert.False(Findings.OnPath(here, $"{sep}/nonexistent-m365smtp"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_certificate_expiring_within_14_days_is_a_warning_but_not_one_that_has_just_expired()
    {
        var now = new DateTime(2026, 12, 3, 12, 0, 0, DateTimeKind.Utc);
        TlsSessionInfo Tls(DateTime notAfter) => new() { Protocol = "Tls13", CipherSuite = "TLS_AES_256_GCM_SHA384",
            Subject = "CN=mail.contoso.test", Issuer = "CN=Test CA", NotAfter = notAfter, CertificateValid = true };
        SmtpTestFinding soon = Assert.Single(Findings.ForTlsSession(Tls(now.AddDays(3)), false, null, now));
        Assert.Equal(("CertificateExpiresSoon", "The server's certificate expires in 3 day(s)."), (soon.Id, soon.Meaning));
        Assert.Empty(Findings.ForTlsSession(Tls(now), false, null, now));
        Assert.Empty(Findings.ForTlsSession(Tls(now.AddDays(14)), false, null, now));
    }

    [Fact]
    public void Another_session_failure_keeps_its_own_advice()
    {
        var e = new SmtpProtocolException(SmtpErrorCodes.TlsRequired, "TLS is required.", SmtpPhase.StartTls, "mx.test")
            { RecommendedAction = "Use port 587." };
        SmtpTestFinding f = Findings.ForSessionFailure(SmtpTestStage.Tls, e, 587, 30);
        Assert.Equal(("SmtpTlsRequired", "TLS is required.", "Use port 587."), (f.Id, f.Meaning, f.Remediation));
        var bare = new SmtpProtocolException(SmtpErrorCodes.TlsRequired, "TLS is required.", SmtpPhase.StartTls, "mx.test");
        Assert.Equal("See the message.", Findings.ForSessionFailure(SmtpTestStage.Tls, bare, 587, 30).Remediation);
    }

    [Fact]
    public void The_command_templates_include_the_token_fixes()
    {
        IReadOnlyList<string> all = Findings.AllCommandTemplates();
        Assert.Contains("New-ServicePrincipal -AppId '<application id>' -ObjectId '<enterprise application object id>'", all);
        Assert.Contains("Add-MailboxPermission -Identity '<mailbox>' -User '<enterprise application object id>' -AccessRights FullAccess",
            all);
    }
}
