using System;
using System.Collections.Generic;
using System.Linq;

namespace M365SmtpTools.Engine.Operations
{
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
}
