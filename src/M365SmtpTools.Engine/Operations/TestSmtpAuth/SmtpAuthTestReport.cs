using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using M365SmtpTools.Engine.Auth;
using M365SmtpTools.Engine.Smtp;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>
    /// The report of Test-M365SmtpAuth: the verdict, the target, each stage, the TLS and token facts (never the token)
    /// and the findings with their fixes.
    /// </summary>
    public sealed class SmtpAuthTestReport
    {
        internal SmtpAuthTestReport(string smtpServer, int port)
        {
            SmtpServer = smtpServer;
            Port = port;
        }

        /// <summary>Passed, Warning or Failed.</summary>
        public SmtpTestOutcome Overall { get; internal set; }

        /// <summary>The server tested.</summary>
        public string SmtpServer { get; }

        /// <summary>The port tested.</summary>
        public int Port { get; }

        /// <summary><c>host:port</c>.</summary>
        public string Target => SmtpServer + ":" + Port.ToString(CultureInfo.InvariantCulture);

        /// <summary>How the run authenticated (AppCertificate, ManagedIdentity, AccessToken, Basic…), or <c>None</c>.</summary>
        public string Method { get; internal set; } = "None";

        /// <summary>The SASL mechanism used by AUTH (XOAUTH2, PLAIN, LOGIN), when AUTH ran.</summary>
        public string? Mechanism { get; internal set; }

        /// <summary>The mailbox that authenticates (XOAUTH2 <c>user=</c> or the Basic user name).</summary>
        public string? UserName { get; internal set; }

        /// <summary>The MAIL FROM address, when that stage ran.</summary>
        public string? From { get; internal set; }

        /// <summary>The RCPT TO addresses, when that stage ran.</summary>
        public DisplayList<string> To { get; internal set; } = DisplayList<string>.Empty;

        /// <summary>The server's addresses (DNS), and which one the connection used.</summary>
        public DisplayList<string> Addresses { get; internal set; } = DisplayList<string>.Empty;

        /// <summary>The address and port the TCP connection reached.</summary>
        public string? RemoteEndPoint { get; internal set; }

        /// <summary>The server's banner (220 line).</summary>
        public string? Banner { get; internal set; }

        /// <summary>True when the server is Exchange Online (by its name or the name it gives in EHLO).</summary>
        public bool IsMicrosoft365 { get; internal set; }

        /// <summary>The extensions the server offered over TLS (or in clear text when TLS didn't happen).</summary>
        public DisplayList<string> Capabilities { get; internal set; } = DisplayList<string>.Empty;

        /// <summary>The AUTH mechanisms offered.</summary>
        public DisplayList<string> AuthMechanisms { get; internal set; } = DisplayList<string>.Empty;

        /// <summary>The negotiated TLS session and the server certificate (also for a rejected certificate).</summary>
        public TlsSessionInfo? Tls { get; internal set; }

        /// <summary>The access token's claims (audience, tenant, app, scp/roles, user, expiry); never the token.</summary>
        public TokenFacts? Token { get; internal set; }

        /// <summary>Every stage that ran, in order.</summary>
        public DisplayList<SmtpTestStageResult> Stages => _stages;

        /// <summary>The first stage that failed, or null.</summary>
        public SmtpTestStage? FailedStage => _stages.FirstOrDefault(s => s.Status == SmtpTestStageStatus.Failed)?.Stage;

        /// <summary>What the run concluded, the most serious first.</summary>
        public DisplayList<SmtpTestFinding> Findings => _findings.OrderByDescending(f => f.Severity).ToList();

        /// <summary>The protocol transcript with secrets redacted (only with -Transcript).</summary>
        public DisplayList<string>? Transcript { get; internal set; }

        /// <summary>When the run started (UTC).</summary>
        public DateTimeOffset StartedOn { get; internal set; }

        /// <summary>How long the whole run took.</summary>
        public TimeSpan Duration { get; internal set; }

        /// <summary>The most serious finding's meaning, or "All stages passed."</summary>
        public string Summary => DiagnosticReportText.Summary<SmtpTestStage>(Findings, Overall);

        private readonly List<SmtpTestStageResult> _stages = new List<SmtpTestStageResult>();
        private readonly List<SmtpTestFinding> _findings = new List<SmtpTestFinding>();

        internal void AddStage(SmtpTestStageResult stage) => _stages.Add(stage);

        internal void AddFinding(SmtpTestFinding finding)
        {
            if (_findings.Any(f => f.Id == finding.Id && f.Stage == finding.Stage && f.Evidence == finding.Evidence)) return;
            _findings.Add(finding);
        }

        /// <summary>The report as text, the way the default view shows it (for logs and e-mails from runbooks).</summary>
        public string ToText()
        {
            var b = new StringBuilder();
            b.Append("Overall   : ").AppendLine(Overall.ToString());
            b.Append("Target    : ").AppendLine(Target + (RemoteEndPoint != null ? "  (" + RemoteEndPoint + ")" : ""));
            b.Append("Method    : ").AppendLine(Method + (Mechanism != null ? " / " + Mechanism : "")
                + (UserName != null ? " as " + UserName : ""));
            b.AppendLine("Stages    :");
            foreach (SmtpTestStageResult s in Stages) b.Append("  ").AppendLine(s.ToString());
            if (Tls != null) b.Append("Tls       : ").AppendLine(Tls.ToString());
            if (Token != null) b.Append("Token     : ").AppendLine(Token.ToString());
            DiagnosticReportText.AppendFindings<SmtpTestStage>(b, Findings);
            return b.ToString();
        }

        /// <summary><c>Failed smtp.office365.com:587 (Auth): SmtpAuthDisabled: …</c>.</summary>
        public override string ToString() => $"{Overall} {Target}{(FailedStage is SmtpTestStage s ? " (" + s + ")" : "")}: {Summary}";
    }
}
