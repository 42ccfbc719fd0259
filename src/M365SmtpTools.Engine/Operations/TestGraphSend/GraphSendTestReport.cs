using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using M365SmtpTools.Engine.Auth;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>The stages of a Test-M365GraphSend run, in the order they run.</summary>
    public enum GraphTestStage
    {
        /// <summary>Getting the access token (or reading the one given with -AccessToken).</summary>
        Token,
        /// <summary>The token's claims: audience (Microsoft Graph of the cloud), Mail.Send in roles or scp, expiry, tenant.</summary>
        Claims,
        /// <summary>The mailbox and the permission to send from it, probed with a message without recipients (nothing is sent).</summary>
        Mailbox,
        /// <summary>A real test message (-SendTestMessage only).</summary>
        Message,
    }

    /// <summary>One stage of a Test-M365GraphSend run: what happened and how long it took.</summary>
    public sealed class GraphTestStageResult
    {
        internal GraphTestStageResult(GraphTestStage stage, SmtpTestStageStatus status, TimeSpan duration, string detail)
        {
            Stage = stage;
            Status = status;
            Duration = duration;
            Detail = detail;
        }

        /// <summary>The stage.</summary>
        public GraphTestStage Stage { get; }

        /// <summary>Passed, Warning, Failed or Skipped.</summary>
        public SmtpTestStageStatus Status { get; internal set; }

        /// <summary>How long the stage took.</summary>
        public TimeSpan Duration { get; }

        /// <summary>What happened, in one line (Graph's answer, the token's audience…).</summary>
        public string Detail { get; internal set; }

        /// <summary>Milliseconds, for display.</summary>
        public long DurationMs => (long)Duration.TotalMilliseconds;

        /// <summary>The stage as one line: <c>Mailbox   Passed     52 ms  400 ErrorInvalidRecipients …</c>.</summary>
        public override string ToString() =>
            string.Format(CultureInfo.InvariantCulture, "{0,-9} {1,-7} {2,6} ms  {3}", Stage, Status, DurationMs, Detail);
    }

    /// <summary>
    /// One conclusion of a Test-M365GraphSend run: what was seen (Graph's answer, the token's claims, never the token),
    /// what it means, what to do, and the commands to run.
    /// </summary>
    public sealed class GraphTestFinding
    {
        internal GraphTestFinding(string id, FindingSeverity severity, GraphTestStage stage, string evidence, string meaning, string remediation, IReadOnlyList<string>? commands = null)
        {
            Id = id;
            Severity = severity;
            Stage = stage;
            Evidence = evidence;
            Meaning = meaning;
            Remediation = remediation;
            Commands = (commands ?? Array.Empty<string>()).ToArray();
        }

        /// <summary>A stable id, the same as Send-M365Mail -Method Graph's error id for the same answer (e.g. <c>GraphErrorAccessDenied</c>).</summary>
        public string Id { get; }

        /// <summary>Error (sending fails until fixed), Warning or Information.</summary>
        public FindingSeverity Severity { get; }

        /// <summary>The stage it belongs to.</summary>
        public GraphTestStage Stage { get; }

        /// <summary>What was seen: Graph's status, error code and message with its request-id, or the token's claims (never the token).</summary>
        public string Evidence { get; }

        /// <summary>What it means.</summary>
        public string Meaning { get; }

        /// <summary>What to do, in words.</summary>
        public string Remediation { get; }

        /// <summary>The commands to run (Exchange Online PowerShell, this module), values filled in where known.</summary>
        public string[] Commands { get; }

        /// <summary><c>Error GraphErrorAccessDenied: meaning</c>.</summary>
        public override string ToString() => $"{Severity} {Id}: {Meaning}";
    }

    /// <summary>
    /// The report of Test-M365GraphSend: the verdict, the mailbox and Graph endpoint, each stage, the token's claims
    /// (never the token) and the findings with their fixes.
    /// </summary>
    public sealed class GraphSendTestReport
    {
        internal GraphSendTestReport(string endpoint) => Endpoint = endpoint;

        /// <summary>Passed, Warning or Failed.</summary>
        public SmtpTestOutcome Overall { get; internal set; }

        /// <summary>The Graph base address tested, e.g. <c>https://graph.microsoft.com</c>.</summary>
        public string Endpoint { get; }

        /// <summary>How the token was obtained (AppCertificate, AppSecret, ManagedIdentity, DeviceCode, Interactive, AccessToken).</summary>
        public string Method { get; internal set; } = "None";

        /// <summary>The mailbox whose sendMail was probed (<c>/users/{Mailbox}/sendMail</c>).</summary>
        public string? Mailbox { get; internal set; }

        /// <summary>The From address, when it differs from the mailbox (Send As).</summary>
        public string? From { get; internal set; }

        /// <summary>The recipients of the test message (-SendTestMessage).</summary>
        public DisplayList<string> To { get; internal set; } = DisplayList<string>.Empty;

        /// <summary>The access token's claims (audience, tenant, app, roles/scp, user, expiry); never the token.</summary>
        public TokenFacts? Token { get; internal set; }

        /// <summary>True when -SendTestMessage sent a message and Graph accepted it (202).</summary>
        public bool MessageSent { get; internal set; }

        /// <summary>Graph's request-id of the last answer, for Microsoft support.</summary>
        public string? RequestId { get; internal set; }

        /// <summary>Every stage that ran, in order.</summary>
        public DisplayList<GraphTestStageResult> Stages => _stages;

        /// <summary>The first stage that failed, or null.</summary>
        public GraphTestStage? FailedStage => _stages.FirstOrDefault(s => s.Status == SmtpTestStageStatus.Failed)?.Stage;

        /// <summary>What the run concluded, the most serious first.</summary>
        public DisplayList<GraphTestFinding> Findings => _findings.OrderByDescending(f => f.Severity).ToList();

        /// <summary>When the run started (UTC).</summary>
        public DateTimeOffset StartedOn { get; internal set; }

        /// <summary>How long the whole run took.</summary>
        public TimeSpan Duration { get; internal set; }

        /// <summary>The most serious finding's meaning, or "All stages passed."</summary>
        public string Summary
        {
            get
            {
                GraphTestFinding? first = Findings.FirstOrDefault(f => f.Severity != FindingSeverity.Information);
                if (first != null) return $"{first.Id}: {first.Meaning}";
                return Overall == SmtpTestOutcome.Passed ? "All stages passed." : Overall.ToString();
            }
        }

        private readonly List<GraphTestStageResult> _stages = new List<GraphTestStageResult>();
        private readonly List<GraphTestFinding> _findings = new List<GraphTestFinding>();

        internal void AddStage(GraphTestStageResult stage) => _stages.Add(stage);

        internal void AddFinding(GraphTestFinding finding) => _findings.Add(finding);

        internal void RemoveFindings(Func<GraphTestFinding, bool> which) => _findings.RemoveAll(f => which(f));

        /// <summary>The report as text, the way the default view shows it (for logs and e-mails from runbooks).</summary>
        public string ToText()
        {
            var b = new StringBuilder();
            b.Append("Overall   : ").AppendLine(Overall.ToString());
            b.Append("Endpoint  : ").AppendLine(Endpoint);
            b.Append("Mailbox   : ").AppendLine((Mailbox ?? "-") + (From != null ? " (From " + From + ")" : "") + " with " + Method);
            b.AppendLine("Stages    :");
            foreach (GraphTestStageResult s in Stages) b.Append("  ").AppendLine(s.ToString());
            if (Token != null) b.Append("Token     : ").AppendLine(Token.ToString());
            b.AppendLine("Findings  :");
            if (_findings.Count == 0) b.AppendLine("  (none)");
            foreach (GraphTestFinding f in Findings)
            {
                b.Append("  [").Append(f.Severity).Append("] ").Append(f.Id).Append(" (").Append(f.Stage).AppendLine(")");
                b.Append("    Evidence    : ").AppendLine(f.Evidence);
                b.Append("    Meaning     : ").AppendLine(f.Meaning);
                b.Append("    Remediation : ").AppendLine(f.Remediation);
                foreach (string c in f.Commands) b.Append("    > ").AppendLine(c);
            }
            return b.ToString();
        }

        /// <summary><c>Failed reports@contoso.com (Mailbox): GraphErrorAccessDenied: …</c>.</summary>
        public override string ToString() => $"{Overall} {Mailbox ?? Endpoint}{(FailedStage is GraphTestStage s ? " (" + s + ")" : "")}: {Summary}";
    }
}
