namespace M365SmtpTools.HelpGen;

/// <summary>
/// Command line: <c>M365SmtpTools.HelpGen @file.rsp</c> or <c>--assembly=PATH --out=PATH [--ref=PATH]...</c>.
/// Reads the cmdlet assembly through MetadataLoadContext and the XML doc files beside it and its references, writes MAML.
/// </summary>
public static class Program
{
    /// <summary>Entry point. Exit 0 on success, 2 on bad arguments.</summary>
    public static int Main(string[] args)
    {
        var options = ParseArguments(args);
        if (!options.TryGetValue("assembly", out var assembly) || !options.TryGetValue("out", out var output))
        {
            Console.Error.WriteLine("usage: M365SmtpTools.HelpGen --assembly=PATH --out=PATH [--ref=PATH]... (or @response-file)");
            return 2;
        }
        List<string> refs = options.TryGetValue("ref", out var r) ? r : new List<string>();
        string xml = Generate(assembly[^1], refs); // later arguments override earlier ones
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output[^1]))!);
        File.WriteAllText(output[^1], xml);
        Console.WriteLine($"M365SmtpTools.HelpGen: wrote {output[^1]}");
        return 0;
    }

    /// <summary>Generates the MAML for a cmdlet assembly; XML doc files are looked for beside it and each reference.</summary>
    public static string Generate(string assemblyPath, IReadOnlyCollection<string> referencePaths)
    {
        using var reader = new CmdletMetadataReader(assemblyPath, referencePaths);
        // Only the module's own assemblies carry help text; third-party doc files are not read.
        var docFiles = referencePaths.Append(assemblyPath)
            .Where(CmdletMetadataReader.IsModuleAssembly)
            .Select(p => Path.ChangeExtension(p, ".xml"));
        return new MamlWriter(new XmlDocs(docFiles, reader.StringConstant)).Write(reader.ReadCmdlets());
    }

    private static Dictionary<string, List<string>> ParseArguments(IEnumerable<string> args)
    {
        var result = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (string raw in args.SelectMany(a => a.StartsWith('@') ? File.ReadAllLines(a[1..]) : new[] { a }))
        {
            string arg = raw.Trim();
            if (!arg.StartsWith("--") || !arg.Contains('=')) continue;
            string key = arg[2..arg.IndexOf('=')];
            if (!result.TryGetValue(key, out var list)) result[key] = list = new List<string>();
            list.Add(arg[(arg.IndexOf('=') + 1)..]);
        }
        return result;
    }
}
