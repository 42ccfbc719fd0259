using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using M365SmtpTools.Engine.Auth;
using M365SmtpTools.Engine.Exchange;
using M365SmtpTools.Engine.Graph;
using M365SmtpTools.Engine.Mime;
using M365SmtpTools.Engine.Smtp;

namespace M365SmtpTools.Engine.Operations
{
    // Send-M365Mail -Method Graph: the same batch (build, ShouldProcess, pacing, retries, one result per input), with
    // Microsoft Graph's POST /users/{id}/sendMail in place of an SMTP session.
    public sealed partial class SendMailOperation
    {
        private sealed partial class Run
        {
            /// <summary>Graph pacing: 10,000 requests per 10 minutes per app and mailbox, with room for upload-session requests.</summary>
            internal const int GraphMessagesPerMinute = 600;

            /// <summary>Graph allows 4 concurrent requests per app and mailbox.</summary>
            internal const int GraphMaxConnections = 4;

            private GraphHttpClient? _graph;
            private ITokenProvider? _graphTokens;
            private string? _graphAppId;
            private DateTimeOffset _graphNotBefore;
            private readonly object _graphGate = new object();

            // ---- validation ---------------------------------------------------------------------------------------

            private void ValidateGraphRequest()
            {
                SendMailRequest r = _request;
                void NotApplicable(string parameter, bool given)
                {
                    if (given)
                        throw SendMailRequestChecks.Invalid(GraphErrorCodes.ParameterNotApplicableToGraph, parameter,
                            $"-{parameter} applies to SMTP; -Method Graph sends over HTTPS to Microsoft Graph.",
                            $"Remove -{parameter}, or use an SMTP method (-Method ClientSubmission, Relay or DirectSend).");
                }
                NotApplicable("SmtpServer", !string.IsNullOrWhiteSpace(r.SmtpServer));
                NotApplicable("Port", r.Port != null);
                NotApplicable("Endpoint", r.Endpoint != SubmissionEndpointKind.ClientSubmission);
                NotApplicable("RequireTls", r.RequireTls);
                NotApplicable("ClientCertificate", r.ClientCertificate != null);
                NotApplicable("ClientCertificatePath", !string.IsNullOrWhiteSpace(r.ClientCertificatePath));
                NotApplicable("ClientCertificatePassword", r.ClientCertificatePassword != null);
                NotApplicable("ClientCertificateThumbprint", !string.IsNullOrWhiteSpace(r.ClientCertificateThumbprint));
                NotApplicable("DnsServer", !string.IsNullOrWhiteSpace(r.DnsServer));
                NotApplicable("Encoding", r.Encoding != SendMailEncoding.Auto);
                NotApplicable("TranscriptPath", !string.IsNullOrWhiteSpace(r.TranscriptPath));
                NotApplicable("AllowRetiredBasicAuth", r.AllowRetiredBasicAuth);
                if (!string.IsNullOrWhiteSpace(r.ConnectionName))
                    throw SendMailRequestChecks.Invalid(AuthErrorCodes.ConnectionNameNotApplicable, "ConnectionName",
                        "-ConnectionName names a Connect-M365Smtp connection, whose token is for SMTP; -Method Graph needs a token for " +
                            "Microsoft Graph.",
                        "Give the auth parameters (e.g. -TenantId -ClientId -CertificatePath -UserName, or -ManagedIdentity) with " +
                            "-Method Graph.");
                if (!r.SpecifiesAuthMethod())
                    throw SendMailRequestChecks.Invalid(GraphErrorCodes.AuthMissing, "Method",
                        "-Method Graph needs a way to get a token for Microsoft Graph; session connections (Connect-M365Smtp) hold " +
                            "SMTP tokens.",
                        "Give -TenantId -ClientId with -CertificatePath, -CertificateThumbprint or -ClientSecret (and -UserName), " +
                            "-ManagedIdentity, -DeviceCode or -Interactive with -ClientId, or -AccessToken with a token for " +
                            "https://graph.microsoft.com.");
                SmtpAuthMethod method = GraphAuthOptions().Validate();
                if (method == SmtpAuthMethod.Basic)
                    throw SendMailRequestChecks.Invalid(GraphErrorCodes.BasicAuthNotSupported, "Credential",
                        "Microsoft Graph doesn't accept a user name and password (-Credential); it needs an OAuth token.",
                        "Use -CertificatePath, -ClientSecret, -ManagedIdentity, -DeviceCode, -Interactive or -AccessToken.");

                CloudEnvironment cloud = r.ResolveCloud();
                Uri baseAddress = GraphBaseAddress(r, cloud);
                bool overridden = !string.IsNullOrWhiteSpace(r.GraphEndpoint);
                var info = new SubmissionEndpointInfo(null, SendMethod.Graph, baseAddress.Host, baseAddress.Port, true,
                    GraphMessagesPerMinute, 10000, GraphMaxConnections,
                    "Microsoft Graph sendMail (" +
                        $"{(overridden ? baseAddress.GetLeftPart(UriPartial.Authority) : cloud.Environment + " " + cloud.GraphHost)})",
                    null);
                _endpoint = new ResolvedSmtpEndpoint(info, baseAddress.Host, baseAddress.Port, SmtpTlsMode.ImplicitTls, overridden,
                    Array.Empty<string>());
                // The real Microsoft Graph presents a valid certificate: one that doesn't validate means interception.
                if (r.SkipCertificateValidation && GraphEndpoint.IsMicrosoftGraphHost(baseAddress.Host))
                    throw GraphEndpoint.SkipCertificateValidationRefused(baseAddress.Host);
                if (r.SkipCertificateValidation) _host.WriteWarning("-SkipCertificateValidation: the server's certificate is not " +
                    "checked, so the connection can be intercepted. Use it only with test servers.");
                _host.WriteVerbose($"Endpoint: {baseAddress.GetLeftPart(UriPartial.Authority)} — {info.Description}.");
            }

