using System.Reflection;

namespace M365SmtpTools.Tests;

/// <summary>dotnet build makes an importable, zip-able module folder with the version from one place.</summary>
public sealed class ModuleFolderTests
{
    [Theory]
    [InlineData("M365SmtpTools.psd1")]
    [InlineData("M365SmtpTools.psm1")]
    [InlineData("M365SmtpTools.dll")]
    [InlineData("M365SmtpTools.Loader.dll")]
    [InlineData("M365SmtpTools.Format.ps1xml")]
    [InlineData("en-US/M365SmtpTools.dll-Help.xml")]
    [InlineData("en-US/about_M365SmtpTools.help.txt")]
    [InlineData("dependencies/M365SmtpTools.Engine.dll")]
    [InlineData("dependencies/Microsoft.Identity.Client.dll")]
    [InlineData("dependencies/Microsoft.Identity.Client.Extensions.Msal.dll")]
    public void TheModuleFolderHasTheFile(string relative) =>
        Assert.True(File.Exists(Path.Combine(ModuleLayout.ModuleDir, relative)), $"out/M365SmtpTools/{relative} is missing");

    [Fact]
    public void OnlyTheCmdletAssemblyAndTheLoaderAreAtTheRootAndNoStubShips()
    {
        var rootDlls = Directory.GetFiles(ModuleLayout.ModuleDir, "*.dll").Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal);
        Assert.Equal(new[] { "M365SmtpTools.Loader.dll", "M365SmtpTools.dll" }, rootDlls);
        Assert.False(File.Exists(Path.Combine(ModuleLayout.ModuleDir, "dependencies", "M365SmtpTools.Loader.dll")));
        Assert.False(File.Exists(Path.Combine(ModuleLayout.ModuleDir, "dependencies", "System.Management.Automation.dll")));
    }

    [Fact]
    public void TheManifestVersionIsTheAssemblyVersionAndDependenciesAreNotListed()
    {
        string manifest = File.ReadAllText(Path.Combine(ModuleLayout.ModuleDir, "M365SmtpTools.psd1"));
        string? version = ModuleLayout.ManifestValue(manifest, "ModuleVersion");
        Assert.NotNull(version);
        Assert.Equal(version,
            ModuleLayout.ManifestValue(File.ReadAllText(Path.Combine(ModuleLayout.RepoRoot, "M365SmtpTools.psd1")), "ModuleVersion"));
        Assert.Equal(Version.Parse(version!),
            AssemblyName.GetAssemblyName(ModuleLayout.CmdletAssembly).Version!.ToString(3) is string v ? Version.Parse(v) : null);
        Assert.Equal(Version.Parse(version!),
            Version.Parse(AssemblyName.GetAssemblyName(ModuleLayout.EngineAssembly).Version!.ToString(3)));
        Assert.DoesNotContain("NestedModules", manifest);
        Assert.DoesNotContain("RequiredAssemblies", manifest);
        Assert.Equal("M365SmtpTools.psm1", ModuleLayout.ManifestValue(manifest, "RootModule"));
        Assert.Equal(new[] { "Desktop", "Core" }, ModuleLayout.ManifestList(manifest, "CompatiblePSEditions"));
        Assert.Equal(new[] { "M365SmtpTools.Format.ps1xml" }, ModuleLayout.ManifestList(manifest, "FormatsToProcess"));
    }
}
