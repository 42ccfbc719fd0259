using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using M365SmtpTools.Engine.Auth;
using M365SmtpTools.Engine.Exchange;
using M365SmtpTools.Engine.Mime;
using M365SmtpTools.Engine.Smtp;

namespace M365SmtpTools.Engine.Operations
{
    // The stages of a Test-M365SmtpAuth run, each a method that does one step of a real submission and reports what it
    // saw; the bookkeeping (timing, progress, failures into findings, stopping) is StageAsync's in TestSmtpAuthOperation.cs.
    public sealed partial class TestSmtpAuthOperation
    {
        private sealed partial class Run
        {
            private async Task ResolveAsync(StageState s)
            {
                string name = _plan.Host.Trim('[', ']');
                if (IPAddress.TryParse(name, out IPAddress? literal))
                {
                    _report.Addresses = new[] { literal.ToString() };
                    s.Detail = $"{literal} is an IP address: no DNS lookup.";
                    return;
                }
                if (_plan.Port == 465 && Exchange.MicrosoftHosts.IsMicrosoft365Host(name))
                {
                    // The answer doesn't depend on DNS: the Connect stage refuses 465 to Microsoft 365 by name.
                    s.Detail = $"{name} not looked up: Microsoft 365 client submission doesn't accept port 465.";
                    return;
                }
                IPAddress[] addresses;
                try
                {
                    Task<IPAddress[]> lookup = System.Net.Dns.GetHostAddressesAsync(name);
                    Task done = await Task.WhenAny(lookup,
                        Task.Delay(TimeSpan.FromSeconds(_request.TimeoutSeconds), _ct)).ConfigureAwait(false);
                    _ct.ThrowIfCancellationRequested();
                    if (done != lookup)
                    {
                        s.Status = SmtpTestStageStatus.Failed;
                        s.Detail = $"No DNS answer for {name} within {_request.TimeoutSeconds} s.";
                        _report.AddFinding(Findings.DnsTimeout(name, _request.TimeoutSeconds));
                        return;
                    }
                    addresses = await lookup.ConfigureAwait(false);
                }
                catch (SocketException e)
                {
                    s.Status = SmtpTestStageStatus.Failed;
                    s.Detail = $"{name}: {e.Message}";
                    _report.AddFinding(Findings.HostNotFound(name, e.Message, _request.ResolveCloud().SmtpHost));
                    return;
                }
                _report.Addresses = addresses.Select(a => a.ToString()).ToArray();
                if (addresses.Length == 0)
                {
                    s.Status = SmtpTestStageStatus.Failed;
                    s.Detail = $"{name} has no addresses.";
                    _report.AddFinding(Findings.HostNotFound(name, "no A or AAAA records", _request.ResolveCloud().SmtpHost));
                    return;
                }
                s.Detail = $"{name} -> {string.Join(", ", _report.Addresses)}";
            }

            private async Task ConnectAsync(StageState s, SmtpConnectOptions options)
            {
                try
                {
                    await _client.OpenAsync(_plan.Host, _plan.Port, options, _ct).ConfigureAwait(false);
                }
                catch (SmtpProtocolException e) when (e.Phase == SmtpPhase.Connect)
                {
                    s.Status = SmtpTestStageStatus.Failed;
                    s.Detail = e.Message;
                    _report.AddFinding(Findings.ForConnectFailure(e, _plan.Host, _plan.Port, _request.TimeoutSeconds));
                    return;
                }
                _report.RemoteEndPoint = _client.RemoteEndPoint;
                s.Detail = $"TCP connected to {_client.RemoteEndPoint}.";
            }

            private async Task GreetingAsync(StageState s)
            {
                SmtpReply banner;
                try
                {
                    banner = await _client.ReadGreetingAsync(_ct).ConfigureAwait(false);
                }
                catch (SmtpProtocolException e) when (e.Code == SmtpErrorCodes.Timeout)
                {
                    s.Status = SmtpTestStageStatus.Failed;
                    s.Detail = $"No banner within {_request.TimeoutSeconds} s.";
                    _report.AddFinding(Findings.GreetingTimeout(_plan.Host, _plan.Port, _request.TimeoutSeconds));
                    return;
                }
                _report.Banner = banner.ToString();
                SmtpCapabilities caps = await _client.HelloAsync(_ct).ConfigureAwait(false);
                _report.IsMicrosoft365 = ExchangeOnlineServerRules.Instance.Recognizes(_client.Host, _client.Capabilities.ServerName);
                _report.Capabilities = Describe(caps);
                s.Detail = $"{banner.Code} {Shorten(banner.Text, 90)}; EHLO {caps.ServerName}: {(caps.SupportsStartTls ? "STARTTLS offered" : "no STARTTLS")}";
                if (IPAddress.TryParse(_plan.Host.Trim('[', ']'), out _) && _report.IsMicrosoft365)
                    _report.AddFinding(Findings.IpAddressForMicrosoft365(_plan.Host, caps.ServerName, _request.ResolveCloud().SmtpHost));
            }

