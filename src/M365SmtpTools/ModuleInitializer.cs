using System.IO;
using System.Management.Automation;

namespace M365SmtpTools
{
    /// <summary>Runs when Import-Module loads the module: installs the dependency isolation before any cmdlet runs.</summary>
    public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        /// <summary>Called by PowerShell on import.</summary>
        public void OnImport() => ModuleAssemblyLoader.Install(Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location)!);

        /// <summary>Called by PowerShell on Remove-Module.</summary>
        public void OnRemove(PSModuleInfo psModuleInfo) => ModuleAssemblyLoader.Uninstall();
    }
}
