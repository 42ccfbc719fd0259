using System.Management.Automation;
using System.Text.Json;
using M365SmtpTools.Engine.Tests.Infrastructure;
using M365SmtpTools.Host.Tests.Infrastructure;

namespace M365SmtpTools.Host.Tests;

/// <summary>
/// Send-M365Mail -Method Graph through PowerShell's binder against the loopback Graph double: an HTML message with an
/// inline image arrives as Graph JSON and gives a Sent result; a Graph error body becomes an ErrorRecord with its id
/// and a Failed result with the fix.
/// </summary>
public sealed class GraphSendTests : IClassFixture<ModuleSession>, IDisposable
{
    private readonly ModuleSession _session;
    private readonly GraphDouble _graph = new();

    public GraphSendTests(ModuleSession session) => _session = session;

    public void Dispose() => _graph.Dispose();

    private const string Send =
        "$secure = ConvertTo-SecureString -String $token -AsPlainText -Force\n" +
        "Send-M365Mail -Method Graph -GraphEndpoint $url -SkipCertificateValidation -AccessToken $secure -UserName reports@contoso.com " +
        "-To bob@contoso.com -Subject 'Weekly capacity' -HtmlBody '<h1>Capacity</h1><img src=\"cid:chart\">' " +
        "-InlineImage @{ chart = $png } " +
        "-Header @{ 'X-Job' = 'weekly' } -Priority High -SaveToSentItems -WarningAction SilentlyContinue";

    [Fact]
    public void SendsHtmlWithAnInlineImageThroughGraphAndReturnsASentResult()
    {
        string png = Path.Combine(Path.GetTempPath(), $"chart-{Guid.NewGuid():N}.png");
        File.WriteAllBytes(png, new byte[] { 0x89, 0x50, 0x4E, 0x47, 1, 2, 3 });
        string token = GraphDouble.Token();
        try
        {
            HostResult r = _session.Run(Send, ("token", token), ("url", _graph.BaseUrl), ("png", png));

            Assert.True(r.Terminating == null, r.Terminating?.Message);
            Assert.Empty(r.Errors);
            PSObject result = Assert.Single(r.Output);
            Assert.Equal("Sent", result.Properties["Status"].Value.ToString());
            Assert.Equal("Graph", result.Properties["Method"].Value.ToString());
            Assert.Equal(202, (int)result.Properties["ReplyCode"].Value);
            GraphSentMessage sent = Assert.Single(_graph.Sent);
            Assert.Equal("reports@contoso.com", sent.Mailbox);
            Assert.True(sent.SaveToSentItems);
            JsonElement m = sent.Message;
            Assert.Equal("HTML", m.GetProperty("body").GetProperty("contentType").GetString());
            Assert.Equal("high", m.GetProperty("importance").GetString());
            JsonElement image = Assert.Single(m.GetProperty("attachments").EnumerateArray());
            Assert.True(image.GetProperty("isInline").GetBoolean());
            Assert.Equal("chart", image.GetProperty("contentId").GetString());
            Assert.Equal(File.ReadAllBytes(png), Convert.FromBase64String(image.GetProperty("contentBytes").GetString()!));
            Assert.DoesNotContain(r.Verbose.Concat(r.Warnings), line => line.Contains(token.Split('.')[1]));
        }
        finally
        {
            File.Delete(png);
        }
    }

    [Fact]
    public void AGraphErrorBodyIsANonTerminatingErrorWithItsIdAndAFailedResultWithTheFix()
    {
        _graph.EnqueueError(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.");
        HostResult r = _session.Run(
            "$secure = ConvertTo-SecureString -String $token -AsPlainText -Force\n" +
            "Send-M365Mail -Method Graph -GraphEndpoint $url -SkipCertificateValidation -AccessToken $secure " +
            "-UserName reports@contoso.com -To bob@contoso.com -Subject s -Body b -WarningAction SilentlyContinue",
            ("token", GraphDouble.Token()), ("url", _graph.BaseUrl));

        Assert.True(r.Terminating == null, r.Terminating?.Message);
        ErrorRecord error = Assert.Single(r.Errors);
        Assert.StartsWith("GraphErrorAccessDenied,", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Equal(ErrorCategory.PermissionDenied, error.CategoryInfo.Category);
        PSObject result = Assert.Single(r.Output);
        Assert.Equal("Failed", result.Properties["Status"].Value.ToString());
        Assert.Contains("Application Mail.Send", result.Properties["Remediation"].Value.ToString());
        Assert.Empty(_graph.Sent);
    }
}
