#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.3.0' }
# The module as a user imports it: out/M365SmtpTools (set M365SMTPTOOLS_MODULE_PATH to test another copy).

BeforeAll {
    $modulePath = if ($env:M365SMTPTOOLS_MODULE_PATH) { $env:M365SMTPTOOLS_MODULE_PATH } else { Join-Path $PSScriptRoot '../../out/M365SmtpTools' }
    Import-Module (Join-Path $modulePath 'M365SmtpTools.psd1') -Force -ErrorAction Stop
    $manifest = Import-PowerShellDataFile -Path (Join-Path $modulePath 'M365SmtpTools.psd1')
}

AfterAll {
    Remove-Module M365SmtpTools -ErrorAction SilentlyContinue
}

Describe 'The module' {
    It 'exports exactly the cmdlets its manifest lists' {
        $exported = (Get-Command -Module M365SmtpTools).Name | Sort-Object
        $exported | Should -Be ($manifest.CmdletsToExport | Sort-Object)
    }

    It 'loads its engine in its own load context on PowerShell 7' -Skip:($PSVersionTable.PSEdition -ne 'Core') {
        $engine = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'M365SmtpTools.Engine' }
        $engine | Should -Not -BeNullOrEmpty
        [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($engine[0]).Name | Should -Be 'M365SmtpTools'
    }

    It 'has help with examples for every cmdlet' {
        foreach ($name in $manifest.CmdletsToExport) {
            $help = Get-Help -Name $name -Full
            $help.Synopsis | Should -Not -BeNullOrEmpty
            @($help.Examples.Example).Count | Should -BeGreaterOrEqual 2
        }
    }

    It 'has the about topic' {
        Get-Help about_M365SmtpTools | Out-String | Should -Match 'Direct Send'
    }
}
