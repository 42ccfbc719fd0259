using System.Reflection;

namespace M365SmtpTools.Engine.Tests.Infrastructure;

/// <summary>Where the repository and its test state live.</summary>
public static class TestPaths
{
    /// <summary>The repository root (stamped in at build time).</summary>
    public static string RepoRoot { get; } =
        typeof(TestPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().First(a => a.Key == "RepoRoot").Value!;

    /// <summary>tests/interop/.state: where the interop server scripts keep their state and env files.</summary>
    public static string InteropStateDir => Path.Combine(RepoRoot, "tests", "interop", ".state");

    /// <summary>A fresh temporary folder for one test.</summary>
    public static string NewTempDir()
    {
        string dir = Path.Combine(Path.GetTempPath(), "m365smtp-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
