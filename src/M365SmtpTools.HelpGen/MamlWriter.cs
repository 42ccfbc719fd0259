using System.Text;
using System.Xml;

namespace M365SmtpTools.HelpGen;

/// <summary>
/// Writes MAML in the shape PowerShell's Get-Help reads (modelled on the platyPS-generated sample in
/// shared/reference/maml-sample): details, description, syntax per parameter set, parameters, input and return types,
/// examples and related links. Output is deterministic so the committed file can be compared with a fresh one.
/// </summary>
public sealed class MamlWriter
{
    private const string Maml = "http://schemas.microsoft.com/maml/2004/10";
    private const string Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private const string Dev = "http://schemas.microsoft.com/maml/dev/2004/10";
    private readonly XmlDocs _docs;

    /// <summary>Creates a writer that takes its text from <paramref name="docs"/>.</summary>
    public MamlWriter(XmlDocs docs) => _docs = docs;

    /// <summary>The MAML document for the cmdlets, as a string with LF line ends.</summary>
    public string Write(IEnumerable<CmdletModel> cmdlets)
    {
        var sb = new StringBuilder();
        var settings = new XmlWriterSettings { Indent = true, IndentChars = "  ", NewLineChars = "\n", Encoding = new UTF8Encoding(false),
            OmitXmlDeclaration = false };
        using (var sw = new Utf8StringWriter(sb))
        using (XmlWriter w = XmlWriter.Create(sw, settings))
        {
            w.WriteStartDocument();
            w.WriteStartElement("helpItems", "http://msh");
            w.WriteAttributeString("schema", "maml");
            foreach (CmdletModel c in cmdlets) WriteCommand(w, c);
            w.WriteEndElement();
            w.WriteEndDocument();
        }
        return sb.ToString().Replace("\r\n", "\n") + "\n";
    }

    private void WriteCommand(XmlWriter w, CmdletModel c)
    {
        string typeId = "T:" + c.TypeFullName;
        w.WriteStartElement("command", "command", Command);
        w.WriteAttributeString("xmlns", "maml", null, Maml);
        w.WriteAttributeString("xmlns", "dev", null, Dev);

        w.WriteStartElement("command", "details", Command);
        w.WriteElementString("command", "name", Command, c.Name);
        w.WriteElementString("command", "verb", Command, c.Verb);
        w.WriteElementString("command", "noun", Command, c.Noun);
        Description(w, new[] { _docs.Summary(typeId) });
        w.WriteEndElement();

        Description(w, _docs.Remarks(typeId));

        List<ParameterModel> parameters = WithCommonParameters(c);
        w.WriteStartElement("command", "syntax", Command);
        foreach (string set in c.ParameterSetNames)
        {
            w.WriteStartElement("command", "syntaxItem", Command);
            w.WriteElementString("maml", "name", Maml, c.Name);
            foreach (ParameterModel p in Ordered(parameters.Where(p => p.InSet(set) != null), set))
                WriteParameter(w, p, p.InSet(set)!, valueGroup: true);
            w.WriteEndElement();
        }
        w.WriteEndElement();

        w.WriteStartElement("command", "parameters", Command);
        foreach (ParameterModel p in parameters.OrderBy(p => p.Name, StringComparer.Ordinal))
            WriteParameter(w, p, Merged(p), valueGroup: false);
        w.WriteEndElement();

        w.WriteStartElement("command", "inputTypes", Command);
        var piped = parameters.Where(p => p.Sets.Values.Any(s => s.ValueFromPipeline || s.ValueFromPipelineByPropertyName)).ToList();
        if (piped.Count == 0) TypeEntry(w, "inputType", "None", "This cmdlet doesn't take pipeline input.");
        // One entry per type, as first-party help has it (not one System.String per parameter).
        foreach (var group in piped.GroupBy(p => p.TypeFullName))
        {
            var sentences = new List<string>();
            foreach (ParameterModel p in group.Where(p => p.Sets.Values.Any(s => s.ValueFromPipeline)))
                sentences.Add($"You can pipe values for the {p.Name} parameter to this cmdlet.");
            var byName = group.Where(p => p.Sets.Values.Any(s => s.ValueFromPipelineByPropertyName)).Select(p => p.Name).ToList();
            if (byName.Count == 1) sentences.Add($"You can pipe objects with a property named {byName[0]} to this cmdlet.");
            else if (byName.Count > 1) sentences.Add($"You can pipe objects with properties named " +
                $"{string.Join(", ", byName.Take(byName.Count - 1))} or {byName[^1]} to this cmdlet.");
            TypeEntry(w, "inputType", group.Key, string.Join(" ", sentences));
        }
        w.WriteEndElement();

        w.WriteStartElement("command", "returnValues", Command);
        foreach (string output in c.OutputTypes.Distinct())
        {
            string summary = _docs.Summary("T:" + output);
            TypeEntry(w, "returnValue", output, summary.Length > 0 ? summary : $"This cmdlet returns {output} objects.");
        }
        w.WriteEndElement();

        w.WriteStartElement("command", "examples", Command);
        int n = 0;
        foreach (HelpExample e in _docs.Examples(typeId))
        {
            n++;
            w.WriteStartElement("command", "example", Command);
            w.WriteElementString("maml", "title", Maml, ExampleTitle(n, e.Title));
            w.WriteElementString("dev", "code", Dev, e.Code);
            w.WriteStartElement("dev", "remarks", Dev);
            foreach (string para in e.Remarks) w.WriteElementString("maml", "para", Maml, para);
            w.WriteEndElement();
            w.WriteEndElement();
        }
        w.WriteEndElement();

        w.WriteStartElement("command", "relatedLinks", Command);
        // The project has no hosted help pages, so no link carries a uri: Get-Help -Online opens the first link with
        // one, and a page about something else (or a link on some cmdlets only) would be worse than none. References
        // to other documentation keep their address in the text.
        foreach (HelpLink link in _docs.Links(typeId))
        {
            w.WriteStartElement("maml", "navigationLink", Maml);
            w.WriteElementString("maml", "linkText", Maml, link.Uri.Length == 0 || link.Text == link.Uri ? link.Text : $"{link.Text}: " +
                $"{link.Uri}");
            w.WriteElementString("maml", "uri", Maml, "");
            w.WriteEndElement();
        }
        w.WriteEndElement();

        w.WriteEndElement();
    }

