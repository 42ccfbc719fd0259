using System.Collections;
using System.CommandLine;
using M365SmtpTools.Cli.Batch;
using M365SmtpTools.Cli.Binding;
using M365SmtpTools.Engine;
using M365SmtpTools.Engine.Auth;
using M365SmtpTools.Engine.Exchange;
using M365SmtpTools.Engine.Mime;
using M365SmtpTools.Engine.Operations;
using M365SmtpTools.Engine.Smtp;

namespace M365SmtpTools.Cli.Commands;

/// <summary><c>m365smtp send</c>: Send-M365Mail, one message from the options or one per row of <c>--batch</c>.</summary>
internal sealed class SendCommand : CliCommand<SendMailRequest>
{
    private readonly Option<string?> _batch = CliOptions.Text("--batch", "FILE.csv|FILE.jsonl",
        "Send one message per row: a CSV file with a header row or a JSON-lines file, fields named like the message options (To, Cc, " +
            "Bcc, ReplyTo, From, "
        + "Subject, Body, HtmlBody, Attachment, Priority, DeliveryNotification; in CSV several values are separated by ';'). Empty " +
            "cells take the "
        + "options' values. The whole file is checked before anything is sent; the batch goes over one connection, paced and retried.");

    /// <inheritdoc />
    public override string Name => "send";

    /// <inheritdoc />
    public override string Cmdlet => "Send-M365Mail";

    /// <inheritdoc />
    public override string Description =>
        "Sends mail through Microsoft 365: client submission with OAuth (default: smtp.office365.com:587, STARTTLS), an SMTP relay " +
            "connector "
        + "(--method Relay: port 25 to the MX endpoint), or Direct Send (--method DirectSend: internal recipients only). One result " +
            "line per "
        + "message (--json: one JSON object per message). Exit code 0 when every message was sent, 17 when some failed, 18 when a " +
            "message's "
        + "delivery is unknown, otherwise the code of the phase that failed.";

    /// <inheritdoc />
    public override IReadOnlyList<(string CommandLine, string Explanation)> Examples { get; } = new[]
    {
        ("m365smtp send --managed-identity --user-name alerts@contoso.com --to ops@contoso.com --subject 'Backup done' --body 'Nightly " +
            "backup finished.'",
            "From an Azure VM or container: the managed identity's token, XOAUTH2 as alerts@contoso.com."),
        ("CLIENT_SECRET=... m365smtp send --tenant-id contoso.onmicrosoft.com --client-id 11111111-2222-3333-4444-555555555555 " +
            "--client-secret-env CLIENT_SECRET --user-name reports@contoso.com --batch ./recipients.csv --subject 'Monthly report' " +
            "--attachment ./report.pdf",
            "A CSV batch over one connection, paced to 30 messages a minute; each row's To (and any other column) overrides the options."),
        ("m365smtp send --method Relay --from scanner@contoso.com --to alice@fabrikam.com --subject Scan --attachment ./scan.pdf " +
            "--require-tls",
            "Through an IP- or certificate-based relay connector: port 25 to contoso.com's MX endpoint, no AUTH."),
    };

