#Requires -Version 5.1
<#
.SYNOPSIS
    Builds, tests and packages the M365SmtpTools module.
.DESCRIPTION
    Build:      dotnet build, which assembles out/M365SmtpTools (manifest, cmdlets, dependencies, help, formats).
    Test:       Build, then dotnet test (all xUnit projects) and the Pester tests in tests/pester against out/M365SmtpTools.
    Package:    Build in Release, then zip out/M365SmtpTools to out/M365SmtpTools-<version>.zip (what Azure Automation imports).
    UpdateHelp: regenerate en-US/M365SmtpTools.dll-Help.xml from the code's doc comments (commit the result).
.EXAMPLE
    ./build.ps1 -Task Test
.EXAMPLE
    ./build.ps1 -Task Package -Configuration Release
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Package', 'UpdateHelp')]
    [string] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Debug'
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
        Invoke-Build -Config $Configuration
        Invoke-Dotnet -Arguments @('test', (Join-Path $root 'M365SmtpTools.sln'), '-c', $Configuration, '--no-build', '--nologo')
        $pester = Get-Module -ListAvailable -Name Pester | Where-Object { $_.Version -ge [version]'5.3.0' } | Select-Object -First 1
        if (-not $pester) {
            throw 'Pester 5.3 or later is needed: Install-Module Pester -MinimumVersion 5.3.0 -Scope CurrentUser -Force'
        }
        Import-Module $pester -Force
        $config = New-PesterConfiguration
        $config.Run.Path = Join-Path $root 'tests/pester'
        $config.Run.Exit = $false
        $config.Run.PassThru = $true
        $config.Output.Verbosity = 'Detailed'
        $env:M365SMTPTOOLS_MODULE_PATH = $moduleDir
        $result = Invoke-Pester -Configuration $config
        if ($result.FailedCount -gt 0) { throw "$($result.FailedCount) Pester test(s) failed" }
    }
    'Package' {
        Invoke-Build -Config 'Release'
        $manifest = Import-PowerShellDataFile -Path (Join-Path $moduleDir 'M365SmtpTools.psd1')
        $zip = Join-Path $root "out/M365SmtpTools-$($manifest.ModuleVersion).zip"
        if (Test-Path -LiteralPath $zip) { Remove-Item -LiteralPath $zip }
        # Azure Automation wants the module folder itself at the root of the zip.
        Compress-Archive -Path $moduleDir -DestinationPath $zip
        Get-Item -LiteralPath $zip
    }
}