    private void WriteParameter(XmlWriter w, ParameterModel p, ParameterSetModel s, bool valueGroup)
    {
        w.WriteStartElement("command", "parameter", Command);
        w.WriteAttributeString("required", s.Mandatory ? "true" : "false");
        w.WriteAttributeString("variableLength", "true");
        w.WriteAttributeString("globbing", p.SupportsWildcards ? "true" : "false");
        w.WriteAttributeString("pipelineInput", PipelineInput(s));
        w.WriteAttributeString("position", s.Position?.ToString() ?? "named");
        w.WriteAttributeString("aliases", p.Aliases.Count == 0 ? "none" : string.Join(", ", p.Aliases));
        w.WriteElementString("maml", "name", Maml, p.Name);
        Description(w, ParameterText(p));
        if (valueGroup && p.AllowedValues.Count > 0)
        {
            w.WriteStartElement("command", "parameterValueGroup", Command);
            foreach (string v in p.AllowedValues)
            {
                w.WriteStartElement("command", "parameterValue", Command);
                w.WriteAttributeString("required", "false");
                w.WriteAttributeString("command", "variableLength", Command, "false");
                w.WriteString(v);
                w.WriteEndElement();
            }
            w.WriteEndElement();
        }
        // A switch takes no value: without a parameterValue Get-Help shows [-WhatIf], not [-WhatIf <SwitchParameter>].
        if (!p.IsSwitch)
        {
            w.WriteStartElement("command", "parameterValue", Command);
            w.WriteAttributeString("required", "true");
            w.WriteAttributeString("variableLength", "false");
            w.WriteString(p.TypeFullName);
            w.WriteEndElement();
        }
        w.WriteStartElement("dev", "type", Dev);
        w.WriteElementString("maml", "name", Maml, p.TypeFullName);
        w.WriteElementString("maml", "uri", Maml, "");
        w.WriteEndElement();
        w.WriteElementString("dev", "defaultValue", Dev, DefaultValue(p));
        w.WriteEndElement();
    }

    /// <summary>
    /// The default a parameter's help states: a &lt;default&gt; in its doc comment (for defaults decided at run time,
    /// such as -Port by -Method), else the constant its property is initialised to, else what an unset property holds
    /// (False for a switch, an enum's zero member), else None. A property with both an initialiser and a &lt;default&gt;
    /// is refused: the two could disagree.
    /// </summary>
    public string DefaultValue(ParameterModel p)
    {
        if (p.IsSwitch) return "False";
        string? documented = p.DeclaringTypeFullName.Length == 0 ? null : _docs.Default($"P:{p.DeclaringTypeFullName}.{p.Name}");
        if (documented != null && p.Initializer != null)
            throw new InvalidOperationException($"{p.DeclaringTypeFullName}.{p.Name} is initialised to {p.Initializer} and also " +
                $"documents <default>{documented}</default>: remove the <default>, the initialiser is the default.");
        if (documented is { Length: > 0 }) return documented;
        if (p.Initializer != null) return p.Initializer;
        if (p.IsEnum && !p.IsNullable && p.EnumZeroName != null) return p.EnumZeroName;
        return "None";
    }

