using System;
using System.Collections.Generic;
using System.Linq;
using M365SmtpTools.Engine.Exchange;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>
    /// The script a plan writes with -ScriptPath: where (<see cref="Path"/>, null without -ScriptPath), the text, whether
    /// the plan may write it (<see cref="Ready"/>: no Error findings, or forced), whether an existing file is replaced,
    /// the ShouldProcess action, and the error code and fix for a plan whose errors kept it from being written.
    /// </summary>
    internal sealed record PlanScript(string? Path, string Text, bool Ready, bool Force, string Action, ErrorCode HasErrors, string Fix);

    /// <summary>
    /// How every plan begins and ends with its script: the -ScriptPath is checked before anything else, and at the end the
    /// script is written (after ShouldProcess) unless the plan has errors that -Force doesn't override; then the plan is
    /// written, and then the error for a script not written, aimed at its path (the plan is still there to read).
    /// </summary>
    internal static class PlanScriptWriter
    {
        /// <summary>The -ScriptPath to write, trimmed; null when none was given.</summary>
        /// <exception cref="M365SmtpException">ScriptPathNotPs1 when it doesn't end in .ps1.</exception>
        internal static string? CheckedPath(string? scriptPath, string example)
        {
            string? path = string.IsNullOrWhiteSpace(scriptPath) ? null : scriptPath!.Trim();
            if (path != null && !path.EndsWith(".ps1", StringComparison.OrdinalIgnoreCase))
                throw new M365SmtpException(PlanErrorCodes.ScriptPathNotPs1, $"-ScriptPath '{path}' must name a .ps1 file.")
                {
                    TargetObject = path,
                    ParameterName = "ScriptPath",
                    RecommendedAction = $"Give a path ending in .ps1, for example {example}.",
                };
            return path;
        }

        /// <summary>
        /// Writes the script if it should be, gives the plan the path written (or null), writes the plan as the result,
        /// then the error of a script its errors kept from being written.
        /// </summary>
        internal static void Finish<TPlan>(IOperationHost<TPlan> host, TPlan plan, PlanScript script, IEnumerable<PlanFinding> findings,
            Action<TPlan, string?> setScriptPath)
        {
            M365SmtpException? notWritten = null;
            string? written = null;
            if (script.Path != null && !script.Ready)
                notWritten = new M365SmtpException(script.HasErrors,
                    $"The script {script.Path} was not written because the plan has errors: "
                    + string.Join(" ", findings.Where(f => f.Severity == FindingSeverity.Error).Select(f => f.Id + ": " + f.Message)))
                { TargetObject = script.Path, RecommendedAction = script.Fix };
            else if (script.Path != null && host.ShouldProcess(script.Path, script.Action))
            {
                // BOM: Windows PowerShell 5.1 reads it as UTF-8.
                PrivateOutputFile.WriteText(script.Path, script.Text, script.Force, OutputFileKind.Script, byteOrderMark: true);
                host.WriteVerbose($"Wrote {script.Path}.");
                written = script.Path;
            }
            setScriptPath(plan, written);
            host.WriteResult(plan);
            if (notWritten != null) host.WriteError(notWritten);
        }
    }
}
