using System.Reflection;
using System.Text.RegularExpressions;
using M365SmtpTools.HelpGen;

namespace M365SmtpTools.Tests;

/// <summary>Paths of the built module (out/M365SmtpTools) and of the reference data beside the repository.</summary>
public static class ModuleLayout
{
    private static string Metadata(string key) =>
        typeof(ModuleLayout).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().First(a => a.Key == key).Value!;

    public static string RepoRoot { get; } = Path.GetFullPath(Metadata("RepoRoot"));
    public static string ModuleDir { get; } = Path.Combine(RepoRoot, "out", "M365SmtpTools");
    public static string CmdletAssembly => Path.Combine(ModuleDir, "M365SmtpTools.dll");
    public static string EngineAssembly => Path.Combine(ModuleDir, "dependencies", "M365SmtpTools.Engine.dll");
    public static string NuGetPackageRoot { get; } = Metadata("NuGetPackageRoot");

    /// <summary>The compile-only System.Management.Automation the cmdlets were built against.</summary>
    public static string SmaReference =>
        Path.Combine(NuGetPackageRoot, "powershellstandard.library", "5.1.1", "lib", "netstandard2.0", "System.Management.Automation.dll");

    /// <summary>../shared/reference, or a skip when this checkout has no shared folder beside it.</summary>
    public static string RequireSharedReference(string relative)
    {
        string path = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "reference", relative));
        if (!File.Exists(path) && !Directory.Exists(path))
            Assert.Skip($"{path} is not present: this check needs the shared/ folder beside the repository (as CI has it).");
        return path;
    }

    /// <summary>Opens the built cmdlet assembly for inspection, with its dependencies and the SMA stub resolvable.</summary>
    public static CmdletMetadataReader OpenReader()
    {
        Assert.True(File.Exists(CmdletAssembly), $"{CmdletAssembly} is missing: 'dotnet build' makes it.");
        var refs = Directory.GetFiles(Path.Combine(ModuleDir, "dependencies"), "*.dll").Append(SmaReference).ToList();
        return new CmdletMetadataReader(CmdletAssembly, refs);
    }

    /// <summary>The string array assigned to a key in a .psd1 (literal strings only, as the manifest must be).</summary>
    public static IReadOnlyList<string> ManifestList(string psd1Text, string key)
    {
        Match m = Regex.Match(psd1Text, key + @"\s*=\s*@\((?<items>[^)]*)\)", RegexOptions.IgnoreCase);
        Assert.True(m.Success, $"{key} not found in the manifest");
        return Regex.Matches(m.Groups["items"].Value, "'([^']*)'").Select(x => x.Groups[1].Value).ToList();
    }

    /// <summary>A scalar string value from a .psd1.</summary>
    public static string? ManifestValue(string psd1Text, string key)
    {
        Match m = Regex.Match(psd1Text, @"(?m)^\s*" + key + @"\s*=\s*'([^']*)'");
        return m.Success ? m.Groups[1].Value : null;
    }
}
