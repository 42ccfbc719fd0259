using System.Reflection;
using System.Xml.Linq;
using M365SmtpTools.HelpGen;

namespace M365SmtpTools.Tests;

/// <summary>
/// The contract every cmdlet keeps, read from the built assembly's metadata: approved verb, M365 noun prefix,
/// [OutputType], ShouldProcess on anything that sends or changes, an engine request that mirrors its parameters,
/// and the manifest exporting exactly the cmdlets there are.
/// </summary>
public sealed class CmdletSurfaceTests
{
    // Verbs whose cmdlets send mail, write files or change session or tenant state.
    private static readonly HashSet<string> ChangingVerbs = new(StringComparer.OrdinalIgnoreCase)
    { "Send", "Set", "Remove", "Add", "Clear", "Disconnect", "Update", "Publish", "Invoke", "Start", "Stop", "Write", "Export",
        "Install", "Uninstall", "Register", "Unregister", "Reset" };

    private static IReadOnlyList<CmdletModel> Cmdlets()
    {
        using var reader = ModuleLayout.OpenReader();
        return reader.ReadCmdlets();
    }

    [Fact]
    public void TheModuleHasCmdlets() => Assert.NotEmpty(Cmdlets());

    [Fact]
    public void EveryCmdletUsesAnApprovedVerbAndTheM365NounPrefix()
    {
        string resx = ModuleLayout.RequireSharedReference("powershell-verbs/VerbDescriptionStrings.resx");
        var approved = XDocument.Load(resx).Root!.Elements("data").Select(d => (string)d.Attribute("name")!)
            .Select(n => n.Replace("Description", "")).ToHashSet(StringComparer.OrdinalIgnoreCase);
        Assert.Contains("Send", approved);
        foreach (CmdletModel c in Cmdlets())
        {
            Assert.True(approved.Contains(c.Verb), $"{c.Name}: '{c.Verb}' is not an approved verb");
            Assert.StartsWith("M365", c.Noun, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void EveryCmdletDeclaresOutputType()
    {
        foreach (CmdletModel c in Cmdlets())
            Assert.True(c.OutputTypes.Count > 0, $"{c.Name} has no [OutputType]");
    }

    [Fact]
    public void CmdletsThatSendOrChangeStateSupportShouldProcess()
    {
        foreach (CmdletModel c in Cmdlets().Where(c => ChangingVerbs.Contains(c.Verb)))
            Assert.True(c.SupportsShouldProcess, $"{c.Name} sends or changes something but has no SupportsShouldProcess");
    }

    // Request properties that are deliberately not parameters: Send-M365Mail's Messages are its pipeline objects
    // (one message per input, each bound by property name to the message parameters), gathered by the cmdlet, and a
    // message's Input and InputError are the pipeline object and the value of it the cmdlet couldn't read.
    private static readonly string[] NotParameters = { "Messages", "Input", "InputError" };

    // A request property that groups parameters (SendMailRequest.Message): its own properties are the parameters.
    private static readonly string[] Groups = { "Message" };

    private static Dictionary<string, PropertyInfo> Settable(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && p.SetMethod!.IsPublic)
            .ToDictionary(p => p.Name);

    [Fact]
    public void EveryParameterHasASameNamedRequestPropertyAndViceVersa()
    {
        using var reader = ModuleLayout.OpenReader();
        Assembly engine = reader.LoadAssembly(ModuleLayout.EngineAssembly);
        var failures = new List<string>();
        foreach (CmdletModel c in reader.ReadCmdlets())
        {
            string requestName = c.Verb + c.Noun["M365".Length..] + "Request";
            Type? request = engine.GetExportedTypes().SingleOrDefault(t => t.Name == requestName);
            if (request == null) { failures.Add($"{c.Name}: no engine type {requestName}"); continue; }
            var properties = Settable(request);
            foreach (string group in Groups.Where(properties.ContainsKey))
            {
                Type groupType = properties[group].PropertyType;
                properties.Remove(group);
                foreach (var (name, prop) in Settable(groupType))
                    if (!properties.TryAdd(name, prop))
                        failures.Add($"{requestName}.{group}.{name} has the name of a property of {requestName}");
            }
            foreach (ParameterModel p in c.Parameters)
            {
                if (!properties.TryGetValue(p.Name, out PropertyInfo? prop))
                    failures.Add($"{c.Name} -{p.Name}: {requestName} has no property {p.Name}");
                else if (!RequestTypeMapping.Compatible(p.TypeFullName, CmdletMetadataReader.TypeName(prop.PropertyType)))
                    failures.Add($"{c.Name} -{p.Name}: parameter type {p.TypeFullName} doesn't map to {requestName}.{p.Name} " +
                        $"of type {CmdletMetadataReader.TypeName(prop.PropertyType)}");
            }
            foreach (string name in properties.Keys.Except(c.Parameters.Select(p => p.Name)).Except(NotParameters))
                failures.Add($"{requestName}.{name} has no parameter -{name} on {c.Name}");
        }
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public void TheManifestExportsExactlyTheCmdlets()
    {
        string manifest = File.ReadAllText(Path.Combine(ModuleLayout.RepoRoot, "M365SmtpTools.psd1"));
        var exported = ModuleLayout.ManifestList(manifest, "CmdletsToExport").OrderBy(x => x, StringComparer.Ordinal);
        var actual = Cmdlets().Select(c => c.Name).OrderBy(x => x, StringComparer.Ordinal);
        Assert.Equal(actual, exported);
        Assert.Empty(ModuleLayout.ManifestList(manifest, "FunctionsToExport"));
    }

    [Theory]
    [InlineData("System.Management.Automation.SwitchParameter", "System.Boolean", true)]
    [InlineData("System.Management.Automation.PSCredential", "System.Net.NetworkCredential", true)]
    [InlineData("System.String[]", "System.String[]", true)]
    [InlineData("System.Collections.Hashtable", "System.Collections.IDictionary", true)]
    [InlineData("System.Management.Automation.PSObject[]", "System.Object[]", true)]
    [InlineData("System.Management.Automation.PSObject[]", "M365SmtpTools.Engine.Operations.InlineImage[]", true)]
    [InlineData("System.Collections.Hashtable", "System.Collections.Generic.IReadOnlyDictionary[System.String, System.String]", true)]
    [InlineData("System.Management.Automation.PSObject", "M365SmtpTools.Engine.Operations.InlineImage[]", false)]
    [InlineData("System.String", "System.Int32", false)]
    [InlineData("System.Management.Automation.SwitchParameter", "System.String", false)]
    [InlineData("System.String[]", "System.String", false)]
    public void TheTypeMappingIsStrict(string parameterType, string requestType, bool expected) =>
        Assert.Equal(expected, RequestTypeMapping.Compatible(parameterType, requestType));
}

/// <summary>Which parameter types map to which PowerShell-neutral request property types.</summary>
public static class RequestTypeMapping
{
    private static readonly Dictionary<string, string[]> Map = new()
    {
        ["System.Management.Automation.SwitchParameter"] = new[] { "System.Boolean" },
        ["System.Management.Automation.PSCredential"] = new[] { "System.Net.NetworkCredential" },
        ["System.Management.Automation.PSObject"] = new[] { "System.Object", "M365SmtpTools.Engine.Operations.InlineImage" },
        ["System.Collections.Hashtable"] = new[] { "System.Collections.IDictionary",
            "System.Collections.Generic.IDictionary[System.String, System.String]",
            "System.Collections.Generic.IDictionary[System.String, System.Object]",
            "System.Collections.Generic.IReadOnlyDictionary[System.String, System.String]" },
    };

    public static bool Compatible(string parameterType, string requestType)
    {
        if (parameterType.EndsWith("[]") != requestType.EndsWith("[]")) return false;
        if (parameterType.EndsWith("[]")) return Compatible(parameterType[..^2], requestType[..^2]);
        return parameterType == requestType || (Map.TryGetValue(parameterType, out var targets) && targets.Contains(requestType));
    }
}
