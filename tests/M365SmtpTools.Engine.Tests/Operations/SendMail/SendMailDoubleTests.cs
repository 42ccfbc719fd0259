using System.Text;
using M365SmtpTools.Engine.Auth;
using M365SmtpTools.Engine.Exchange;
using M365SmtpTools.Engine.Mime;
using M365SmtpTools.Engine.Operations;
using M365SmtpTools.Engine.Smtp;
using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Engine.Tests.Operations.SendMail;

/// <summary>Send-M365Mail's engine against the Exchange Online behaviour double, through SendMailRequest.</summary>
public sealed class SendMailDoubleTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ClientSubmission_WithAccessToken_SendsOneMessage_AndReportsIt()
    {
        await using var exo = ExchangeOnlineDouble.Start();
        var host = new RecordingHost();
        SendMailRequest request = SendKit.TokenRequest();
        request.Message.Cc = new[] { "Carol Example <carol@contoso.com>" };
        request.Message.Bcc = new[] { "audit@contoso.com" };
        SendMailResult r = await new SendMailOperation(SendKit.For(exo)).RunForResultAsync(request, host, Ct);

        Assert.Equal(SendMailStatus.Sent, r.Status);
        Assert.Null(r.ErrorId);
        Assert.Equal(1, r.Attempts);
        Assert.Equal("smtp.office365.com:587", r.Server);
        Assert.Equal(new[] { "bob@contoso.com", "carol@contoso.com", "audit@contoso.com" }, r.AcceptedRecipients);
        Assert.Equal(250, r.ReplyCode);
        DoubleMessage m = Assert.Single(exo.Messages);
        Assert.Equal("alice@contoso.com", m.Mailbox);
        Assert.True(m.OverTls);
        Assert.Equal(new[] { "bob@contoso.com", "carol@contoso.com", "audit@contoso.com" }, m.Recipients);
        Assert.Contains("Message-ID: " + r.MessageId, m.Text);
        Assert.DoesNotContain("audit@contoso.com", m.Text); // Bcc: envelope only
        Assert.Equal("XOAUTH2", Assert.Single(exo.AuthAttempts).Mechanism);
        Assert.Contains(host.ShouldProcessCalls, c => c.Target.Contains(
            "to bob@contoso.com, carol@contoso.com, audit@contoso.com via smtp.office365.com:587 (ClientSubmission)"));
    }

    [Fact]
    public async Task Batch_Of100_GoesOverOneConnection()
    {
        await using var exo = ExchangeOnlineDouble.Start();
        var clock = new FakeClock();
        exo.Options.Clock = () => clock.UtcNow;
        var host = new RecordingHost();
        List<SendMailResult> results = await SendKit.RunAsync(new SendMailOperation(SendKit.For(exo, clock)), SendKit.TokenRequest(),
            SendKit.Specs(100), host, Ct);

        Assert.Equal(100, results.Count);
        Assert.All(results, r => Assert.Equal(SendMailStatus.Sent, r.Status));
        Assert.Equal(Enumerable.Range(0, 100), results.Select(r => r.Index).OrderBy(i => i));
        Assert.Equal(100, exo.Messages.Count);
        Assert.Equal(1, exo.ConnectionCount);
        Assert.Single(exo.AuthAttempts);
        Assert.Contains(host.Progress, p => p.Status.StartsWith("Sent 100, failed 0, remaining 0", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Pacing_CountsDownInProgress_AndTheRemainingTimeFollowsTheLimit()
    {
        await using var exo = ExchangeOnlineDouble.Start();
        var clock = new FakeClock();
        exo.Options.Clock = () => clock.UtcNow;
        var host = new RecordingHost();
        List<SendMailResult> results = await SendKit.RunAsync(new SendMailOperation(SendKit.For(exo, clock)), SendKit.TokenRequest(),
            SendKit.Specs(35), host, Ct);
        Assert.All(results, r => Assert.Equal(SendMailStatus.Sent, r.Status));

        // Message 31 waits about a minute for the 30-a-minute window: progress counts it down second by second,
        // and verbose says it once.
        List<int> countdown = host.Progress.Select(p => p.CurrentOperation ?? "")
            .Where(c => c.StartsWith("Pacing: waiting ", StringComparison.Ordinal))
            .Select(c => int.Parse(c["Pacing: waiting ".Length..^2], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        // (The 30 went at the same fake instant, so once message 31 has waited, the window is empty again.)
        Assert.Equal(Enumerable.Range(1, 60).Reverse(), countdown);
        Assert.Single(host.Verbose, v => v.StartsWith("Waiting ", StringComparison.Ordinal));

        // Unknown before the first result; after 30 quick sends the estimate is the 5 left at 30 a minute (10 s), not
        // the near-zero pace of the first 30.
        Assert.Equal(-1, host.Progress[0].SecondsRemaining);
        OperationProgress at30 = host.Progress.First(p => p.Status.StartsWith("Sent 30, failed 0, remaining 5", StringComparison.Ordinal));
        Assert.Equal(10, at30.SecondsRemaining);
        Assert.Equal(0, host.Progress.Last(p => !p.Completed && p.Status.StartsWith("Sent 35,", StringComparison.Ordinal))
            .SecondsRemaining);
    }

    [Fact]
    public async Task Pacing_200Messages_AgainstA30PerMinuteDouble_GetNoThrottlingReply()
    {
        await using var exo = ExchangeOnlineDouble.Start();
        var clock = new FakeClock();
        exo.Options.Clock = () => clock.UtcNow; // the double and the pacer share one clock
        DateTimeOffset start = clock.UtcNow;
        List<SendMailResult> results = await SendKit.RunAsync(new SendMailOperation(SendKit.For(exo, clock)), SendKit.TokenRequest(),
            SendKit.Specs(200), new RecordingHost(), Ct);

        Assert.All(results, r => { Assert.Equal(SendMailStatus.Sent, r.Status); Assert.Equal(1, r.Attempts); });
        Assert.Equal(200, exo.Messages.Count);
        string replies = string.Join("\n", exo.Sessions.SelectMany(s => s.Replies));
        Assert.DoesNotContain("4.3.2", replies);
        Assert.DoesNotContain("5.2.0", replies);
        Assert.DoesNotContain("SubmissionQuotaExceeded", replies);
        Assert.True(clock.UtcNow - start >= TimeSpan.FromMinutes(6),
            $"200 messages at 30 a minute take over 6 minutes of paced time, took {clock.UtcNow - start}");
    }

    [Fact]
    public async Task WithoutPacing_TheSameDoubleRefusesMessage31_AndItIsNotRetried()
    {
        await using var exo = ExchangeOnlineDouble.Start();
        var clock = new FakeClock();
        exo.Options.Clock = () => clock.UtcNow;
        SendMailRequest request = SendKit.TokenRequest();
        request.MaxMessagesPerMinute = 1000; // pacing above the double's limit: the control case
        var host = new RecordingHost();
        List<SendMailResult> results = await SendKit.RunAsync(new SendMailOperation(SendKit.For(exo, clock)), request,
            SendKit.Specs(31), host, Ct);

        Assert.Equal(30, results.Count(r => r.Status == SendMailStatus.Sent));
        SendMailResult failed = Assert.Single(results, r => r.Status == SendMailStatus.Failed);
        Assert.Equal(1, failed.Attempts); // 5xx: never retried
        Assert.Equal("SmtpMessageRejected", failed.ErrorId);
        Assert.Equal("5.2.0", failed.EnhancedStatusCode);
        Assert.NotNull(failed.Meaning);
        Assert.NotNull(failed.Error);
    }

    [Fact]
    public async Task PermanentRefusal_SendAs_IsFailedOnce_WithTheCataloguesMeaningAndCommands()
    {
        await using var exo = ExchangeOnlineDouble.Start();
        SendMailRequest request = SendKit.TokenRequest();
        request.Message.From = "ceo@contoso.com";
        SendMailResult r = await new SendMailOperation(SendKit.For(exo)).RunForResultAsync(request, new RecordingHost(), Ct);

        Assert.Equal(SendMailStatus.Failed, r.Status);
        Assert.Equal(1, r.Attempts);
        Assert.Equal("SmtpSenderRejected", r.ErrorId);
        Assert.Equal("5.7.60", r.EnhancedStatusCode);
        Assert.Contains(r.RemediationCommands, c => c.Contains("Add-RecipientPermission") && c.Contains("'ceo@contoso.com'"));
        Assert.Empty(exo.Messages);
    }

    [Fact]
    public async Task ConcurrencyReply432_IsRetriedWithBackoff_AndSucceedsWhenTheOtherSessionsEnd()
    {
        await using var exo = ExchangeOnlineDouble.Start();
        // Three other sessions of the same mailbox hold every slot.
        var blockers = new List<SmtpClient>();
        for (int i = 0; i < 3; i++)
        {
            var c = new SmtpClient();
            await c.ConnectAsync(exo.Host, exo.Port, exo.ClientOptions(), Ct);
            await c.AuthenticateAsync(SmtpCredential.FromAccessToken("alice@contoso.com", _ => Task.FromResult(SendKit.Token)),
                SmtpAuthMechanism.Auto, Ct);
            blockers.Add(c);
        }
        IReadOnlyList<DoubleSession> blocking = exo.Sessions;
        var clock = new HookClock();
        // The other sessions end during the back-off: closed here, and over by the time the wait is, as the server
        // sees it (on a loaded machine the double can take longer to notice a closed socket than the retry takes).
        clock.OnDelay = _ =>
        {
            foreach (SmtpClient b in blockers) b.Dispose();
            blockers.Clear();
            exo.WaitUntilAsync(() => blocking.All(s => s.Ended)).GetAwaiter().GetResult();
        };
        SendMailResult r = await new SendMailOperation(SendKit.For(exo, clock))
            .RunForResultAsync(SendKit.TokenRequest(), new RecordingHost(), Ct);

        Assert.Equal(SendMailStatus.Sent, r.Status);
        Assert.Equal(2, r.Attempts);
        Assert.True(clock.Waits.Single() >= TimeSpan.FromSeconds(15), "the 4.3.2 back-off waits at least 15 s");
        Assert.Contains(exo.Sessions.SelectMany(s => s.Replies), reply => reply.StartsWith("432 4.3.2", StringComparison.Ordinal));
        Assert.Single(exo.Messages);
    }

    [Fact]
    public async Task ConcurrencyReply432_ThatNeverClears_FailsAfterMaxRetryPlusOneAttempts()
    {
        await using var exo = ExchangeOnlineDouble.Start();
        exo.Options.MaxConnectionsPerMailbox = 0; // every session is over the limit
        SendMailRequest request = SendKit.TokenRequest();
        request.MaxRetry = 2;
        var clock = new HookClock();
        SendMailResult r = await new SendMailOperation(SendKit.For(exo, clock)).RunForResultAsync(request, new RecordingHost(), Ct);

        Assert.Equal(SendMailStatus.Failed, r.Status);
        Assert.Equal(3, r.Attempts);
        Assert.Equal(2, clock.Waits.Count);
        Assert.Equal("4.3.2", r.EnhancedStatusCode);
        Assert.Empty(exo.Messages);
    }

    [Fact]
    public async Task A_retry_is_told_in_the_verbose_stream_with_its_class_reason_and_wait()
    {
        await using var exo = ExchangeOnlineDouble.Start();
        exo.Options.MaxConnectionsPerMailbox = 0;
        SendMailRequest request = SendKit.TokenRequest();
        request.MaxRetry = 1;
        var clock = new HookClock();
        var host = new RecordingHost();
        SendMailResult r = await new SendMailOperation(SendKit.For(exo, clock)).RunForResultAsync(request, host, Ct);

        Assert.Equal((SendMailStatus.Failed, 2), (r.Status, r.Attempts));
        Assert.Contains(host.Verbose, v => v.StartsWith("Message 1 of 1: ", StringComparison.Ordinal)
            && v.EndsWith(" to bob@contoso.com.", StringComparison.Ordinal));
        string retry = Assert.Single(host.Verbose, v => v.StartsWith("Message 1: attempt ", StringComparison.Ordinal));
        Assert.StartsWith("Message 1: attempt 1 failed (ConcurrencyLimit: ", retry);
        Assert.Contains("4.3.2", retry);
        Assert.EndsWith($"; retrying in {clock.Waits.Single().TotalSeconds:0.#} s.", retry);
    }

    [Fact]
    public async Task DeadConnection_AtConnect_IsRetried_OnANewConnection()
    {
        await using var exo = ExchangeOnlineDouble.Start();
        int dials = 0;
        int closedPort = FreePort();
        var settings = SendKit.For(exo, new HookClock(),
            redirect: (_, _) => Interlocked.Increment(ref dials) == 1 ? ("127.0.0.1", closedPort) : (exo.Host, exo.Port));
        SendMailResult r = await new SendMailOperation(settings).RunForResultAsync(SendKit.TokenRequest(), new RecordingHost(), Ct);

        Assert.Equal(SendMailStatus.Sent, r.Status);
        Assert.Equal(2, r.Attempts);
        Assert.Equal(2, dials);
        Assert.Single(exo.Messages);
    }

    [Fact]
    public async Task DropAfterEndOfData_IsUnknown_AndTheMessageIsNotSentAgain()
    {
        await using var exo = ExchangeOnlineDouble.Start();
        exo.Options.DropAfterEndOfData = true;
        var clock = new HookClock();
        var host = new RecordingHost();
        List<SendMailResult> results = await SendKit.RunAsync(new SendMailOperation(SendKit.For(exo, clock)), SendKit.TokenRequest(),
            SendKit.Specs(1), host, Ct);

        SendMailResult r = Assert.Single(results);
        Assert.Equal(SendMailStatus.Unknown, r.Status);
        Assert.Equal(1, r.Attempts);
        Assert.Equal("SmtpDeliveryUnknown", r.ErrorId);
        Assert.Empty(clock.Waits);
        await exo.WaitForSessionsAsync();
        Assert.Equal(1, exo.Sessions.SelectMany(s => s.Notes).Count(n => n.Contains("after the end of data")));
        Assert.Equal(1, exo.ConnectionCount);
    }

    [Fact]
    public async Task DropAfterEndOfData_WithRetryUnknown_IsSentAgain()
    {
        await using var exo = ExchangeOnlineDouble.Start();
        exo.Options.DropAfterEndOfData = true;
        var clock = new HookClock { OnDelay = _ => exo.Options.DropAfterEndOfData = false };
        SendMailRequest request = SendKit.TokenRequest();
        request.RetryUnknown = true;
        SendMailResult r = await new SendMailOperation(SendKit.For(exo, clock)).RunForResultAsync(request, new RecordingHost(), Ct);

        Assert.Equal(SendMailStatus.Sent, r.Status);
        Assert.Equal(2, r.Attempts);
        DoubleMessage m = Assert.Single(exo.Messages);
        Assert.Contains("Message-ID: " + r.MessageId, m.Text); // the same message, same Message-ID
    }

    [Fact]
    public async Task DirectSend_RefusesAnExternalRecipient_BeforeConnecting()
    {
        await using var exo = ExchangeOnlineDouble.Start(new ExchangeOnlineDoubleOptions { Role = DoubleRole.Mx });
        var request = new SendMailRequest
        {
            Method = SendMethod.DirectSend,
            Message = new()
            {
                From = "noreply@contoso.com", To = new[] { "staff@contoso.com", "partner@fabrikam.com" }, Subject = "Maintenance",
                Body = "Tonight."
            },
        };
        SendMailResult r = await new SendMailOperation(SendKit.For(exo)).RunForResultAsync(request, new RecordingHost(), Ct);

        Assert.Equal(SendMailStatus.Failed, r.Status);
        Assert.Equal("DirectSendExternalRecipient", r.ErrorId);
        Assert.Contains("partner@fabrikam.com", r.ErrorMessage);
        Assert.DoesNotContain("staff@contoso.com (", r.ErrorMessage);
        Assert.Contains("ClientSubmission", r.Remediation);
        Assert.Contains("Relay", r.Remediation);
        Assert.Equal(0, r.Attempts);
        Assert.Equal(0, exo.ConnectionCount);
    }

    [Fact]
    public async Task DirectSend_ToInternalRecipients_GoesToTheirMxEndpoint_WithoutAuth()
    {
        await using var exo = ExchangeOnlineDouble.Start(new ExchangeOnlineDoubleOptions
        {
            Role = DoubleRole.Mx, AcceptedDomains = new[] { "contoso.com", "sales.contoso.com" }
        });
        var dialled = new List<(string, int)>();
        var settings = SendKit.For(exo, redirect: (h, p) => { lock (dialled) dialled.Add((h, p)); return (exo.Host, exo.Port); });
        var request = new SendMailRequest
        {
            Method = SendMethod.DirectSend,
            Message = new()
            {
                From = "noreply@contoso.com", To = new[] { "staff@contoso.com; it@sales.contoso.com" }, Subject = "Maintenance",
                Body = "Tonight."
            },
            RequireTls = true,
        };
        SendMailResult r = await new SendMailOperation(settings).RunForResultAsync(request, new RecordingHost(), Ct);

        Assert.Equal(SendMailStatus.Sent, r.Status);
        Assert.Equal(("contoso-com.mail.protection.outlook.com", 25), Assert.Single(dialled));
        Assert.Equal("contoso-com.mail.protection.outlook.com:25", r.Server);
        Assert.Empty(exo.AuthAttempts);
        DoubleMessage m = Assert.Single(exo.Messages);
        Assert.True(m.OverTls);
        Assert.Null(m.Mailbox);
    }

    [Fact]
    public async Task Relay_FindsTheSendersMxEndpoint_AndPresentsTheClientCertificate()
    {
        await using var exo = ExchangeOnlineDouble.Start(new ExchangeOnlineDoubleOptions
        {
            Role = DoubleRole.Mx,
            MxBehavior = DoubleMxBehavior.RelayConnectorMatched,
            RequestClientCertificate = true,
        });
        var dialled = new List<(string, int)>();
        var settings = SendKit.For(exo, redirect: (h, p) => { lock (dialled) dialled.Add((h, p)); return (exo.Host, exo.Port); });
        var request = new SendMailRequest
        {
            Method = SendMethod.Relay,
            Message = new() { From = "scanner@contoso.com", To = new[] { "accounts@fabrikam.com" }, Subject = "Scan", Body = "Attached." },
            ClientCertificate = TestCertificates.CreateClient("relay.contoso.com"),
        };
        SendMailResult r = await new SendMailOperation(settings).RunForResultAsync(request, new RecordingHost(), Ct);

        Assert.Equal(SendMailStatus.Sent, r.Status);
        Assert.Equal(("contoso-com.mail.protection.outlook.com", 25), Assert.Single(dialled));
        Assert.Contains("CN=relay.contoso.com", exo.Sessions.Single().ClientCertificateSubject);
        Assert.Empty(exo.AuthAttempts);
        Assert.Equal(new[] { "accounts@fabrikam.com" }, Assert.Single(exo.Messages).Recipients);
    }

    [Fact]
    public async Task Relay_RefusedByTheConnector_IsFailedWith5764AndTheConnectorAdvice()
    {
        await using var exo = ExchangeOnlineDouble.Start(new ExchangeOnlineDoubleOptions
        {
            Role = DoubleRole.Mx, MxBehavior = DoubleMxBehavior.RelayDenied
        });
        var request = new SendMailRequest
        {
            Method = SendMethod.Relay,
            Message = new() { From = "scanner@contoso.com", To = new[] { "accounts@fabrikam.com" }, Subject = "Scan", Body = "x" }
        };
        SendMailResult r = await new SendMailOperation(SendKit.For(exo)).RunForResultAsync(request, new RecordingHost(), Ct);

        Assert.Equal(SendMailStatus.Failed, r.Status);
        Assert.Equal(1, r.Attempts);
        Assert.Equal("5.7.64", r.EnhancedStatusCode);
        Assert.Equal(new[] { "accounts@fabrikam.com" }, r.RejectedRecipients);
        Assert.Contains("connector", r.Meaning + r.Remediation, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task MissingAttachment_FailsThatMessage_BeforeConnecting_AndTheOthersAreSent()
    {
        await using var exo = ExchangeOnlineDouble.Start();
        string missing = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.pdf");
        List<MailMessageSpec> specs = SendKit.Specs(2);
        specs[0].Attachment = new[] { missing };
        var host = new RecordingHost();
        var results = new List<(SendMailResult Result, int ConnectionsThen)>();
        await SendKit.Batch(new SendMailOperation(SendKit.For(exo)), SendKit.TokenRequest(), specs, host,
            r => results.Add((r, exo.ConnectionCount)), Ct);

        (SendMailResult failed, int connectionsThen) = results.Single(x => x.Result.Index == 0);
        Assert.Equal(SendMailStatus.Failed, failed.Status);
        Assert.Equal("AttachmentNotFound", failed.ErrorId);
        Assert.Contains(missing, failed.ErrorMessage);
        Assert.Equal(0, connectionsThen); // reported before any connection
        Assert.Equal(SendMailStatus.Sent, results.Single(x => x.Result.Index == 1).Result.Status);
        Assert.Equal("Message 2",
            Assert.Single(exo.Messages).Text.Split("\r\n").Single(l => l.StartsWith("Subject:"))["Subject: ".Length..]);
    }

    [Fact]
    public async Task WhatIf_AsksForEachMessage_AndTouchesNoServer()
    {
        await using var exo = ExchangeOnlineDouble.Start();
        var dns = new TableDns().Mx("contoso.com", "contoso-com.mail.protection.outlook.com");
        var host = new RecordingHost { ShouldProcessAnswer = false };
        var request = new SendMailRequest { Method = SendMethod.Relay, Message = new() { From = "scanner@contoso.com" } };
        List<SendMailResult> results = await SendKit.RunAsync(new SendMailOperation(SendKit.For(exo, dns: dns)), request,
            SendKit.Specs(3), host, Ct);

        Assert.Equal(3, results.Count);
        Assert.All(results, r => { Assert.Equal(SendMailStatus.NotAttempted, r.Status); Assert.Null(r.Error); });
        Assert.Equal(3, host.ShouldProcessCalls.Count);
        Assert.Equal("'Message 2' to user2@contoso.com via the MX endpoint of contoso.com port 25 (Relay)",
            host.ShouldProcessCalls[1].Target);
        Assert.Equal(0, exo.ConnectionCount);
        Assert.Equal(0, dns.Queries);
    }

    [Fact]
    public async Task Cancellation_ReportsTheRestAsNotAttempted()
    {
        await using var exo = ExchangeOnlineDouble.Start();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var results = new List<SendMailResult>();
        await SendKit.Batch(new SendMailOperation(SendKit.For(exo)), SendKit.TokenRequest(), SendKit.Specs(10), new RecordingHost(), r =>
        {
            results.Add(r);
            if (results.Count == 3) cts.Cancel();
        }, cts.Token);

        Assert.Equal(10, results.Count);
        Assert.Equal(Enumerable.Range(0, 10), results.Select(r => r.Index).OrderBy(i => i));
        Assert.Equal(3, results.Count(r => r.Status == SendMailStatus.Sent));
        Assert.Equal(7, results.Count(r => r.Status == SendMailStatus.NotAttempted));
        Assert.Equal(3, exo.Messages.Count);
    }

    [Fact]
    public async Task AuthenticationFailure_FailsTheFirstMessage_AndStopsTheBatch()
    {
        await using var exo = ExchangeOnlineDouble.Start(new ExchangeOnlineDoubleOptions
        {
            AuthPolicy = DoubleAuthPolicy.SmtpAuthDisabledForTenant
        });
        List<SendMailResult> results = await SendKit.RunAsync(new SendMailOperation(SendKit.For(exo)), SendKit.TokenRequest(),
            SendKit.Specs(5), new RecordingHost(), Ct);

        Assert.Equal(5, results.Count);
        SendMailResult first = Assert.Single(results, r => r.Status == SendMailStatus.Failed);
        Assert.Equal("SmtpAuthenticationFailed", first.ErrorId);
        Assert.Equal("5.7.139", first.EnhancedStatusCode);
        Assert.Contains(first.RemediationCommands, c => c.Contains("Set-CASMailbox") && c.Contains("'alice@contoso.com'"));
        Assert.All(results.Where(r => r != first),
            r => { Assert.Equal(SendMailStatus.NotAttempted, r.Status); Assert.Same(first.Error, r.Error); });
        Assert.Single(exo.AuthAttempts);
    }

    [Fact]
    public async Task SessionConnection_IsUsed_WhenNoAuthParametersAreGiven()
    {
        await using var exo = ExchangeOnlineDouble.Start();
        var registry = new SmtpConnectionRegistry();
        var connect = new ConnectSmtpRequest
        {
            AccessToken = SendKit.Secure(SendKit.Token), UserName = "alice@contoso.com", Name = "Reports"
        };
        registry.Add(await new ConnectSmtpOperation(registry).CreateAsync(connect, new RecordingHost(), Ct));
        var request = new SendMailRequest
        {
            ConnectionName = "Reports",
            Message = new() { To = new[] { "bob@contoso.com" }, Subject = "From the session", Body = "x" }
        };
        SendMailResult r = await new SendMailOperation(SendKit.For(exo, registry: registry))
            .RunForResultAsync(request, new RecordingHost(), Ct);

        Assert.Equal(SendMailStatus.Sent, r.Status);
        Assert.Equal("alice@contoso.com", r.From); // From defaults to the connection's mailbox
        Assert.Equal("alice@contoso.com", Assert.Single(exo.Messages).Mailbox);
    }

    [Fact]
    public async Task NoSessionConnection_IsATerminatingErrorNamingConnectM365Smtp()
    {
        await using var exo = ExchangeOnlineDouble.Start();
        var request = new SendMailRequest { Message = new() { To = new[] { "bob@contoso.com" }, Subject = "x" } };
        var e = await Assert.ThrowsAsync<M365SmtpException>(() =>
            new SendMailOperation(SendKit.For(exo)).RunForResultAsync(request, new RecordingHost(), Ct));
        Assert.Equal("ConnectionNotFound", e.ErrorId);
        Assert.Contains("Connect-M365Smtp", e.RecommendedAction);
    }

    [Fact]
    public async Task BasicAuth_AgainstMicrosoft365_WarnsWithTheRetirementText_AndNoSecretLeaks()
    {
        await using var exo = ExchangeOnlineDouble.Start();
        string transcript = Path.Combine(Path.GetTempPath(), $"send-transcript-{Guid.NewGuid():N}.log");
        try
        {
            var host = new RecordingHost();
            var request = new SendMailRequest
            {
                Credential = new System.Net.NetworkCredential("alice@contoso.com", SendKit.Password),
                Message = new() { To = new[] { "bob@contoso.com" }, Subject = "Basic", Body = "x" },
                TranscriptPath = transcript,
            };
            SendMailResult r = await new SendMailOperation(SendKit.For(exo)).RunForResultAsync(request, host, Ct);

            Assert.Equal(SendMailStatus.Sent, r.Status);
            string expected = BasicAuthRetirement.Evaluate(DateTimeOffset.UtcNow, "smtp.office365.com").Message;
            Assert.Contains(expected, host.Warnings);
            string log = File.ReadAllText(transcript);
            Assert.Contains("AUTH LOGIN", log);
            Assert.Contains(SmtpTranscript.RedactedText, log);
            AssertNoSecret(SendKit.Password, log, host, r);
        }
        finally
        {
            File.Delete(transcript);
        }
    }

    [Fact]
    public async Task AccessToken_NeverAppearsInResultsVerboseOrTranscript()
    {
        await using var exo = ExchangeOnlineDouble.Start(new ExchangeOnlineDoubleOptions
        {
            AuthPolicy = DoubleAuthPolicy.SmtpAuthDisabledForTenant
        });
        string transcript = Path.Combine(Path.GetTempPath(), $"send-transcript-{Guid.NewGuid():N}.log");
        try
        {
            var host = new RecordingHost();
            SendMailRequest request = SendKit.TokenRequest();
            request.TranscriptPath = transcript;
            SendMailResult r = await new SendMailOperation(SendKit.For(exo)).RunForResultAsync(request, host, Ct);
            Assert.Equal(SendMailStatus.Failed, r.Status); // a failure carries the most text
            string log = File.ReadAllText(transcript);
            Assert.Contains("AUTH XOAUTH2", log);
            AssertNoSecret(SendKit.Token, log, host, r);
            string blob = Convert.ToBase64String(Encoding.ASCII.GetBytes(
                $"user=alice@contoso.com\u0001auth=Bearer {SendKit.Token}\u0001\u0001"));
            Assert.DoesNotContain(blob, log);
        }
        finally
        {
            File.Delete(transcript);
        }
    }

    private static void AssertNoSecret(string secret, string transcript, RecordingHost host, SendMailResult r)
    {
        string b64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(secret));
        var texts = new List<string>
        {
            transcript, r.ToString(), r.ErrorMessage ?? "", r.Reply ?? "", r.Meaning ?? "", r.Remediation ?? "", r.Error?.Message ?? "",
            r.Error?.RecommendedAction ?? ""
        };
        texts.AddRange(host.AllText());
        foreach (string t in texts)
        {
            Assert.DoesNotContain(secret, t);
            Assert.DoesNotContain(b64, t);
        }
    }

    [Fact]
    public async Task CsvShapedRows_MapToMessages_WithSharedValuesFromTheRequest()
    {
        await using var exo = ExchangeOnlineDouble.Start();
        string dir = Directory.CreateTempSubdirectory("send-csv-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "a.txt"), "first file");
            File.WriteAllText(Path.Combine(dir, "b.txt"), "second file");
            var rows = new[]
            {
                new Dictionary<string, object?>
                {
                    ["To"] = "ann@contoso.com; Ben Two <ben@contoso.com>", ["subject"] = "Row one", ["Body"] = "Hi Ann and Ben",
                    ["Priority"] = "High", ["Attachment"] = Path.Combine(dir, "a.txt") + ";" + Path.Combine(dir, "b.txt"),
                    ["Extra"] = "ignored"
                },
                new Dictionary<string, object?>
                {
                    ["EmailAddress"] = "cat@contoso.com", ["Subject"] = "Row two", ["Body"] = "Hi Cat", ["Cc"] = "",
                    ["DeliveryNotification"] = "Failure, Delay"
                },
            };
            List<MailMessageSpec> specs = rows.Select(r => MailMessageSpec.FromRow(r)).ToList();
            Assert.Equal(new[] { "ann@contoso.com; Ben Two <ben@contoso.com>" }, specs[0].To);
            Assert.Equal(2, specs[0].Attachment!.Length);
            Assert.Equal(MessagePriority.High, specs[0].Priority);
            Assert.Null(specs[1].Cc); // an empty column is absent
            Assert.Equal(SmtpDsnNotify.Failure | SmtpDsnNotify.Delay, specs[1].DeliveryNotification);

            SendMailRequest request = SendKit.TokenRequest();
            request.Message.To = null;
            request.Message.Bcc = new[] { "archive@contoso.com" }; // shared by every row
            List<SendMailResult> results = await SendKit.RunAsync(new SendMailOperation(SendKit.For(exo)), request, specs,
                new RecordingHost(), Ct);

            Assert.All(results, r => Assert.Equal(SendMailStatus.Sent, r.Status));
            DoubleMessage one = exo.Messages.Single(m => m.Text.Contains("Subject: Row one"));
            Assert.Equal(new[] { "ann@contoso.com", "ben@contoso.com", "archive@contoso.com" }, one.Recipients);
            Assert.Contains("X-Priority: 1", one.Text);
            Assert.Contains("filename=a.txt", one.Text.Replace("\"", ""));
            Assert.Contains("filename=b.txt", one.Text.Replace("\"", ""));
            DoubleMessage two = exo.Messages.Single(m => m.Text.Contains("Subject: Row two"));
            Assert.Equal(new[] { "cat@contoso.com", "archive@contoso.com" }, two.Recipients);
            Assert.Contains(exo.Sessions.SelectMany(s => s.Commands),
                c => c.StartsWith("RCPT TO:<cat@contoso.com>") && c.Contains("NOTIFY=FAILURE,DELAY"));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public async Task InlineImage_AndAttachment_AreWrittenAsRelatedAndMixedParts()
    {
        await using var exo = ExchangeOnlineDouble.Start();
        string dir = Directory.CreateTempSubdirectory("send-html-").FullName;
        try
        {
            File.WriteAllBytes(Path.Combine(dir, "chart.png"), new byte[] { 0x89, 0x50, 0x4E, 0x47, 1, 2, 3 });
            File.WriteAllText(Path.Combine(dir, "report.csv"), "a,b\n1,2\n");
            SendMailRequest request = SendKit.TokenRequest();
            request.Message.Body = null;
            request.Message.HtmlBody = "<p>Chart:</p><img src=\"cid:chart\">";
            request.Message.InlineImage = new[] { new InlineImage("chart", Path.Combine(dir, "chart.png")) };
            request.Message.Attachment = new[] { Path.Combine(dir, "report.csv") };
            request.Message.Header = new Dictionary<string, string> { ["X-Job"] = "weekly" };
            SendMailResult r = await new SendMailOperation(SendKit.For(exo)).RunForResultAsync(request, new RecordingHost(), Ct);

            Assert.Equal(SendMailStatus.Sent, r.Status);
            string text = Assert.Single(exo.Messages).Text;
            Assert.Contains("multipart/mixed", text);
            Assert.Contains("multipart/related", text);
            Assert.Contains("Content-ID: <chart>", text);
            Assert.Contains("X-Job: weekly", text);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public async Task SeveralConnections_AreCappedAtThreeForClientSubmission()
    {
        await using var exo = ExchangeOnlineDouble.Start();
        SendMailRequest request = SendKit.TokenRequest();
        request.MaxConnections = 5;
        request.MaxMessagesPerMinute = 1000;
        exo.Options.MessagesPerMinute = null;
        var host = new RecordingHost();
        List<SendMailResult> results = await SendKit.RunAsync(new SendMailOperation(SendKit.For(exo)), request,
            SendKit.Specs(30), host, Ct);

        Assert.All(results, r => Assert.Equal(SendMailStatus.Sent, r.Status));
        Assert.Equal(30, exo.Messages.Count);
        Assert.True(exo.ConnectionCount <= 3, $"{exo.ConnectionCount} connections");
        Assert.Contains(host.Warnings, w => w.Contains("-MaxConnections 5") && w.Contains("using 3"));
        Assert.DoesNotContain(exo.Sessions.SelectMany(s => s.Replies), x => x.StartsWith("432", StringComparison.Ordinal));
    }

    private static int FreePort()
    {
        var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        int port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    // One message with up to two retries against a double whose reply to <paramref name="step"/> is <paramref name="reply"/>.
    private static async Task<(SendMailResult Result, int Connections)> SendWithTwoRetries(string step, string reply)
    {
        var options = new ExchangeOnlineDoubleOptions();
        options.ScriptedReplies[step] = reply;
        await using var exo = ExchangeOnlineDouble.Start(options);
        SendMailRequest request = SendKit.TokenRequest();
        request.MaxRetry = 2;
        SendMailResult r = Assert.Single(await SendKit.RunAsync(new SendMailOperation(SendKit.For(exo)), request, null,
            new RecordingHost(), Ct));
        return (r, exo.ConnectionCount);
    }

    [Fact]
    public async Task A_temporarily_refused_AUTH_is_retried_on_a_new_connection_that_authenticates_again()
    {
        var (r, connections) = await SendWithTwoRetries("AUTH", "454 4.7.0 Temporary authentication failure");
        Assert.Equal((SendMailStatus.Failed, 3), (r.Status, r.Attempts));
        Assert.Equal(3, connections); // a session whose AUTH was refused is not reused unauthenticated
        Assert.Contains("454 4.7.0", r.ErrorMessage);
    }

    [Fact]
    public async Task A_greeting_that_refuses_the_client_for_good_is_not_retried()
    {
        var (r, connections) = await SendWithTwoRetries("GREETING",
            "554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using Spamhaus");
        Assert.Equal((SendMailStatus.Failed, 1, "SmtpGreetingRejected"), (r.Status, r.Attempts, r.ErrorId));
        Assert.Equal(1, connections);
    }
}
