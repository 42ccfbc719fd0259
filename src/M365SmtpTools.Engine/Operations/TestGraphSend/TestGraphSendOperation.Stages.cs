using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using M365SmtpTools.Engine.Auth;
using M365SmtpTools.Engine.Exchange;
using M365SmtpTools.Engine.Graph;
using M365SmtpTools.Engine.Mime;

namespace M365SmtpTools.Engine.Operations
{
    // The stages of a Test-M365GraphSend run (token, claims, mailbox, message), each reporting what it saw; the order,
    // timing and the report are ExecuteAsync's in TestGraphSendOperation.cs.
    public sealed partial class TestGraphSendOperation
    {
        private sealed partial class Run
        {
            // ---- Token ----------------------------------------------------------------------------------------------

            private async Task<ITokenProvider?> TokenStageAsync()
            {
                var watch = Stopwatch.StartNew();
                if (_plan.Method == SmtpAuthMethod.AccessToken)
                {
                    string given = SecretText.Reveal(_plan.Auth.AccessToken!).Trim();
                    if (given.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) given = given.Substring(7).Trim();
                    _token = given;
                    Stage(GraphTestStage.Token, SmtpTestStageStatus.Passed, watch, "Token given with -AccessToken.");
                    return null;
                }
                ITokenProvider? provider = null;
                try
                {
                    provider = _op._factory.Create(_plan.Auth)!;
                    SmtpAccessToken token = await provider.GetTokenAsync(_host, _ct).ConfigureAwait(false);
                    _token = token.RevealToken();
                    Stage(GraphTestStage.Token, SmtpTestStageStatus.Passed, watch,
                        $"{_plan.Method} token for {_plan.Auth.Scope}{(token.ExpiresOn is DateTimeOffset e ? $", expires {e:u}" : "")}.");
                }
                catch (M365SmtpException e) when (!_ct.IsCancellationRequested)
                {
                    Stage(GraphTestStage.Token, SmtpTestStageStatus.Failed, watch, $"{e.ErrorId}: {e.Message}");
                    Finding(e.ErrorId, FindingSeverity.Error, GraphTestStage.Token, e.Message,
                        $"No token for Microsoft Graph ({_plan.Auth.Scope}) could be obtained with {_plan.Method}: {e.Message}",
                        e.RecommendedAction ?? "Check -TenantId, -ClientId and the credential of the app registration.");
                }
                return provider;
            }

            // ---- Claims ---------------------------------------------------------------------------------------------

