using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Security;
using System.Security.Cryptography.X509Certificates;
using M365SmtpTools.Engine;
using M365SmtpTools.Engine.Exchange;
using M365SmtpTools.Engine.Mime;
using M365SmtpTools.Engine.Operations;
using M365SmtpTools.Engine.Smtp;

namespace M365SmtpTools.Commands
{
    /// <summary>Sends mail through Microsoft 365: client submission with OAuth, a relay connector, or Direct Send, one
    /// message or a paced batch from the pipeline.</summary>
    /// <remarks>
    /// <para>Send-M365Mail sends through Exchange Online the way you choose with -Method. ClientSubmission (the
    /// default) authenticates to smtp.office365.com port 587 with STARTTLS, using the session connection made by
    /// Connect-M365Smtp (or the one named with -ConnectionName) or the same auth parameters Connect-M365Smtp takes;
    /// -Endpoint picks High Volume Email, Azure Communication Services or the legacy-TLS endpoint instead, and
    /// -SmtpServer any other server. Relay connects to the tenant MX endpoint (read from the MX records of the sender's
    /// domain, or given with -SmtpServer) on port 25 without AUTH, for an inbound connector that matches the sender's
    /// IP address or its TLS client certificate (-ClientCertificatePath); TLS is used when offered and required with
    /// -RequireTls or a client certificate. DirectSend connects to the MX endpoint of the recipients' domain on port 25
    /// without AUTH: every recipient must be in the tenant behind that endpoint, and a message with an external
    /// recipient is refused before anything is sent.</para>
    /// <para>Each message is built and checked before any connection is made: addresses (Name &lt;user@domain&gt; forms
    /// are accepted), headers, and attachment files (wildcards are resolved; a missing file is an error for that
    /// message and nothing of it is sent). Objects piped in bind by property name to -From, -To, -Cc, -Bcc, -ReplyTo,
    /// -Subject, -Body, -HtmlBody, -Attachment, -InlineImage, -Header and -Priority, so Import-Csv rows become one
    /// message each, with the values given as parameters shared by all. A column may hold several addresses separated
    /// by commas or semicolons, and several attachment paths separated by semicolons.</para>
    /// <para>The whole batch goes over one authenticated connection, reconnecting when the server closes it or it dies,
    /// paced to the endpoint's published limits (Microsoft 365 client submission: 30 messages a minute and 10,000
    /// recipients a day per mailbox; -MaxMessagesPerMinute and -MaxRecipientsPerDay override them) so the server never
    /// has to throttle. Temporary failures (4xx replies including 4.3.2, dead connections) are retried with exponential
    /// back-off and jitter up to -MaxRetry times; permanent ones (5xx) never are. When the connection is lost after the
    /// end of a message was sent and before the server answered, the message may have been delivered: it is reported
    /// with Status Unknown and not sent again unless you give -RetryUnknown.</para>
    /// <para>Every input produces exactly one result object: Status (Sent, Failed, Unknown, NotAttempted), MessageId,
    /// From, the accepted and rejected recipients with each server reply, Attempts, Elapsed, Server and the last Reply.
    /// Every failure is also written as a non-terminating error whose target is the input, with the Exchange Online
    /// reply catalogue's meaning and fix in the result (Meaning, Remediation, RemediationCommands). Ctrl+C stops
    /// cleanly: messages not yet sent are NotAttempted. -WhatIf asks, for each message, "to these recipients via
    /// host:port (method)" without touching any server. -TranscriptPath writes the SMTP transcript to a new owner-only
    /// file with passwords and tokens redacted (-Force replaces an existing one); -Verbose shows each phase.</para>
    /// <para>Graph (-Method Graph) sends with Microsoft Graph's POST /users/{id}/sendMail over HTTPS, where {id} is
    /// -UserName, else the message's From: for tenants where SMTP AUTH is disabled (Security Defaults, tenants created
    /// after January 2020). It takes the same auth parameters (app-only certificate, secret or managed identity with
    /// the Mail.Send application permission; -DeviceCode or -Interactive with the delegated Mail.Send permission; or
    /// -AccessToken with a token whose audience is Microsoft Graph: a token for outlook.office365.com is refused before
    /// anything is sent, with the fix). Graph accepts only custom headers named x-… (at most 5), one body (HTML when
    /// -HtmlBody is given, else text), and messages up to 150 MB; attachments over 3 MB go through an upload session. A
    /// 429 or 503 answer is retried after its Retry-After, a batch keeps to 4 concurrent requests per mailbox, and each
    /// Graph error (ErrorAccessDenied, MailboxNotEnabledForRESTAPI, ErrorInvalidRecipients, ErrorMessageSizeExceeded,
    /// ErrorSendAsDenied, a wrong-audience or expired token) becomes a result with its meaning and fix. SMTP-only
    /// parameters (-SmtpServer, -Port, -Endpoint, client certificates, -TranscriptPath, …) are refused with -Method
    /// Graph.</para>
    /// <para>Port 465 to Microsoft 365 is refused (Exchange Online supports only STARTTLS), an IP address given instead
    /// of smtp.office365.com gets a warning, and Basic authentication (-Credential) against Microsoft 365 client
    /// submission warns with Microsoft's retirement dates.</para>
    /// </remarks>
    /// <example>
    /// <title>Send a scanned invoice through a relay connector</title>
    /// <code>Send-M365Mail -Method Relay -From scanner@contoso.com -To alice@contoso.com, accounts@fabrikam.com -Subject 'Scanned invoice' -Body 'Scanned on the 3rd floor copier.' -Attachment 'C:\Scans\*.pdf' -ClientCertificatePath C:\Certs\relay.contoso.com.pfx -ClientCertificatePassword (Read-Host -AsSecureString -Prompt 'PFX password')</code>
    /// <para>Scanner-style relay through a certificate-based inbound connector: connects to the MX endpoint of
    /// contoso.com on port 25, presents the certificate during STARTTLS (TLS is then required) and sends every PDF in
    /// C:\Scans, to internal and external recipients alike. For an IP-based connector leave out the certificate
    /// parameters and send from the connector's static IP address.</para>
    /// </example>
    /// <example>
    /// <title>Send from an Azure Automation runbook</title>
    /// <code>Send-M365Mail -ManagedIdentity -UserName reports@contoso.com -To ops@contoso.com -Subject "Nightly export finished $(Get-Date -Format 'yyyy-MM-dd')" -Body $summary -Attachment $logPath</code>
    /// <para>In an Azure Automation runbook: the Automation account's managed identity gets the token (no secret stored
    /// anywhere; the identity needs the SMTP.SendAsApp role and mailbox permission on reports@contoso.com) and the
    /// message goes out from reports@contoso.com through smtp.office365.com.</para>
    /// </example>
    /// <example>
    /// <title>Send one message per row of a CSV file</title>
    /// <code>Connect-M365Smtp -TenantId contoso.onmicrosoft.com -ClientId 0a1b2c3d-1111-2222-3333-444455556666 -CertificatePath ./smtp-app.pfx -UserName events@contoso.com
    /// Import-Csv ./invitations.csv | Send-M365Mail -From events@contoso.com -Bcc archive@contoso.com | Export-Csv ./sent.csv</code>
    /// <para>A batch from a CSV file with the columns To, Subject, Body (and optionally Cc, Attachment, HtmlBody): one
    /// message per row over one connection, paced to 30 messages a minute so none is throttled, with a result row per
    /// message (Status, MessageId, recipients, replies) saved for the record. Failed rows also appear as errors.</para>
    /// </example>
    /// <example>
    /// <title>Send an HTML report with an inline chart</title>
    /// <code>Send-M365Mail -To management@contoso.com -Subject 'Weekly capacity report' -HtmlBody '&lt;h1&gt;Capacity&lt;/h1&gt;&lt;img src="cid:chart"&gt;&lt;p&gt;Details in the attached workbook.&lt;/p&gt;' -InlineImage @{ chart = './capacity.png' } -Attachment ./capacity.xlsx -Priority High</code>
    /// <para>An HTML report with a chart shown inside the message (referenced as cid:chart) and the workbook attached,
    /// sent with the session connection made by Connect-M365Smtp.</para>
    /// </example>
    /// <example>
    /// <title>Send to internal staff with Direct Send</title>
    /// <code>Send-M365Mail -Method DirectSend -From noreply@contoso.com -To staff@contoso.com, it-team@contoso.com -Subject 'Planned maintenance tonight' -Body 'The file server is offline from 22:00 to 23:00.' -RequireTls</code>
    /// <para>Direct Send to internal staff: no account and no password, straight to the MX endpoint of contoso.com on
    /// port 25 (with TLS required). A recipient outside the tenant would be refused before connecting, with an error
    /// that names it.</para>
    /// </example>
    /// <example>
    /// <title>Send through Microsoft Graph when SMTP AUTH is off</title>
    /// <code>Send-M365Mail -Method Graph -TenantId contoso.onmicrosoft.com -ClientId 0a1b2c3d-1111-2222-3333-444455556666 -CertificatePath ./mail-app.pfx -UserName reports@contoso.com -To ops@contoso.com -Subject 'Nightly export finished' -Body $summary -Attachment ./export.zip</code>
    /// <para>Sends with Microsoft Graph's sendMail instead of SMTP, for tenants with Security Defaults or SMTP AUTH
    /// switched off: the app gets a token for https://graph.microsoft.com (application permission Mail.Send, best
    /// scoped to the sending mailboxes with RBAC for Applications) and the message goes out from reports@contoso.com.
    /// Attachments over 3 MB are uploaded in chunks (up to 150 MB); the result objects, retries, pacing and -WhatIf are
    /// the same as for SMTP.</para>
    /// </example>
    /// <example>
    /// <title>Show what a batch would do without sending</title>
    /// <code>Import-Csv ./batch.csv | Send-M365Mail -From ops@contoso.com -WhatIf</code>
    /// <para>Shows, for each row, the recipients and the server and method it would be sent through, without connecting to anything.</para>
    /// </example>
    /// <seealso href="https://learn.microsoft.com/exchange/mail-flow-best-practices/how-to-set-up-a-multifunction-device-or-application-to-send-email-using-microsoft-365-or-office-365">How to set up a multifunction device or application to send email using Microsoft 365</seealso>
    /// <seealso href="https://learn.microsoft.com/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth">Authenticate an IMAP, POP or SMTP connection using OAuth</seealso>
    [Cmdlet(VerbsCommunications.Send, "M365Mail", DefaultParameterSetName = ConnectionSet, SupportsShouldProcess = true)]
    [OutputType(typeof(SendMailResult))]
    public sealed class SendM365MailCommand : M365SmtpAuthCmdletBase
    {
        private readonly List<MailMessageSpec> _messages = new List<MailMessageSpec>();

