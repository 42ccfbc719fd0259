using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using M365SmtpTools.Engine;
using M365SmtpTools.Engine.Auth;
using M365SmtpTools.HelpGen;

namespace M365SmtpTools.Tests;

/// <summary>
/// The committed help equals what the generator makes from the code, it is complete, and it reads like a first-party
/// cmdlet's: switches without a value, nullable types unwrapped, enum values listed, real defaults, wildcards where
/// they are expanded, short example titles, whole example code, no online links (tests/pester/Help.Tests.ps1 checks
/// the same as Get-Help renders it).
/// </summary>
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
        string rsp = Directory.GetFiles(Path.Combine(ModuleLayout.RepoRoot, "src", "M365SmtpTools", "obj"), "helpgen.rsp",
                SearchOption.AllDirectories)
            .OrderByDescending(File.GetLastWriteTimeUtc).First();
        string freshFile = Path.Combine(Path.GetTempPath(), $"m365-help-{Guid.NewGuid():N}.xml");
        Assert.Equal(0, HelpGen.Program.Main(new[] { "@" + rsp, "--out=" + freshFile }));
        string fresh = File.ReadAllText(freshFile);
        File.Delete(freshFile);
        Assert.True(File.Exists(Committed), "en-US/M365SmtpTools.dll-Help.xml is not committed: run 'dotnet build -p:UpdateHelp=true'.");
        string committed = File.ReadAllText(Committed).Replace("\r\n", "\n");
        Assert.True(committed == File.ReadAllText(Generated).Replace("\r\n", "\n"),
            "The committed help differs from the help the build generated: run 'dotnet build -p:UpdateHelp=true' and commit en-US/.");
        Assert.True(committed == fresh,
            "The committed help differs from a fresh generation: run 'dotnet build -p:UpdateHelp=true' and commit en-US/.");
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
                if (Text(p.Element(Maml + "description")).Length < 10)
                    problems.Add($"{name} -{p.Element(Maml + "name")!.Value}: not described");
            var examples = c.Element(Command + "examples")!.Elements(Command + "example").ToList();
            if (examples.Count < 2) problems.Add($"{name}: {examples.Count} examples, at least 2 needed");
            foreach (XElement e in examples)
            {
                if (!e.Element(Dev + "code")!.Value.Contains(name, StringComparison.OrdinalIgnoreCase))
                    problems.Add($"{name}: an example doesn't run {name}");
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
        foreach (string term in new[] { "about_M365SmtpTools", "client submission", "relay", "direct send", "smtp.office365.com",
            "mail.protection.outlook.com" })
            Assert.Contains(term, about, StringComparison.OrdinalIgnoreCase);
    }

    private static List<XElement> Commands() => XDocument.Load(Committed).Root!.Elements(Command + "command").ToList();

    private static string NameOf(XElement command) => command.Element(Command + "details")!.Element(Command + "name")!.Value;

    private static string ParameterName(XElement parameter) => parameter.Element(Maml + "name")!.Value;

    private static string TypeOf(XElement parameter) => parameter.Element(Dev + "type")!.Element(Maml + "name")!.Value;

    [Fact]
    public void SwitchesTakeNoValueAndNoTypeIsNullable()
    {
        var problems = new List<string>();
        foreach (XElement c in Commands())
        foreach (XElement p in c.Descendants(Command + "parameter"))
        {
            bool isSwitch = TypeOf(p) == "System.Management.Automation.SwitchParameter";
            var value = p.Elements(Command + "parameterValue").ToList();
            if (isSwitch && value.Count > 0) problems.Add($"{NameOf(c)} -{ParameterName(p)}: a switch with a value ({value[0].Value})");
            if (!isSwitch && value.Count != 1) problems.Add($"{NameOf(c)} -{ParameterName(p)}: {value.Count} values");
        }
        string text = File.ReadAllText(Committed);
        if (text.Contains("Nullable", StringComparison.Ordinal)) problems.Add("the help names a Nullable type");
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void EnumParametersListTheirValuesInEverySyntaxItem()
    {
        using CmdletMetadataReader reader = ModuleLayout.OpenReader();
        var problems = new List<string>();
        int enums = 0;
        foreach (CmdletModel cmdlet in reader.ReadCmdlets())
        {
            Type type = reader.Assembly.GetType(cmdlet.TypeFullName, throwOnError: true)!;
            XElement c = Commands().Single(x => NameOf(x) == cmdlet.Name);
            foreach (XElement p in c.Element(Command + "syntax")!.Descendants(Command + "parameter"))
            {
                PropertyInfo? property = type.GetProperty(ParameterName(p));
                if (property == null) continue; // WhatIf, Confirm
                Type valueType = property.PropertyType.IsGenericType
                    && property.PropertyType.GetGenericTypeDefinition().FullName == "System.Nullable`1"
                    ? property.PropertyType.GetGenericArguments()[0] : property.PropertyType;
                var listed = p.Element(Command + "parameterValueGroup")?.Elements(Command + "parameterValue")
                    .Select(v => v.Value).ToList() ?? new List<string>();
                if (!valueType.IsEnum) continue;
                enums++;
                if (!listed.SequenceEqual(valueType.GetEnumNames()))
                    problems.Add($"{cmdlet.Name} -{property.Name}: lists {{{string.Join(" | ", listed)}}}, " +
                        $"the enum has {{{string.Join(" | ", valueType.GetEnumNames())}}}");
                if (TypeOf(p) != valueType.FullName)
                    problems.Add($"{cmdlet.Name} -{property.Name}: type {TypeOf(p)}, not {valueType.FullName}");
            }
        }
        Assert.True(enums >= 10, $"only {enums} enum parameters found: the check lost its subject");
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Theory]
    [InlineData("Send-M365Mail", "Method", "ClientSubmission")] // initialiser (engine enum)
    [InlineData("Send-M365Mail", "Endpoint", "ClientSubmission")]
    [InlineData("Send-M365Mail", "Encoding", "Auto")]
    [InlineData("Send-M365Mail", "MaxRetry", "3")] // initialiser (int)
    [InlineData("Send-M365Mail", "Environment", "Commercial")] // initialiser in the base class
    [InlineData("Send-M365Mail", "DeliveryNotification", "Default")] // no initialiser: the enum's zero member
    [InlineData("Send-M365Mail", "Port", "587 (ClientSubmission), 25 (Relay, DirectSend)")] // <default>: decided at run time
    [InlineData("Send-M365Mail", "MaxConnections", "1")]
    [InlineData("Send-M365Mail", "Priority", "None")] // nullable, unset
    [InlineData("Send-M365Mail", "RequireTls", "False")]
    [InlineData("Send-M365Mail", "WhatIf", "False")]
    [InlineData("Connect-M365Smtp", "Port", "587")]
    [InlineData("Connect-M365Smtp", "Name", "Default")]
    [InlineData("Test-M365SmtpAuth", "TimeoutSeconds", "30")]
    [InlineData("Test-M365SmtpAuth", "Mechanism", "Auto")]
    [InlineData("Test-M365SmtpAuth", "Port", "The session connection's port, else 587")]
    [InlineData("Get-M365MxEndpoint", "TimeoutSeconds", "3")]
    [InlineData("Test-M365MailDomain", "TimeoutSeconds", "3")]
    [InlineData("New-M365RelayConnectorPlan", "ConnectorType", "OnPremises")]
    [InlineData("New-M365SmtpAppAccessPlan", "Model", "MailboxPermission")]
    [InlineData("New-M365SmtpAppAccessPlan", "AppId", "None")]
    public void ParametersShowTheirRealDefault(string cmdlet, string parameter, string expected)
    {
        XElement c = Commands().Single(x => NameOf(x) == cmdlet);
        var defaults = c.Descendants(Command + "parameter").Where(p => ParameterName(p) == parameter)
            .Select(p => p.Element(Dev + "defaultValue")!.Value).Distinct().ToList();
        Assert.Equal(new[] { expected }, defaults);
    }

    [Fact]
    public void PropertyInitializersReadWhatTheConstructorReallyStores()
    {
        string self = typeof(InitializerFixture).Assembly.Location;
        using var reader = new CmdletMetadataReader(self, Array.Empty<string>());
        Type inspected = reader.Assembly.GetType(typeof(InitializerFixture).FullName!, throwOnError: true)!;
        var read = PropertyInitializers.Read(inspected).ToDictionary(kv => kv.Key.Name, kv => kv.Value);
        var real = new InitializerFixture();
        var expected = new Dictionary<string, string>();
        foreach (PropertyInfo p in typeof(InitializerFixture).GetProperties())
        {
            object? value = p.GetValue(real);
            if (p.Name is nameof(InitializerFixture.Computed) or nameof(InitializerFixture.Uninitialised)
                or nameof(InitializerFixture.Empty) or nameof(InitializerFixture.FromMethod)) continue;
            expected[p.Name] = Convert.ToString(value, CultureInfo.InvariantCulture)!;
        }
        Assert.Equal(expected.OrderBy(kv => kv.Key), read.OrderBy(kv => kv.Key));
    }

    [Fact]
    public void AParameterWithAnInitialiserAndADocumentedDefaultIsRefused()
    {
        string xml = Path.Combine(Path.GetTempPath(), $"m365-docs-{Guid.NewGuid():N}.xml");
        File.WriteAllText(xml, "<doc><members><member name=\"P:X.Cmd.Port\"><summary>The port.</summary><default>25</default>" +
            "</member></members></doc>");
        try
        {
            var writer = new MamlWriter(new XmlDocs(new[] { xml }));
            var all = new Dictionary<string, ParameterSetModel> { [ParameterModel.AllSets] = new(false, null, false, false) };
            var documented = new ParameterModel("Port", "System.Int32", "X.Cmd", Array.Empty<string>(), Array.Empty<string>(), all);
            Assert.Equal("25", writer.DefaultValue(documented));
            Assert.Throws<InvalidOperationException>(() => writer.DefaultValue(documented with { Initializer = "587" }));
        }
        finally { File.Delete(xml); }
    }

    [Fact]
    public void TheAuthParametersAreDescribedByTheTextTheCommandLineSharesWithTheirPlaceholdersWrittenAsParameters()
    {
        // Connect-M365Smtp, Send-M365Mail, Test-M365SmtpAuth and Test-M365GraphSend (M365SmtpAuthCmdletBase) take their
        // auth parameters' text from AuthParameterText, which the CLI's --help shows too; {Name} in it is written -Name
        // here, and no placeholder reaches any help text.
        var shared = typeof(AuthParameterText).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral)
            .ToDictionary(f => f.Name, f => ParameterText.ForPowerShell((string)f.GetRawConstantValue()!));
        Assert.Equal(18, shared.Count);
        var described = new List<string>();
        foreach (XElement c in Commands())
        {
            bool auth = c.Descendants(Command + "parameter").Any(p => ParameterName(p) == "ClientSecret");
            foreach (XElement p in c.Element(Command + "parameters")!.Elements(Command + "parameter"))
            {
                string text = Text(p.Element(Maml + "description"));
                Assert.DoesNotMatch(@"\{[A-Z][A-Za-z0-9]*\}", text);
                if (!auth || !shared.TryGetValue(ParameterName(p), out string? expected)) continue;
                Assert.StartsWith(expected, text);
                described.Add($"{NameOf(c)} -{ParameterName(p)}");
            }
        }
        Assert.Equal(4 * 18, described.Count);
        foreach (string cmdlet in new[] { "Connect-M365Smtp", "Send-M365Mail", "Test-M365SmtpAuth", "Test-M365GraphSend" })
            Assert.Contains(cmdlet + " -CertificatePath", described);
        Assert.Contains("Its password, if any, is -CertificatePassword.", shared["CertificatePath"]);
    }

    [Fact]
    public void ADocCommentTakesSharedTextFromAStringConstantAndOneThatNamesNoConstantIsRefused()
    {
        string xml = Path.Combine(Path.GetTempPath(), $"m365-docs-{Guid.NewGuid():N}.xml");
        File.WriteAllText(xml, "<doc><members><member name=\"P:X.Cmd.Port\">" +
            "<summary><text cref=\"F:X.Texts.Port\"/> Default 587.</summary>" +
            "</member></members></doc>");
        try
        {
            var docs = new XmlDocs(new[] { xml }, cref => cref == "F:X.Texts.Port" ? "The port of {Server}, or of {ConnectorHost}." : null);
            Assert.Equal("The port of -Server, or of -ConnectorHost. Default 587.", docs.Summary("P:X.Cmd.Port"));
            var e = Assert.Throws<InvalidOperationException>(() => new XmlDocs(new[] { xml }, _ => null));
            Assert.Contains("P:X.Cmd.Port", e.Message);
            Assert.Contains("F:X.Texts.Port", e.Message);
        }
        finally { File.Delete(xml); }
    }

    [Fact]
    public void WildcardsAreAcceptedExactlyWhereTheCmdletsExpandThem()
    {
        // Send-M365Mail resolves -Attachment paths with GetResolvedProviderPathFromPSPath; the connection cmdlets match
        // -Name with wildcards in the engine's registry. Nothing else expands wildcards.
        var expected = new[] { "Disconnect-M365Smtp -Name", "Get-M365SmtpConnection -Name", "Send-M365Mail -Attachment" };
        var globbing = Commands().SelectMany(c => c.Descendants(Command + "parameter")
                .Where(p => (string?)p.Attribute("globbing") == "true").Select(p => $"{NameOf(c)} -{ParameterName(p)}"))
            .Distinct().OrderBy(x => x, StringComparer.Ordinal).ToList();
        Assert.Equal(expected, globbing);
    }

    [Fact]
    public void ExampleTitlesAreShortAndInTheFormOfPowerShellsOwnHelp()
    {
        var problems = new List<string>();
        foreach (XElement c in Commands())
        {
            int n = 0;
            foreach (XElement e in c.Descendants(Command + "example"))
            {
                n++;
                string title = e.Element(Maml + "title")!.Value;
                Match m = Regex.Match(title, @"^(?:-* )?Example (\d+): (.+?)(?: -*)?$");
                if (!m.Success) { problems.Add($"{NameOf(c)}: '{title}' is not 'Example {n}: <title>'"); continue; }
                string text = m.Groups[2].Value;
                if (m.Groups[1].Value != n.ToString(CultureInfo.InvariantCulture)) problems.Add($"{NameOf(c)}: '{title}' is example {n}");
                if (text.Length > 60) problems.Add($"{NameOf(c)}: example {n}'s title has {text.Length} characters (at most 60): '{text}'");
                if (text.EndsWith('.') || text.Contains("..", StringComparison.Ordinal))
                    problems.Add($"{NameOf(c)}: example {n}'s title looks cut off: '{text}'");
                if (title != MamlWriter.ExampleTitle(n, text))
                    problems.Add($"{NameOf(c)}: '{title}' is not padded as the reference pads it");
            }
        }
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void ExampleTitlesArePaddedAsInTheReferenceMaml()
    {
        string sample = ModuleLayout.RequireSharedReference("maml-sample/Microsoft.PowerShell.Commands.Utility.dll-Help.xml");
        int compared = 0;
        foreach (string title in XDocument.Load(sample).Descendants(Command + "example").Select(e => e.Element(Maml + "title")!.Value))
        {
            Match m = Regex.Match(title, @"^(?:-+ )Example (\d+): (.+?) -+$");
            if (!m.Success) continue;
            compared++;
            Assert.Equal(title, MamlWriter.ExampleTitle(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), m.Groups[2].Value));
        }
        Assert.True(compared > 50, $"only {compared} reference titles compared");
    }

    [Fact]
    public void ExampleCodeIsTheDocCommentsCodeInFull()
    {
        string docFile = Path.Combine(ModuleLayout.RepoRoot, "src", "M365SmtpTools", "bin", "Debug", "netstandard2.0", "M365SmtpTools.xml");
        if (!File.Exists(docFile))
            docFile = Directory.GetFiles(Path.Combine(ModuleLayout.RepoRoot, "src", "M365SmtpTools", "bin"), "M365SmtpTools.xml",
                    SearchOption.AllDirectories)
                .OrderByDescending(File.GetLastWriteTimeUtc).First();
        var members = XDocument.Load(docFile).Descendants("member").ToDictionary(m => (string)m.Attribute("name")!);
        using CmdletMetadataReader reader = ModuleLayout.OpenReader();
        var problems = new List<string>();
        foreach (CmdletModel cmdlet in reader.ReadCmdlets())
        {
            var fromDocs = members["T:" + cmdlet.TypeFullName].Elements("example").Select(e => Lines(e.Element("code")!.Value)).ToList();
            var fromHelp = Commands().Single(c => NameOf(c) == cmdlet.Name).Descendants(Command + "example")
                .Select(e => e.Element(Dev + "code")!.Value).ToList();
            if (fromDocs.Count != fromHelp.Count)
            {
                problems.Add($"{cmdlet.Name}: {fromDocs.Count} examples in the code, {fromHelp.Count} in the help");
                continue;
            }
            for (int i = 0; i < fromHelp.Count; i++)
            {
                if (!Lines(fromHelp[i]).SequenceEqual(fromDocs[i]))
                    problems.Add($"{cmdlet.Name}: example {i + 1}'s code differs from its doc comment");
                foreach (string line in fromHelp[i].Split('\n').Skip(1).Where(l => l.StartsWith("        ", StringComparison.Ordinal)))
                    problems.Add($"{cmdlet.Name}: example {i + 1} keeps the doc comment's indentation: '{line}'");
            }
        }
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));

        static List<string> Lines(string code) =>
            code.Replace("\r\n", "\n").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
    }

    [Fact]
    public void EachInputTypeIsListedOnceAndNamesEveryPipedParameter()
    {
        var problems = new List<string>();
        foreach (XElement c in Commands())
        {
            var inputs = c.Element(Command + "inputTypes")!.Elements(Command + "inputType").ToList();
            var types = inputs.Select(i => i.Element(Dev + "type")!.Element(Maml + "name")!.Value).ToList();
            foreach (string dup in types.GroupBy(t => t).Where(g => g.Count() > 1).Select(g => g.Key))
                problems.Add($"{NameOf(c)}: {dup} listed twice");
            string text = string.Join(" ", inputs.Select(i => Text(i.Element(Maml + "description"))));
            foreach (XElement p in c.Element(Command + "parameters")!.Elements(Command + "parameter")
                    .Where(p => (string)p.Attribute("pipelineInput")! != "False"))
                if (!Regex.IsMatch(text, $@"\b{ParameterName(p)}\b"))
                    problems.Add($"{NameOf(c)}: -{ParameterName(p)} takes pipeline input but INPUTS doesn't name it");
        }
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void NothingPointsGetHelpOnlineOrUpdateHelpAnywhere()
    {
        // No hosted help pages or updatable help exist: a uri would make Get-Help -Online open a page about something
        // else, and a HelpInfoUri would send Update-Help to an address that serves nothing.
        var uris = Commands().SelectMany(c => c.Descendants(Maml + "navigationLink")
                .Select(l => (Command: NameOf(c), Uri: l.Element(Maml + "uri")!.Value)))
            .Where(l => l.Uri.Length > 0).Select(l => $"{l.Command}: {l.Uri}").ToList();
        Assert.Empty(uris);
        string manifest = File.ReadAllText(Path.Combine(ModuleLayout.RepoRoot, "M365SmtpTools.psd1"));
        Assert.DoesNotMatch(@"(?im)^\s*HelpInfoUri\s*=", manifest);
        using CmdletMetadataReader reader = ModuleLayout.OpenReader();
        foreach (Type t in reader.Assembly.GetExportedTypes())
            foreach (CustomAttributeData a in t.GetCustomAttributesData().Where(a => a.AttributeType.Name == "CmdletAttribute"))
                Assert.DoesNotContain(a.NamedArguments, n => n.MemberName == "HelpUri");
        // The references to Microsoft's documentation stay readable, with their address in the text.
        Assert.Contains(Commands().SelectMany(c => c.Descendants(Maml + "linkText")),
            t => t.Value.Contains(": https://learn.microsoft.com/", StringComparison.Ordinal));
    }

    private static string Text(XElement? e) => e == null ? "" : string.Join(" ", e.Descendants(Maml + "para").Select(p => p.Value)).Trim();
}

/// <summary>Properties initialised in every way the help generator must read (or must not guess), checked against the real
/// constructor.</summary>
public sealed class InitializerFixture
{
    public int Number { get; set; } = 587;
    public int Small { get; set; } = 3;
    public int Negative { get; set; } = -1;
    public long Big { get; set; } = 10_000_000_000;
    public double Ratio { get; set; } = 0.5;
    public string Text { get; set; } = "Default";
    public string Empty { get; set; } = "";
    public DayOfWeek Day { get; set; } = DayOfWeek.Friday;
    public DayOfWeek Zero { get; set; } = DayOfWeek.Sunday;
    public bool Flag { get; set; } = true;
    public int? Maybe { get; set; } = 5;
    public string[] Computed { get; set; } = new string[0];
    public string FromMethod { get; set; } = Environment.NewLine.Trim();
    public int Uninitialised { get; set; }
    public int InBody { get; set; }

    public InitializerFixture() => InBody = 25;
}