            private bool ClaimsStage()
            {
                var watch = Stopwatch.StartNew();
                if (!TokenInspector.TryDecode(_token, out TokenFacts? facts))
                {
                    Finding("GraphTokenUnreadable", FindingSeverity.Warning, GraphTestStage.Claims, "The token is not a readable JWT " +
                        "(opaque or encrypted).",
                        "Its audience, permissions and expiry can't be checked here; the mailbox check below still shows " +
                            "whether Graph takes it.",
                        "If the mailbox check fails with 401, get an access token " +
                            "for https://" + _plan.Cloud.GraphHost + " from Entra ID.");
                    Stage(GraphTestStage.Claims, SmtpTestStageStatus.Warning, watch, "Not a readable JWT: claims not checked.");
                    _appId = _plan.Auth.ClientId ?? _plan.Auth.ManagedIdentityClientId;
                    return true;
                }
                _facts = facts!;
                _report.Token = _facts;
                _appId = _facts.AppId ?? _plan.Auth.ClientId ?? _plan.Auth.ManagedIdentityClientId;
                string evidence = _facts.ToString();
                string aud = (_facts.Audience ?? "").TrimEnd('/');
                string graphUrl = "https://" + _plan.Cloud.GraphHost;
                bool errors = false;
                DateTimeOffset now = Now;

                if (!GraphEndpoint.IsGraphAudienceOf(aud, _plan.Cloud))
                {
                    errors = true;
                    if (GraphEndpoint.IsGraphAudience(aud))
                        Finding("GraphTokenWrongCloud", FindingSeverity.Error, GraphTestStage.Claims, evidence,
                            $"The token is for Microsoft Graph at {aud}, but -Environment {_plan.Cloud.Environment} sends to {graphUrl}: " +
                                "Graph would refuse it (401).",
                            $"Get the token from the mailbox's cloud (Get-AzAccessToken -ResourceUrl {graphUrl}), or give the " +
                                "-Environment of the cloud the token comes from.");
                    else
                    {
                        string what = aud.Length == 0 ? "no audience" : aud;
                        Finding("GraphTokenWrongAudience", FindingSeverity.Error, GraphTestStage.Claims, evidence,
                            $"The token is for {what}, not for Microsoft Graph ({graphUrl}), so Graph would refuse it (401)."
                            + (aud.IndexOf("outlook", StringComparison.OrdinalIgnoreCase) >= 0
                                ? " A token for Exchange Online (SMTP, EWS) doesn't work for Graph." : ""),
                            $"Get a token for Microsoft Graph: Get-AzAccessToken -ResourceUrl {graphUrl} (az account get-access-token " +
                                $"--resource {graphUrl}), or let this module get it (-CertificatePath, -ClientSecret, -ManagedIdentity " +
                                $"ask for {_plan.Cloud.GraphAppOnlyScope}).");
                    }
                }
                if (_facts.ExpiresOn is DateTimeOffset exp && exp <= now)
                {
                    errors = true;
                    Finding("GraphTokenExpired", FindingSeverity.Error, GraphTestStage.Claims, evidence,
                        $"The token expired at {exp:u}: Graph would refuse it (401 InvalidAuthenticationToken).",
                        $"Get a new token (Get-AzAccessToken -ResourceUrl {graphUrl}), or let this module get and renew tokens itself " +
                            "(-CertificatePath, -ClientSecret, -ManagedIdentity).");
                }
                else if (_facts.ExpiresOn is DateTimeOffset soon && soon - now <= TimeSpan.FromMinutes(5))
                    Finding("GraphTokenNearExpiry", FindingSeverity.Warning, GraphTestStage.Claims, evidence,
                        $"The token expires at {soon:u}, in {(int)(soon - now).TotalSeconds} seconds.",
                        "Get a new token before sending, or let this module get and renew tokens itself.");
                if (_facts.NotBefore is DateTimeOffset nbf && nbf > now + TimeSpan.FromMinutes(5))
                {
                    errors = true;
                    Finding("GraphTokenNotYetValid", FindingSeverity.Error, GraphTestStage.Claims, evidence,
                        $"The token is not valid before {nbf:u}: this computer's clock may be wrong.", "Synchronize the clock (NTP).");
                }
                if (Guid.TryParse(_plan.Auth.TenantId, out Guid tenant) && _facts.TenantId != null
                    && Guid.TryParse(_facts.TenantId, out Guid tid) && tid != tenant)
                {
                    errors = true;
                    Finding("GraphTokenTenantMismatch", FindingSeverity.Error, GraphTestStage.Claims, evidence,
                        $"The token comes from tenant {_facts.TenantId}, not the tenant {_plan.Auth.TenantId} that was given.",
                        "Request the token from the tenant that holds the mailbox (-TenantId).");
                }

                if (_facts.IsAppOnly)
                {
                    bool hasRole = _facts.Roles.Any(x => x.Equals("Mail.Send", StringComparison.OrdinalIgnoreCase));
                    string roles = _facts.Roles.Count == 0 ? "no roles" : "roles " + string.Join(", ", _facts.Roles);
                    if (!hasRole && _request.AppRbac)
                        Finding("GraphTokenNoMailSendRole", FindingSeverity.Information, GraphTestStage.Claims, evidence,
                            $"The app-only token has {roles}, without Mail.Send: as declared (-AppRbac), the permission must come from " +
                                "RBAC for Applications ('Application Mail.Send' over a management scope).",
                            "Nothing to do if the mailbox check passes.");
                    else if (!hasRole)
                    {
                        // Provisional: RBAC for Applications grants 'Application Mail.Send' without a role in the token.
                        _noRole = new GraphTestFinding("GraphTokenMissingMailSend", FindingSeverity.Warning,
                            GraphTestStage.Claims, evidence,
                            $"The app-only token has {roles}, without the Mail.Send application permission: Graph lets the app send only " +
                                "where RBAC for Applications grants it 'Application Mail.Send'.",
                            "Grant 'Application Mail.Send' over a management scope that holds the mailbox (RBAC for Applications; " +
                                "New-M365SmtpAppAccessPlan -Graph writes the steps), or add the Mail.Send application permission in " +
                                "Entra ID with admin consent and get a new token.",
                            new[] { PlanCommand() });
                        _report.AddFinding(_noRole);
                    }
                    else
                        Finding("GraphMailSendTenantWide", FindingSeverity.Information, GraphTestStage.Claims, evidence,
                            "The token carries the Mail.Send application permission granted in Entra ID: unless an application access " +
                                "policy restricts the app, it may send as any mailbox of the tenant.",
                            "For least privilege, remove the Entra ID consent of Mail.Send and grant 'Application Mail.Send' over a " +
                                "management scope of the mailboxes it needs (RBAC for Applications).",
                            PlanCommand());
                }
                else
                {
                    bool send = _facts.Scopes.Any(x => x.Equals("Mail.Send", StringComparison.OrdinalIgnoreCase));
                    bool shared = _facts.Scopes.Any(x => x.Equals("Mail.Send.Shared", StringComparison.OrdinalIgnoreCase));
                    string scopes = _facts.Scopes.Count == 0 ? "no scopes" : "scopes " + string.Join(" ", _facts.Scopes);
                    bool otherMailbox = _plan.Mailbox != null && _facts.User != null
                        && !_facts.User.Equals(_plan.Mailbox, StringComparison.OrdinalIgnoreCase);
                    if (!send && !shared)
                    {
                        errors = true;
                        Finding("GraphTokenMissingMailSend", FindingSeverity.Error, GraphTestStage.Claims, evidence,
                            $"The delegated token has {scopes}, without Mail.Send: Graph would refuse to send (403 ErrorAccessDenied).",
                            "Add the delegated permission Mail.Send (Microsoft Graph) to the app registration, consent to it, and sign " +
                                $"in again asking for {_plan.Cloud.GraphDelegatedScope}.");
                    }
                    else if (otherMailbox && !shared)
                        Finding("GraphDelegatedOtherMailbox", FindingSeverity.Warning, GraphTestStage.Claims, evidence,
                            $"The token was issued to {_facts.User} but the mailbox is {_plan.Mailbox}: sending from another person's or " +
                                "a shared mailbox needs the delegated Mail.Send.Shared permission and Send As or Send on Behalf on it.",
                            "Add Mail.Send.Shared to the app's delegated permissions, or sign in as the mailbox's user.");
                }

                string detail = $"aud {(aud.Length == 0 ? "(none)" : aud)}, {(_facts.IsAppOnly ? "app-only roles " + (_facts.Roles.Count == 0 ? "(none)" : string.Join(",", _facts.Roles)) : "delegated scp " + (_facts.Scopes.Count == 0 ? "(none)" : string.Join(" ", _facts.Scopes)))}{(_facts.ExpiresOn is DateTimeOffset x ? $", expires {x:u}" : "")}";
                bool warned = _report.Findings.Any(f => f.Stage == GraphTestStage.Claims && f.Severity == FindingSeverity.Warning);
                Stage(GraphTestStage.Claims,
                    errors ? SmtpTestStageStatus.Failed : warned ? SmtpTestStageStatus.Warning : SmtpTestStageStatus.Passed, watch, detail);
                return !errors;
            }

