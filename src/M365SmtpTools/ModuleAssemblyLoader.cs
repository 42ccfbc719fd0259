using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;

namespace M365SmtpTools
{
    /// <summary>
    /// Keeps the module's dependencies (the engine, MSAL and friends) apart from other modules'.
    /// On .NET (PowerShell 7) they load into the module's own AssemblyLoadContext; only the engine's name is resolved
    /// across the boundary. On .NET Framework (Windows PowerShell 5.1) they resolve from the module's dependencies folder.
    /// Written against the BCL only (no System.Management.Automation) so tests can exercise it, and against
    /// AssemblyLoadContext by reflection because netstandard2.0 doesn't expose it.
    /// </summary>
    internal static class ModuleAssemblyLoader
    {
        internal const string EngineAssemblyName = "M365SmtpTools.Engine";
        internal const string LoadContextName = "M365SmtpTools";

        private static readonly object Gate = new object();
        private static string? _dependencyDir;
        private static object? _loadContext;
        private static MethodInfo? _loadFromPath;
        private static Delegate? _defaultResolving;
        private static ResolveEventHandler? _appDomainResolve;
        private static readonly Dictionary<string, Assembly> Loaded = new Dictionary<string, Assembly>(StringComparer.OrdinalIgnoreCase);

        /// <summary>The isolated load context (null on .NET Framework or before Install).</summary>
        internal static object? LoadContext => _loadContext;

        /// <summary>Hooks assembly resolution for the module rooted at <paramref name="moduleDir"/>. Idempotent.</summary>
        internal static void Install(string moduleDir)
        {
            lock (Gate)
            {
                if (_dependencyDir != null) return;
                _dependencyDir = Path.Combine(moduleDir, "dependencies");
                Type? alcType = Type.GetType("System.Runtime.Loader.AssemblyLoadContext, System.Runtime.Loader", throwOnError: false);
                if (alcType == null)
                {
                    _appDomainResolve = ResolveFromDependencyFolder;
                    AppDomain.CurrentDomain.AssemblyResolve += _appDomainResolve;
                    return;
                }

                _loadContext = Activator.CreateInstance(alcType, LoadContextName, false)!;
                _loadFromPath = alcType.GetMethod("LoadFromAssemblyPath", new[] { typeof(string) })!;
                EventInfo resolving = alcType.GetEvent("Resolving")!;
                MethodInfo isolatedHandler = typeof(ModuleAssemblyLoader).GetMethod(nameof(ResolveInIsolatedContext), BindingFlags.NonPublic | BindingFlags.Static)!;
                resolving.AddEventHandler(_loadContext, Delegate.CreateDelegate(resolving.EventHandlerType!, isolatedHandler));

                object defaultContext = alcType.GetProperty("Default")!.GetValue(null)!;
                MethodInfo engineHandler = typeof(ModuleAssemblyLoader).GetMethod(nameof(ResolveEngineFromDefault), BindingFlags.NonPublic | BindingFlags.Static)!;
                _defaultResolving = Delegate.CreateDelegate(resolving.EventHandlerType!, engineHandler);
                resolving.AddEventHandler(defaultContext, _defaultResolving);
            }
        }

        /// <summary>Unhooks the handlers (module removal). Assemblies already loaded stay loaded.</summary>
        internal static void Uninstall()
        {
            lock (Gate)
            {
                if (_appDomainResolve != null) AppDomain.CurrentDomain.AssemblyResolve -= _appDomainResolve;
                if (_defaultResolving != null)
                {
                    Type alcType = _loadContext!.GetType();
                    object defaultContext = alcType.GetProperty("Default")!.GetValue(null)!;
                    alcType.GetEvent("Resolving")!.RemoveEventHandler(defaultContext, _defaultResolving);
                }
                _appDomainResolve = null;
                _defaultResolving = null;
            }
        }

        // Default context: only the engine crosses over; everything else it needs resolves inside the isolated context.
        private static Assembly? ResolveEngineFromDefault(object context, AssemblyName name)
        {
            if (!string.Equals(name.Name, EngineAssemblyName, StringComparison.OrdinalIgnoreCase)) return null;
            PreloadPrivateDependencies();
            return LoadIsolated(name.Name!);
        }

        // Isolated context: anything shipped in dependencies/ that the framework doesn't provide.
        private static Assembly? ResolveInIsolatedContext(object context, AssemblyName name) => LoadIsolated(name.Name!);

        /// <summary>
        /// Loads every shipped assembly that the framework doesn't itself provide into the isolated context before the
        /// engine runs, so that a same-named assembly another module put in the default context (say an older MSAL)
        /// is never picked up when the engine binds by name.
        /// </summary>
        private static void PreloadPrivateDependencies()
        {
            var platform = new HashSet<string>(
                ((AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string) ?? "")
                    .Split(Path.PathSeparator).Where(p => p.Length > 0).Select(Path.GetFileNameWithoutExtension)!,
                StringComparer.OrdinalIgnoreCase);
            foreach (string file in Directory.EnumerateFiles(_dependencyDir!, "*.dll"))
            {
                string simpleName = Path.GetFileNameWithoutExtension(file);
                if (!platform.Contains(simpleName)) LoadIsolated(simpleName);
            }
        }

        private static Assembly? LoadIsolated(string simpleName)
        {
            lock (Gate)
            {
                if (Loaded.TryGetValue(simpleName, out Assembly? existing)) return existing;
                string path = Path.Combine(_dependencyDir!, simpleName + ".dll");
                if (!File.Exists(path)) return null;
                var assembly = (Assembly)_loadFromPath!.Invoke(_loadContext, new object[] { path })!;
                Loaded[simpleName] = assembly;
                return assembly;
            }
        }

        private static Assembly? ResolveFromDependencyFolder(object? sender, ResolveEventArgs args)
        {
            string simpleName = new AssemblyName(args.Name).Name!;
            lock (Gate)
            {
                if (Loaded.TryGetValue(simpleName, out Assembly? existing)) return existing;
                string path = Path.Combine(_dependencyDir!, simpleName + ".dll");
                if (!File.Exists(path)) return null;
                Assembly assembly = Assembly.LoadFrom(path);
                Loaded[simpleName] = assembly;
                return assembly;
            }
        }
    }
}
