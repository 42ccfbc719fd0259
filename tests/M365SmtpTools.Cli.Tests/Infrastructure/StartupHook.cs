// Loaded into the m365smtp process by CliProcess through DOTNET_STARTUP_HOOKS (a documented .NET host feature): before
// the tool's Main runs, the child writes its own /proc/self/cmdline (what ps and other users see) to the file named by
// M365SMTP_TEST_CMDLINE_FILE. The child reports its argv itself, so reading it no longer races the child's exit.
// It must stay in the global namespace and be named StartupHook, with a static Initialize(): the runtime looks it up by
// that name. It touches only System.IO, so none of the test assembly's dependencies load into the tool.
internal static class StartupHook
{
    public static void Initialize()
    {
        string? target = System.Environment.GetEnvironmentVariable("M365SMTP_TEST_CMDLINE_FILE");
        if (string.IsNullOrEmpty(target)) return;
        System.IO.File.WriteAllBytes(target, System.IO.File.ReadAllBytes("/proc/self/cmdline"));
    }
}
