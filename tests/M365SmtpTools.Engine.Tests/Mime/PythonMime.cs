using System.Diagnostics;
using System.Text.Json;
using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Engine.Tests.Mime;

/// <summary>Runs parse_mime.py (Python's email package: an independent MIME parser). Skips the test when python3 is missing.</summary>
internal static class PythonMime
{
    private static readonly Lazy<string?> Python = new(FindPython);

    private static string Script => Path.Combine(TestPaths.RepoRoot, "tests", "M365SmtpTools.Engine.Tests", "Mime", "parse_mime.py");

    private static string? FindPython()
    {
        foreach (string candidate in new[] { "python3", "/usr/bin/python3" })
        {
            try
            {
                using var p = Process.Start(new ProcessStartInfo(candidate, "-c \"import email, json, hashlib\"") { RedirectStandardError = true, RedirectStandardOutput = true });
                if (p == null) continue;
                p.WaitForExit(30000);
                if (p.HasExited && p.ExitCode == 0) return candidate;
            }
            catch (System.ComponentModel.Win32Exception) { }
        }
        return null;
    }

    public static string Require()
    {
        string? python = Python.Value;
        if (python == null) Assert.Skip("python3 (with its standard email package) was not found on PATH; install it (apt-get install python3) to run the independent MIME parser checks.");
        return python!;
    }

    public static JsonElement Run(string mode, string file)
    {
        string python = Require();
        var psi = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Script);
        psi.ArgumentList.Add(mode);
        psi.ArgumentList.Add(file);
        using var p = Process.Start(psi)!;
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"parse_mime.py {mode} failed: {stderr.Result}");
        return JsonDocument.Parse(stdout.Result).RootElement.Clone();
    }

    /// <summary>Writes the message to a file and parses it.</summary>
    public static JsonElement ParseMessage(M365SmtpTools.Engine.Mime.MimeMessage message, string dir) => ParseMessage(message, dir, out _);

    /// <summary>Writes the message to a file (returned, for the other parser) and parses it.</summary>
    public static JsonElement ParseMessage(M365SmtpTools.Engine.Mime.MimeMessage message, string dir, out string file)
    {
        Require();
        file = Path.Combine(dir, Guid.NewGuid().ToString("N") + ".eml");
        using (var fs = File.Create(file)) message.WriteToAsync(fs, CancellationToken.None).GetAwaiter().GetResult();
        Assert.Equal(message.ComputeSize(), new FileInfo(file).Length);
        return Run("message", file);
    }

    /// <summary>Decodes many raw header fields in one Python call.</summary>
    public static JsonElement DecodeHeaders(IReadOnlyList<string> fields)
    {
        Require();
        string dir = TestPaths.NewTempDir();
        string file = Path.Combine(dir, "headers.json");
        File.WriteAllText(file, JsonSerializer.Serialize(fields));
        try { return Run("headers", file); }
        finally { Directory.Delete(dir, true); }
    }
}
