using System.Reflection;
using System.Runtime.Loader;

namespace M365SmtpTools.Tests;

/// <summary>
/// The module lives beside ExchangeOnlineManagement, Az.Accounts and Microsoft.Graph, each with its own MSAL.
/// This loads a different MSAL into the default context first (as those modules do), then starts the module's loader
/// from out/M365SmtpTools, and shows the engine runs with its own MSAL in its own load context, both side by side.
/// </summary>
public sealed class AssemblyIsolationTests
{
    [Fact]
    public void TheEngineUsesItsOwnMsalWhenAnotherVersionIsAlreadyLoaded()
    {
        string otherMsal = Path.Combine(ModuleLayout.NuGetPackageRoot, "microsoft.identity.client", "4.61.3", "lib", "netstandard2.0", "Microsoft.Identity.Client.dll");
        Assert.True(File.Exists(otherMsal), $"{otherMsal} missing (the test project downloads it)");
        Assembly foreign = AssemblyLoadContext.Default.LoadFromAssemblyPath(otherMsal);
        Assert.Equal(new Version(4, 61, 3, 0), foreign.GetName().Version);

        Assembly module = AssemblyLoadContext.Default.LoadFromAssemblyPath(ModuleLayout.CmdletAssembly);
        Type loader = module.GetType("M365SmtpTools.ModuleAssemblyLoader", throwOnError: true)!;
        loader.GetMethod("Install", BindingFlags.NonPublic | BindingFlags.Static)!.Invoke(null, new object[] { ModuleLayout.ModuleDir });

        // The cmdlet assembly binds the engine by name from the default context, as PowerShell would.
        Assembly engine = AssemblyLoadContext.Default.LoadFromAssemblyName(new AssemblyName("M365SmtpTools.Engine"));
        object info = engine.GetType("M365SmtpTools.Engine.EngineInfo", throwOnError: true)!.GetMethod("Current")!.Invoke(null, null)!;
        Version msalVersion = (Version)info.GetType().GetProperty("MsalVersion")!.GetValue(info)!;
        string contextName = (string)info.GetType().GetProperty("LoadContextName")!.GetValue(info)!;
        string msalLocation = (string)info.GetType().GetProperty("MsalLocation")!.GetValue(info)!;

        Assert.Equal("M365SmtpTools", contextName);
        Assert.Equal(new Version(4, 92, 0, 0), msalVersion);
        Assert.StartsWith(Path.Combine(ModuleLayout.ModuleDir, "dependencies"), msalLocation);
        var loadedMsal = AppDomain.CurrentDomain.GetAssemblies()
            .Where(a => a.GetName().Name == "Microsoft.Identity.Client").Select(a => a.GetName().Version).ToList();
        Assert.Contains(new Version(4, 61, 3, 0), loadedMsal);
        Assert.Contains(new Version(4, 92, 0, 0), loadedMsal);
        Assert.Same(AssemblyLoadContext.Default, AssemblyLoadContext.GetLoadContext(foreign));
    }
}
