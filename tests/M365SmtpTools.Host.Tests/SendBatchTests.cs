using System.Management.Automation;
using M365SmtpTools.Host.Tests.Infrastructure;

namespace M365SmtpTools.Host.Tests;

/// <summary>
/// Send-M365Mail as an admin runs a batch from a CSV, through PowerShell's binder and against real loopback servers:
/// one result per input in input order, -ErrorAction Stop that stops, empty cells that mean "not given", results that
/// export to CSV readably.
/// </summary>
public sealed class SendBatchTests : IClassFixture<ModuleSession>
{
    private readonly ModuleSession _session;

    public SendBatchTests(ModuleSession session) => _session = session;

    private static string Csv(string text)
    {
        string path = Path.Combine(Path.GetTempPath(), $"batch-{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, text);
        return path;
    }

    private static string Text(PSObject result, string property) => result.Properties[property].Value?.ToString() ?? "";

    [Fact]
    public void ErrorActionStopSendsNothingAfterTheFailedRowAndStillGivesEveryRowAResult()
    {
        (int port, string mailLog) = InteropServers.RequirePostfixRelay();
        string tag = Guid.NewGuid().ToString("N");
        string csv = Csv("To,Subject\n" +
            $"ann@contoso.test,{tag} row 1\nnobody-{tag}@contoso.test,{tag} row 2\n" +
            $"ben@contoso.test,{tag} row 3\ncat@contoso.test,{tag} row 4\n");
        HostResult r = _session.Run(
            "$results = [System.Collections.Generic.List[object]]::new()\n" +
            "try { Import-Csv -Path $csv | Send-M365Mail -Method Relay -SmtpServer 127.0.0.1 -Port $port -SkipCertificateValidation " +
            "-From ops@contoso.test -Body 'x' -ErrorAction Stop -WarningAction SilentlyContinue " +
            "| ForEach-Object { $results.Add($_) } }\n" +
            "catch { $caught = $_ }\n$results; $caught",
            ("csv", csv), ("port", port));
        try
        {
            Assert.Null(r.Terminating);
            var results = r.Output.Where(o => o.BaseObject is not ErrorRecord).ToList();
            ErrorRecord? caught = r.Output.Select(o => o.BaseObject).OfType<ErrorRecord>().SingleOrDefault();
            Assert.Equal(new[] { "0", "1", "2", "3" }, results.Select(x => Text(x, "Index")));
            Assert.Equal(new[] { "Sent", "Failed", "NotAttempted", "NotAttempted" }, results.Select(x => Text(x, "Status")));
            Assert.Contains("stops at the first failure", Text(results[2], "Meaning"), StringComparison.Ordinal);
            Assert.NotNull(caught); // the failure of row 2 stopped the pipeline, after every row had its result
            Assert.Equal(Text(results[1], "ErrorId"), caught!.FullyQualifiedErrorId.Split(',')[0]);

            Assert.True(InteropServers.PostfixReceived(mailLog, Text(results[0], "MessageId"), TimeSpan.FromSeconds(20)),
                "row 1 never reached Postfix");
            Assert.False(InteropServers.PostfixReceived(mailLog, Text(results[2], "MessageId"), TimeSpan.Zero),
                "row 3 was handed to the server after the failure");
            Assert.False(InteropServers.PostfixReceived(mailLog, Text(results[3], "MessageId"), TimeSpan.Zero),
                "row 4 was handed to the server after the failure");
        }
        finally { File.Delete(csv); }
    }

    [Fact]
    public void ProgressCarriesTheRemainingTimeAndCompletesAtTheEnd()
    {
        (int port, string mailLog) = InteropServers.RequirePostfixRelay();
        string tag = Guid.NewGuid().ToString("N");
        string csv = Csv("To,Subject\n" + string.Join("", Enumerable.Range(1, 4).Select(i => $"ann@contoso.test,{tag} row {i}\n")));
        HostResult r = _session.Run(
            "Import-Csv -Path $csv | Send-M365Mail -Method Relay -SmtpServer 127.0.0.1 -Port $port -SkipCertificateValidation " +
            "-From ops@contoso.test -Body 'x' -WarningAction SilentlyContinue",
            ("csv", csv), ("port", port));
        try
        {
            Assert.Null(r.Terminating);
            Assert.Equal(4, r.Output.Count);
            List<ProgressRecord> batch = r.Progress.Where(p => p.Activity == "Send-M365Mail").ToList();
            // Before the first result the time left is unknown (-1); after it PowerShell gets an estimate in seconds.
            Assert.Equal(-1, batch.First().SecondsRemaining);
            ProgressRecord afterOne = batch.First(p => p.StatusDescription.StartsWith("Sent 1, failed 0, remaining 3 of 4",
                StringComparison.Ordinal));
            Assert.InRange(afterOne.SecondsRemaining, 0, 600);
            Assert.Equal(ProgressRecordType.Completed, batch.Last().RecordType);
        }
        finally { File.Delete(csv); }
    }

    [Fact]
    public void WithoutStopTheOtherRowsGoOnAndTheFailureIsANonTerminatingError()
    {
        (int port, string mailLog) = InteropServers.RequirePostfixRelay();
        string tag = Guid.NewGuid().ToString("N");
        string csv = Csv($"To,Subject\nnobody-{tag}@contoso.test,{tag} row 1\nann@contoso.test,{tag} row 2\n");
        try
        {
            HostResult r = _session.Run(
                "Import-Csv -Path $csv | Send-M365Mail -Method Relay -SmtpServer 127.0.0.1 -Port $port -SkipCertificateValidation " +
                "-From ops@contoso.test -Body 'x' -WarningAction SilentlyContinue",
                ("csv", csv), ("port", port));
            Assert.Equal(new[] { "Failed", "Sent" }, r.Output.Select(x => Text(x, "Status")));
            ErrorRecord error = Assert.Single(r.Errors);
            Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category); // the recipient doesn't exist
            // A full rejection recommends the fix, as a partial one does (it had no RecommendedAction from a non-Microsoft server).
            Assert.False(string.IsNullOrWhiteSpace(error.ErrorDetails?.RecommendedAction), "no RecommendedAction");
            Assert.Equal(Text(r.Output[0], "Remediation"), error.ErrorDetails!.RecommendedAction);
            Assert.Equal(Text(r.Output[0], "ErrorId"), error.FullyQualifiedErrorId.Split(',')[0]);
            Assert.True(InteropServers.PostfixReceived(mailLog, Text(r.Output[1], "MessageId"), TimeSpan.FromSeconds(20)));
        }
        finally { File.Delete(csv); }
    }