        // ---- where and how ----------------------------------------------------------------------------------------

        /// <summary>How the mail reaches Exchange Online: ClientSubmission (authenticated, port 587; the default),
        /// Relay (an inbound connector, port 25 to the tenant MX endpoint), DirectSend (port 25 to the recipients' MX
        /// endpoint, internal recipients only) or Graph (Microsoft Graph sendMail over HTTPS with a Graph token and the
        /// Mail.Send permission, for tenants where SMTP AUTH is off).</summary>
        [Parameter]
        public SendMethod Method { get; set; } = SendMethod.ClientSubmission;

        /// <summary>For ClientSubmission: ClientSubmission (smtp.office365.com, or the -Environment cloud's host),
        /// HighVolumeEmail (smtp-hve.office365.com), AzureCommunicationServices (smtp.azurecomm.net) or LegacyTls
        /// (smtp-legacy.office365.com, opt-in; warns). Each brings its published limits.</summary>
        [Parameter]
        public SubmissionEndpointKind Endpoint { get; set; } = SubmissionEndpointKind.ClientSubmission;

        /// <summary>The SMTP server to connect to instead of the endpoint's host (ClientSubmission) or the MX endpoint
        /// read from DNS (Relay: e.g. contoso-com.mail.protection.outlook.com). Use a name: an IP address instead of
        /// smtp.office365.com gets a warning.</summary>
        /// <default>The -Endpoint host (ClientSubmission), the MX endpoint (Relay, DirectSend)</default>
        [Parameter]
        [ArgumentCompleter(typeof(SmtpServerCompleter))]
        [ValidateNotNullOrEmpty]
        [Alias("ComputerName", "Server")]
        public string? SmtpServer { get; set; }

