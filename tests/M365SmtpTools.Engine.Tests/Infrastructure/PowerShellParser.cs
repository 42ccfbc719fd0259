using System.Diagnostics;
using System.Text.Json;

namespace M365SmtpTools.Engine.Tests.Infrastructure;

/// <summary>
/// Parses PowerShell text with real PowerShell's parser (the repository's local tool, <c>dotnet pwsh</c>, from
/// .config/dotnet-tools.json) and lists what would run: every command in order with its named string arguments.
/// </summary>
public static class PowerShellParser
{
    /// <summary>One command of the parsed text: its name and the constant values of its -Parameter arguments.</summary>
    public sealed record Command(string Name, Dictionary<string, string> Arguments, string Text);

    /// <summary>Parse errors and commands of one script.</summary>
    public sealed record Parsed(string[] Errors, Command[] Commands)
    {
        public string[] Names => Commands.Select(c => c.Name).ToArray();
    }

    private const string Parse = """
        $ErrorActionPreference = 'Stop'
        $out = foreach ($path in $args) {
            $tokens = $null; $errors = $null
            $ast = [System.Management.Automation.Language.Parser]::ParseFile($path, [ref]$tokens, [ref]$errors)
            $commands = foreach ($c in $ast.FindAll({ $args[0] -is [System.Management.Automation.Language.CommandAst] }, $true)) {
                $named = @{}
                $e = $c.CommandElements
                for ($i = 1; $i -lt $e.Count; $i++) {
                    if ($e[$i] -is [System.Management.Automation.Language.CommandParameterAst] -and $i + 1 -lt $e.Count -and
                        $e[$i + 1] -is [System.Management.Automation.Language.StringConstantExpressionAst] -and $null -eq $e[$i].Argument) {
                        $named[$e[$i].ParameterName] = $e[$i + 1].Value
                    }
                }
                $name = $c.GetCommandName()
                if ($null -eq $name) { $name = '<dynamic>' }
                [ordered]@{ Name = $name; Arguments = $named; Text = $c.Extent.Text }
            }
            [ordered]@{ Errors = @($errors | ForEach-Object { $_.Message }); Commands = @($commands) }
        }
        ConvertTo-Json -InputObject @($out) -Depth 6 -Compress
        """;

    /// <summary>Parses each file; skips the test (with the reason) when PowerShell isn't available.</summary>
    public static Parsed[] ParseFiles(params string[] paths)
    {
        string dir = TestPaths.NewTempDir();
        string parser = Path.Combine(dir, "parse.ps1");
        File.WriteAllText(parser, Parse);
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = TestPaths.RepoRoot
        };
        foreach (string a in new[] { "pwsh", "-NoProfile", "-NonInteractive", "-File", parser }.Concat(paths)) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        Task<string> stdout = p.StandardOutput.ReadToEndAsync(), stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(2))) { p.Kill(true); throw new TimeoutException("pwsh did not finish"); }
        p.WaitForExit();
        if (p.ExitCode != 0 && stderr.Result.Contains("dotnet tool restore", StringComparison.OrdinalIgnoreCase))
            Assert.Skip("PowerShell (the local tool) is not installed: run `dotnet tool restore` in the repository.");
        Assert.True(p.ExitCode == 0, "pwsh failed: " + stderr.Result);
        using var doc = JsonDocument.Parse(stdout.Result);
        return doc.RootElement.EnumerateArray().Select(r => new Parsed(
            r.GetProperty("Errors").EnumerateArray().Select(e => e.GetString()!).ToArray(),
            r.GetProperty("Commands").EnumerateArray().Select(c => new Command(
                c.GetProperty("Name").GetString()!,
                c.GetProperty("Arguments").EnumerateObject()
                    .ToDictionary(x => x.Name, x => x.Value.GetString()!, StringComparer.OrdinalIgnoreCase),
                c.GetProperty("Text").GetString()!)).ToArray())).ToArray();
    }

    /// <summary>Writes <paramref name="script"/> (UTF-8 with a BOM, as the plans write it) and parses it.</summary>
    public static Parsed[] ParseTexts(params string[] scripts)
    {
        string dir = TestPaths.NewTempDir();
        var paths = scripts.Select((s, i) =>
        {
            string path = Path.Combine(dir, $"script{i}.ps1");
            File.WriteAllText(path, s, new System.Text.UTF8Encoding(true));
            return path;
        }).ToArray();
        return ParseFiles(paths);
    }
}
