using System.Reflection;

namespace M365SmtpTools.Tests;

/// <summary>
/// The Windows PowerShell 5.1 resolution policy of the loader (no load contexts there): only the names the module ships,
/// at the shipped version, unless one of the module's own assemblies asks. PowerShell 7 isolation is proven where it
/// happens, by Import-Module in a real pwsh (tests/pester/ModuleLoading.Tests.ps1) and in a hosted runspace
/// (M365SmtpTools.Host.Tests).
/// </summary>
public sealed class AssemblyIsolationTests
{
    private static readonly Type Resolver = LoaderType("M365SmtpTools.Loader.FrameworkResolver");
    private static readonly Type Shipped = LoaderType("M365SmtpTools.Loader.ShippedAssembly");

    private static Type LoaderType(string name) =>
        Assembly.LoadFrom(Path.Combine(ModuleLayout.ModuleDir, "M365SmtpTools.Loader.dll")).GetType(name, throwOnError: true)!;

    private static bool ShouldResolve(Version? shipped, Version? requested, bool byModule)
    {
        object? assembly = shipped == null ? null
            : Activator.CreateInstance(Shipped, "Microsoft.Identity.Client", shipped, "/m/dependencies/Microsoft.Identity.Client.dll");
        return (bool)Resolver.GetMethod("ShouldResolve", BindingFlags.NonPublic | BindingFlags.Static)!
            .Invoke(null, new[] { assembly, requested, byModule })!;
    }

    [Fact]
    public void AnotherModulesRequestForAnOlderMsalIsNotHijacked() =>
        Assert.False(ShouldResolve(new Version(4, 92, 0, 0), new Version(4, 61, 3, 0), byModule: false));

    [Fact]
    public void TheShippedVersionIsResolvedForAnyone() =>
        Assert.True(ShouldResolve(new Version(4, 92, 0, 0), new Version(4, 92, 0, 0), byModule: false));

    [Fact]
    public void TheModulesOwnAssembliesMayBindAnOlderVersionToTheShippedOne() =>
        Assert.True(ShouldResolve(new Version(4, 0, 5, 0), new Version(4, 0, 1, 2), byModule: true));

    [Fact]
    public void ANewerVersionThanShippedIsNeverClaimed() =>
        Assert.False(ShouldResolve(new Version(4, 92, 0, 0), new Version(5, 0, 0, 0), byModule: true));

    [Fact]
    public void ANameTheModuleDoesNotShipIsNeverClaimed() =>
        Assert.False(ShouldResolve(null, new Version(1, 0, 0, 0), byModule: true));

    [Fact]
    public void TheLoaderDependsOnTheBaseClassLibraryAlone() =>
        Assert.Equal(new[] { "netstandard" }, Resolver.Assembly.GetReferencedAssemblies().Select(a => a.Name));
}
