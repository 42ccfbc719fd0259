using System.Collections.Generic;
using System.Linq;
using M365SmtpTools.Engine.Exchange;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>
    /// How a plan ends, the same for every plan: with -ScriptPath the script is written (after ShouldProcess) unless the
    /// plan has errors that -Force doesn't override; then the plan is written, and then the error for a script not
    /// written, aimed at its path (the plan is still there to read).
    /// </summary>
    internal static class PlanScriptWriter
    {
        /// <summary>Writes the script if it should be; returns the path written, or null.</summary>
        internal static string? WriteScript(IOperationHost host, string? scriptPath, string script, bool ready, bool force, string action,
            out M365SmtpException? notWritten, IEnumerable<PlanFinding> findings, ErrorCode hasErrors, string fix)
        {
            notWritten = null;
            if (scriptPath == null) return null;
            if (!ready)
            {
                notWritten = new M365SmtpException(hasErrors, $"The script {scriptPath} was not written because the plan has errors: "
                    + string.Join(" ", findings.Where(f => f.Severity == FindingSeverity.Error).Select(f => f.Id + ": " + f.Message)))
                { TargetObject = scriptPath, RecommendedAction = fix };
                return null;
            }
            if (!host.ShouldProcess(scriptPath, action)) return null;
            PrivateOutputFile.WriteText(scriptPath, script, force, OutputFileKind.Script, byteOrderMark: true); // BOM: Windows PowerShell 5.1 reads it as UTF-8
            host.WriteVerbose($"Wrote {scriptPath}.");
            return scriptPath;
        }
    }
}