    [Fact]
    public void ARowWithAnEmptyFromOrPriorityCellGetsItsOwnResultInInputOrder()
    {
        string csv = Csv("From,To,Subject,Priority\nops@contoso.com,ann@contoso.com,first,\n" +
            ",ben@contoso.com,second,High\nops@contoso.com,cat@contoso.com,third,\n");
        try
        {
            HostResult r = _session.Run(
                "Import-Csv -Path $csv | Send-M365Mail -Method Relay -SmtpServer contoso-com.mail.protection.outlook.com -WhatIf",
                ("csv", csv));
            Assert.Null(r.Terminating);
            Assert.Equal(new[] { "0", "1", "2" }, r.Output.Select(x => Text(x, "Index")));
            Assert.Equal(new[] { "first", "second", "third" }, r.Output.Select(x => Text(x, "Subject")));
            Assert.Equal(new[] { "NotAttempted", "Failed", "NotAttempted" }, r.Output.Select(x => Text(x, "Status")));
            Assert.Equal("MessageHasNoSender", Text(r.Output[1], "ErrorId"));
            Assert.Equal("ben@contoso.com", Text(r.Output[1], "Recipients"));
            Assert.StartsWith("MessageHasNoSender", Assert.Single(r.Errors).FullyQualifiedErrorId, StringComparison.Ordinal);
        }
        finally { File.Delete(csv); }
    }