            private static Uri GraphBaseAddress(SendMailRequest r, CloudEnvironment cloud) =>
                GraphEndpoint.BaseAddress(r.GraphEndpoint, cloud);

            /// <summary>The auth options for Graph: the request's, asking for a Graph scope unless -Scope says otherwise.</summary>
            private SmtpAuthOptions GraphAuthOptions()
            {
                var auth = new SmtpAuthOptions();
                _request.CopyAuthOptionsTo(auth);
                CloudEnvironment cloud = _request.ResolveCloud();
                if (string.IsNullOrWhiteSpace(auth.Scope))
                    auth.Scope = auth.DeviceCode || auth.Interactive
                        ? cloud.GraphDelegatedScope + " offline_access" : cloud.GraphAppOnlyScope;
                // Graph names the mailbox in the URL (-UserName, else each message's From), not in the token request.
                if (string.IsNullOrWhiteSpace(auth.UserName)) auth.UserName = "graph-sendmail@mailbox.invalid";
                return auth;
            }

            private string GraphMailbox(SendItem item) =>
                string.IsNullOrWhiteSpace(_request.UserName) ? item.Message!.From.Address : _request.UserName!.Trim();

            // ---- step 1: what Graph can't carry -------------------------------------------------------------------

            private void PrepareGraph(SendItem item)
            {
                MimeMessage m = item.Message!;
                GraphMessageWriter.Validate(m);
                if (item.Notify != SmtpDsnNotify.Default)
                    throw SendMailRequestChecks.Invalid(GraphErrorCodes.DeliveryNotificationNotSupported, "DeliveryNotification",
                        "-DeliveryNotification asks for SMTP delivery status notifications, which Microsoft Graph's sendMail " +
                            "doesn't offer.",
                        "Remove -DeliveryNotification (Exchange Online still sends non-delivery reports to the sender), or use an " +
                            "SMTP method.");
                GraphAttachmentPlan.Check(m);
            }

            // ---- step 3: the token --------------------------------------------------------------------------------

