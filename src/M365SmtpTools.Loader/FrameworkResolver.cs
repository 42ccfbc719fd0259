using System;
using System.Collections.Generic;
using System.Reflection;

namespace M365SmtpTools.Loader
{
    /// <summary>
    /// Windows PowerShell 5.1 (.NET Framework): no load contexts, so the module's assemblies are resolved from its
    /// folder when the runtime can't find them, but only for the names the module ships, and only at the shipped
    /// version unless one of the module's own assemblies asks (another module asking for, say, MSAL 4.61.3 is never
    /// handed the module's 4.92.0).
    /// </summary>
    internal sealed class FrameworkResolver
    {
        private readonly ShippedAssemblies _shipped;
        private readonly Dictionary<string, Assembly> _loaded = new Dictionary<string, Assembly>(StringComparer.OrdinalIgnoreCase);

        public FrameworkResolver(ShippedAssemblies shipped)
        {
            _shipped = shipped;
            AppDomain.CurrentDomain.AssemblyResolve += OnAssemblyResolve;
        }

        /// <summary>Loads the cmdlet assembly from the module folder.</summary>
        public Assembly LoadCmdletAssembly() => Load(_shipped.Find(ShippedAssemblies.CmdletAssemblyName)!);

        /// <summary>Whether a request for <paramref name="requested"/> may be answered with <paramref name="shipped"/>.</summary>
        internal static bool ShouldResolve(ShippedAssembly? shipped, Version? requested, bool requestedByModule)
        {
            if (shipped == null) return false;
            if (requested == null || requested == shipped.Version) return true;
            return requestedByModule && requested < shipped.Version;
        }

        private Assembly? OnAssemblyResolve(object? sender, ResolveEventArgs args)
        {
            var name = new AssemblyName(args.Name);
            ShippedAssembly? shipped = name.Name == null ? null : _shipped.Find(name.Name);
            bool byModule = args.RequestingAssembly != null && _shipped.Owns(SafeLocation(args.RequestingAssembly));
            return ShouldResolve(shipped, name.Version, byModule) ? Load(shipped!) : null;
        }

        private static string? SafeLocation(Assembly assembly)
        {
            try { return assembly.Location; }
            catch (NotSupportedException) { return null; } // dynamic assemblies have no location
        }

        private Assembly Load(ShippedAssembly assembly)
        {
            lock (_loaded)
            {
                if (_loaded.TryGetValue(assembly.Name, out Assembly? existing)) return existing;
                Assembly loaded = Assembly.LoadFrom(assembly.Path);
                _loaded[assembly.Name] = loaded;
                return loaded;
            }
        }
    }
}