    [Fact]
    public void ARowWithAnUnreadablePriorityOrHeaderCellFailsAloneAndTheOthersAreSentInInputOrder()
    {
        (int port, string messages) = InteropServers.RequireAiosmtpd();
        string tag = Guid.NewGuid().ToString("N");
        // Row 2's Priority isn't a name and row 3's Header is neither a hashtable nor "Name: value" text: PowerShell's
        // binder used to skip such rows, so they got no result and the later rows' Index shifted.
        string csv = Csv("To,Subject,Priority,Header\n" +
            $"ann@contoso.com,{tag} row 1,High,\nben@contoso.com,{tag} row 2,Urgent,\n" +
            $"cat@contoso.com,{tag} row 3,,not a header\ndan@contoso.com,{tag} row 4,,X-Job: nightly; X-Team: ops\n");
        try
        {
            HostResult r = _session.Run(
                "Import-Csv -Path $csv | Send-M365Mail -Method Relay -SmtpServer 127.0.0.1 -Port $port -SkipCertificateValidation " +
                "-From ops@contoso.com -Body 'x' -WarningAction SilentlyContinue",
                ("csv", csv), ("port", port));
            Assert.Null(r.Terminating);
            Assert.Equal(new[] { "0", "1", "2", "3" }, r.Output.Select(x => Text(x, "Index")));
            Assert.Equal(new[] { $"{tag} row 1", $"{tag} row 2", $"{tag} row 3", $"{tag} row 4" },
                r.Output.Select(x => Text(x, "Subject")));
            Assert.Equal(new[] { "Sent", "Failed", "Failed", "Sent" }, r.Output.Select(x => Text(x, "Status")));
            Assert.Equal("InvalidPriority", Text(r.Output[1], "ErrorId"));
            Assert.Equal("InvalidHeader", Text(r.Output[2], "ErrorId"));
            Assert.Equal("cat@contoso.com", Text(r.Output[2], "Recipients"));
            Assert.Equal(new[] { "InvalidPriority", "InvalidHeader" }, r.Errors.Select(e => e.FullyQualifiedErrorId.Split(',')[0]));

            Assert.Contains("X-Priority: 1", File.ReadAllText(Assert.Single(InteropServers.DeliveredContaining(messages, $"{tag} row 1"))),
                StringComparison.Ordinal);
            string row4 = File.ReadAllText(Assert.Single(InteropServers.DeliveredContaining(messages, $"{tag} row 4")));
            Assert.Contains("X-Job: nightly", row4, StringComparison.Ordinal);
            Assert.Contains("X-Team: ops", row4, StringComparison.Ordinal);
            Assert.Empty(InteropServers.DeliveredContaining(messages, $"{tag} row 2"));
            Assert.Empty(InteropServers.DeliveredContaining(messages, $"{tag} row 3"));
        }
        finally { File.Delete(csv); }
    }

    [Fact]
    public void SkipCertificateValidationWarnsOnceForABatch()
    {
        (int port, string _) = InteropServers.RequireAiosmtpd();
        string csv = Csv("To,Subject\nann@contoso.com,one\nben@contoso.com,two\n");
        try
        {
            HostResult r = _session.Run(
                "Import-Csv -Path $csv | Send-M365Mail -Method Relay -SmtpServer 127.0.0.1 -Port $port -SkipCertificateValidation " +
                "-From ops@contoso.com -Body 'x' -MaxRetry 0",
                ("csv", csv), ("port", port));
            Assert.Equal(new[] { "Sent", "Sent" }, r.Output.Select(x => Text(x, "Status")));
            Assert.Single(r.Warnings, w => w.Contains("certificate", StringComparison.OrdinalIgnoreCase));
            Assert.Equal(r.Warnings.Count, r.Warnings.Distinct().Count());
        }
        finally { File.Delete(csv); }
    }

    [Theory]
    [InlineData("127.0.0.1", false)]   // a loopback test server is not Microsoft 365
    [InlineData("10.1.2.3", false)]    // nor is an on-premises relay
    [InlineData("52.96.0.1", true)]    // Exchange Online's client submission range
    public void TheIpAddressWarningIsOnlyForAMicrosoft365Address(string server, bool warns)
    {
        HostResult r = _session.Run(
            "$token = ConvertTo-SecureString -String 'opaque' -AsPlainText -Force\n" +
            "Send-M365Mail -AccessToken $token -UserName ops@contoso.com -SmtpServer $server -To ann@contoso.com " +
            "-Subject s -Body b -WhatIf",
            ("server", server));
        Assert.Equal(warns, r.Warnings.Any(w => w.Contains("is an IP address", StringComparison.Ordinal)));
    }