        /// <summary>The port. Default 587 for ClientSubmission and 25 for Relay and DirectSend. Port 465 to Microsoft
        /// 365 is refused: Exchange Online supports only STARTTLS.</summary>
        /// <default>587 (ClientSubmission), 25 (Relay, DirectSend)</default>
        [Parameter]
        [ValidateRange(1, 65535)]
        public int? Port { get; set; }

        /// <summary>The session connection (made by Connect-M365Smtp -Name) to send with when no auth parameters are
        /// given. Default: the connection named Default.</summary>
        /// <default>Default</default>
        [Parameter(ParameterSetName = ConnectionSet)]
        [ArgumentCompleter(typeof(SmtpConnectionNameCompleter))]
        [ValidateNotNullOrEmpty]
        public string? ConnectionName { get; set; }

        /// <summary>For Relay and DirectSend: send only when STARTTLS succeeds (otherwise TLS is used when the server
        /// offers it). Client submission always requires TLS.</summary>
        [Parameter]
        [Alias("UseSsl")]
        public SwitchParameter RequireTls { get; set; }

        /// <summary>A TLS client certificate with its private key, presented during STARTTLS for a certificate-based
        /// relay connector (its subject or a SAN must hold an accepted domain). TLS becomes required.</summary>
        [Parameter]
        [ValidateNotNull]
        public X509Certificate2? ClientCertificate { get; set; }