            private async Task TlsAsync(StageState s)
            {
                SmtpCapabilities before = _client.Capabilities;
                try
                {
                    TlsSessionInfo tls = await _client.StartTlsOnlyAsync(_ct).ConfigureAwait(false);
                    _report.Tls = tls;
                    s.Detail = $"{tls.Protocol} {tls.CipherSuite}; certificate {tls.Subject}, issuer {tls.Issuer}, valid to " +
                        $"{tls.NotAfter:yyyy-MM-dd}";
                }
                catch (SmtpProtocolException e)
                {
                    s.Status = SmtpTestStageStatus.Failed;
                    s.Detail = e.Message;
                    if (e.TlsSession != null) _report.Tls = e.TlsSession;
                    foreach (SmtpTestFinding f in Findings.ForTlsFailure(e, before, _plan.Host, _plan.Port,
                        _report.IsMicrosoft365, _request.ExpectedIssuer))
                        _report.AddFinding(f);
                    return;
                }
                foreach (SmtpTestFinding f in Findings.ForTlsSession(_report.Tls!,
                    _report.IsMicrosoft365 || MicrosoftHosts.IsMicrosoft365Host(_plan.Host), _request.ExpectedIssuer, DateTime.UtcNow))
                    _report.AddFinding(f);
            }

            private async Task EhloAsync(StageState s)
            {
                SmtpCapabilities caps = await _client.HelloAsync(_ct).ConfigureAwait(false);
                _report.IsMicrosoft365 |= ExchangeOnlineServerRules.Instance.Recognizes(_client.Host, _client.Capabilities.ServerName);
                _report.Capabilities = Describe(caps);
                _report.AuthMechanisms = caps.AuthMechanisms.ToArray();
                s.Detail = $"{caps.ServerName}: AUTH "
                    + $"{(caps.AuthMechanisms.Count == 0 ? "not offered" : string.Join(" ", caps.AuthMechanisms))}"
                    + (caps.MaxMessageSize is long size && size > 0 ? $", SIZE {size}" : "")
                    + (caps.SupportsPipelining ? ", PIPELINING" : "") + (caps.SupportsChunking ? ", CHUNKING" : "");
            }

            private async Task TokenAsync(StageState s)
            {
                if (_plan.Session != null) _connection = _plan.Session;
                else
                {
                    var connect = new ConnectSmtpRequest { SmtpServer = _plan.Host, Port = _plan.Port,
                        AllowRetiredBasicAuth = _request.AllowRetiredBasicAuth, Name = "Test-M365SmtpAuth" };
                    _request.CopyAuthOptionsTo(connect);
                    // Connect's own warnings (token checks, Basic retirement) become findings here; keep them off the warning stream.
                    var quiet = new WarningsToVerboseHost(_host);
                    _connection = await new ConnectSmtpOperation(_op._registry, _op._factory, null, _op._schedule)
                        .CreateAsync(connect, quiet, _ct).ConfigureAwait(false);
                    _ownsConnection = true;
                }
                _report.UserName = _connection.UserName;
                _report.Method = _connection.Method.ToString();

                if (_connection.Method == SmtpAuthMethod.Basic)
                {
                    BasicAuthVerdict verdict = BasicAuthRetirement.Evaluate(_op._factory.Options.Clock(), _plan.Host, _op._schedule);
                    if (verdict.Kind == BasicAuthVerdictKind.Allowed)
                    {
                        s.Status = SmtpTestStageStatus.Skipped;
                        s.Detail = "Basic authentication (a password): no token to check.";
                    }
                    else
                    {
                        s.Detail = "Basic authentication (a password) against Microsoft 365: being retired.";
                        _report.AddFinding(Findings.BasicAuthRetiring(verdict));
                    }
                    return;
                }

                SmtpAccessToken token = await _connection.GetAccessTokenAsync(_host, _ct).ConfigureAwait(false);
                if (!TokenInspector.TryDecode(token.RevealToken(), out TokenFacts? facts) || facts == null)
                {
                    s.Detail = "The token is not a readable JWT (opaque or encrypted): its claims can't be checked.";
                    _report.AddFinding(new SmtpTestFinding("TokenNotReadable", FindingSeverity.Information, SmtpTestStage.Token,
                        "The access token has no readable claims.",
                        "The token is opaque or encrypted, so its audience, permissions and user can't be checked before AUTH.",
                        "Nothing to do if AUTH passes; otherwise check how the token was requested (resource " +
                            "https://outlook.office365.com)."));
                    return;
                }
                _report.Token = facts;
                IReadOnlyList<TokenFinding> checks = TokenInspector.Check(facts, new TokenCheckOptions
                {
                    Now = _op._factory.Options.Clock(),
                    UserName = _connection.UserName,
                    ExpectedTenantId = Guid.TryParse(_request.TenantId, out _) ? _request.TenantId : null,
                    AppRbac = _request.AppRbac,
                });
                foreach (TokenFinding f in checks)
                    _report.AddFinding(new SmtpTestFinding(f.Id, f.Severity, SmtpTestStage.Token, "Token claims: " + facts, f.Message,
                        f.Remediation, Findings.TokenCommands(f.Id, Context)));
                s.Detail = (facts.IsAppOnly ? "app-only" : "delegated") + $", aud {facts.Audience ?? "-"}, "
                    + (facts.IsAppOnly ? "roles " + (facts.Roles.Count == 0 ? "-" : string.Join(",", facts.Roles))
                        : "scp " + (facts.Scopes.Count == 0 ? "-" : string.Join(",", facts.Scopes)) + ", user " + (facts.User ?? "-"))
                    + (facts.ExpiresOn is DateTimeOffset exp ? $", expires {exp:u}" : "");
                if (checks.Any(f => f.Severity == FindingSeverity.Error)) s.Status = SmtpTestStageStatus.Failed;
            }