    /// <inheritdoc />
    protected override RequestBinding<SendMailRequest> CreateBinding() => new RequestBinding<SendMailRequest>()
        .AddAuthOptions()
        .Map(CliOptions.Enum<SendMethod>("--method", "How to send: ClientSubmission (OAuth or Basic, default), Relay (inbound " +
                "connector), DirectSend, or Graph (Microsoft Graph sendMail with a Graph token, when SMTP AUTH is off)."),
            r => r.Method)
        .Map(CliOptions.Enum<SubmissionEndpointKind>("--endpoint", "The client-submission endpoint: ClientSubmission " +
                "(smtp.office365.com, default), HighVolumeEmail, AzureCommunicationServices, LegacyTls."),
            r => r.Endpoint)
        .Map(CliOptions.Text("--smtp-server", "HOST",
                "The SMTP server, overriding the endpoint (client submission) or the MX endpoint (relay)."),
            r => r.SmtpServer)
        .Map(CliOptions.Int("--port", 1, 65535, "The SMTP port. Default 587 for client submission, 25 for relay and Direct Send."),
            r => r.Port)
        .Exclude(r => r.Messages,
            "Filled from --batch: each row becomes a message (MailMessageSpec.FromRow), the options are its defaults.")
        .Exclude(r => r.Message.Input, "The input object of a message: a batch row's, set by --batch.")
        .Exclude(r => r.Message.InputError, "A batch row's unreadable value; --batch rejects the file instead.")
        .Exclude(r => r.ConnectionName, "The CLI keeps no session connections between runs; give the auth options instead.")
        .Map(CliOptions.Flag("--require-tls",
                "Relay and Direct Send: fail unless STARTTLS succeeds (always required for client submission)."),
            r => r.RequireTls)
        .Exclude(r => r.ClientCertificate, "An X509Certificate2 object can't be given on a command line; --client-certificate-path and " +
            "--client-certificate-thumbprint cover it.")
        .Map(CliOptions.Text("--client-certificate-path", "FILE",
                "Relay with a certificate-based connector: the PFX file (with key) to present during STARTTLS."),
            r => r.ClientCertificatePath, (p, _) => FullPath(p))
        .Map(CliOptions.Text("--client-certificate-password-env", "NAME", "The NAME of an environment variable holding the client " +
                "certificate PFX's password (never the password itself)."),
            r => r.ClientCertificatePassword,
            (name, context) => SecretText.ToSecureString(context.SecretFromEnvironment("--client-certificate-password-env", name!)))
        .Map(CliOptions.Text("--client-certificate-thumbprint", "THUMBPRINT", "Relay with a certificate-based connector: a " +
                "certificate from the Windows certificate store. Windows only."),
            r => r.ClientCertificateThumbprint)
        .Map(CliOptions.Flag("--skip-certificate-validation",
                "Don't validate the server's TLS certificate (tests only; never against Microsoft 365)."),
            r => r.SkipCertificateValidation)
        .Map(CliOptions.Text("--dns-server", "HOST[:PORT]",
                "The DNS server for MX lookups (relay, Direct Send). Default: the system's resolvers."),
            r => r.DnsServer)
        .Map(CliOptions.Flag("--allow-retired-basic-auth",
                "Use Basic authentication (--password-stdin) against Microsoft 365 even after its final removal date."),
            r => r.AllowRetiredBasicAuth)
        .Map(CliOptions.Text("--from", "ADDRESS", "The sender (\"Name <address>\" accepted). Default: --user-name."), r => r.Message.From)
        .Map(CliOptions.List("--to", "ADDRESS", "A recipient (\"Name <address>\" accepted)."), r => r.Message.To)
        .Map(CliOptions.List("--cc", "ADDRESS", "A copy recipient."), r => r.Message.Cc)
        .Map(CliOptions.List("--bcc", "ADDRESS", "A blind copy recipient."), r => r.Message.Bcc)
        .Map(CliOptions.List("--reply-to", "ADDRESS", "A Reply-To address."), r => r.Message.ReplyTo)
        .Map(CliOptions.Text("--subject", "TEXT", "The subject."), r => r.Message.Subject)
        .Map(CliOptions.Text("--body", "TEXT", "The plain-text body."), r => r.Message.Body)
        .Map(CliOptions.Text("--html-body", "HTML", "The HTML body (with --body, both are sent as alternatives)."), r => r.Message.HtmlBody)
        .Map(CliOptions.List("--attachment", "FILE", "A file to attach; a missing file is an error before anything is sent."),
            r => r.Message.Attachment, (paths, _) => paths.Select(p => FullPath(p)!).ToArray())
        .Map(CliOptions.List("--inline-image", "CID=FILE", "An image for the HTML body, referenced there as cid:CID."),
            r => r.Message.InlineImage, (items, _) => InlineImages(items))
        .Map(CliOptions.List("--header", "NAME:VALUE", "An extra header line."), r => r.Message.Header, (items, _) => Headers(items))
        .Map(CliOptions.Enum<MessagePriority>("--priority", "The priority headers."), r => r.Message.Priority)
        .Map(CliOptions.Flags<SmtpDsnNotify>("--delivery-notification",
                "Delivery status notifications to ask for, when the server offers DSN."),
            r => r.Message.DeliveryNotification)
        .Map(CliOptions.Enum<SendMailEncoding>("--encoding", "The body transfer encoding. Default Auto."), r => r.Encoding)
        .Map(CliOptions.Int("--max-messages-per-minute", 1, 1_000_000,
                "Pace a batch to at most this many messages a minute. Default: the endpoint's limit (30 for client submission)."),
            r => r.MaxMessagesPerMinute)
        .Map(CliOptions.Int("--max-recipients-per-day", 1, 10_000_000,
                "Stop a batch before this many recipients in 24 hours. Default: the endpoint's limit (10,000 for client submission)."),
            r => r.MaxRecipientsPerDay)
        .Map(CliOptions.Int("--max-connections", 1, 100,
                "Connections a batch may use. Default: the endpoint's limit (3 for client submission)."),
            r => r.MaxConnections)
        .Map(CliOptions.Int("--timeout-seconds", 1, 3600,
                "How long connecting and each reply may take. Default 30 s to connect, 120 s per reply."),
            r => r.TimeoutSeconds)
        .Map(CliOptions.Int("--max-retry", 0, 20,
                "Retries of a temporary failure (4xx, dead connection), with back-off. Default 3. 5xx replies are never retried."),
            r => r.MaxRetry)
        .Map(CliOptions.Flag("--body-as-html", "The body (--body) is HTML, as Send-MailMessage's -BodyAsHtml says."), r => r.BodyAsHtml)
        .Map(CliOptions.Flag("--retry-unknown",
                "Also resend a message whose delivery is unknown (the connection died after the message): may deliver it twice."),
            r => r.RetryUnknown)
        .Map(TranscriptOption(), r => r.TranscriptPath, (p, _) => FullPath(p))
        .Map(CliOptions.Flag("--force",
                "Replace an existing --transcript-path file (without it, nothing is sent and the exit code is 1)."),
            r => r.Force)
        .Map(CliOptions.Flag("--save-to-sent-items",
                "Graph: keep a copy of each message in the mailbox's Sent Items (not kept by default)."),
            r => r.SaveToSentItems)
        .Map(CliOptions.Text("--graph-endpoint", "URL",
                "Graph: the https:// base address instead of the cloud's Graph host (private endpoints, tests)."),
            r => r.GraphEndpoint)
        .CliOnly(_batch, "Read by the command: each row becomes a MailMessageSpec (MailMessageSpec.FromRow) passed to SendMailOperation " +
            "with the request as defaults.");

