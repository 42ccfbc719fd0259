using M365SmtpTools.Cli.Output;
using M365SmtpTools.Engine;

namespace M365SmtpTools.Cli.Commands;

/// <summary>Human output shared by the plan and report commands: findings as a table, sections with a title.</summary>
internal static class PlanOutput
{
    /// <summary>Writes a titled section (nothing for no lines).</summary>
    public static void Section(CliOutput output, string title, IEnumerable<string> lines)
    {
        var list = lines.Where(l => !string.IsNullOrEmpty(l)).ToList();
        if (list.Count == 0) return;
        output.WriteLine(title + ":");
        foreach (string line in list)
            foreach (string part in line.Replace("\r\n", "\n").Split('\n')) output.WriteLine("  " + part);
        output.WriteLine();
    }

    /// <summary>Writes findings (severity, id, message, fix) as a table, most severe first.</summary>
    public static void Findings(CliOutput output, IEnumerable<(FindingSeverity Severity, string Id, string Message, string? Fix)> findings)
    {
        var table = new TextTable("SEVERITY", "ID", "FINDING", "FIX");
        foreach (var f in findings.OrderByDescending(f => f.Severity)) table.Add(f.Severity.ToString(), f.Id, f.Message, f.Fix);
        if (table.Count == 0) return;
        output.WriteTable(table);
        output.WriteLine();
    }
}
