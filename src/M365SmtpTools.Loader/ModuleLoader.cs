using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;

namespace M365SmtpTools.Loader
{
    /// <summary>
    /// Called by M365SmtpTools.psm1 before PowerShell sees any cmdlet: returns the cmdlet assembly, loaded so that it
    /// and everything it needs come from the module's own folder without touching other modules' assemblies.
    /// </summary>
    /// <remarks>
    /// PowerShell lays out every exported type of a binary module before any module code runs, which loads the
    /// engine and MSAL; so isolation must be in place before the cmdlet assembly is handed to Import-Module. The state
    /// lives for the process (one entry per module folder), so Remove-Module, Import-Module -Force and other runspaces
    /// reuse it and never unhook anything another runspace relies on.
    /// </remarks>
    public static class ModuleLoader
    {
        private static readonly object Gate = new object();
        private static readonly Dictionary<string, Assembly> CmdletAssemblies =
            new Dictionary<string, Assembly>(StringComparer.OrdinalIgnoreCase);

        /// <summary>Loads (once per process and module folder) and returns the cmdlet assembly of the module in
        /// <paramref name="moduleDir"/>.</summary>
        public static Assembly Initialize(string moduleDir)
        {
            if (string.IsNullOrEmpty(moduleDir)) throw new ArgumentException("The module folder is required.", nameof(moduleDir));
            string key = Path.GetFullPath(moduleDir);
            lock (Gate)
            {
                if (CmdletAssemblies.TryGetValue(key, out Assembly? loaded)) return loaded;
                ShippedAssemblies shipped = ShippedAssemblies.Read(key);
                Assembly cmdlets = IsolatedLoadContext.IsSupported
                    ? new IsolatedLoadContext(shipped).LoadCmdletAssembly()
                    : new FrameworkResolver(shipped).LoadCmdletAssembly();
                CmdletAssemblies[key] = cmdlets;
                return cmdlets;
            }
        }
    }
}