            private async Task PrepareGraphSendingAsync()
            {
                SmtpAuthOptions auth = GraphAuthOptions();
                SmtpAuthMethod method = auth.Validate();
                if (method.IsDelegated() && !_host.IsInteractive) throw TokenProviderFactory.NonInteractiveDelegated(method);
                DateTimeOffset now = (Settings.TokenProviderFactory ?? TokenProviderFactory.Default).Options.Clock();
                if (method == SmtpAuthMethod.AccessToken)
                {
                    // Checked before the provider, whose expiry message is about SMTP tokens.
                    string given = SecretText.Reveal(auth.AccessToken!).Trim();
                    if (given.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) given = given.Substring(7).Trim();
                    if (TokenInspector.TryDecode(given, out TokenFacts? facts)) CheckGraphToken(facts!, now);
                }
                _graphTokens = (Settings.TokenProviderFactory ?? TokenProviderFactory.Default).Create(auth)!;
                SmtpAccessToken token = await _graphTokens.GetTokenAsync(_host, _ct).ConfigureAwait(false);
                if (TokenInspector.TryDecode(token.RevealToken(), out TokenFacts? decoded))
                {
                    CheckGraphToken(decoded!, now);
                    _graphAppId = decoded!.AppId;
                    _host.WriteVerbose($"Token: {decoded}");
                }
                else
                    _host.WriteVerbose("The token is not a readable JWT (opaque or encrypted); its audience was not checked.");
                _graphAppId ??= _request.ClientId ?? _request.ManagedIdentityClientId;
                Uri baseAddress = GraphBaseAddress(_request, _request.ResolveCloud());
                TimeSpan timeout = _request.TimeoutSeconds is int s ? TimeSpan.FromSeconds(s) : TimeSpan.FromSeconds(120);
                _graph = new GraphHttpClient(baseAddress, Settings.GraphHttpHandler, _request.SkipCertificateValidation, timeout);
            }

            private void CheckGraphToken(TokenFacts facts, DateTimeOffset now)
            {
                string aud = (facts.Audience ?? "").TrimEnd('/');
                if (!GraphEndpoint.IsGraphAudience(aud))
                {
                    GraphErrorExplanation ex = GraphErrors.WrongAudience(aud.Length == 0 ? "no audience" : aud);
                    throw new M365SmtpException(ex.Code, ex.Kind, ex.Meaning + " Nothing was sent.")
                    { TargetObject = "AccessToken", ParameterName = "AccessToken", RecommendedAction = ex.Remediation };
                }
                if (facts.ExpiresOn is DateTimeOffset exp && exp <= now)
                    throw new M365SmtpException(GraphErrorCodes.TokenExpired,
                        $"The access token expired at {exp:u}. Nothing was sent.")
                    {
                        TargetObject = "AccessToken",
                        ParameterName = "AccessToken",
                        RecommendedAction = "Get a new token (Get-AzAccessToken -ResourceUrl https://graph.microsoft.com), or let this " +
                            "module get tokens itself (-CertificatePath, -ClientSecret, -ManagedIdentity).",
                    };
                if (facts.IsAppOnly && !facts.Roles.Any(x => x.Equals("Mail.Send", StringComparison.OrdinalIgnoreCase)))
                    _host.WriteWarning("The app-only token's " +
                        $"roles ({(facts.Roles.Count == 0 ? "none" : string.Join(", ", facts.Roles))}) don't include Mail.Send: Graph " +
                        "will refuse to send (ErrorAccessDenied) unless RBAC for Applications grants " +
                        "'Application Mail.Send' for the mailbox.");
                else if (!facts.IsAppOnly && !facts.Scopes.Any(x => x.Equals("Mail.Send", StringComparison.OrdinalIgnoreCase)
                    || x.Equals("Mail.Send.Shared", StringComparison.OrdinalIgnoreCase)))
                    _host.WriteWarning("The delegated token's " +
                        $"scopes ({(facts.Scopes.Count == 0 ? "none" : string.Join(" ", facts.Scopes))}) don't include Mail.Send: " +
                        "Graph will refuse to send (ErrorAccessDenied).");
            }