            private async Task AuthAsync(StageState s)
            {
                SmtpConnection connection = _connection!;
                string user = connection.UserName ?? throw SmtpAuthOptions.Invalid(AuthErrorCodes.UserNameMissing, "UserName",
                    "The mailbox that authenticates is unknown.", "Add -UserName.");
                SmtpCredential credential = connection.Method == SmtpAuthMethod.Basic
                    ? SmtpCredential.FromNetworkCredential(connection.BasicCredential
                        ?? throw new M365SmtpException(AuthErrorCodes.ConnectionClosed,
                            $"The connection '{connection.Name}' has no credential any more.")
                            { RecommendedAction = "Run Connect-M365Smtp again." })
                    : SmtpCredential.FromAccessToken(user,
                        async ct => (await connection.GetAccessTokenAsync(_host, ct).ConfigureAwait(false)).RevealToken());
                if (_client.Capabilities.AuthMechanisms.Count == 0)
                {
                    s.Status = SmtpTestStageStatus.Failed;
                    s.Detail = "The server offers no AUTH on this (encrypted) session.";
                    _report.AddFinding(Findings.AuthNotOffered(_plan.Host, _plan.Port, _report.IsMicrosoft365));
                    return;
                }
                try
                {
                    SmtpReply reply = await _client.AuthenticateAsync(credential, _request.Mechanism, _ct).ConfigureAwait(false);
                    _report.Mechanism = _client.AuthenticationMechanism;
                    s.Detail = $"{reply.Code} {reply.Text} ({_client.AuthenticationMechanism} as {user})";
                }
                catch (SmtpCommandException e) when (e.Reply == null)
                {
                    s.Status = SmtpTestStageStatus.Failed;
                    s.Detail = e.Message;
                    _report.AddFinding(new SmtpTestFinding(e.Code == SmtpErrorCodes.AuthMechanismNotOffered
                            ? "AuthMechanismNotOffered" : e.ErrorId,
                        FindingSeverity.Error, SmtpTestStage.Auth,
                        "AUTH mechanisms offered: " + string.Join(" ", _client.Capabilities.AuthMechanisms),
                        e.Message, e.RecommendedAction ?? "Use a mechanism the server offers."));
                }
                catch (SmtpCommandException e)
                {
                    s.Status = SmtpTestStageStatus.Failed;
                    s.Detail = $"{e.Reply!.Code} {e.Reply.Text}";
                    _report.Mechanism = MechanismFromTranscript();
                    SmtpTestFinding finding = Findings.ForReply(SmtpTestStage.Auth, e.Reply, Context, e.ServerErrorDetail);
                    // SMTP AUTH switched off: Microsoft Graph sends without it (Send-M365Mail -Method Graph).
                    if (finding.Id == "SmtpAuthDisabled")
                        finding = Graph.GraphAlternative.Add(finding, _request, _report.UserName ?? _request.UserName,
                            _request.To?.FirstOrDefault());
                    _report.AddFinding(finding);
                }
            }

            private string? MechanismFromTranscript()
            {
                SmtpTranscriptEntry? auth = _transcript.Entries.LastOrDefault(e => e.Direction == SmtpTranscriptDirection.Client
                    && e.Text.StartsWith("AUTH ", StringComparison.OrdinalIgnoreCase));
                return auth?.Text.Split(' ').ElementAtOrDefault(1);
            }

