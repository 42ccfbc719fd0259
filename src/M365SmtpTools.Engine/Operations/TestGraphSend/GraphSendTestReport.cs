using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using M365SmtpTools.Engine.Auth;

namespace M365SmtpTools.Engine.Operations
{
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

        /// <summary>How the token was obtained (AppCertificate, AppSecret, ManagedIdentity, DeviceCode, Interactive,
        /// AccessToken).</summary>
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
        public string Summary => DiagnosticReportText.Summary<GraphTestStage>(Findings, Overall);

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
            DiagnosticReportText.AppendFindings<GraphTestStage>(b, Findings);
            return b.ToString();
        }

        /// <summary><c>Failed reports@contoso.com (Mailbox): GraphErrorAccessDenied: …</c>.</summary>
        public override string ToString() =>
            $"{Overall} {Mailbox ?? Endpoint}{(FailedStage is GraphTestStage s ? " (" + s + ")" : "")}: {Summary}";
    }
}
