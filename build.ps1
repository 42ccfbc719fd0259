#Requires -Version 5.1
<#
.SYNOPSIS
    Builds, tests and packages the M365SmtpTools module.
.DESCRIPTION
    Build:      dotnet build, which assembles out/M365SmtpTools (manifest, cmdlets, dependencies, help, formats).
    Test:       Build, then dotnet test (all xUnit projects) and the Pester tests in tests/pester against out/M365SmtpTools
                (Pester 5.7.1 from the NuGet packages folder, which the test projects download, or an installed Pester 5.3+).
                Servers are not started here: the full test command is `bash tests/run.sh`.
    Package:    Build in Release, then zip out/M365SmtpTools to out/M365SmtpTools-<version>.zip (what Azure Automation imports).
    UpdateHelp: regenerate en-US/M365SmtpTools.dll-Help.xml from the code's doc comments (commit the result).
.EXAMPLE
    ./build.ps1 -Task Test
.EXAMPLE
    ./build.ps1 -Task Package
.EXAMPLE
    ./build.ps1 -Task Test -NoBuild -TestFilter 'FullyQualifiedName~ModuleFolderTests' -PesterPath tests/pester/Module.Tests.ps1
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Package', 'UpdateHelp')]
    [string] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Debug',

    # Test and Package: use the module folder and test assemblies already built.
    [switch] $NoBuild,

    # Test: a dotnet test --filter expression (default: every test).
    [string] $TestFilter,

    # Test: the Pester files to run (default: all of tests/pester).
    [string[]] $PesterPath
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$root = $PSScriptRoot
$moduleDir = Join-Path $root 'out/M365SmtpTools'

function Invoke-Dotnet {
    param([string[]] $Arguments)
    & dotnet @Arguments
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

function Invoke-Build {
    param([string] $Config, [switch] $UpdateHelp)
    $arguments = @('build', (Join-Path $root 'M365SmtpTools.sln'), '-c', $Config, '--nologo')
    if ($UpdateHelp) { $arguments += '-p:UpdateHelp=true' }
    Invoke-Dotnet -Arguments $arguments
}

switch ($Task) {
    'Build' {
        Invoke-Build -Config $Configuration
    }
    'UpdateHelp' {
        Invoke-Build -Config $Configuration -UpdateHelp
    }
    'Test' {
        if (-not $NoBuild) { Invoke-Build -Config $Configuration }
        $arguments = @('test', (Join-Path $root 'M365SmtpTools.sln'), '-c', $Configuration, '--no-build', '--nologo')
        if ($TestFilter) { $arguments += @('--filter', $TestFilter) }
        Invoke-Dotnet -Arguments $arguments
        $pesterArguments = @{ ModulePath = $moduleDir }
        if ($PesterPath) { $pesterArguments.Path = $PesterPath }
        & (Join-Path $root 'tests/pester/Run-PesterSuite.ps1') @pesterArguments
        if ($LASTEXITCODE -ne 0) { throw 'Pester tests failed' }
    }
    'Package' {
        if (-not $NoBuild) { Invoke-Build -Config 'Release' }
        $manifest = Import-PowerShellDataFile -Path (Join-Path $moduleDir 'M365SmtpTools.psd1')
        $zip = Join-Path $root "out/M365SmtpTools-$($manifest.ModuleVersion).zip"
        if (Test-Path -LiteralPath $zip) { Remove-Item -LiteralPath $zip }
        # Azure Automation wants the module folder itself at the root of the zip.
        Compress-Archive -Path $moduleDir -DestinationPath $zip
        Get-Item -LiteralPath $zip
    }
}