    /// <inheritdoc />
    public override async Task<int> RunAsync(SendMailRequest request, CliSession session, CancellationToken cancellationToken)
    {
        // Checked before the batch file is read: nothing in it can supply a way to authenticate.
        if (request.Method == SendMethod.ClientSubmission)
            AuthOptionGroup.RequireAuth(request, session.Binding, "Client submission (the default --method)", AuthOptionGroup.SmtpWays,
                ", or send through a relay connector or Direct Send (--method Relay, DirectSend)");
        else if (request.Method == SendMethod.Graph)
            AuthOptionGroup.RequireAuth(request, session.Binding, "--method Graph", AuthOptionGroup.GraphWays);
        string? batchPath = session.ParseResult.GetValue(_batch);
        List<MailMessageSpec>? messages = null;
        Dictionary<int, BatchRow>? rows = null;
        if (batchPath != null)
        {
            (messages, rows) = ReadBatch(Path.GetFullPath(batchPath));
            session.Host.WriteVerbose($"{messages.Count} message(s) read from {batchPath}.");
        }

        var results = new List<SendMailResult>();
        int? firstFailure = null;
        request.Messages = messages;
        await session.RunAsync(new SendMailOperation(), request, result =>
        {
            results.Add(result);
            string where = rows != null && rows.TryGetValue(result.Index, out BatchRow? row)
                ? $"row {row.RowNumber}"
                : $"message {result.Index + 1}";
            if (session.Output.Json) session.Output.WriteJson(SendResultJson.Of(result,
                rows != null && rows.TryGetValue(result.Index, out BatchRow? r) ? r.RowNumber : null));
            else session.Output.WriteLine($"{where}: {result.Status} {string.Join(", ", result.Recipients)} \"{result.Subject}\" " +
                $"{result.Reply ?? result.ErrorMessage}{(result.MessageId != null ? " " + result.MessageId : "")}");
            if (result.Status == SendMailStatus.Sent && result.RejectedRecipients.Count > 0)
                session.Host.WriteWarning($"{where}: sent, but refused for {string.Join(", ", result.RecipientResults.Where(r => !r.Accepted && r.ReplyCode != null).Select(r => $"{r.Address} ({r.Reply})"))}.");
            if (result.Status is SendMailStatus.Failed or SendMailStatus.Unknown)
            {
                string line = $"m365smtp: error {result.ErrorId ?? result.Status.ToString()} ({where}): " +
                    $"{result.ErrorMessage ?? result.Reply}";
                // What the reply means and how to fix it: the same reply catalogue row Test-M365SmtpAuth reports.
                if (!string.IsNullOrWhiteSpace(result.Meaning) && result.Meaning != result.ErrorMessage)
                    line += " Meaning: " + result.Meaning;
                if (!string.IsNullOrWhiteSpace(result.Remediation)) line += " Fix: " + result.Remediation;
                line = session.Binding.TranslateParameterNames(line);
                // Exchange Online commands keep their own parameter names (no translation to this tool's options).
                if (result.RemediationCommands.Count > 0) line += " Run: " + string.Join(" ; ", result.RemediationCommands);
                session.Host.Line(CliSession.OneLine(line));
                firstFailure ??= ExitCodes.For(result);
            }
        }, cancellationToken).ConfigureAwait(false);

        int sent = results.Count(r => r.Status == SendMailStatus.Sent);
        if (sent == results.Count) return ExitCodes.Ok;
        if (cancellationToken.IsCancellationRequested) return ExitCodes.Cancelled;
        // A message whose delivery is unknown must not be resent blindly: that outranks "some failed".
        if (results.Any(r => r.Status == SendMailStatus.Unknown)) return ExitCodes.DeliveryUnknown;
        if (sent > 0) return ExitCodes.PartialBatch;
        return firstFailure ?? ExitCodes.Other;
    }

