#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.3.0' }
# build.ps1 as a contributor runs it, in a child PowerShell: -Task Package makes the zip Azure Automation imports
# (the module folder at its root, importable once extracted) and -Task Test runs both test frameworks.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    $repoRoot = (Resolve-Path -LiteralPath (Join-Path $PSScriptRoot '../..')).ProviderPath
    $modulePath = if ($env:M365SMTPTOOLS_MODULE_PATH) { $env:M365SMTPTOOLS_MODULE_PATH } else { Join-Path $repoRoot 'out/M365SmtpTools' }
    $manifest = Import-PowerShellDataFile -Path (Join-Path $modulePath 'M365SmtpTools.psd1')
    $pwsh = Get-PowerShellCommandLine

    function Invoke-Child {
        param([string[]] $Arguments)
        $all = @($pwsh.LeadingArguments) + @('-NoProfile', '-NonInteractive') + $Arguments
        $output = & $pwsh.Executable @all 2>&1 | Out-String
        [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = $output }
    }
}

Describe 'build.ps1 -Task Package' {
    BeforeAll {
        $result = Invoke-Child -Arguments @('-File', (Join-Path $repoRoot 'build.ps1'), '-Task', 'Package', '-NoBuild')
        $zip = Join-Path $repoRoot "out/M365SmtpTools-$($manifest.ModuleVersion).zip"
        $extracted = Join-Path ([System.IO.Path]::GetTempPath()) "m365smtptools-zip-$([guid]::NewGuid())"
    }

    AfterAll {
        if (Test-Path -LiteralPath $extracted) { Remove-Item -LiteralPath $extracted -Recurse -Force }
    }

    It 'makes the versioned zip' {
        $result.ExitCode | Should -Be 0 -Because $result.Output
        Test-Path -LiteralPath $zip | Should -BeTrue
    }

    It 'holds the module folder at the root of the zip' {
        Expand-Archive -LiteralPath $zip -DestinationPath $extracted
        @(Get-ChildItem -LiteralPath $extracted).Name | Should -Be @('M365SmtpTools')
        Test-Path -LiteralPath (Join-Path $extracted 'M365SmtpTools/M365SmtpTools.psd1') | Should -BeTrue
        Test-Path -LiteralPath (Join-Path $extracted 'M365SmtpTools/dependencies/M365SmtpTools.Engine.dll') | Should -BeTrue
    }

    It 'imports from the extracted copy in a fresh PowerShell' {
        $script = "Import-Module -Name '$((Join-Path $extracted 'M365SmtpTools/M365SmtpTools.psd1') -replace "'", "''")' -ErrorAction Stop; (Get-Command -Module M365SmtpTools).Count; (Get-Module M365SmtpTools).ModuleBase"
        $child = Invoke-Child -Arguments @('-Command', $script)
        $child.ExitCode | Should -Be 0 -Because $child.Output
        $lines = $child.Output -split "`r?`n" | Where-Object { $_ }
        $lines[0] | Should -Be '10'
        $lines[1] | Should -BeLike "*m365smtptools-zip-*M365SmtpTools"
    }
}

Describe 'build.ps1 -Task Test' {
    It 'runs the xUnit and Pester tests it is given and reports Pester''s totals' {
        $result = Invoke-Child -Arguments @('-File', (Join-Path $repoRoot 'build.ps1'), '-Task', 'Test', '-NoBuild',
            '-TestFilter', 'FullyQualifiedName~ModuleFolderTests', '-PesterPath', (Join-Path $PSScriptRoot 'Module.Tests.ps1'))
        $result.ExitCode | Should -Be 0 -Because $result.Output
        $result.Output | Should -Match 'Passed!\s+-\s+Failed:\s+0, Passed:\s+[1-9]'
        $result.Output | Should -Match 'pester: [1-9][0-9]* passed, 0 failed'
    }
}
