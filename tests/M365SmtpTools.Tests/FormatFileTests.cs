using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;

namespace M365SmtpTools.Tests;

/// <summary>The format file is valid against PowerShell's Format.xsd and only names types the module outputs.</summary>
public sealed class FormatFileTests
{
    private static string FormatFile => Path.Combine(ModuleLayout.ModuleDir, "M365SmtpTools.Format.ps1xml");

    [Fact]
    public void ValidatesAgainstPowerShellsFormatSchema()
    {
        string xsd = ModuleLayout.RequireSharedReference("powershell-schemas/Format.xsd");
        var schemas = new XmlSchemaSet();
        using (var r = XmlReader.Create(xsd)) schemas.Add(null, r);
        var errors = new List<string>();
        var settings = new XmlReaderSettings { ValidationType = ValidationType.Schema, Schemas = schemas };
        settings.ValidationEventHandler += (_, e) => errors.Add($"line {e.Exception.LineNumber}: {e.Message}");
        using (var reader = XmlReader.Create(FormatFile, settings)) while (reader.Read()) { }
        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));
    }

    [Fact]
    public void EveryViewNamesAnExistingTypeAndEveryOutputTypeHasAView()
    {
        using var reader = ModuleLayout.OpenReader();
        var engine = reader.LoadAssembly(ModuleLayout.EngineAssembly);
        var known = engine.GetExportedTypes().Select(t => t.FullName!).ToHashSet();
        var viewed = XDocument.Load(FormatFile).Descendants("TypeName").Select(t => t.Value.Trim()).ToHashSet();
        foreach (string type in viewed) Assert.True(known.Contains(type), $"the format file names {type}, which the engine doesn't define");
        foreach (var cmdlet in reader.ReadCmdlets())
            foreach (string output in cmdlet.OutputTypes.Where(known.Contains))
                Assert.True(viewed.Contains(output), $"{cmdlet.Name} outputs {output}, which has no view in the format file");
    }
}