            private async Task MailFromAsync(StageState s)
            {
                string? from = !string.IsNullOrWhiteSpace(_request.From) ? _request.From!.Trim() : _report.UserName;
                if (string.IsNullOrEmpty(from))
                    throw SmtpAuthOptions.Invalid(RequestErrorCodes.FromMissing, "From",
                        "MAIL FROM needs an address and no mailbox authenticated.", "Add -From.");
                _report.From = from;
                try
                {
                    SmtpReply reply = await _client.MailFromAsync(from!, _ct).ConfigureAwait(false);
                    _inTransaction = true;
                    s.Detail = $"<{from}>: {reply.Code} {reply.Text}";
                }
                catch (SmtpCommandException e) when (e.Reply != null)
                {
                    s.Status = SmtpTestStageStatus.Failed;
                    s.Detail = $"<{from}>: {e.Reply.Code} {e.Reply.Text}";
                    _report.AddFinding(Findings.ForReply(SmtpTestStage.MailFrom, e.Reply, Context, null));
                }
            }

            private async Task RcptToAsync(StageState s)
            {
                _report.To = _plan.To;
                var lines = new List<string>();
                int accepted = 0;
                foreach (string to in _plan.To)
                {
                    try
                    {
                        SmtpReply reply = await _client.RecipientAsync(to, _ct).ConfigureAwait(false);
                        accepted++;
                        lines.Add($"<{to}>: {reply.Code} {reply.Text}");
                    }
                    catch (SmtpCommandException e) when (e.Reply != null)
                    {
                        lines.Add($"<{to}>: {e.Reply.Code} {e.Reply.Text}");
                        _report.AddFinding(Findings.ForReply(SmtpTestStage.RcptTo, e.Reply, Context, null, to));
                    }
                }
                s.Detail = string.Join("; ", lines);
                if (accepted == 0) s.Status = SmtpTestStageStatus.Failed;
                else if (accepted < _plan.To.Length) s.Status = SmtpTestStageStatus.Warning;
                if (Last == SmtpTestStage.RcptTo || accepted == 0)
                {
                    await _client.ResetAsync(_ct).ConfigureAwait(false);
                    _inTransaction = false;
                    s.Detail += " (then RSET: nothing sent)";
                }
            }

            private async Task MessageAsync(StageState s)
            {
                await _client.ResetAsync(_ct).ConfigureAwait(false);
                _inTransaction = false;
                if (!_host.ShouldProcess($"{string.Join(", ", _plan.To)} via {_plan.Host}:{_plan.Port}", "Send a test message"))
                {
                    s.Status = SmtpTestStageStatus.Skipped;
                    s.Detail = "Not sent (-WhatIf or declined).";
                    return;
                }
                string from = _report.From!;
                var builder = new MessageBuilder
                {
                    From = EmailAddress.Parse(from),
                    Subject = "M365SmtpTools test message",
                    TextBody = $"This message was sent by Test-M365SmtpAuth from {SafeMachineName()} at {DateTimeOffset.UtcNow:u} to " +
                        $"test SMTP submission through {_plan.Host}:{_plan.Port}. No action is needed.",
                };
                foreach (string to in _plan.To) builder.To.Add(EmailAddress.Parse(to));
                MimeMessage message = builder.Build();
                try
                {
                    SmtpSendResult result = await _client.SendAsync(new SmtpEnvelope(from, _plan.To), message, _ct).ConfigureAwait(false);
                    s.Detail = $"{result.FinalReply.Code} {result.FinalReply.Text}";
                    foreach (SmtpRecipientResult r in result.RejectedRecipients)
                        _report.AddFinding(Findings.ForReply(SmtpTestStage.Message, r.Reply, Context, null, r.Address));
                }
                catch (SmtpCommandException e) when (e.Reply != null)
                {
                    s.Status = SmtpTestStageStatus.Failed;
                    s.Detail = $"{e.Reply.Code} {e.Reply.Text}";
                    _report.AddFinding(Findings.ForReply(SmtpTestStage.Message, e.Reply, Context, null));
                }
            }

            private void Diagnose(SmtpTestStage stage, SmtpException e)
            {
                if (e.Reply != null && e.Reply.Code >= 400)
                {
                    _report.AddFinding(Findings.ForReply(stage, e.Reply, Context, (e as SmtpCommandException)?.ServerErrorDetail));
                    return;
                }
                _report.AddFinding(Findings.ForSessionFailure(stage, e, _plan.Port, _request.TimeoutSeconds));
            }

            private static string[] Describe(SmtpCapabilities caps) =>
                caps.Extensions.Select(kv => kv.Value.Length == 0 ? kv.Key : kv.Key + " " + kv.Value).ToArray();

            private static string Shorten(string text, int max) => text.Length <= max ? text : text.Substring(0, max) + "…";

            private static string SafeMachineName()
            {
                try { return Environment.MachineName; } catch (InvalidOperationException) { return "this computer"; }
            }
        }
    }
}
