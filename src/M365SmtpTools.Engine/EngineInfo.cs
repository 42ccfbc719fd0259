using System;
using System.Reflection;

namespace M365SmtpTools.Engine
{
    /// <summary>Which engine and identity-library builds are running, and in which load context (for support and for the isolation
    /// test).</summary>
    public sealed class EngineInfo
    {
        /// <summary>The engine assembly version.</summary>
        public Version EngineVersion { get; private set; } = new Version(0, 0);

        /// <summary>The MSAL (Microsoft.Identity.Client) assembly version the engine is bound to.</summary>
        public Version MsalVersion { get; private set; } = new Version(0, 0);

        /// <summary>Where that MSAL was loaded from.</summary>
        public string MsalLocation { get; private set; } = "";

        /// <summary>The name of the AssemblyLoadContext holding the engine ("Default" when not isolated; empty on .NET
        /// Framework).</summary>
        public string LoadContextName { get; private set; } = "";

        /// <summary>Describes the running engine.</summary>
        public static EngineInfo Current()
        {
            Assembly engine = typeof(EngineInfo).Assembly;
            Assembly msal = typeof(Microsoft.Identity.Client.PublicClientApplication).Assembly;
            return new EngineInfo
            {
                EngineVersion = engine.GetName().Version!,
                MsalVersion = msal.GetName().Version!,
                MsalLocation = msal.Location,
                LoadContextName = LoadContextOf(engine),
            };
        }

        private static string LoadContextOf(Assembly assembly)
        {
            Type? alc = Type.GetType("System.Runtime.Loader.AssemblyLoadContext, System.Runtime.Loader", throwOnError: false);
            object? context = alc?.GetMethod("GetLoadContext", new[] { typeof(Assembly) })?.Invoke(null, new object[] { assembly });
            return context == null ? "" : (string?)alc!.GetProperty("Name")?.GetValue(context) ?? "";
        }
    }
}