    private static (List<MailMessageSpec> Messages, Dictionary<int, BatchRow> Rows) ReadBatch(string path)
    {
        if (!File.Exists(path)) throw new CliUsageException("--batch", $"the file '{path}' does not exist.");
        var messages = new List<MailMessageSpec>();
        var rows = new Dictionary<int, BatchRow>();
        try
        {
            foreach (BatchRow row in BatchFileReader.Read(path, BatchSchema.FromRequestType(typeof(MailMessageSpec))))
            {
                try
                {
                    messages.Add(MailMessageSpec.FromRow(row.Fields.Select(f => new KeyValuePair<string, object?>(f.Key, f.Value))));
                }
                catch (M365SmtpException e)
                {
                    throw new BatchFileException(path, row.LineNumber, row.RowNumber, e.Message, e);
                }
                rows[messages.Count - 1] = row;
            }
        }
        catch (BatchFileException e)
        {
            throw new CliUsageException("--batch", e.Message);
        }
        if (messages.Count == 0) throw new CliUsageException("--batch", $"'{path}' has no rows.");
        return (messages, rows);
    }

    private static Option<string?> TranscriptOption()
    {
        Option<string?> option = CliOptions.Text("--transcript-path", "FILE", "Write the SMTP protocol transcript (secrets redacted) to " +
            "this new file, owner-only; an existing file needs --force, a symbolic link is refused.");
        option.Aliases.Add("--transcript");
        return option;
    }

    private static string? FullPath(string? path) => string.IsNullOrWhiteSpace(path) ? path : Path.GetFullPath(path);

    private static InlineImage[] InlineImages(string[] items) => items.Select(item =>
    {
        int eq = item.IndexOf('=');
        if (eq <= 0 || eq == item.Length - 1)
            throw new CliUsageException("--inline-image", $"'{item}' is not CID=FILE (e.g. --inline-image chart=./chart.png, referenced " +
                "in the HTML as <img src=\"cid:chart\">).");
        return new InlineImage(item[..eq].Trim(), Path.GetFullPath(item[(eq + 1)..].Trim()));
    }).ToArray();

    private static IReadOnlyDictionary<string, string> Headers(string[] items)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string item in items)
        {
            int colon = item.IndexOf(':');
            if (colon <= 0)
                throw new CliUsageException("--header", $"'{item}' is not NAME:VALUE (e.g. --header 'X-Job: nightly-backup').");
            headers[item[..colon].Trim()] = item[(colon + 1)..].Trim();
        }
        return headers;
    }
}

/// <summary>
/// One <c>send --json</c> line: the result's data without objects (no exception, no input object): the error as its
/// id, kind, phase and message, the server's reply as code and text.
/// </summary>
internal sealed record SendResultJson(
    int Index, int? Row, SendMailStatus Status, string? MessageId, string? From, string? Subject, IReadOnlyList<string> Recipients,
    IReadOnlyList<string> AcceptedRecipients, IReadOnlyList<string> RejectedRecipients,
    IReadOnlyList<SendMailRecipientResult> RecipientResults, int Attempts, TimeSpan Elapsed, SendMethod Method, string? Server,
    string? Reply, int? ReplyCode, string? EnhancedStatusCode, DateTimeOffset? SentAt, string? ErrorId, string? ErrorKind, string? Phase,
    string? ErrorMessage, string? Meaning, string? Remediation, IReadOnlyList<string> RemediationCommands)
{
    public static SendResultJson Of(SendMailResult r, int? row) => new(
        r.Index, row, r.Status, r.MessageId, r.From, r.Subject, r.Recipients, r.AcceptedRecipients, r.RejectedRecipients,
        r.RecipientResults, r.Attempts, r.Elapsed, r.Method, r.Server, r.Reply, r.ReplyCode, r.EnhancedStatusCode, r.SentAt, r.ErrorId,
        r.Error?.Kind.ToString(), (r.Error as SmtpException)?.Phase.ToString(), r.ErrorMessage, r.Meaning, r.Remediation,
        r.RemediationCommands);
}
