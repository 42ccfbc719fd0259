using System;
using System.Collections.Generic;
using System.Linq;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>
    /// One conclusion of the run: what was seen (the exact reply), what it means, and what to do, with the exact
    /// Exchange Online / Entra ID commands to paste.
    /// </summary>
    public sealed class SmtpTestFinding
    {
        internal SmtpTestFinding(string id, FindingSeverity severity, SmtpTestStage stage, string evidence, string meaning, string remediation, IReadOnlyList<string>? commands = null)
        {
            Id = id;
            Severity = severity;
            Stage = stage;
            Evidence = evidence;
            Meaning = meaning;
            Remediation = remediation;
            Commands = (commands ?? Array.Empty<string>()).ToArray();
        }

        /// <summary>A stable id (the reply catalogue's id for server replies, e.g. <c>SmtpAuthDisabled</c>).</summary>
        public string Id { get; }

        /// <summary>Error (sending fails until fixed), Warning or Information.</summary>
        public FindingSeverity Severity { get; }

        /// <summary>The stage it belongs to.</summary>
        public SmtpTestStage Stage { get; }

        /// <summary>What was seen: the server's exact reply, the certificate's names, the token's claims (never the token).</summary>
        public string Evidence { get; }

        /// <summary>What it means.</summary>
        public string Meaning { get; }

        /// <summary>What to do, in words.</summary>
        public string Remediation { get; }

        /// <summary>The commands to run (Exchange Online PowerShell, Entra ID), values filled in where known.</summary>
        public string[] Commands { get; }

        /// <summary><c>Error SmtpAuthDisabled: meaning</c>.</summary>
        public override string ToString() => $"{Severity} {Id}: {Meaning}";
    }
}