        /// <summary>The TLS client certificate for a certificate-based relay connector, from a PFX (PKCS#12) file with
        /// its private key.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? ClientCertificatePath { get; set; }

        /// <summary>The password of the PFX file given with -ClientCertificatePath.</summary>
        [Parameter]
        public SecureString? ClientCertificatePassword { get; set; }

        /// <summary>The TLS client certificate for a certificate-based relay connector, by thumbprint from the Windows
        /// certificate store (CurrentUser\My, then LocalMachine\My).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? ClientCertificateThumbprint { get; set; }

        /// <summary>Doesn't validate the server's TLS certificate. For test servers only: anyone between you and the
        /// server could read the mail and the credentials. Warns on every use.</summary>
        [Parameter]
        public SwitchParameter SkipCertificateValidation { get; set; }

        /// <summary>The DNS server for the MX lookups of Relay and DirectSend, as host or host:port (e.g. 1.1.1.1).
        /// Default: the system's resolvers.</summary>
        /// <default>The system's resolvers</default>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? DnsServer { get; set; }

        // ---- auth (the same parameter sets as Connect-M365Smtp) ----------------------------------------------------

        /// <summary>Uses Basic authentication against Microsoft 365 even after Microsoft's final removal date.</summary>
        [Parameter(ParameterSetName = BasicSet)]
        [Parameter(ParameterSetName = ConnectionSet)]
        public SwitchParameter AllowRetiredBasicAuth { get; set; }

        // ---- the message (bind by property name from pipeline objects) --------------------------------------------