    [Fact]
    public void AnEmptyHtmlBodyCellMeansTextOnlyMail()
    {
        (int port, string messages) = InteropServers.RequireAiosmtpd();
        string tag = Guid.NewGuid().ToString("N");
        string csv = Csv($"To,Subject,Body,HtmlBody\nann@contoso.com,{tag},Plain text only,\n");
        try
        {
            IReadOnlyList<PSObject> results = _session.Output(
                "Import-Csv -Path $csv | Send-M365Mail -Method Relay -SmtpServer 127.0.0.1 -Port $port -SkipCertificateValidation " +
                "-From ops@contoso.com -WarningAction SilentlyContinue",
                ("csv", csv), ("port", port));
            Assert.Equal("Sent", Text(Assert.Single(results), "Status"));
            string mail = File.ReadAllText(Assert.Single(InteropServers.DeliveredContaining(messages, tag)));
            Assert.Contains("Content-Type: text/plain", mail, StringComparison.Ordinal);
            Assert.DoesNotContain("text/html", mail, StringComparison.Ordinal);
            Assert.DoesNotContain("multipart/alternative", mail, StringComparison.Ordinal);
        }
        finally { File.Delete(csv); }
    }

    [Fact]
    public void InlineImagesAreInlineOnlyWhenTheHtmlShowsThemAndAMissingOneIsAWarning()
    {
        (int port, string messages) = InteropServers.RequireAiosmtpd();
        string tag = Guid.NewGuid().ToString("N");
        string image = PngFile(tag);
        try
        {
            HostResult r = _session.Run(
                "Send-M365Mail -Method Relay -SmtpServer 127.0.0.1 -Port $port -SkipCertificateValidation -From ops@contoso.com " +
                "-To ann@contoso.com -Subject $tag " +
                "-HtmlBody '<p>Chart:</p><img src=\"cid:logo\">' -InlineImage @{ chart = $image }",
                ("port", port), ("tag", tag), ("image", image));
            Assert.Equal("Sent", Text(Assert.Single(r.Output), "Status"));
            Assert.Contains(r.Warnings, w => w.Contains("cid:logo", StringComparison.Ordinal)
                && w.Contains("-InlineImage", StringComparison.Ordinal));
            string mail = File.ReadAllText(Assert.Single(InteropServers.DeliveredContaining(messages, tag)));
            Assert.Contains("Content-Disposition: attachment", mail, StringComparison.Ordinal);
            Assert.DoesNotContain("Content-Disposition: inline", mail, StringComparison.Ordinal);
            Assert.Contains($"chart-{tag}.png", mail, StringComparison.Ordinal);
        }
        finally { File.Delete(image); }
    }

    [Fact]
    public void InlineImagesAreReadFromACsvColumnAndAnObjectAndAnUnreadableOneFailsOnlyItsRow()
    {
        (int port, string messages) = InteropServers.RequireAiosmtpd();
        string tag = Guid.NewGuid().ToString("N");
        string image = PngFile(tag);
        // Row 2's cell has no '=': it is no Content-ID → file pair, so that row fails before anything of it is sent.
        string csv = Csv("To,Subject,InlineImage\n" +
            $"ann@contoso.com,{tag} row 1,chart={image}\nben@contoso.com,{tag} row 2,chart\n" +
            $"cat@contoso.com,{tag} row 3,chart = {image}\n");
        try
        {
            HostResult r = _session.Run(
                "Import-Csv -Path $csv | Send-M365Mail -Method Relay -SmtpServer 127.0.0.1 -Port $port -SkipCertificateValidation " +
                "-From ops@contoso.com -HtmlBody '<img src=\"cid:chart\">'\n" +
                "Send-M365Mail -Method Relay -SmtpServer 127.0.0.1 -Port $port -SkipCertificateValidation -From ops@contoso.com " +
                "-To dan@contoso.com -Subject \"$tag object\" " +
                "-HtmlBody '<img src=\"cid:logo\">' -InlineImage ([pscustomobject]@{ ContentId = 'logo'; Path = $image })",
                ("csv", csv), ("port", port), ("image", image), ("tag", tag));
            Assert.Null(r.Terminating);
            Assert.Equal(new[] { "Sent", "Failed", "Sent", "Sent" }, r.Output.Select(x => Text(x, "Status")));
            Assert.Equal("InvalidInlineImage", Text(r.Output[1], "ErrorId"));
            ErrorRecord error = Assert.Single(r.Errors);
            Assert.Equal("InvalidInlineImage", error.FullyQualifiedErrorId.Split(',')[0]);
            Assert.Contains("'chart'", error.Exception.Message, StringComparison.Ordinal);
            Assert.Empty(InteropServers.DeliveredContaining(messages, $"{tag} row 2"));
            foreach ((string subject, string cid) in new[] { ($"{tag} row 1", "chart"), ($"{tag} row 3", "chart"),
                ($"{tag} object", "logo") })
            {
                string mail = File.ReadAllText(Assert.Single(InteropServers.DeliveredContaining(messages, subject)));
                Assert.Contains("Content-Disposition: inline", mail, StringComparison.Ordinal);
                Assert.Contains($"Content-ID: <{cid}>", mail, StringComparison.Ordinal);
            }
        }
        finally
        {
            File.Delete(csv);
            File.Delete(image);
        }
    }

