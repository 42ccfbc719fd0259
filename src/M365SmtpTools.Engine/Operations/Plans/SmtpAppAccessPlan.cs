using System;
using System.Linq;
using M365SmtpTools.Engine.Exchange;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>One step of a plan: what to do, why, and the command that does it.</summary>
    public sealed class PlanStep
    {
        /// <summary>Creates the step.</summary>
        public PlanStep(int order, string title, string why, string command, string runIn, bool inScript)
        {
            Order = order;
            Title = title;
            Why = why;
            Command = command;
            RunIn = runIn;
            InScript = inScript;
        }

        /// <summary>1, 2, 3 ...: the order to do the steps in.</summary>
        public int Order { get; }

        /// <summary>What the step does.</summary>
        public string Title { get; }

        /// <summary>Why it is needed.</summary>
        public string Why { get; }

        /// <summary>The command (or, for steps outside Exchange Online, guidance commands) that does it.</summary>
        public string Command { get; }

        /// <summary>Where it is done: Exchange Online PowerShell, or Microsoft Entra ID.</summary>
        public string RunIn { get; }

        /// <summary>True when the generated script runs it; false for steps done elsewhere (shown as comments).</summary>
        public bool InScript { get; }

        /// <inheritdoc />
        public override string ToString() => $"{Order}. {Title}";
    }

    /// <summary>The output of New-M365SmtpAppAccessPlan: checks and steps that let an app send with app-only OAuth over SMTP.</summary>
    public sealed class SmtpAppAccessPlan
    {
        /// <summary>The application (client) id.</summary>
        public Guid AppId { get; internal set; }

        /// <summary>The service principal (Enterprise application) object id.</summary>
        public Guid ServicePrincipalObjectId { get; internal set; }

        /// <summary>The mailboxes the app authenticates as.</summary>
        public DisplayList<string> Mailbox { get; internal set; } = DisplayList<string>.Empty;

        /// <summary>The other addresses it sends as.</summary>
        public DisplayList<string> SendAs { get; internal set; } = DisplayList<string>.Empty;

        /// <summary>MailboxPermission or AppRbac.</summary>
        public SmtpAppAccessModel Model { get; internal set; }

        /// <summary>True when no finding is an Error.</summary>
        public bool IsReady => Findings.All(f => f.Severity != FindingSeverity.Error);

        /// <summary>Every check's result, errors first.</summary>
        public DisplayList<PlanFinding> Findings { get; internal set; } = DisplayList<PlanFinding>.Empty;

        /// <summary>The steps, in order.</summary>
        public DisplayList<PlanStep> Steps { get; internal set; } = DisplayList<PlanStep>.Empty;

        /// <summary>What to grant (or not) in Microsoft Entra ID.</summary>
        public string EntraPermission { get; internal set; } = "";

        /// <summary>The scope the app requests its token for (client credentials flow).</summary>
        public string TokenScope { get; internal set; } = "https://outlook.office365.com/.default";

        /// <summary>The whole plan as a PowerShell script (written to <see cref="ScriptPath"/> with -ScriptPath).</summary>
        public string Script { get; internal set; } = "";

        /// <summary>True for a plan for Microsoft Graph sendMail (New-M365SmtpAppAccessPlan -Graph).</summary>
        public bool Graph { get; internal set; }

        /// <summary>The script file that was written, or null.</summary>
        public string? ScriptPath { get; internal set; }

        /// <inheritdoc />
        public override string ToString() => $"SMTP app access plan for app {AppId} ({Model}): {(IsReady ? "ready" : "has errors")}";
    }
}
