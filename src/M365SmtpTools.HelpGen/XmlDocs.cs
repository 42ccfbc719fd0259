using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using M365SmtpTools.Engine;

namespace M365SmtpTools.HelpGen;

/// <summary>An example from a doc comment: optional title, the code a person runs, and what it does.</summary>
public sealed record HelpExample(string? Title, string Code, IReadOnlyList<string> Remarks);

/// <summary>A related link from a doc comment's seealso.</summary>
public sealed record HelpLink(string Text, string Uri);

/// <summary>Reads the compiler's XML documentation files and turns doc elements into help text.</summary>
public sealed class XmlDocs
{
    private readonly Dictionary<string, XElement> _members = new(StringComparer.Ordinal);

    /// <summary>
    /// Loads every XML documentation file given. A <c>&lt;text cref="F:..."/&gt;</c> element in a doc comment stands for
    /// the value of that string constant (text shared with the command line, e.g. AuthParameterText), which
    /// <paramref name="stringConstant"/> looks up; its <c>{Name}</c> placeholders become <c>-Name</c>.
    /// </summary>
    public XmlDocs(IEnumerable<string> files, Func<string, string?>? stringConstant = null)
    {
        foreach (string file in files.Where(File.Exists))
            foreach (XElement member in XDocument.Load(file).Descendants("member"))
            {
                string name = (string)member.Attribute("name")!;
                foreach (XElement text in member.Descendants("text").Where(e => e.Attribute("cref") != null).ToList())
                {
                    string cref = (string)text.Attribute("cref")!;
                    string value = stringConstant?.Invoke(cref)
                        ?? throw new InvalidOperationException($"The doc comment of {name} takes its text from {cref}, " +
                            $"which is not a string constant.");
                    text.ReplaceWith(new XText(ParameterText.ForPowerShell(value)));
                }
                _members[name] = member;
            }
    }

    /// <summary>The doc element of a type (T:) or property (P:), or null.</summary>
    public XElement? Member(string id) => _members.TryGetValue(id, out XElement? e) ? e : null;

    /// <summary>The summary of a member as one paragraph of plain text ("" when missing).</summary>
    public string Summary(string id) => string.Join(" ", Paragraphs(Member(id)?.Element("summary")));

    /// <summary>The remarks of a member as paragraphs.</summary>
    public IReadOnlyList<string> Remarks(string id) => Paragraphs(Member(id)?.Element("remarks"));

    /// <summary>The examples of a member.</summary>
    public IReadOnlyList<HelpExample> Examples(string id) =>
        (Member(id)?.Elements("example") ?? Enumerable.Empty<XElement>())
            .Select(e => new HelpExample(
                e.Element("title") is { } t ? Inline(t) : null,
                Code(e.Element("code")),
                Paragraphs(new XElement("x", e.Nodes().Where(n => n is not XElement x || (x.Name != "code" && x.Name != "title"))))))
            .ToList();

    /// <summary>The documented default value of a property (its &lt;default&gt; element) as plain text, or null.</summary>
    public string? Default(string id) => Member(id)?.Element("default") is { } d ? Inline(d) : null;

    /// <summary>The seealso links of a member (href links and cmdlet crefs).</summary>
    public IReadOnlyList<HelpLink> Links(string id) =>
        (Member(id)?.Elements("seealso") ?? Enumerable.Empty<XElement>())
            .Select(e => e.Attribute("href") is { } href
                ? new HelpLink(Inline(e) is { Length: > 0 } text ? text : href.Value, href.Value)
                : new HelpLink(CrefName((string?)e.Attribute("cref") ?? ""), ""))
            .ToList();

    /// <summary>Splits an element into paragraphs: each para element is one, loose text between them is one.</summary>
    public static IReadOnlyList<string> Paragraphs(XElement? element)
    {
        if (element == null) return Array.Empty<string>();
        var result = new List<string>();
        var loose = new StringBuilder();
        void Flush()
        {
            string text = Collapse(loose.ToString());
            if (text.Length > 0) result.Add(text);
            loose.Clear();
        }
        foreach (XNode node in element.Nodes())
        {
            if (node is XElement e && e.Name == "para") { Flush(); string p = Inline(e); if (p.Length > 0) result.Add(p); }
            else if (node is XElement list && list.Name == "list")
            {
                Flush();
                foreach (XElement item in list.Elements("item"))
                    result.Add("- " + Inline(item.Element("description") ?? item));
            }
            else loose.Append(node is XElement inl ? InlineRaw(inl) : node is XText t ? t.Value : "");
        }
        Flush();
        return result;
    }

    private static string Inline(XElement element) =>
        Collapse(string.Concat(element.Nodes().Select(n => n is XElement e ? InlineRaw(e) : n is XText t ? t.Value : "")));

    private static string InlineRaw(XElement e) => e.Name.LocalName switch
    {
        "c" => "`" + e.Value + "`",
        "see" or "seealso" => e.Attribute("href") is { } h
            ? (e.Value.Length > 0 ? e.Value : h.Value)
            : e.Attribute("langword")?.Value ?? CrefName((string?)e.Attribute("cref") ?? ""),
        "paramref" or "typeparamref" => (string?)e.Attribute("name") ?? "",
        _ => string.Concat(e.Nodes().Select(n => n is XElement c ? InlineRaw(c) : n is XText t ? t.Value : "")),
    };

    /// <summary>A cref's display name: a cmdlet class name becomes Verb-Noun by convention, other types their short name.</summary>
    public static string CrefName(string cref)
    {
        string name = cref.Contains(':') ? cref[(cref.IndexOf(':') + 1)..] : cref;
        name = name[(name.LastIndexOf('.') + 1)..];
        Match m = Regex.Match(name, "^([A-Z][a-z]+)(M365[A-Za-z0-9]+)Command$");
        return m.Success ? $"{m.Groups[1].Value}-{m.Groups[2].Value}" : name;
    }

    private static string Code(XElement? code)
    {
        if (code == null) return "";
        string[] lines = code.Value.Replace("\r\n", "\n").Split('\n');
        int start = 0, end = lines.Length;
        while (start < end && lines[start].Trim().Length == 0) start++;
        while (end > start && lines[end - 1].Trim().Length == 0) end--;
        var body = lines[start..end];
        // Code that starts on the <code> line has no indentation of its own there; the doc comment's indentation is
        // measured on the lines after it.
        bool firstOnCodeLine = start == 0;
        int indent = body.Skip(firstOnCodeLine ? 1 : 0).Where(l => l.Trim().Length > 0)
            .Select(l => l.Length - l.TrimStart().Length).DefaultIfEmpty(0).Min();
        return string.Join("\n",
            body.Select((l, i) => i == 0 && firstOnCodeLine ? l.Trim() : l.Length >= indent ? l[indent..].TrimEnd() : l.Trim()));
    }

    private static string Collapse(string text) => Regex.Replace(text, @"\s+", " ").Trim();
}
