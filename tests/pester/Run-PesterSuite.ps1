#Requires -Version 5.1
<#
.SYNOPSIS
    Runs the Pester suite (tests/pester) against a built module folder and prints its totals.
.DESCRIPTION
    Uses Pester 5.7.1 from the NuGet packages folder (the test projects download it: dotnet restore) or, failing that,
    an installed Pester 5.3 or later. Prints "pester: N passed, N failed, N skipped" as its last line and exits 1 when
    a test failed or Pester could not run, so the test command can add the counts to its own.
.EXAMPLE
    dotnet pwsh -NoProfile -File tests/pester/Run-PesterSuite.ps1
.EXAMPLE
    pwsh -NoProfile -File tests/pester/Run-PesterSuite.ps1 -ModulePath ./out/M365SmtpTools -Output Detailed
#>
[CmdletBinding()]
param(
    # The module folder to test (default: out/M365SmtpTools).
    [string] $ModulePath = (Join-Path $PSScriptRoot '../../out/M365SmtpTools'),

    # The NuGet global packages folder holding pester/5.7.1 (default: asked of dotnet).
    [string] $PackageRoot,

    # Only these test files (default: every *.Tests.ps1 in tests/pester).
    [string[]] $Path,

    # Pester's output verbosity.
    [ValidateSet('None', 'Normal', 'Detailed', 'Diagnostic')]
    [string] $Output = 'Normal'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Off  # the test files are written for PowerShell's defaults, whatever the caller (build.ps1) set
$pesterVersion = '5.7.1'

if (-not $PackageRoot) {
    $locals = & dotnet nuget locals global-packages --list 2>$null
    if ($LASTEXITCODE -eq 0 -and "$locals" -match 'global-packages:\s*(.+)$') { $PackageRoot = $Matches[1].Trim() }
}
$pesterManifest = if ($PackageRoot) { Join-Path $PackageRoot "pester/$pesterVersion/tools/Pester.psd1" }
if ($pesterManifest -and (Test-Path -LiteralPath $pesterManifest)) {
    Import-Module -Name $pesterManifest -Force
}
else {
    $installed = Get-Module -ListAvailable -Name Pester | Where-Object { $_.Version -ge [version]'5.3.0' } | Sort-Object -Property Version -Descending | Select-Object -First 1
    if (-not $installed) {
        Write-Output "Pester $pesterVersion was not found in the NuGet packages folder ('$PackageRoot'): run 'dotnet restore' (the test projects download it) or Install-Module Pester -MinimumVersion 5.3.0."
        Write-Output 'pester: 0 passed, 1 failed, 0 skipped'
        exit 1
    }
    Import-Module -Name $installed.Path -Force
}

$env:M365SMTPTOOLS_MODULE_PATH = (Resolve-Path -LiteralPath $ModulePath).ProviderPath
if ($PackageRoot) { $env:M365SMTPTOOLS_NUGET_PACKAGES = $PackageRoot }  # where the tests find MSAL 4.61.3
$config = New-PesterConfiguration
$config.Run.Path = if ($Path) { $Path } else { $PSScriptRoot }
$config.Run.Exit = $false
$config.Run.PassThru = $true
$config.Output.Verbosity = $Output
try { $result = Invoke-Pester -Configuration $config }
catch {
    Write-Output "Pester could not run: $_"
    Write-Output 'pester: 0 passed, 1 failed, 0 skipped'
    exit 1
}

# A container that failed to run (a broken BeforeAll, a parse error) counts as a failure even with no test in it.
$failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
Write-Output ('pester: {0} passed, {1} failed, {2} skipped' -f $result.PassedCount, $failed, ($result.SkippedCount + $result.NotRunCount))
if ($failed -gt 0 -or $result.Result -ne 'Passed') { exit 1 }
exit 0
