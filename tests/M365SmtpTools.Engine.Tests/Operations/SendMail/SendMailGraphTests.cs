using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using M365SmtpTools.Engine.Auth;
using M365SmtpTools.Engine.Exchange;
using M365SmtpTools.Engine.Mime;
using M365SmtpTools.Engine.Operations;
using M365SmtpTools.Engine.Tests.Auth;
using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Engine.Tests.Operations.SendMail;

/// <summary>
/// Send-M365Mail -Method Graph against the loopback Graph double (HTTPS with the test CA): the sendMail JSON it
/// receives, the results and error ids for each Graph error body, Retry-After, a dropped connection, pacing of a batch,
/// large attachments through upload sessions, and what is refused before anything is sent.
/// </summary>
public sealed class SendMailGraphTests : IDisposable
{
    private static readonly Lazy<X509Certificate2> ServerCertificate =
        new(() => TestCertificates.CreateServer(new[] { "graph.loopback.test" }));
    private readonly GraphDouble _graph = new(ServerCertificate.Value);
    private readonly string _dir = Directory.CreateTempSubdirectory("graph-send-").FullName;

    public void Dispose()
    {
        _graph.Dispose();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    /// <summary>An HTTP handler that trusts only the test CA (no certificate validation is skipped).</summary>
    private SendMailOperationSettings Settings(HookClock? clock = null, TokenProviderFactory? factory = null) => new()
    {
        Clock = clock ?? new HookClock(),
        GraphHttpHandler = TestCertificates.TrustingHttpHandler(),
        RetrySeed = 7,
        TokenProviderFactory = factory,
    };

    private SendMailRequest Request(string? token = null) => new()
    {
        Method = SendMethod.Graph,
        GraphEndpoint = _graph.BaseUrl,
        AccessToken = SendKit.Secure(token ?? GraphDouble.Token()),
        UserName = "reports@contoso.com",
        Message = new() { To = new[] { "bob@contoso.com" }, Subject = "Nightly export", Body = "The export finished." },
        TimeoutSeconds = 20,
    };

    private static async Task<List<SendMailResult>> Run(SendMailOperationSettings settings, SendMailRequest request,
        RecordingHost? host = null, IReadOnlyList<MailMessageSpec>? messages = null)
    {
        var results = new List<SendMailResult>();
        await SendKit.Batch(new SendMailOperation(settings), request, messages, host ?? new RecordingHost(), results.Add,
            TestContext.Current.CancellationToken);
        return results;
    }

    private string File(string name, int bytes)
    {
        string path = Path.Combine(_dir, name);
        byte[] data = new byte[bytes];
        new Random(bytes).NextBytes(data);
        System.IO.File.WriteAllBytes(path, data);
        return path;
    }

    private static string[] Addresses(JsonElement message, string list) =>
        message.TryGetProperty(list, out JsonElement arr)
            ? arr.EnumerateArray().Select(r => r.GetProperty("emailAddress").GetProperty("address").GetString()!).ToArray()
            : Array.Empty<string>();

    [Fact]
    public async Task A_text_message_maps_to_the_sendMail_json_and_is_Sent_on_202()
    {
        SendMailRequest r = Request();
        r.Message.Cc = new[] { "carol@contoso.com" };
        r.Message.Bcc = new[] { "audit@contoso.com" };
        r.Message.ReplyTo = new[] { "Help Desk <help@contoso.com>" };
        r.Message.Priority = MessagePriority.High;
        r.Message.Header = new Dictionary<string, string> { ["X-Job"] = "nightly-export" };
        r.SaveToSentItems = true;

        SendMailResult result = Assert.Single(await Run(Settings(), r));

        Assert.Equal(SendMailStatus.Sent, result.Status);
        Assert.Equal(202, result.ReplyCode);
        Assert.Equal(SendMethod.Graph, result.Method);
        Assert.Equal(new[] { "bob@contoso.com", "carol@contoso.com", "audit@contoso.com" }, result.AcceptedRecipients.ToArray());
        GraphSentMessage sent = Assert.Single(_graph.Sent);
        Assert.Equal("reports@contoso.com", sent.Mailbox);
        Assert.True(sent.SaveToSentItems);
        JsonElement m = sent.Message;
        Assert.Equal("Nightly export", m.GetProperty("subject").GetString());
        Assert.Equal("Text", m.GetProperty("body").GetProperty("contentType").GetString());
        Assert.Equal("The export finished.", m.GetProperty("body").GetProperty("content").GetString());
        Assert.Equal(new[] { "bob@contoso.com" }, Addresses(m, "toRecipients"));
        Assert.Equal(new[] { "carol@contoso.com" }, Addresses(m, "ccRecipients"));
        Assert.Equal(new[] { "audit@contoso.com" }, Addresses(m, "bccRecipients"));
        Assert.Equal(new[] { "help@contoso.com" }, Addresses(m, "replyTo"));
        Assert.Equal("Help Desk", m.GetProperty("replyTo")[0].GetProperty("emailAddress").GetProperty("name").GetString());
        Assert.Equal("high", m.GetProperty("importance").GetString());
        JsonElement header = Assert.Single(m.GetProperty("internetMessageHeaders").EnumerateArray());
        Assert.Equal("X-Job", header.GetProperty("name").GetString());
        Assert.Equal("nightly-export", header.GetProperty("value").GetString());
        Assert.False(m.TryGetProperty("from", out _)); // the mailbox itself sends
        Assert.Empty(_graph.Rejections);
    }

    [Fact]
    public async Task Html_with_an_inline_image_and_an_attachment_goes_inline_and_the_mailbox_defaults_to_From()
    {
        string chart = File("chart.png", 2000);
        string workbook = File("capacity.xlsx", 5000);
        SendMailRequest r = Request();
        r.UserName = null;
        r.Message.From = "ops@contoso.com";
        r.Message.Body = null;
        r.Message.HtmlBody = "<h1>Capacity</h1><img src=\"cid:chart\">";
        r.Message.InlineImage = new[] { new InlineImage("chart", chart) };
        r.Message.Attachment = new[] { workbook };

        SendMailResult result = Assert.Single(await Run(Settings(), r));

        Assert.Equal(SendMailStatus.Sent, result.Status);
        GraphSentMessage sent = Assert.Single(_graph.Sent);
        Assert.Equal("ops@contoso.com", sent.Mailbox);
        Assert.False(sent.SaveToSentItems);
        JsonElement m = sent.Message;
        Assert.Equal("HTML", m.GetProperty("body").GetProperty("contentType").GetString());
        var atts = m.GetProperty("attachments").EnumerateArray().ToList();
        Assert.Equal(2, atts.Count);
        JsonElement image = atts.Single(a => a.GetProperty("name").GetString() == "chart.png");
        Assert.True(image.GetProperty("isInline").GetBoolean());
        Assert.Equal("chart", image.GetProperty("contentId").GetString());
        Assert.Equal("image/png", image.GetProperty("contentType").GetString());
        Assert.Equal(System.IO.File.ReadAllBytes(chart), Convert.FromBase64String(image.GetProperty("contentBytes").GetString()!));
        JsonElement file = atts.Single(a => a.GetProperty("name").GetString() == "capacity.xlsx");
        Assert.False(file.TryGetProperty("isInline", out _));
        Assert.Equal(System.IO.File.ReadAllBytes(workbook), Convert.FromBase64String(file.GetProperty("contentBytes").GetString()!));
    }

    [Fact]
    public async Task BodyAsHtml_sends_the_body_as_the_HTML_body()
    {
        SendMailRequest r = Request();
        r.Message.Body = "<p>Done</p>";
        r.BodyAsHtml = true;
        Assert.Equal(SendMailStatus.Sent, Assert.Single(await Run(Settings(), r)).Status);
        JsonElement body = Assert.Single(_graph.Sent).Message.GetProperty("body");
        Assert.Equal("HTML", body.GetProperty("contentType").GetString());
        Assert.Equal("<p>Done</p>", body.GetProperty("content").GetString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("https://graph.microsoft.us")]
    public async Task SkipCertificateValidation_is_refused_for_Microsoft_Graph_hosts(string? endpoint)
    {
        SendMailRequest r = Request();
        r.GraphEndpoint = endpoint;
        r.SkipCertificateValidation = true;
        var e = await Assert.ThrowsAsync<M365SmtpException>(() => Run(Settings(), r));
        Assert.Equal("SkipCertificateValidationNotAllowed", e.ErrorId);
        Assert.Equal(ErrorKind.SecurityError, e.Kind);
    }

    [Fact]
    public async Task Another_From_than_the_mailbox_is_sent_as_from()
    {
        SendMailRequest r = Request();
        r.Message.From = "Payroll <payroll@contoso.com>";
        Assert.Equal(SendMailStatus.Sent, Assert.Single(await Run(Settings(), r)).Status);
        JsonElement from = Assert.Single(_graph.Sent).Message.GetProperty("from").GetProperty("emailAddress");
        Assert.Equal("payroll@contoso.com", from.GetProperty("address").GetString());
        Assert.Equal("reports@contoso.com", _graph.Sent.Single().Mailbox);
    }

    [Theory]
    [InlineData("Keywords")]
    [InlineData("List-Unsubscribe")]
    public async Task A_header_that_is_not_an_x_header_is_refused_before_sending(string name)
    {
        SendMailRequest r = Request();
        r.Message.Header = new Dictionary<string, string> { [name] = "value" };
        SendMailResult result = Assert.Single(await Run(Settings(), r));
        Assert.Equal(SendMailStatus.Failed, result.Status);
        Assert.Equal("GraphHeaderNotAllowed", result.ErrorId);
        Assert.Contains(name, result.ErrorMessage);
        Assert.Empty(_graph.Requests);
    }

    [Fact]
    public async Task More_than_five_headers_are_refused_before_sending()
    {
        SendMailRequest r = Request();
        r.Message.Header = Enumerable.Range(1, 6).ToDictionary(i => "X-H" + i, _ => "v");
        SendMailResult result = Assert.Single(await Run(Settings(), r));
        Assert.Equal("GraphTooManyHeaders", result.ErrorId);
        Assert.Empty(_graph.Requests);
    }

    [Fact]
    public async Task A_token_for_outlook_is_caught_before_sending_with_the_fix_and_never_shown()
    {
        string token = GraphDouble.Token(audience: "https://outlook.office365.com", roles: new[] { "SMTP.SendAsApp" });
        var host = new RecordingHost();
        SendMailResult result = Assert.Single(await Run(Settings(), Request(token), host));
        Assert.Equal(SendMailStatus.Failed, result.Status);
        Assert.Equal("GraphTokenWrongAudience", result.ErrorId);
        Assert.Contains("https://outlook.office365.com", result.ErrorMessage);
        Assert.Contains("https://graph.microsoft.com", result.Remediation);
        Assert.Empty(_graph.Requests);
        string all = string.Join("\n", host.AllText().Append(result.ErrorMessage).Append(result.Meaning).Append(result.Remediation)
            .Append(result.Error!.ToString()));
        Assert.DoesNotContain(token.Split('.')[1], all);
        Assert.DoesNotContain(token.Split('.')[2], all);
    }

    [Fact]
    public async Task An_expired_token_is_caught_before_sending()
    {
        SendMailResult result = Assert.Single(await Run(Settings(), Request(GraphDouble.Token(lifetimeSeconds: -60))));
        Assert.Equal("GraphTokenExpired", result.ErrorId);
        Assert.Empty(_graph.Requests);
    }

    [Theory]
    [InlineData(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.", "GraphErrorAccessDenied",
        "Application Mail.Send")]
    [InlineData(404, "MailboxNotEnabledForRESTAPI", "The mailbox is either inactive, soft-deleted, or is hosted on-premise.",
        "GraphMailboxNotEnabledForRESTAPI", "Get-EXOMailbox")]
    [InlineData(400, "ErrorInvalidRecipients", "At least one recipient isn't valid.", "GraphErrorInvalidRecipients", "To, Cc and Bcc")]
    [InlineData(400, "ErrorMessageSizeExceeded", "The message exceeds the maximum supported size.", "GraphErrorMessageSizeExceeded",
        "MaxSendSize")]
    [InlineData(403, "ErrorSendAsDenied",
        "The user account which was used to submit this request does not have the right to send mail on behalf of the "
            + "specified sending account.",
        "GraphErrorSendAsDenied", "Add-RecipientPermission")]
    [InlineData(401, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience.", "GraphTokenWrongAudience",
        "https://graph.microsoft.com")]
    [InlineData(401, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired.", "GraphTokenExpired", "new token")]
    public async Task Each_error_body_becomes_a_Failed_result_with_its_meaning_and_fix_and_is_not_retried(int status, string code,
        string message, string errorId, string inFix)
    {
        _graph.EnqueueError(status, code, message);
        SendMailResult result = Assert.Single(await Run(Settings(), Request()));
        Assert.Equal(SendMailStatus.Failed, result.Status);
        Assert.Equal(errorId, result.ErrorId);
        Assert.Equal(status, result.ReplyCode);
        Assert.Contains(code, result.Reply);
        Assert.Contains("request-id d0c1f2a3-0000-4000-8000-000000000001", result.ErrorMessage);
        Assert.False(string.IsNullOrWhiteSpace(result.Meaning));
        Assert.Contains(inFix, result.Remediation + " " + string.Join(" ", result.RemediationCommands));
        Assert.Equal(1, result.Attempts);
        Assert.Equal(1, _graph.SendRequestCount);
        Assert.Empty(_graph.Sent);
    }

    [Fact]
    public async Task A_real_403_from_a_token_without_Mail_Send_is_ErrorAccessDenied_after_a_warning()
    {
        var host = new RecordingHost();
        SendMailResult result = Assert.Single(await Run(Settings(), Request(GraphDouble.Token(roles: new[] { "User.Read.All" })), host));
        Assert.Equal("GraphErrorAccessDenied", result.ErrorId);
        Assert.Contains(host.Warnings, w => w.Contains("Mail.Send"));
    }

    [Theory]
    [InlineData(429, "ApplicationThrottled")]
    [InlineData(503, "ServiceUnavailable")]
    [InlineData(504, "GatewayTimeout")]
    public async Task Throttling_and_unavailability_wait_for_Retry_After_and_send_again(int status, string code)
    {
        var clock = new HookClock();
        _graph.EnqueueError(status, code, "Try again later.", retryAfterSeconds: 7);
        SendMailResult result = Assert.Single(await Run(Settings(clock), Request()));
        Assert.Equal(SendMailStatus.Sent, result.Status);
        Assert.Equal(2, result.Attempts);
        Assert.Null(result.ErrorId);
        Assert.Null(result.Meaning);
        Assert.Contains(TimeSpan.FromSeconds(7), clock.Waits);
        Assert.Equal(2, _graph.SendRequestCount);
        Assert.Single(_graph.Sent);
    }

    [Fact]
    public async Task Throttling_that_outlasts_MaxRetry_is_GraphThrottled()
    {
        for (int i = 0; i < 3; i++) _graph.EnqueueError(429, "ApplicationThrottled", "Too many requests.", 2);
        SendMailRequest r = Request();
        r.MaxRetry = 2;
        SendMailResult result = Assert.Single(await Run(Settings(), r));
        Assert.Equal(SendMailStatus.Failed, result.Status);
        Assert.Equal("GraphThrottled", result.ErrorId);
        Assert.Equal(3, result.Attempts);
    }

    [Fact]
    public async Task A_connection_dropped_after_the_request_is_Unknown_and_never_resent()
    {
        _graph.EnqueueDrop();
        SendMailResult result = Assert.Single(await Run(Settings(), Request()));
        Assert.Equal(SendMailStatus.Unknown, result.Status);
        Assert.Equal("GraphDeliveryUnknown", result.ErrorId);
        Assert.Contains("may have accepted", result.Meaning);
        Assert.Equal(1, result.Attempts);
        Assert.Equal(1, _graph.SendRequestCount);
    }

    [Fact]
    public async Task A_connection_that_fails_before_the_request_is_retried_as_ConnectionFailed()
    {
        SendMailRequest r = Request();
        int closed;
        using (var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            l.Start();
            closed = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
            l.Stop();
        }
        r.GraphEndpoint = "https://127.0.0.1:" + closed;
        r.MaxRetry = 1;
        SendMailResult result = Assert.Single(await Run(Settings(), r));
        Assert.Equal(SendMailStatus.Failed, result.Status);
        Assert.Equal("GraphConnectionFailed", result.ErrorId);
        Assert.Equal(2, result.Attempts);
    }

    [Fact]
    public async Task A_200_message_batch_stays_within_4_concurrent_requests_and_gets_no_429()
    {
        _graph.DelayMilliseconds = 5;
        SendMailRequest r = Request();
        r.MaxConnections = 10;
        var host = new RecordingHost();
        var specs = Enumerable.Range(1, 200)
            .Select(i => new MailMessageSpec { To = new[] { $"user{i}@contoso.com" }, Subject = $"Message {i}" }).ToList();

        List<SendMailResult> results = await Run(Settings(), r, host, specs);

        Assert.Equal(200, results.Count);
        Assert.All(results, x => Assert.Equal(SendMailStatus.Sent, x.Status));
        Assert.Equal(Enumerable.Range(0, 200), results.Select(x => x.Index));
        Assert.DoesNotContain(_graph.Requests, q => q.Status == 429);
        Assert.InRange(_graph.MaxConcurrentPerMailbox, 1, 4);
        Assert.Equal(200, _graph.Sent.Count);
        Assert.Contains(host.Warnings, w => w.Contains("-MaxConnections 10"));
    }

    [Fact]
    public async Task WhatIf_sends_nothing()
    {
        var host = new RecordingHost { ShouldProcessAnswer = false };
        SendMailResult result = Assert.Single(await Run(Settings(), Request(), host));
        Assert.Equal(SendMailStatus.NotAttempted, result.Status);
        Assert.Contains(host.ShouldProcessCalls, c => c.Target.Contains("(Graph)") && c.Target.Contains("bob@contoso.com"));
        Assert.Empty(_graph.Requests);
    }

    [Theory]
    [InlineData("SmtpServer")]
    [InlineData("TranscriptPath")]
    [InlineData("ConnectionName")]
    public async Task Smtp_only_parameters_are_refused_with_Graph(string parameter)
    {
        SendMailRequest r = Request();
        if (parameter == "SmtpServer") r.SmtpServer = "smtp.office365.com";
        if (parameter == "TranscriptPath") r.TranscriptPath = Path.Combine(_dir, "t.log");
        if (parameter == "ConnectionName") r.ConnectionName = "Default";
        var e = await Assert.ThrowsAsync<M365SmtpException>(() => Run(Settings(), r));
        Assert.Equal(parameter == "ConnectionName" ? "ConnectionNameNotApplicable" : "ParameterNotApplicableToGraph", e.ErrorId);
        Assert.Equal(parameter, e.TargetObject);
        Assert.Empty(_graph.Requests);
    }

    [Fact]
    public async Task Basic_credentials_and_plain_http_endpoints_are_refused()
    {
        SendMailRequest r = Request();
        r.AccessToken = null;
        r.Credential = new System.Net.NetworkCredential("reports@contoso.com", "pw");
        Assert.Equal("GraphBasicAuthNotSupported", (await Assert.ThrowsAsync<M365SmtpException>(() => Run(Settings(), r))).ErrorId);
        SendMailRequest h = Request();
        h.GraphEndpoint = "http://127.0.0.1:" + _graph.Port;
        Assert.Equal("GraphEndpointNotHttps", (await Assert.ThrowsAsync<M365SmtpException>(() => Run(Settings(), h))).ErrorId);
    }

    [Fact]
    public async Task App_only_asks_the_identity_platform_for_the_graph_scope()
    {
        using var identity = new LoopbackIdentityServer();
        identity.OnToken = _ => LoopbackIdentityServer.TokenResponse(identity.Issue(GraphDouble.Token()));
        SendMailRequest r = Request();
        r.AccessToken = null;
        r.TenantId = TestJwt.Tenant;
        r.ClientId = AuthTestHelpers.ClientId;
        r.ClientSecret = SendKit.Secure("s3cret-Value-1");
        r.AuthorityHost = LoopbackIdentityServer.AuthorityHost;

        SendMailResult result = Assert.Single(await Run(Settings(factory: new TokenProviderFactory(identity.ClientOptions())), r));

        Assert.Equal(SendMailStatus.Sent, result.Status);
        IdentityRequest tokenRequest = Assert.Single(identity.TokenRequests);
        Assert.Contains("https://graph.microsoft.com/.default", tokenRequest.Form["scope"].Split(' '));
    }

    [Theory]
    [InlineData(M365Environment.Commercial, "graph.microsoft.com")]
    [InlineData(M365Environment.USGovGCCHigh, "graph.microsoft.us")]
    [InlineData(M365Environment.USGovDoD, "dod-graph.microsoft.us")]
    [InlineData(M365Environment.China, "microsoftgraph.chinacloudapi.cn")]
    public void Each_cloud_has_its_graph_host_and_scope(M365Environment environment, string host)
    {
        CloudEnvironment cloud = CloudEnvironments.Get(environment);
        Assert.Equal(host, cloud.GraphHost);
        Assert.Equal($"https://{host}/.default", cloud.GraphAppOnlyScope);
        Assert.Equal(host, cloud.WithOverrides(authorityHost: "login.example.test").GraphHost);
    }

    [Fact]
    public async Task A_large_attachment_is_uploaded_in_320_KiB_multiples_in_order_and_sent_from_the_draft()
    {
        string big = File("export.zip", 7 * 1024 * 1024 + 12345);
        string small = File("notes.txt", 1000);
        SendMailRequest r = Request();
        r.Message.Attachment = new[] { small, big };

        SendMailResult result = Assert.Single(await Run(Settings(), r));

        Assert.Equal(SendMailStatus.Sent, result.Status);
        Assert.Empty(_graph.Rejections);
        GraphSentMessage sent = Assert.Single(_graph.Sent);
        Assert.True(sent.ViaDraft);
        Assert.Equal("notes.txt", Assert.Single(sent.Message.GetProperty("attachments").EnumerateArray()).GetProperty("name").GetString());
        GraphUploadedAttachment up = Assert.Single(sent.Uploaded);
        Assert.Equal("export.zip", up.Name);
        Assert.Equal(new FileInfo(big).Length, up.Size);
        Assert.Equal(Convert.ToHexString(SHA256.HashData(System.IO.File.ReadAllBytes(big))).ToLowerInvariant(), up.Sha256);
        Assert.Equal(new[] { "0-3276799", "3276800-6553599", $"6553600-{up.Size - 1}" }, up.Ranges);
        Assert.All(_graph.Requests.Where(q => q.Method == "PUT"), q => Assert.False(q.HadAuthorization));
    }

    [Fact]
    public async Task A_100_MB_attachment_is_streamed_in_32_ordered_chunks_of_at_most_3_MB()
    {
        string path = Path.Combine(_dir, "backup.bak");
        using (var f = new FileStream(path, FileMode.Create))
        {
            f.SetLength(100L * 1024 * 1024);
            f.Position = 100L * 1024 * 1024 - 4;
            f.Write(new byte[] { 1, 2, 3, 4 });
        }
        SendMailRequest r = Request();
        r.Message.Attachment = new[] { path };

        SendMailResult result = Assert.Single(await Run(Settings(), r));

        Assert.Equal(SendMailStatus.Sent, result.Status);
        Assert.Empty(_graph.Rejections);
        GraphUploadedAttachment up = Assert.Single(Assert.Single(_graph.Sent).Uploaded);
        Assert.Equal(100L * 1024 * 1024, up.Size);
        Assert.Equal(32, up.Ranges.Count); // 31 chunks of 3,276,800 bytes and the rest
        Assert.All(_graph.Requests.Where(q => q.Method == "PUT"), q => Assert.InRange(q.BodyLength, 1, 3_276_800));
        using (var sha = SHA256.Create())
        using (var f = System.IO.File.OpenRead(path))
            Assert.Equal(Convert.ToHexString(sha.ComputeHash(f)).ToLowerInvariant(), up.Sha256);
    }

    [Fact]
    public async Task A_refused_send_of_a_draft_deletes_the_draft()
    {
        string big = File("export.zip", 4 * 1024 * 1024);
        _graph.EnqueueError(403, "ErrorSendAsDenied", "The user account which was used to submit this request does not have the right "
            + "to send mail on behalf of the specified sending account.");
        SendMailRequest r = Request();
        r.Message.From = "boss@contoso.com";
        r.Message.Attachment = new[] { big };

        SendMailResult result = Assert.Single(await Run(Settings(), r));

        Assert.Equal("GraphErrorSendAsDenied", result.ErrorId);
        Assert.Contains("Add-RecipientPermission -Identity boss@contoso.com -Trustee reports@contoso.com -AccessRights SendAs",
            result.RemediationCommands);
        Assert.Contains(_graph.Requests, q => q.Method == "DELETE" && q.Status == 204);
        Assert.Equal(0, _graph.OpenDrafts);
        Assert.Empty(_graph.Sent);
    }

    [Fact]
    public async Task A_token_Graph_calls_expired_is_renewed_once_when_the_module_got_it()
    {
        using var identity = new LoopbackIdentityServer();
        identity.OnToken = _ => LoopbackIdentityServer.TokenResponse(identity.Issue(GraphDouble.Token()));
        _graph.EnqueueError(401, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired.");
        SendMailRequest r = Request();
        r.AccessToken = null;
        r.TenantId = TestJwt.Tenant;
        r.ClientId = AuthTestHelpers.ClientId;
        r.ClientSecret = SendKit.Secure("s3cret-Value-1");
        r.AuthorityHost = LoopbackIdentityServer.AuthorityHost;

        SendMailResult result = Assert.Single(await Run(Settings(factory: new TokenProviderFactory(identity.ClientOptions())), r));

        Assert.Equal(SendMailStatus.Sent, result.Status);
        Assert.Equal(1, result.Attempts);
        Assert.Equal(2, _graph.SendRequestCount);
        Assert.Equal(2, identity.TokenRequests.Count());
    }

    [Fact]
    public async Task A_given_token_Graph_calls_expired_is_not_retried()
    {
        _graph.EnqueueError(401, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired.");
        SendMailResult result = Assert.Single(await Run(Settings(), Request()));
        Assert.Equal("GraphTokenExpired", result.ErrorId);
        Assert.Equal(1, _graph.SendRequestCount);
    }

    [Fact]
    public async Task Attachments_over_150_MB_are_refused_before_sending()
    {
        string path = Path.Combine(_dir, "huge.bin");
        using (var f = new FileStream(path, FileMode.Create)) f.SetLength(150L * 1024 * 1024 + 1);
        SendMailRequest r = Request();
        r.Message.Attachment = new[] { path };
        SendMailResult result = Assert.Single(await Run(Settings(), r));
        Assert.Equal(SendMailStatus.Failed, result.Status);
        Assert.Equal("GraphMessageTooLarge", result.ErrorId);
        Assert.Empty(_graph.Requests);
    }
}