            private string PlanCommand() =>
                $"New-M365SmtpAppAccessPlan -Graph -AppId {_appId ?? "<app id>"} -ServicePrincipalObjectId " +
                    $"{(_facts != null && _facts.IsAppOnly && _facts.ObjectId != null ? _facts.ObjectId : "<enterprise app object id>")} " +
                    $"-Mailbox {_plan.Mailbox ?? "<mailbox>"}";

            // ---- Mailbox --------------------------------------------------------------------------------------------

            private string MailboxPath()
            {
                string? mailbox = _plan.Mailbox ?? _facts?.User;
                if (mailbox == null) return "v1.0/me/sendMail";
                _report.Mailbox = mailbox;
                return "v1.0/users/" + Uri.EscapeDataString(mailbox) + "/sendMail";
            }

            private async Task<bool> MailboxStageAsync(GraphHttpClient graph)
            {
                var watch = Stopwatch.StartNew();
                string path = MailboxPath();
                string mailbox = _report.Mailbox ?? "the signed-in account";
                _host.WriteVerbose($"Mailbox: POST /{path} with a message that has no recipients (nothing can be delivered).");
                GraphResponse response;
                try
                {
                    response = await graph.SendAsync(HttpMethod.Post, new Uri(graph.BaseAddress, path),
                        GraphJson.Content(GraphAccessProbe.ProbeBody(mailbox, _plan.From)), _token, _ct).ConfigureAwait(false);
                }
                catch (GraphTransportException e) when (!_ct.IsCancellationRequested)
                {
                    Stage(GraphTestStage.Mailbox, SmtpTestStageStatus.Failed, watch, e.Message);
                    Finding(e.TimedOut ? "GraphTimeout" : "GraphConnectionFailed", FindingSeverity.Error, GraphTestStage.Mailbox, e.Message,
                        $"Microsoft Graph at {_report.Endpoint} could not be reached, so the mailbox was not checked.",
                        "Check the network path to Microsoft Graph: HTTPS on port 443, DNS, and any proxy or firewall that inspects TLS.");
                    return false;
                }
                _report.RequestId = response.RequestId;
                string answer = response.Describe() + Ids(response);
                if (GraphAccessProbe.ConfirmsAccess(response))
                {
                    Stage(GraphTestStage.Mailbox, SmtpTestStageStatus.Passed, watch,
                        $"{response.Status} {response.ErrorCode}: Graph found {mailbox} and accepted the app's permission to send from " +
                            "it; it refused only the check's missing recipients. Nothing was sent.");
                    if (_noRole != null)
                    {
                        // The access works without the role: RBAC for Applications (or another grant) covers the mailbox.
                        _report.RemoveFindings(f => ReferenceEquals(f, _noRole));
                        Finding("GraphTokenNoMailSendRole", FindingSeverity.Information, GraphTestStage.Claims, _noRole.Evidence,
                            $"The app-only token has no Mail.Send role, yet Graph lets the app send from {mailbox}: the permission comes " +
                                "from RBAC for Applications ('Application Mail.Send' over a scope that holds the mailbox).",
                            "Nothing to do; give -AppRbac to say this is expected.");
                        GraphTestStageResult claims = _report.Stages.First(s => s.Stage == GraphTestStage.Claims);
                        if (claims.Status == SmtpTestStageStatus.Warning
                            && !_report.Findings.Any(f => f.Stage == GraphTestStage.Claims && f.Severity == FindingSeverity.Warning))
                            claims.Status = SmtpTestStageStatus.Passed;
                    }
                    if (_report.From != null)
                        Finding("GraphSendAsNotChecked", FindingSeverity.Information, GraphTestStage.Mailbox, answer,
                            $"Whether {mailbox} may send as {_report.From} (Send As or Send on Behalf) is decided when a message is " +
                                "submitted, which this check stops short of.",
                            "Run again with -SendTestMessage to prove it; if Graph answers ErrorSendAsDenied, grant Send As.",
                            $"Add-RecipientPermission -Identity {_report.From} -Trustee {mailbox} -AccessRights SendAs");
                    return true;
                }
                if (response.IsSuccess)
                {
                    Stage(GraphTestStage.Mailbox, SmtpTestStageStatus.Warning, watch, answer);
                    Finding("GraphProbeAccepted", FindingSeverity.Warning, GraphTestStage.Mailbox, answer,
                        $"Graph accepted a message without recipients from {mailbox} ({response.Status}), which Microsoft Graph refuses " +
                            "with ErrorInvalidRecipients: the endpoint may not be Microsoft Graph. Access looks fine; nothing can have " +
                            "been delivered.",
                        "Check -GraphEndpoint; run with -SendTestMessage to prove sending.");
                    return true;
                }
                GraphErrorExplanation ex = GraphErrors.Explain(response.Status, response.ErrorCode, response.ErrorMessage, mailbox,
                    _report.From ?? mailbox, _appId);
                string meaning = ex.Meaning;
                if (_noRole != null && ex.Code == GraphErrorCodes.ErrorAccessDenied)
                    meaning += " The token has no Mail.Send role, so only an RBAC for Applications assignment could allow it, and none " +
                        "covers this mailbox.";
                Stage(GraphTestStage.Mailbox, SmtpTestStageStatus.Failed, watch, answer);
                _report.AddFinding(new GraphTestFinding(ex.ErrorId, FindingSeverity.Error, GraphTestStage.Mailbox, answer, meaning,
                    ex.Remediation, _noRole != null && ex.Code == GraphErrorCodes.ErrorAccessDenied
                        ? ex.Commands.Concat(new[] { PlanCommand() }).ToList() : ex.Commands));
                return false;
            }