            private void DisposeGraph()
            {
                _graph?.Dispose();
                (_graphTokens as IDisposable)?.Dispose();
            }

            // ---- sending ------------------------------------------------------------------------------------------

            private async Task SendOneGraphAsync(SendItem item)
            {
                MimeMessage m = item.Message!;
                string mailbox = GraphMailbox(item);
                _results.MarkStarted(item);
                int attempt = 0;
                bool tokenRenewed = false;
                _host.WriteVerbose($"Message {item.Index + 1} of {_results.Total}: {m.MessageId} from {mailbox} to {string.Join(", ", item.Result.Recipients)} through Graph.");
                // The bodies as the message was built: -BodyAsHtml makes Body the HTML body when no HtmlBody is given.
                string? text = item.Spec.Body, html = item.Spec.HtmlBody;
                if (_request.BodyAsHtml && string.IsNullOrWhiteSpace(html)) { html = text; text = null; }
                if (!string.IsNullOrWhiteSpace(text) && !string.IsNullOrWhiteSpace(html))
                    _host.WriteVerbose($"Message {item.Index + 1}: Graph carries one body, so the HTML body is sent and the text body is left out.");
                while (true)
                {
                    if (_ct.IsCancellationRequested) { _results.Finish(item, SendMailStatus.NotAttempted, null); return; }
                    attempt++;
                    item.Result.Attempts = attempt;
                    SendFailureClass cls;
                    M365SmtpException failure;
                    TimeSpan? retryAfter = null;
                    bool whole = false; // a failure that every message would meet (the token)
                    try
                    {
                        await WaitForGraphAsync().ConfigureAwait(false);
                        await PaceAsync(item).ConfigureAwait(false);
                        string token;
                        try { token = (await _graphTokens!.GetTokenAsync(_host, _ct).ConfigureAwait(false)).RevealToken(); }
                        catch (M365SmtpException) { whole = true; throw; }
                        GraphResponse response = await new GraphMessageSender(_graph!, _host, _ct).SendAsync(m, text, html, mailbox,
                            _request.SaveToSentItems, token, item.Index + 1).ConfigureAwait(false);
                        SetGraphReply(item.Result, response);
                        if (response.IsSuccess)
                        {
                            GraphSent(item, response);
                            return;
                        }
                        GraphErrorExplanation ex = GraphErrors.Explain(response.Status, response.ErrorCode, response.ErrorMessage, mailbox,
                            m.From.Address, _graphAppId);
                        // A token this module gets itself (not -AccessToken) that Graph calls expired: get a new one, once.
                        if (ex.Code == GraphErrorCodes.TokenExpired && !tokenRenewed && _graphTokens!.Method != SmtpAuthMethod.AccessToken)
                        {
                            tokenRenewed = true;
                            attempt--;
                            _graphTokens.ClearCache();
                            _host.WriteVerbose($"Message {item.Index + 1}: Graph says the token expired; getting a new one and " +
                                "sending again.");
                            continue;
                        }
                        item.Result.Meaning = ex.Meaning;
                        item.Result.Remediation = ex.Remediation;
                        item.Result.RemediationCommands = ex.Commands.ToArray();
                        failure = new M365SmtpException(ex.Code, ex.Kind,
                            $"Graph refused the message from {mailbox}: {response.Describe()}{Ids(response)}")
                        { TargetObject = item.Result.Input, RecommendedAction = ex.Remediation };
                        cls = !ex.Retry ? SendFailureClass.Permanent
                            : response.Status == 429 ? SendFailureClass.ConcurrencyLimit : SendFailureClass.Transient;
                        if (ex.Retry && response.RetryAfter is TimeSpan ra)
                        {
                            retryAfter = ra;
                            // Throttling is per app and mailbox: every worker waits, not only this message.
                            lock (_graphGate)
                            {
                                DateTimeOffset until = _clock.UtcNow + ra;
                                if (until > _graphNotBefore) _graphNotBefore = until;
                            }
                        }
                    }
                    catch (OperationCanceledException) when (_ct.IsCancellationRequested)
                    {
                        _results.Finish(item, SendMailStatus.NotAttempted, null);
                        return;
                    }
                    catch (GraphTransportException e)
                    {
                        cls = e.RequestSent ? SendFailureClass.DeliveryUnknown : SendFailureClass.ConnectionLost;
                        failure = new M365SmtpException(e.RequestSent ? GraphErrorCodes.DeliveryUnknown
                                : e.TimedOut ? GraphErrorCodes.Timeout : GraphErrorCodes.ConnectionFailed,
                            e.TimedOut ? ErrorKind.OperationTimeout : ErrorKind.ConnectionError, e.Message)
                        {
                            TargetObject = item.Result.Input,
                            RecommendedAction = e.RequestSent
                                ? "Check the recipient's mailbox or the sender's Sent Items (or message trace) before sending it again; " +
                                    "-RetryUnknown resends automatically and may deliver it twice."
                                : "Check the network path to Microsoft Graph (HTTPS, port 443, proxies) and send again.",
                        };
                    }
                    catch (M365SmtpException e)
                    {
                        cls = SendFailureClass.Permanent;
                        failure = e;
                    }

                    if (_ct.IsCancellationRequested || !_retry.ShouldRetry(cls, attempt))
                    {
                        if (cls == SendFailureClass.DeliveryUnknown)
                        {
                            item.Result.Meaning = "The connection was lost after the request was sent and before Graph answered: Graph " +
                                "may have accepted the message. It was not sent again.";
                            item.Result.Remediation = failure.RecommendedAction;
                            _results.Finish(item, SendMailStatus.Unknown, failure);
                        }
                        else
                            _results.Fail(item, failure);
                        if (whole) _results.StopBatch(null, failure);
                        return;
                    }
                    TimeSpan delay = retryAfter ?? _retry.BackoffFor(cls, attempt);
                    _host.WriteVerbose($"Message {item.Index + 1}: attempt {attempt} failed ({cls}: {failure.Message}); retrying in {delay.TotalSeconds:0.#} s{(retryAfter != null ? " (Retry-After)" : "")}.");
                    _results.Progress($"Retrying message {item.Index + 1} in {delay.TotalSeconds:0} s ({cls})");
                    try
                    {
                        await _clock.DelayAsync(delay, _ct).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        _results.Finish(item, SendMailStatus.NotAttempted, null);
                        return;
                    }
                }
            }