        /// <summary>The sender, as user@domain or "Name &lt;user@domain&gt;". For ClientSubmission it defaults to the
        /// authenticating mailbox; another address needs Send As permission (else 5.7.60). For Relay and DirectSend, an
        /// address in one of the tenant's accepted domains.</summary>
        /// <default>The authenticating mailbox (ClientSubmission)</default>
        // Not validated at binding: an empty CSV cell must still give this row its own result (MessageHasNoSender).
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? From { get; set; }

        /// <summary>The To recipients. Each entry may hold several addresses separated by commas or semicolons (as a
        /// CSV column would).</summary>
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Recipient", "Recipients", "EmailAddress")]
        public string[]? To { get; set; }

        /// <summary>The Cc recipients.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string[]? Cc { get; set; }

        /// <summary>The Bcc recipients: they receive the message but appear in no header.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string[]? Bcc { get; set; }

        /// <summary>The addresses replies should go to (Reply-To).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string[]? ReplyTo { get; set; }

        /// <summary>The subject (any language; encoded as needed).</summary>
        [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
        public string? Subject { get; set; }

        /// <summary>The plain-text body. With -HtmlBody too, the message carries both and the reader's mail program picks.</summary>
        [Parameter(Position = 2, ValueFromPipelineByPropertyName = true)]
        [Alias("TextBody", "Text")]
        public string? Body { get; set; }

        /// <summary>The -Body is HTML (Send-MailMessage's -BodyAsHtml): it is sent as the HTML body, as if given to -HtmlBody.</summary>
        [Parameter]
        public SwitchParameter BodyAsHtml { get; set; }

        /// <summary>The HTML body. Inline images given with -InlineImage are referenced as &lt;img src="cid:ContentId"&gt;.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("HTML")]
        public string? HtmlBody { get; set; }

        /// <summary>Files to attach. Wildcards are resolved and relative paths are relative to the current location; a
        /// CSV column may list several paths separated by semicolons. A missing file is an error for that message,
        /// before anything is sent.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("Attachments")]
        [SupportsWildcards]
        public string[]? Attachment { get; set; }

        /// <summary>Images shown inside the HTML body: a hashtable of Content-ID to file (@{ chart = './chart.png' }),
        /// or objects with ContentId and Path properties.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public PSObject[]? InlineImage { get; set; }

        /// <summary>Extra header fields as a hashtable of name to value (e.g. @{ 'X-Job' = 'nightly-export' }), or in a
        /// CSV column as "Name: value" pairs separated by semicolons (X-Job: nightly; X-Team: ops). Headers the message
        /// writes itself (From, To, Subject, Date, Message-ID, …) can't be set this way. A value that is neither fails
        /// that message only (InvalidHeader).</summary>
        // Bound leniently: an unreadable CSV cell must still give its row a result (binding would skip the row).
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [LenientHashtable]
        public Hashtable? Header { get; set; }

        /// <summary>The priority: Normal, Low or High (written as X-Priority, Importance and Priority headers). None by
        /// default. Another value fails that message only (InvalidPriority).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [LenientEnum(typeof(MessagePriority))]
        public MessagePriority? Priority { get; set; }

        /// <summary>Asks for delivery status notifications (DSN): Success, Failure, Delay (combine them with commas) or
        /// Never. Sent only when the server offers DSN; otherwise a warning says it was left out.</summary>
        [Parameter]
        [Alias("DeliveryNotificationOption", "DNO")]
        [SendMailMessageNames]
        public SmtpDsnNotify DeliveryNotification { get; set; }

        /// <summary>How text goes on the wire; it is always UTF-8. Auto (default) sends 8-bit text and UTF-8 headers
        /// when the server offers 8BITMIME and SMTPUTF8; SevenBit always uses quoted-printable and encoded-word
        /// headers, for gateways that mishandle 8-bit mail.</summary>
        [Parameter]
        [Alias("BodyEncoding", "BE")]
        [SendMailMessageNames]
        public SendMailEncoding Encoding { get; set; } = SendMailEncoding.Auto;

        // ---- batch controls ---------------------------------------------------------------------------------------

        /// <summary>The most messages a minute to send (default: the endpoint's published limit, 30 for Microsoft 365
        /// client submission; none for relay and Direct Send).</summary>
        /// <default>The endpoint's limit: 30 for Microsoft 365 client submission</default>
        [Parameter]
        [ValidateRange(1, 100000)]
        public int? MaxMessagesPerMinute { get; set; }

        /// <summary>The most recipients a day (default: the endpoint's published limit, 10,000 for Microsoft 365 client
        /// submission). When the batch reaches it, the rest is not attempted.</summary>
        /// <default>The endpoint's limit: 10000 for Microsoft 365 client submission</default>
        [Parameter]
        [ValidateRange(1, 10000000)]
        public int? MaxRecipientsPerDay { get; set; }

        /// <summary>How many connections a batch may use at once (default 1). Capped at the endpoint's limit: 3 per
        /// mailbox for Microsoft 365 client submission.</summary>
        /// <default>1</default>
        [Parameter]
        [ValidateRange(1, 100)]
        public int? MaxConnections { get; set; }

        /// <summary>How many times a message is retried after a temporary failure (4xx reply, 4.3.2 too many
        /// connections, dead connection), with exponential back-off. Default 3; 0 disables retries. Permanent failures
        /// (5xx) are never retried.</summary>
        [Parameter]
        [ValidateRange(0, 20)]
        public int MaxRetry { get; set; } = 3;

        /// <summary>Also resends a message whose delivery is unknown (the connection was lost after its end was sent
        /// and before the reply). The recipient may then get it twice.</summary>
        [Parameter]
        public SwitchParameter RetryUnknown { get; set; }

        /// <summary>Writes the SMTP protocol transcript of every connection to this file, with passwords and tokens
        /// redacted and control characters from the server escaped. The file is created readable by its owner only
        /// (0600 on Linux and macOS); an existing file is an error (TranscriptExists) unless -Force is given, and a
        /// symbolic link is never written through (TranscriptPathIsLink). Both are checked before anything is
        /// sent.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? TranscriptPath { get; set; }

        /// <summary>Replaces an existing -TranscriptPath file instead of failing with TranscriptExists.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>How long connecting and each server reply may take, in seconds (1-3600), before the attempt fails
        /// as a timeout (and is retried like any temporary failure). Without it: 30 s to connect, 120 s for a
        /// reply.</summary>
        /// <default>30 s to connect, 120 s per reply</default>
        [Parameter]
        [ValidateRange(1, 3600)]
        public int? TimeoutSeconds { get; set; }

        /// <summary>For -Method Graph: keeps a copy of each message in the sending mailbox's Sent Items. Without it
        /// Graph's sendMail keeps none (a message with attachments over 3 MB is sent from a draft, and Graph always
        /// keeps that copy).</summary>
        [Parameter]
        public SwitchParameter SaveToSentItems { get; set; }

        /// <summary>For -Method Graph: the https:// base address to send to instead of the -Environment cloud's Graph
        /// host (graph.microsoft.com, graph.microsoft.us, dod-graph.microsoft.us, microsoftgraph.chinacloudapi.cn),
        /// e.g. a private endpoint or a test server.</summary>
        /// <default>The -Environment cloud's Graph host</default>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? GraphEndpoint { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            try
            {
                _messages.Add(new MailMessageSpec
                {
                    From = From,
                    To = To,
                    Cc = Cc,
                    Bcc = Bcc,
                    ReplyTo = ReplyTo,
                    Subject = Subject,
                    Body = Body,
                    HtmlBody = HtmlBody,
                    Attachment = Attachment == null ? null : ResolveAttachments(Attachment),
                    InlineImage = InlineImage == null ? null : ResolveInlineImages(InlineImage),
                    Header = Header == null || Header is UnreadableHashtable ? null : MailMessageSpec.HeadersFrom(Header),
                    Priority = Priority is MessagePriority p && !Enum.IsDefined(typeof(MessagePriority), p) ? null : Priority,
                    DeliveryNotification = DeliveryNotification == SmtpDsnNotify.Default ? (SmtpDsnNotify?)null : DeliveryNotification,
                    InputError = UnreadableValue(),
                });
            }
            catch (M365SmtpException e)
            {
                // An unusable InlineImage value: this input can't become a message.
                _messages.Add(new MailMessageSpec { From = From, To = To, Subject = Subject, InputError = e });
            }
        }

