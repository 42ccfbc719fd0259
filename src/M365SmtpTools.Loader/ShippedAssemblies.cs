using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;

namespace M365SmtpTools.Loader
{
    /// <summary>
    /// The assemblies a module folder ships (the cmdlet assembly at its root, everything else under dependencies/),
    /// by simple name, with the version each file carries. Only these names, at these versions, are ever resolved.
    /// </summary>
    internal sealed class ShippedAssemblies
    {
        internal const string CmdletAssemblyName = "M365SmtpTools";
        internal const string DependencyFolderName = "dependencies";

        private readonly Dictionary<string, ShippedAssembly> _byName =
            new Dictionary<string, ShippedAssembly>(StringComparer.OrdinalIgnoreCase);

        private ShippedAssemblies(string moduleDir)
        {
            ModuleDir = Path.GetFullPath(moduleDir);
            DependencyDir = Path.Combine(ModuleDir, DependencyFolderName);
        }

        /// <summary>The module folder (where the manifest is).</summary>
        public string ModuleDir { get; }

        /// <summary>The folder of the engine and the third-party assemblies.</summary>
        public string DependencyDir { get; }

        /// <summary>Every shipped assembly.</summary>
        public IEnumerable<ShippedAssembly> All => _byName.Values;

        /// <summary>Reads the names and versions of the files in a module folder.</summary>
        public static ShippedAssemblies Read(string moduleDir)
        {
            var shipped = new ShippedAssemblies(moduleDir);
            string cmdlets = Path.Combine(shipped.ModuleDir, CmdletAssemblyName + ".dll");
            if (!File.Exists(cmdlets))
                throw new FileNotFoundException(
                    $"The module folder '{shipped.ModuleDir}' has no {CmdletAssemblyName}.dll: the module is incomplete; reinstall it.",
                    cmdlets);
            shipped.Add(cmdlets);
            if (Directory.Exists(shipped.DependencyDir))
                foreach (string file in Directory.GetFiles(shipped.DependencyDir, "*.dll")) shipped.Add(file);
            return shipped;
        }

        /// <summary>The shipped assembly of that simple name, or null.</summary>
        public ShippedAssembly? Find(string simpleName) =>
            _byName.TryGetValue(simpleName, out ShippedAssembly? found) ? found : null;

        /// <summary>True when <paramref name="path"/> is a file of this module (a request made by one of ours).</summary>
        public bool Owns(string? path)
        {
            if (string.IsNullOrEmpty(path)) return false;
            string full = Path.GetFullPath(path);
            return full.StartsWith(ModuleDir + Path.DirectorySeparatorChar, StringComparison.OrdinalIgnoreCase);
        }

        private void Add(string path)
        {
            AssemblyName name;
            try { name = AssemblyName.GetAssemblyName(path); }
            catch (BadImageFormatException) { return; } // a native library in the folder: not ours to resolve
            _byName[name.Name!] = new ShippedAssembly(name.Name!, name.Version ?? new Version(0, 0, 0, 0), path);
        }
    }

    /// <summary>One shipped assembly file.</summary>
    internal sealed class ShippedAssembly
    {
        public ShippedAssembly(string name, Version version, string path)
        {
            Name = name;
            Version = version;
            Path = path;
        }

        /// <summary>Simple name.</summary>
        public string Name { get; }

        /// <summary>Assembly version of the file.</summary>
        public Version Version { get; }

        /// <summary>Full path of the file.</summary>
        public string Path { get; }
    }
}