            /// <summary>Waits out a Retry-After another worker was given.</summary>
            private async Task WaitForGraphAsync()
            {
                TimeSpan wait;
                lock (_graphGate) wait = _graphNotBefore - _clock.UtcNow;
                if (wait > TimeSpan.Zero)
                {
                    _host.WriteVerbose($"Graph asked to wait (Retry-After); waiting {wait.TotalSeconds:0.#} s.");
                    await _clock.DelayAsync(wait, _ct).ConfigureAwait(false);
                }
            }

            private static string Ids(GraphResponse r) =>
                r.RequestId != null || r.ClientRequestId != null
                    ? $" (request-id {r.RequestId ?? "-"}, client-request-id {r.ClientRequestId ?? "-"})"
                    : "";

            private static void SetGraphReply(SendMailResult r, GraphResponse response)
            {
                r.Reply = response.Describe();
                r.ReplyCode = response.Status;
                r.EnhancedStatusCode = null;
            }

            private void GraphSent(SendItem item, GraphResponse response)
            {
                SendMailResult r = item.Result;
                r.Meaning = null;
                r.Remediation = null;
                r.RemediationCommands = DisplayList<string>.Empty;
                r.RecipientResults = item.Message!.EnvelopeRecipients
                    .Select(a => new SendMailRecipientResult(a.Address, true, response.Status, null, response.Describe())).ToList();
                r.SentAt = _clock.UtcNow;
                _host.WriteVerbose($"Message {item.Index + 1}: accepted by Graph ({response.Describe()}{Ids(response)}).");
                _results.Finish(item, SendMailStatus.Sent, null);
            }
        }
    }
}
