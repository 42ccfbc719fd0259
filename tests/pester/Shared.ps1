# Helpers dot-sourced by the Pester files that need a fresh PowerShell process.

# The command line that starts another process of the PowerShell running these tests: pwsh (or powershell.exe),
# or dotnet plus pwsh.dll when PowerShell runs as a .NET tool.
function Get-PowerShellCommandLine {
    $exe = (Get-Process -Id $PID).Path
    $leading = @()
    if ([System.IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { $leading += (Join-Path $PSHOME 'pwsh.dll') }
    [pscustomobject]@{ Executable = $exe; LeadingArguments = $leading }
}