    /// <summary>"Example 1: Send a scanned invoice", centred in dashes to 64 characters as PowerShell's own help files have it.</summary>
    public static string ExampleTitle(int number, string? title)
    {
        string text = string.IsNullOrWhiteSpace(title) ? $"Example {number}" : $"Example {number}: {title}";
        if (text.Length > 62) return text;
        string dashes = new('-', (62 - text.Length) / 2);
        return $"{dashes} {text} {dashes}";
    }

    private IReadOnlyList<string> ParameterText(ParameterModel p)
    {
        if (p.DeclaringTypeFullName == "") return new[] { p.Name == "WhatIf"
            ? "Shows what would happen if the cmdlet runs. The cmdlet is not run."
            : "Prompts you for confirmation before running the cmdlet." };
        var paras = new List<string> { _docs.Summary($"P:{p.DeclaringTypeFullName}.{p.Name}") };
        paras.AddRange(_docs.Remarks($"P:{p.DeclaringTypeFullName}.{p.Name}"));
        return paras;
    }

    /// <summary>The cmdlet's parameters plus WhatIf and Confirm when it supports ShouldProcess, as Get-Help shows them.</summary>
    private static List<ParameterModel> WithCommonParameters(CmdletModel c)
    {
        var list = c.Parameters.ToList();
        if (c.SupportsShouldProcess)
        {
            var all = new Dictionary<string, ParameterSetModel> { [ParameterModel.AllSets] = new(false, null, false, false) };
            list.Add(new ParameterModel("WhatIf", "System.Management.Automation.SwitchParameter", "", new[] { "wi" },
                Array.Empty<string>(), all));
            list.Add(new ParameterModel("Confirm", "System.Management.Automation.SwitchParameter", "", new[] { "cf" },
                Array.Empty<string>(), all));
        }
        return list;
    }

    private static IEnumerable<ParameterModel> Ordered(IEnumerable<ParameterModel> ps, string set) =>
        ps.OrderBy(p => p.InSet(set)!.Position ?? int.MaxValue)
          .ThenBy(p => p.DeclaringTypeFullName == "" ? 2 : p.InSet(set)!.Mandatory ? 0 : 1)
          .ThenBy(p => p.Name, StringComparer.Ordinal);

    /// <summary>For the parameters section: required if required in every set it belongs to, pipeline if in any.</summary>
    private static ParameterSetModel Merged(ParameterModel p) => new(
        p.Sets.Values.All(s => s.Mandatory),
        p.Sets.Values.Select(s => s.Position).Distinct().Count() == 1 ? p.Sets.Values.First().Position : null,
        p.Sets.Values.Any(s => s.ValueFromPipeline),
        p.Sets.Values.Any(s => s.ValueFromPipelineByPropertyName));

    private static string PipelineInput(ParameterSetModel s) =>
        s.ValueFromPipeline && s.ValueFromPipelineByPropertyName ? "True (ByPropertyName, ByValue)"
        : s.ValueFromPipeline ? "True (ByValue)"
        : s.ValueFromPipelineByPropertyName ? "True (ByPropertyName)"
        : "False";

    private static void Description(XmlWriter w, IEnumerable<string> paragraphs)
    {
        w.WriteStartElement("maml", "description", Maml);
        foreach (string p in paragraphs) w.WriteElementString("maml", "para", Maml, p);
        w.WriteEndElement();
    }

    private static void TypeEntry(XmlWriter w, string element, string typeName, string text)
    {
        w.WriteStartElement("command", element, Command);
        w.WriteStartElement("dev", "type", Dev);
        w.WriteElementString("maml", "name", Maml, typeName);
        w.WriteEndElement();
        Description(w, new[] { text });
        w.WriteEndElement();
    }

    private sealed class Utf8StringWriter : StringWriter
    {
        public Utf8StringWriter(StringBuilder sb) : base(sb) { }
        public override Encoding Encoding => new UTF8Encoding(false);
    }
}