        /// <inheritdoc />
        protected override void EndProcessing()
        {
            if (_messages.Count == 0) return;
            // Like Send-MailMessage: without -SmtpServer, $PSEmailServer names the server.
            string? server = SmtpServer ?? PreferenceEmailServer();
            var request = WithAuthParameters(new SendMailRequest
            {
                Method = MethodFor(server),
                Endpoint = Endpoint,
                SmtpServer = server,
                BodyAsHtml = BodyAsHtml.IsPresent,
                Port = Port,
                ConnectionName = ConnectionName,
                RequireTls = RequireTls.IsPresent,
                ClientCertificate = ClientCertificate,
                ClientCertificatePath = ClientCertificatePath == null ? null : GetUnresolvedProviderPathFromPSPath(ClientCertificatePath),
                ClientCertificatePassword = ClientCertificatePassword,
                ClientCertificateThumbprint = ClientCertificateThumbprint,
                SkipCertificateValidation = SkipCertificateValidation.IsPresent,
                DnsServer = DnsServer,
                AllowRetiredBasicAuth = AllowRetiredBasicAuth.IsPresent,
                Encoding = Encoding,
                MaxMessagesPerMinute = MaxMessagesPerMinute,
                MaxRecipientsPerDay = MaxRecipientsPerDay,
                MaxConnections = MaxConnections,
                MaxRetry = MaxRetry,
                RetryUnknown = RetryUnknown.IsPresent,
                TranscriptPath = TranscriptPath == null ? null : GetUnresolvedProviderPathFromPSPath(TranscriptPath),
                Force = Force.IsPresent,
                TimeoutSeconds = TimeoutSeconds,
                SaveToSentItems = SaveToSentItems.IsPresent,
                GraphEndpoint = GraphEndpoint,
                // The message values travel in the specs (one per pipeline object), never as shared defaults.
                Messages = _messages,
            });
            var written = new HashSet<M365SmtpException>();
            // -ErrorAction Stop: the engine stops at the first failure (nothing after it is handed to a server), every
            // input still gets its result, and the first failure is written last, where it stops the pipeline.
            bool stop = ErrorActionIsStop();
            SendMailResult? firstFailure = null;
            var operation = new SendMailOperation(new SendMailOperationSettings { StopAtFirstFailure = stop });
            RunOperation(operation, request, result =>
            {
                WriteObject(result);
                // One error per failure; a batch stopped by one cause reports that cause once.
                if (result.Error == null || !written.Add(result.Error)) return;
                if (stop) firstFailure ??= result;
                else WriteEngineError(result.Error, result.Input);
            });
            if (firstFailure != null) WriteEngineError(firstFailure.Error!, firstFailure.Input);
        }

