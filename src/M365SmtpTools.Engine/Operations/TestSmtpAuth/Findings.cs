using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Sockets;
using M365SmtpTools.Engine.Exchange;
using M365SmtpTools.Engine.Smtp;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>The findings Test-M365SmtpAuth reports for what isn't a server reply: network, TLS, token, configuration.</summary>
    internal static class Findings
    {
        private const string Submission587 = "Microsoft 365 client submission is smtp.office365.com port 587 with STARTTLS (port 25 also " +
            "works where it isn't blocked; port 465 is not supported).";

        internal static string Q(string value) => PowerShellText.Quote(value);

        // Test-NetConnection and Resolve-DnsName exist only in Windows PowerShell and PowerShell on Windows: on Linux and
        // macOS the fix names the tools that are there.
        private static readonly bool OnWindows =
            System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Windows);

        /// <summary>The command that tests a TCP connection to host:port on this computer (nc, else openssl, which macOS and most Linux
        /// have).</summary>
        internal static string TcpTestCommand(string host, int port) => TcpTestCommand(host, port, OnWindows, OnPath);

        /// <summary>The same, for a system described by <paramref name="windows"/> and the tools <paramref name="onPath"/> finds.</summary>
        internal static string TcpTestCommand(string host, int port, bool windows, Func<string, bool> onPath)
        {
            string p = port.ToString(CultureInfo.InvariantCulture);
            if (windows) return $"Test-NetConnection -ComputerName {Q(host)} -Port {p}";
            if (onPath("nc")) return $"nc -vz {NativeArgument(host)} {p}";
            return port == 465 ? $"openssl s_client -connect {NativeArgument(host + ":" + p)}"
                : $"openssl s_client -starttls smtp -crlf -connect {NativeArgument(host + ":" + p)}";
        }

        /// <summary>The command that resolves a name on this computer (dig, else host, else getent).</summary>
        internal static string DnsTestCommand(string name) => DnsTestCommand(name, OnWindows, OnPath);

        /// <summary>The same, for a system described by <paramref name="windows"/> and the tools <paramref name="onPath"/> finds.</summary>
        internal static string DnsTestCommand(string name, bool windows, Func<string, bool> onPath) =>
            windows ? $"Resolve-DnsName -Name {Q(name)}" : onPath("dig") ? $"dig +short {NativeArgument(name)}"
                : onPath("host") ? $"host {NativeArgument(name)}" : $"getent hosts {NativeArgument(name)}";

        private static bool OnPath(string tool) => OnPath(tool, Environment.GetEnvironmentVariable("PATH"));

        /// <summary>True when a directory of <paramref name="path"/> (a PATH value) holds <paramref name="tool"/>.</summary>
        internal static bool OnPath(string tool, string? path) =>
            (path ?? "").Split(System.IO.Path.PathSeparator)
                .Any(dir => dir.Length > 0 && System.IO.File.Exists(System.IO.Path.Combine(dir, tool)));

        // An argument of a native command, pasted into PowerShell (the user's shell here, on Linux and macOS too): plain
        // when it is a host-name-like word, else a PowerShell single-quoted string, since a POSIX '...' would let a
        // typographic quote (U+2018-U+201B) in a hostile name end the string in pwsh.
        private static string NativeArgument(string value) =>
            value.Length > 0 && value.All(c => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '-' || c == ':')
                ? value : Q(value);

        internal static SmtpTestFinding ForReply(SmtpTestStage stage, SmtpReply reply, RemediationContext context, string? serverDetail,
            string? address = null)
        {
            ReplyExplanation x = ReplyCatalogue.Explain(reply.Code, reply.EnhancedStatusCode?.ToString(), reply.Text,
                context.ForRecipient(address));
            string evidence = reply.ToString();
            if (address != null) evidence = $"RCPT TO:<{address}> -> " + evidence;
            if (!string.IsNullOrEmpty(serverDetail)) evidence += Environment.NewLine + "Server error detail (decoded 334 " +
                "challenge): " + serverDetail;
            FindingSeverity severity = x.Severity;
            string meaning = x.Meaning;
            if (x.Entry == null && stage == SmtpTestStage.Auth && reply.Code == 535)
                meaning = "The server refused the credentials. " + meaning;
            return new SmtpTestFinding(x.Id, severity, stage, evidence, meaning, x.Remediation, x.Commands);
        }

        internal static SmtpTestFinding DnsTimeout(string name, int seconds) =>
            new SmtpTestFinding("DnsTimeout", FindingSeverity.Error, SmtpTestStage.Resolve, $"No DNS answer for {name} within {seconds} s.",
                "This computer's DNS resolver didn't answer in time.",
                "Check the DNS servers this computer uses (ipconfig /all, /etc/resolv.conf) and that outbound DNS isn't blocked.",
                new[] { DnsTestCommand(name) });

        internal static SmtpTestFinding HostNotFound(string name, string why, string cloudHost) =>
            new SmtpTestFinding("HostNotFound", FindingSeverity.Error, SmtpTestStage.Resolve, $"{name}: {why}",
                $"The server name {name} doesn't resolve to any address.",
                $"Check the spelling. {(string.Equals(name, cloudHost, StringComparison.OrdinalIgnoreCase) ? "" : $"For Microsoft 365 client submission in this cloud use {cloudHost}. ")}If the name is right, check this computer's DNS servers.",
                new[] { DnsTestCommand(name) });

        internal static SmtpTestFinding ForConnectFailure(SmtpProtocolException e, string host, int port, int seconds)
        {
            string test = TcpTestCommand(host, port);
            if (e.Code == SmtpErrorCodes.ImplicitTlsNotSupported || port == 465)
                return Port465(e.Message);
            string advice = port switch
            {
                25 => "Outbound port 25 is blocked by most home and business ISPs and by cloud providers (Azure, AWS, Google Cloud block " +
                    "it by default). For client submission use port 587; for relay or Direct Send from a cloud VM use a relay service or " +
                    "an authenticated submission instead.",
                587 => "A firewall, proxy or security product on the way blocks outbound TCP 587 (or nothing listens there). Allow " +
                    "outbound TCP 587 to " + host + " (Microsoft publishes the Exchange Online addresses in 'Office 365 URLs and IP " +
                    "address ranges').",
                _ => $"Port {port} is unusual for SMTP submission. " + Submission587,
            };
            if (e.Code == SmtpErrorCodes.ConnectTimeout)
                return new SmtpTestFinding("ConnectTimedOut", FindingSeverity.Error, SmtpTestStage.Connect, e.Message,
                    $"No answer to the TCP connection to {host}:{port} within {seconds} s: the packets are silently dropped, which is " +
                        "what a firewall or an ISP block does.",
                    advice, new[] { test });
            SocketError? code = (e.InnerException as SocketException)?.SocketErrorCode;
            if (code == SocketError.ConnectionRefused)
                return new SmtpTestFinding("ConnectionRefused", FindingSeverity.Error, SmtpTestStage.Connect, e.Message,
                    $"{host} refused the TCP connection on port {port}: nothing listens there, or a firewall on the way answers " +
                        "with a reset.",
                    advice, new[] { test });
            return new SmtpTestFinding("ConnectFailed", FindingSeverity.Error, SmtpTestStage.Connect, e.Message,
                $"The TCP connection to {host}:{port} failed ({code?.ToString() ?? e.ErrorId}): the network has no route to the server, " +
                    "or a firewall blocks it.",
                advice, new[] { test });
        }

        internal static SmtpTestFinding Port465(string evidence) =>
            new SmtpTestFinding("Port465NotSupported", FindingSeverity.Error, SmtpTestStage.Connect, evidence,
                "Port 465 (implicit TLS, 'SMTPS') is not supported by Exchange Online client submission.",
                "Use port 587 with STARTTLS. A device that can only use 465 needs a relay in between (or another sending method: a relay " +
                    "connector on port 25, High Volume Email, Azure Communication Services).");

        internal static SmtpTestFinding GreetingTimeout(string host, int port, int seconds) =>
            port == 465
                ? Port465($"TCP connected to {host}:465 but no SMTP banner came within {seconds} s (an implicit-TLS port waits for " +
                    "a TLS handshake first).")
                : new SmtpTestFinding("GreetingTimeout", FindingSeverity.Error, SmtpTestStage.Greeting,
                    $"TCP connected to {host}:{port}, but no SMTP banner (220) came within {seconds} s.",
                    "Something accepts the connection but doesn't speak SMTP: a proxy, firewall or antivirus that intercepts mail " +
                        "traffic, a load balancer with no server behind it, or an implicit-TLS port (465) that waits for a TLS handshake.",
                    "Check for SMTP proxying or scanning (antivirus 'mail shield', firewall SMTP inspection) on this computer and the " +
                        "network; test from another network. " + Submission587);

        internal static SmtpTestFinding IpAddressForMicrosoft365(string host, string ehloName, string cloudHost) =>
            new SmtpTestFinding("IpAddressForMicrosoft365", FindingSeverity.Warning, SmtpTestStage.Greeting,
                $"Server given as {host}; the server calls itself {ehloName}.",
                "The server is Microsoft 365, reached by IP address. Exchange Online's addresses change without notice and its " +
                    "certificate names smtp.office365.com, not an IP address, so this breaks sooner or later.",
                $"Configure the device or script with the name {cloudHost}, never an IP address.");

        internal static IEnumerable<SmtpTestFinding> ForTlsFailure(SmtpProtocolException e, SmtpCapabilities before, string host, int port,
            bool microsoft, string[]? expectedIssuers)
        {
            switch (e.Code)
            {
                case var c when c == SmtpErrorCodes.StartTlsNotOffered:
                {
                    string caps = before.Extensions.Count == 0 ? "(no extensions)" : string.Join(", ", before.Extensions.Keys);
                    bool masked = before.Extensions.Keys.Any(k => k.Length >= 6 && k.Trim('X', 'x').Length <= 1);
                    yield return new SmtpTestFinding("StartTlsNotOffered", FindingSeverity.Error, SmtpTestStage.Tls,
                        $"EHLO reply from {before.ServerName}: {caps}",
                        "The server did not offer STARTTLS, so the test stopped before AUTH: no credentials or token were sent." +
                        (masked ? " An extension masked as X's is the mark of a firewall's SMTP inspection rewriting STARTTLS away " +
                            "(e.g. Cisco ASA/Firepower 'ESMTP inspection')." : ""),
                        (microsoft
                            ? "Exchange Online always offers STARTTLS, so something between this computer and Microsoft removes it: "
                            : "Check the server and port; if the server normally offers STARTTLS, something on the way removes it: ")
                        + "disable SMTP inspection/STARTTLS stripping on the firewall or proxy for this traffic. " + Submission587);
                    yield break;
                }
                case var c when c == SmtpErrorCodes.StartTlsRefused:
                    yield return new SmtpTestFinding("StartTlsRefused", FindingSeverity.Error, SmtpTestStage.Tls,
                        e.Reply?.ToString() ?? e.Message,
                        "The server offered STARTTLS but refused it; the test stopped before AUTH.",
                        "Check the server's TLS configuration (certificate, key, protocols).");
                    yield break;
                case var c when c == SmtpErrorCodes.CertificateInvalid:
                {
                    TlsSessionInfo? tls = e.TlsSession;
                    string[] problems = tls?.ValidationErrors ?? new[] { e.Message };
                    string certificate = tls == null ? e.Message
                        : $"Certificate {tls.Subject}; names {string.Join(", ", tls.SubjectAlternativeNames)}; issuer {tls.Issuer}; valid {tls.NotBefore:u} to {tls.NotAfter:u}; thumbprint {tls.Thumbprint}. Problems: {string.Join(" ", problems)}";
                    bool reported = false;
                    if (problems.Any(p => p.IndexOf("don't include", StringComparison.Ordinal) >= 0))
                    {
                        reported = true;
                        yield return new SmtpTestFinding("CertificateNameMismatch", FindingSeverity.Error, SmtpTestStage.Tls, certificate,
                            $"The server's certificate isn't for the name connected to ({host}).",
                            microsoft
                                ? "Connect by the name on the certificate (smtp.office365.com), never by IP address or an alias (CNAME) " +
                                    "of your own."
                                : "Connect by a name the certificate carries, or have the server's certificate re-issued with this name.");
                    }
                    if (problems.Any(p => p.IndexOf("NotTimeValid", StringComparison.Ordinal) >= 0)
                        || (tls?.NotAfter is DateTime na && na < DateTime.UtcNow))
                    {
                        reported = true;
                        bool notYet = tls?.NotBefore is DateTime nb && nb > DateTime.UtcNow;
                        yield return new SmtpTestFinding(notYet ? "CertificateNotYetValid" : "CertificateExpired", FindingSeverity.Error,
                            SmtpTestStage.Tls, certificate,
                            notYet ? $"The server's certificate is not valid before {tls!.NotBefore:u}: the server's or this computer's clock is wrong." : $"The server's certificate expired on {tls?.NotAfter:u}.",
                            notYet ? "Check the clock of this computer (and of the server)." : "Renew the server's " +
                                "certificate." + (microsoft ? " Microsoft doesn't serve expired certificates: a device in between (TLS " +
                                    "inspection) probably does." : ""));
                    }
                    bool chain = problems.Any(p => p.StartsWith("Certificate chain", StringComparison.Ordinal)
                        && p.IndexOf("NotTimeValid", StringComparison.Ordinal) < 0);
                    if (chain)
                    {
                        reported = true;
                        yield return new SmtpTestFinding("CertificateUntrusted", FindingSeverity.Error, SmtpTestStage.Tls, certificate,
                            "The server's certificate doesn't chain to a root this computer trusts.",
                            microsoft
                                ? "Microsoft's certificates chain to public roots every current system trusts: a proxy or firewall that " +
                                    "inspects TLS is re-signing the connection. Exempt the Microsoft 365 endpoints from TLS inspection, " +
                                    "or update this computer's root certificates."
                                : "Install the issuing CA's root certificate on this computer, or use a certificate from a public CA on " +
                                    "the server.");
                    }
                    if (tls != null && microsoft && !MicrosoftCertificateIssuers.IsExpected(tls.Issuer, expectedIssuers))
                        yield return Interception(tls);
                    if (!reported)
                        yield return new SmtpTestFinding("CertificateInvalid", FindingSeverity.Error, SmtpTestStage.Tls, certificate,
                            "The server's certificate was rejected.", e.RecommendedAction ?? "Check the server's certificate.");
                    yield break;
                }
                case var c when c == SmtpErrorCodes.TlsHandshakeFailed:
                    yield return new SmtpTestFinding("TlsHandshakeFailed", FindingSeverity.Error, SmtpTestStage.Tls, e.Message,
                        "The TLS handshake failed after STARTTLS: typically the server offers only TLS 1.0/1.1 (this module, like " +
                            "Exchange Online, requires TLS 1.2 or later) or no cipher in common.",
                        microsoft
                            ? "Exchange Online offers TLS 1.2 and 1.3: a device in between is interfering with TLS. Make sure nothing " +
                                "downgrades or intercepts the connection."
                            : "Enable TLS 1.2 (or 1.3) on the server. Old devices that can't be upgraded can send through a relay that " +
                                "speaks modern TLS.");
                    yield break;
                case var c when c == SmtpErrorCodes.Timeout:
                    yield return new SmtpTestFinding("TlsTimeout", FindingSeverity.Error, SmtpTestStage.Tls, e.Message,
                        "The server stopped answering during STARTTLS or the TLS handshake.",
                        "Check for a firewall or proxy that blocks or inspects TLS on this port.");
                    yield break;
                default:
                    yield return ForSessionFailure(SmtpTestStage.Tls, e, port, 0);
                    yield break;
            }
        }

        internal static IEnumerable<SmtpTestFinding> ForTlsSession(TlsSessionInfo tls, bool microsoft, string[]? expectedIssuers,
            DateTime now)
        {
            if (tls.Protocol != "Tls12" && tls.Protocol != "Tls13")
                yield return new SmtpTestFinding("TlsVersionTooOld", FindingSeverity.Error, SmtpTestStage.Tls, "Negotiated " +
                    $"{tls.Protocol} {tls.CipherSuite}",
                    "The session uses a TLS version older than 1.2.", "Enable TLS 1.2 or 1.3 on both ends.");
            if (tls.ValidationSkipped && !tls.CertificateValid)
                yield return new SmtpTestFinding("CertificateNotValidated", FindingSeverity.Warning, SmtpTestStage.Tls,
                    string.Join(" ", tls.ValidationErrors),
                    "Certificate validation was switched off and the certificate would have failed it.", "Fix the certificate rather " +
                        "than skipping validation.");
            if (tls.NotAfter is DateTime end && end > now && end - now < TimeSpan.FromDays(14))
                yield return new SmtpTestFinding("CertificateExpiresSoon", FindingSeverity.Warning, SmtpTestStage.Tls, "Certificate " +
                    $"{tls.Subject} valid to {end:u}",
                    $"The server's certificate expires in {(int)(end - now).TotalDays} day(s).", "Renew the server's certificate before " +
                        "it expires.");
            if (microsoft && !MicrosoftCertificateIssuers.IsExpected(tls.Issuer, expectedIssuers))
                yield return Interception(tls);
        }

        private static SmtpTestFinding Interception(TlsSessionInfo tls) =>
            new SmtpTestFinding("TlsInterceptionSuspected", FindingSeverity.Warning, SmtpTestStage.Tls,
                $"Certificate {tls.Subject} issued by {tls.Issuer} (thumbprint {tls.Thumbprint}).",
                "The server is Microsoft 365 but its certificate comes from an issuer Microsoft doesn't use: a proxy or firewall is most " +
                    "likely intercepting TLS (and can read the token or password sent in AUTH).",
                "Exempt the Microsoft 365 SMTP endpoints (smtp.office365.com) from TLS inspection. If Microsoft has moved to a new " +
                    "certificate authority, give its name with -ExpectedIssuer.");

        internal static SmtpTestFinding BasicAuthRetiring(BasicAuthVerdict verdict) =>
            new SmtpTestFinding(verdict.Kind == BasicAuthVerdictKind.Refuse ? "BasicAuthRemoved" : "BasicAuthRetiring",
                verdict.Kind == BasicAuthVerdictKind.Refuse ? FindingSeverity.Error : FindingSeverity.Warning, SmtpTestStage.Token,
                $"Basic authentication (-Credential) against {verdict.Host}.", verdict.Message,
                "Move to OAuth: " + string.Join(" ", verdict.Alternatives));

        internal static SmtpTestFinding AuthNotOffered(string host, int port, bool microsoft) =>
            new SmtpTestFinding("AuthNotOffered", FindingSeverity.Error, SmtpTestStage.Auth, $"The EHLO reply of {host}:{port} over TLS " +
                "has no AUTH line.",
                microsoft
                    ? "This Microsoft 365 endpoint doesn't offer authentication: it is the tenant MX endpoint (relay connectors and " +
                        "Direct Send), not client submission."
                    : "The server doesn't offer SMTP AUTH on this port.",
                microsoft ? "For authenticated submission use smtp.office365.com port 587." : "Use the server's submission port (usually " +
                    "587), or enable SMTP AUTH on the server.");

        /// <summary>Commands for the token checks that have an Exchange or Entra fix.</summary>
        internal static string[] TokenCommands(string id, RemediationContext context)
        {
            string app = Q(context.AppId ?? "<application id>");
            string sp = Q(context.ServicePrincipalObjectId ?? "<enterprise application object id>");
            string mailbox = Q(context.Mailbox ?? "<mailbox>");
            return id switch
            {
                "TokenMissingSendAsApp" => new[]
                {
                    $"New-ServicePrincipal -AppId {app} -ObjectId {sp}",
                    $"Add-MailboxPermission -Identity {mailbox} -User {sp} -AccessRights FullAccess",
                },
                _ => Array.Empty<string>(),
            };
        }

        internal static SmtpTestFinding ForSessionFailure(SmtpTestStage stage, SmtpException e, int port, int seconds)
        {
            switch (e.Code)
            {
                case var c when c == SmtpErrorCodes.Timeout:
                    return new SmtpTestFinding(stage + "Timeout", FindingSeverity.Error, stage, e.Message,
                        $"The server stopped answering during the {stage} stage.",
                        "Check that the server isn't overloaded and that nothing on the network holds the connection; try again, or give " +
                            "a longer -TimeoutSeconds.");
                case var c when c == SmtpErrorCodes.InvalidReply || c == SmtpErrorCodes.ReplyTooLong:
                    return new SmtpTestFinding("NotAnSmtpServer", FindingSeverity.Error, stage, e.Message,
                        $"The server on port {port} doesn't speak SMTP (or something in between rewrites the traffic).",
                        "Check the host and port. " + Submission587);
                case var c when c == SmtpErrorCodes.ConnectionClosed || c == SmtpErrorCodes.ConnectionLost:
                    return new SmtpTestFinding("ConnectionDropped", FindingSeverity.Error, stage, e.Message,
                        $"The server or something in between closed the connection during the {stage} stage.",
                        "Try again; if it repeats, check firewalls and proxies on the way and the server's logs.");
                case var c when c == SmtpErrorCodes.ImplicitTlsNotSupported:
                    return Port465(e.Message);
                default:
                    return new SmtpTestFinding(e.ErrorId, FindingSeverity.Error, stage, e.Message, e.Message,
                        e.RecommendedAction ?? "See the message.");
            }
        }

        /// <summary>
        /// Every command a finding can carry, with placeholder values: the reply catalogue's commands and this class's
        /// own (for checking the generated PowerShell against Exchange Online's cmdlet reference).
        /// </summary>
        internal static IReadOnlyList<string> AllCommandTemplates()
        {
            var ctx = new RemediationContext();
            var list = new List<string>();
            foreach (ReplyCatalogueEntry e in ReplyCatalogue.Entries) list.AddRange(e.Commands(ctx));
            list.AddRange(TokenCommands("TokenMissingSendAsApp", ctx));
            list.Add($"Test-NetConnection -ComputerName {Q("smtp.office365.com")} -Port 587");
            list.Add($"Resolve-DnsName -Name {Q("smtp.office365.com")}");
            return list.Distinct().ToList();
        }
    }
}