    // A small file that starts like a PNG, named after the test's tag (the caller deletes it).
    private static string PngFile(string tag)
    {
        string image = Path.Combine(Path.GetTempPath(), $"chart-{tag}.png");
        File.WriteAllBytes(image, new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3 });
        return image;
    }

    [Fact]
    public void ResultsRoundTripThroughExportCsvReadably()
    {
        string csv = Csv("To,Cc,Subject\n\"ann@contoso.com; ben@contoso.com\",boss@contoso.com,Report\n");
        string exported = Path.Combine(Path.GetTempPath(), $"sent-{Guid.NewGuid():N}.csv");
        try
        {
            IReadOnlyList<PSObject> reread = _session.Output(
                "Import-Csv -Path $csv | Send-M365Mail -Method Relay -SmtpServer contoso-com.mail.protection.outlook.com " +
                "-From ops@contoso.com -WhatIf | Export-Csv -Path $exported -NoTypeInformation\n" +
                "Import-Csv -Path $exported", ("csv", csv), ("exported", exported));
            string text = File.ReadAllText(exported);
            Assert.DoesNotContain("System.", text, StringComparison.Ordinal);
            Assert.DoesNotContain("M365SmtpTools.", text, StringComparison.Ordinal);
            Assert.Equal("ann@contoso.com; ben@contoso.com; boss@contoso.com", Text(Assert.Single(reread), "Recipients"));
            Assert.DoesNotContain(reread[0].Properties, p => p.Name == "Error");

            // The exported column feeds Send-M365Mail again as three recipients.
            IReadOnlyList<PSObject> again = _session.Output(
                "Import-Csv -Path $exported | Select-Object @{ n = 'To'; e = { $_.Recipients } }, Subject " +
                "| Send-M365Mail -Method Relay -SmtpServer contoso-com.mail.protection.outlook.com -From ops@contoso.com -WhatIf",
                ("exported", exported));
            Assert.Equal(3, ((System.Collections.ICollection)Assert.Single(again).Properties["Recipients"].Value).Count);
        }
        finally { File.Delete(csv); File.Delete(exported); }
    }

    [Fact]
    public void ABannerThatNeverComesFailsWithinTimeoutSeconds()
    {
        (int _, string _) = InteropServers.RequireAiosmtpd();
        string env = Path.Combine(ModuleSession.RepoRoot, "tests", "interop", ".state", "aiosmtpd", "env");
        int port = int.Parse(File.ReadAllLines(env).First(l => l.StartsWith("BANNER_NEVER_PORT=", StringComparison.Ordinal))
            .Split('=')[1]);
        HostResult r = _session.Run(
            "Send-M365Mail -Method Relay -SmtpServer 127.0.0.1 -Port $port -From ops@contoso.com -To ann@contoso.com " +
            "-Subject t -Body b -TimeoutSeconds 1 -MaxRetry 0 -WarningAction SilentlyContinue",
            ("port", port));
        PSObject result = Assert.Single(r.Output);
        Assert.Equal("Failed", Text(result, "Status"));
        Assert.Contains("1 s", Text(result, "ErrorMessage") + Text(result, "Meaning"), StringComparison.Ordinal);
    }
}
