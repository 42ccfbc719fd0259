namespace M365SmtpTools.Cli.Output;

/// <summary>A plain-text table: a header row, then rows, columns padded to the widest cell; numeric columns right-aligned.</summary>
internal sealed class TextTable
{
    private readonly string[] _headers;
    private readonly bool[] _rightAligned;
    private readonly List<string[]> _rows = new();

    /// <summary>Creates a table; a header starting with '>' is right-aligned (the '>' is not shown).</summary>
    public TextTable(params string[] headers)
    {
        _rightAligned = headers.Select(h => h.StartsWith('>')).ToArray();
        _headers = headers.Select(h => h.TrimStart('>')).ToArray();
    }

    /// <summary>The number of rows added.</summary>
    public int Count => _rows.Count;

    /// <summary>Adds a row (missing cells are empty, null cells print as empty).</summary>
    public void Add(params string?[] cells) =>
        _rows.Add(Enumerable.Range(0, _headers.Length).Select(i => i < cells.Length ? Clean(cells[i]) : "").ToArray());

    /// <summary>The lines of the table, without trailing spaces.</summary>
    public IEnumerable<string> Render()
    {
        int[] widths = Enumerable.Range(0, _headers.Length)
            .Select(i => _rows.Select(r => r[i].Length).Append(_headers[i].Length).Max()).ToArray();
        yield return Line(_headers, widths);
        foreach (string[] row in _rows) yield return Line(row, widths);
    }

    private string Line(string[] cells, int[] widths) =>
        string.Join("  ", cells.Select((c, i) => _rightAligned[i] ? c.PadLeft(widths[i]) : c.PadRight(widths[i]))).TrimEnd();

    private static string Clean(string? cell) => (cell ?? "").Replace('\r', ' ').Replace('\n', ' ');
}
