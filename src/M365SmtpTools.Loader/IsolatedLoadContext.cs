using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;

namespace M365SmtpTools.Loader
{
    /// <summary>
    /// PowerShell 7 (.NET): the module's own AssemblyLoadContext. Every shipped assembly the platform doesn't already
    /// provide at the same or a higher version is loaded into it up front, so that when the engine binds MSAL by name it
    /// finds its own copy there first, whatever version another module put in the default context, before or after.
    /// Reached by reflection because netstandard2.0 doesn't expose AssemblyLoadContext.
    /// </summary>
    internal sealed class IsolatedLoadContext
    {
        internal const string ContextName = "M365SmtpTools";

        private static readonly Type? AlcType =
            Type.GetType("System.Runtime.Loader.AssemblyLoadContext, System.Runtime.Loader", throwOnError: false);

        private readonly ShippedAssemblies _shipped;
        private readonly object _context;
        private readonly MethodInfo _loadFromPath;
        private readonly Dictionary<string, Assembly> _loaded = new Dictionary<string, Assembly>(StringComparer.OrdinalIgnoreCase);

        /// <summary>True on .NET (Core), where load contexts exist.</summary>
        public static bool IsSupported => AlcType != null;

        public IsolatedLoadContext(ShippedAssemblies shipped)
        {
            _shipped = shipped;
            _context = Activator.CreateInstance(AlcType!, ContextName, false)!;
            _loadFromPath = AlcType!.GetMethod("LoadFromAssemblyPath", new[] { typeof(string) })!;
            EventInfo resolving = AlcType.GetEvent("Resolving")!;
            MethodInfo handler = typeof(IsolatedLoadContext).GetMethod(nameof(OnResolving),
                BindingFlags.NonPublic | BindingFlags.Instance)!;
            resolving.AddEventHandler(_context, Delegate.CreateDelegate(resolving.EventHandlerType!, this, handler));
        }

        /// <summary>Loads the private dependencies, then the cmdlet assembly, into this context.</summary>
        public Assembly LoadCmdletAssembly()
        {
            Dictionary<string, Version> platform = PlatformAssemblies();
            foreach (ShippedAssembly assembly in _shipped.All.Where(a => a.Name != ShippedAssemblies.CmdletAssemblyName))
            {
                bool platformHasIt = platform.TryGetValue(assembly.Name, out Version? platformVersion)
                    && platformVersion >= assembly.Version;
                if (!platformHasIt) Load(assembly);
            }
            return Load(_shipped.Find(ShippedAssemblies.CmdletAssemblyName)!);
        }

        // Only reached when neither this context nor the default one has the name: our files, nothing else.
        private Assembly? OnResolving(object context, AssemblyName name)
        {
            ShippedAssembly? shipped = name.Name == null ? null : _shipped.Find(name.Name);
            if (shipped == null) return null;
            if (name.Version != null && name.Version > shipped.Version) return null;
            return Load(shipped);
        }

        private Assembly Load(ShippedAssembly assembly)
        {
            lock (_loaded)
            {
                if (_loaded.TryGetValue(assembly.Name, out Assembly? existing)) return existing;
                var loaded = (Assembly)_loadFromPath.Invoke(_context, new object[] { assembly.Path })!;
                _loaded[assembly.Name] = loaded;
                return loaded;
            }
        }

        // The framework's and the host's own assemblies (TRUSTED_PLATFORM_ASSEMBLIES), with their versions.
        private static Dictionary<string, Version> PlatformAssemblies()
        {
            var result = new Dictionary<string, Version>(StringComparer.OrdinalIgnoreCase);
            string list = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? "";
            foreach (string path in list.Split(Path.PathSeparator))
            {
                if (path.Length == 0) continue;
                try { result[Path.GetFileNameWithoutExtension(path)] = AssemblyName.GetAssemblyName(path).Version ?? new Version(0, 0); }
                catch (Exception e) when (e is BadImageFormatException || e is IOException) { /* native or unreadable: not a candidate */ }
            }
            return result;
        }
    }
}