        // A -Priority or -Header value bound leniently that isn't usable: this input fails with it, the others go on.
        private M365SmtpException? UnreadableValue()
        {
            if (Priority is MessagePriority p && !Enum.IsDefined(typeof(MessagePriority), p))
                return new M365SmtpException(RequestErrorCodes.InvalidPriority,
                    "The -Priority of this message is not Normal, Low or High, so it was not sent.")
                {
                    TargetObject = "Priority",
                    ParameterName = "Priority",
                    RecommendedAction = "Give Normal, Low or High (in a CSV file: the Priority column), or leave it empty.",
                };
            if (Header is UnreadableHashtable h)
                return new M365SmtpException(RequestErrorCodes.InvalidHeader,
                    $"The -Header of this message ('{h.Text}') is neither a hashtable nor 'Name: value' pairs, so it was not sent.")
                {
                    TargetObject = "Header",
                    ParameterName = "Header",
                    RecommendedAction = "Give a hashtable (@{ 'X-Job' = 'nightly' }) or, in a CSV column, 'X-Job: nightly; X-Team: ops'.",
                };
            return null;
        }

        // A Send-MailMessage call to the tenant's MX endpoint (no credential) is a relay: that is what the server
        // expects on port 25, so it is sent that way unless -Method says otherwise.
        private SendMethod MethodFor(string? server)
        {
            if (MyInvocation.BoundParameters.ContainsKey(nameof(Method)) || ParameterSetName != ConnectionSet || ConnectionName != null
                || TenantId != null || ClientId != null
                || server == null || !MxEndpointClassifier.Classify(server).IsMicrosoft365)
                return Method;
            WriteVerbose($"-SmtpServer {server} is a Microsoft 365 MX endpoint, which takes mail without authentication on port 25: " +
                "sending with -Method Relay (an inbound connector; without one, only to the tenant's own recipients). Give -Method " +
                "to choose.");
            return SendMethod.Relay;
        }

