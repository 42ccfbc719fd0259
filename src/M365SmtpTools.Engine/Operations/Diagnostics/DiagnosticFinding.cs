using System;
using System.Collections.Generic;
using System.Linq;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>
    /// One conclusion of a diagnostic run (Test-M365SmtpAuth, Test-M365GraphSend): what was seen, what it means, what to
    /// do and the commands to run. Each command has its own sealed type, so PowerShell's views and the type names
    /// scripts test for stay per command.
    /// </summary>
    /// <typeparam name="TStage">The command's stages.</typeparam>
    public abstract class DiagnosticFinding<TStage> where TStage : struct, Enum
    {
        private protected DiagnosticFinding(string id, FindingSeverity severity, TStage stage, string evidence, string meaning,
            string remediation, IReadOnlyList<string>? commands)
        {
            Id = id;
            Severity = severity;
            Stage = stage;
            Evidence = evidence;
            Meaning = meaning;
            Remediation = remediation;
            Commands = (commands ?? Array.Empty<string>()).ToArray();
        }

        /// <summary>A stable id (for server answers, the same id the send commands give the same answer).</summary>
        public string Id { get; }

        /// <summary>Error (sending fails until fixed), Warning or Information.</summary>
        public FindingSeverity Severity { get; }

        /// <summary>The stage it belongs to.</summary>
        public TStage Stage { get; }

        /// <summary>What was seen: the server's exact answer, the certificate's names, the token's claims (never the token).</summary>
        public string Evidence { get; }

        /// <summary>What it means.</summary>
        public string Meaning { get; }

        /// <summary>What to do, in words.</summary>
        public string Remediation { get; }

        /// <summary>The commands to run (Exchange Online PowerShell, Entra ID, this module), values filled in where known.</summary>
        public string[] Commands { get; }

        /// <summary><c>Error SmtpAuthDisabled: meaning</c>.</summary>
        public override string ToString() => $"{Severity} {Id}: {Meaning}";
    }
}
