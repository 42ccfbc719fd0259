using System.Xml.Linq;

namespace M365SmtpTools.Tests;

/// <summary>The committed help equals what the generator makes from the code, and it is complete.</summary>
public sealed class HelpTests
{
    private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    private static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

    private static string Generated => Path.Combine(ModuleLayout.ModuleDir, "en-US", "M365SmtpTools.dll-Help.xml");
    private static string Committed => Path.Combine(ModuleLayout.RepoRoot, "en-US", "M365SmtpTools.dll-Help.xml");

    [Fact]
    public void CommittedHelpEqualsWhatTheGeneratorProduces()
    {
        // The build generated out/…/en-US from the current code; regenerate here with the build's own arguments too,
        // so a stale out/ can't hide drift.
        string rsp = Directory.GetFiles(Path.Combine(ModuleLayout.RepoRoot, "src", "M365SmtpTools", "obj"), "helpgen.rsp", SearchOption.AllDirectories)
            .OrderByDescending(File.GetLastWriteTimeUtc).First();
        string freshFile = Path.Combine(Path.GetTempPath(), $"m365-help-{Guid.NewGuid():N}.xml");
        Assert.Equal(0, HelpGen.Program.Main(new[] { "@" + rsp, "--out=" + freshFile }));
        string fresh = File.ReadAllText(freshFile);
        File.Delete(freshFile);
        Assert.True(File.Exists(Committed), "en-US/M365SmtpTools.dll-Help.xml is not committed: run 'dotnet build -p:UpdateHelp=true'.");
        string committed = File.ReadAllText(Committed).Replace("\r\n", "\n");
        Assert.True(committed == File.ReadAllText(Generated).Replace("\r\n", "\n"),
            "The committed help differs from the help the build generated: run 'dotnet build -p:UpdateHelp=true' and commit en-US/.");
        Assert.True(committed == fresh, "The committed help differs from a fresh generation: run 'dotnet build -p:UpdateHelp=true' and commit en-US/.");
    }

    [Fact]
    public void EveryCmdletHasSynopsisDescriptionParameterTextAndTwoRealExamples()
    {
        XDocument help = XDocument.Load(Committed);
        var commands = help.Root!.Elements(Command + "command").ToList();
        Assert.NotEmpty(commands);
        var problems = new List<string>();
        foreach (XElement c in commands)
        {
            string name = c.Element(Command + "details")!.Element(Command + "name")!.Value;
            if (Text(c.Element(Command + "details")!.Element(Maml + "description")).Length < 10) problems.Add($"{name}: no synopsis");
            if (Text(c.Element(Maml + "description")).Length < 40) problems.Add($"{name}: no description");
            foreach (XElement p in c.Element(Command + "parameters")!.Elements(Command + "parameter"))
                if (Text(p.Element(Maml + "description")).Length < 10) problems.Add($"{name} -{p.Element(Maml + "name")!.Value}: not described");
            var examples = c.Element(Command + "examples")!.Elements(Command + "example").ToList();
            if (examples.Count < 2) problems.Add($"{name}: {examples.Count} examples, at least 2 needed");
            foreach (XElement e in examples)
            {
                if (!e.Element(Dev + "code")!.Value.Contains(name, StringComparison.OrdinalIgnoreCase)) problems.Add($"{name}: an example doesn't run {name}");
                if (Text(e.Element(Dev + "remarks")).Length < 10) problems.Add($"{name}: an example has no explanation");
            }
        }
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void TheAboutTopicExplainsTheThreeSendingMethods()
    {
        string about = File.ReadAllText(Path.Combine(ModuleLayout.ModuleDir, "en-US", "about_M365SmtpTools.help.txt"));
        Assert.StartsWith("TOPIC", about.TrimStart());
        foreach (string term in new[] { "about_M365SmtpTools", "client submission", "relay", "direct send", "smtp.office365.com", "mail.protection.outlook.com" })
            Assert.Contains(term, about, StringComparison.OrdinalIgnoreCase);
    }

    private static string Text(XElement? e) => e == null ? "" : string.Join(" ", e.Descendants(Maml + "para").Select(p => p.Value)).Trim();
}