        private string? PreferenceEmailServer()
        {
            string? server = SessionState.PSVariable.GetValue("PSEmailServer") is object v
                ? (v is PSObject p ? p.BaseObject : v).ToString() : null;
            if (string.IsNullOrWhiteSpace(server)) return null;
            WriteVerbose($"No -SmtpServer: using $PSEmailServer ({server}), as Send-MailMessage does.");
            return server!.Trim();
        }

        private string[] ResolveAttachments(string[] paths)
        {
            var resolved = new List<string>();
            foreach (string raw in paths)
            {
                if (string.IsNullOrWhiteSpace(raw)) continue;
                string literal = GetUnresolvedProviderPathFromPSPath(raw.Trim());
                if (!File.Exists(literal) && raw.IndexOf(';') >= 0)
                {
                    resolved.AddRange(ResolveAttachments(raw.Split(new[] { ';' }, StringSplitOptions.RemoveEmptyEntries)));
                    continue;
                }
                if (WildcardPattern.ContainsWildcardCharacters(raw) && !File.Exists(literal))
                {
                    try
                    {
                        var matches = GetResolvedProviderPathFromPSPath(raw.Trim(), out ProviderInfo provider);
                        if (provider.Name == "FileSystem" && matches.Count > 0)
                        {
                            resolved.AddRange(matches.Where(m => !Directory.Exists(m)).OrderBy(m => m, StringComparer.OrdinalIgnoreCase));
                            continue;
                        }
                    }
                    catch (ItemNotFoundException) { }
                    catch (System.Management.Automation.DriveNotFoundException) { }
                    catch (ProviderNotFoundException) { }
                }
                // Kept as given when it doesn't exist: the engine reports AttachmentNotFound for this message before sending anything.
                resolved.Add(literal);
            }
            return resolved.ToArray();
        }

        private InlineImage[] ResolveInlineImages(PSObject[] items)
        {
            var images = new List<InlineImage>();
            foreach (PSObject? item in items)
            {
                if (item == null) continue;
                object value = item.BaseObject;
                if (value is PSCustomObject)
                {
                    var bag = new Hashtable(StringComparer.OrdinalIgnoreCase);
                    foreach (PSPropertyInfo p in item.Properties) bag[p.Name] = p.Value is PSObject pv ? pv.BaseObject : p.Value;
                    value = bag;
                }
                else if (value is FileInfo file)
                    value = new Hashtable { [file.Name] = file.FullName };
                foreach (InlineImage image in Engine.Operations.InlineImage.From(new[] { value }))
                    images.Add(new InlineImage(image.ContentId, GetUnresolvedProviderPathFromPSPath(image.Path)));
            }
            return images.ToArray();
        }
    }
}