            // ---- Message --------------------------------------------------------------------------------------------

            private async Task MessageStageAsync(GraphHttpClient graph)
            {
                var watch = Stopwatch.StartNew();
                string mailbox = _report.Mailbox ?? "me";
                List<EmailAddress> to = _plan.To.Count > 0 ? _plan.To : new List<EmailAddress> { new EmailAddress(mailbox) };
                _report.To = to.Select(a => a.Address).ToList();
                string target = $"{string.Join(", ", _report.To)} from {_report.From ?? mailbox}" +
                    $"{(_report.From != null ? " (mailbox " + mailbox + ")" : "")} via {_plan.BaseAddress.Host} (Graph sendMail)";
                if (!_host.ShouldProcess(target, "Send a test message"))
                {
                    Stage(GraphTestStage.Message, SmtpTestStageStatus.Skipped, watch, "Not sent (-WhatIf, or not confirmed).");
                    return;
                }
                string path = _report.Mailbox == null ? "v1.0/me/sendMail" : "v1.0/users/" + Uri.EscapeDataString(mailbox) + "/sendMail";
                GraphResponse response;
                try
                {
                    response = await graph.SendAsync(HttpMethod.Post, new Uri(graph.BaseAddress, path),
                        GraphJson.Content(GraphAccessProbe.TestMessageBody(mailbox, _plan.From, to, DateTimeOffset.UtcNow)),
                        _token, _ct).ConfigureAwait(false);
                }
                catch (GraphTransportException e) when (!_ct.IsCancellationRequested)
                {
                    Stage(GraphTestStage.Message, SmtpTestStageStatus.Failed, watch, e.Message);
                    if (e.RequestSent)
                        Finding("GraphDeliveryUnknown", FindingSeverity.Error, GraphTestStage.Message, e.Message,
                            "The connection was lost after the test message was sent and before Graph answered: it may have been sent.",
                            $"Look for it in the recipients' mailboxes ({string.Join(", ", _report.To)}) or in a message trace " +
                                $"(Get-MessageTraceV2 -SenderAddress {mailbox}) before testing again.");
                    else
                        Finding(e.TimedOut ? "GraphTimeout" : "GraphConnectionFailed", FindingSeverity.Error,
                            GraphTestStage.Message, e.Message,
                            "The test message could not be sent: Microsoft Graph could not be reached.", "Check the network path to " +
                                "Microsoft Graph and test again.");
                    return;
                }
                _report.RequestId = response.RequestId;
                string answer = response.Describe() + Ids(response);
                if (response.IsSuccess)
                {
                    _report.MessageSent = true;
                    Stage(GraphTestStage.Message, SmtpTestStageStatus.Passed, watch,
                        $"{answer}: test message sent to {string.Join(", ", _report.To)}.");
                    return;
                }
                GraphErrorExplanation ex = GraphErrors.Explain(response.Status, response.ErrorCode, response.ErrorMessage, mailbox,
                    _report.From ?? mailbox, _appId);
                Stage(GraphTestStage.Message, SmtpTestStageStatus.Failed, watch, answer);
                _report.AddFinding(new GraphTestFinding(ex.ErrorId, FindingSeverity.Error, GraphTestStage.Message, answer, ex.Meaning,
                    ex.Remediation, ex.Commands));
            }

            private static string Ids(GraphResponse r) =>
                r.RequestId != null || r.ClientRequestId != null
                    ? $" (request-id {r.RequestId ?? "-"}, client-request-id {r.ClientRequestId ?? "-"})"
                    : "";
        }
    }
}
