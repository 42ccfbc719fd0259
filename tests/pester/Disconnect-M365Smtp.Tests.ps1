#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.3.0' }
# Disconnect-M365Smtp as an admin uses it, from out/M365SmtpTools (M365SMTPTOOLS_MODULE_PATH: another copy). The
# connections are made with Connect-M365Smtp -AccessToken, which needs no network.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    Import-Module $TestedManifest -Force -ErrorAction Stop
    $token = ConvertTo-SecureString -String 'opaque-token-from-elsewhere' -AsPlainText -Force
}

AfterAll {
    Disconnect-M365Smtp -ErrorAction SilentlyContinue
    Remove-Module M365SmtpTools -ErrorAction SilentlyContinue
}

Describe 'Disconnect-M365Smtp' {
    BeforeEach {
        Disconnect-M365Smtp -ErrorAction SilentlyContinue
        foreach ($name in 'Default', 'Scanner', 'Reports', 'Alerts') {
            Connect-M365Smtp -AccessToken $token -UserName "$($name.ToLowerInvariant())@contoso.com" -Name $name
        }
    }

    It 'removes every connection when no name is given, and writes nothing' {
        Disconnect-M365Smtp | Should -BeNullOrEmpty
        Get-M365SmtpConnection | Should -BeNullOrEmpty
    }

    It 'removes only the named connection (positional)' {
        Disconnect-M365Smtp Scanner
        (Get-M365SmtpConnection).Name | Sort-Object | Should -Be @('Alerts', 'Default', 'Reports')
    }

    It 'writes the removed connections, closed, with -PassThru' {
        $removed = Disconnect-M365Smtp -Name 'Re*', 'Alerts' -PassThru
        $removed.Name | Sort-Object | Should -Be @('Alerts', 'Reports')
        $removed.IsClosed | Should -Be @($true, $true)
        $removed[0].PSObject.TypeNames | Should -Contain 'M365SmtpTools.Engine.Auth.SmtpConnection'
    }

    It 'takes names from the pipeline by value' {
        'Scanner', 'Alerts' | Disconnect-M365Smtp
        (Get-M365SmtpConnection).Name | Sort-Object | Should -Be @('Default', 'Reports')
    }

    It 'takes connections from Get-M365SmtpConnection (by their Name property)' {
        Get-M365SmtpConnection -Name S* | Disconnect-M365Smtp
        (Get-M365SmtpConnection).Name | Should -Not -Contain 'Scanner'
        @(Get-M365SmtpConnection).Count | Should -Be 3
    }

    It 'takes names from the Name column of a CSV file' {
        $csv = Join-Path $TestDrive 'retire.csv'
        "Name,Reason`nReports,moved to App RBAC`nDefault,unused" | Set-Content -Path $csv
        Import-Csv -Path $csv | Disconnect-M365Smtp
        (Get-M365SmtpConnection).Name | Sort-Object | Should -Be @('Alerts', 'Scanner')
    }

    It 'removes nothing with -WhatIf' {
        Disconnect-M365Smtp -Name Scanner -WhatIf | Should -BeNullOrEmpty
        (Get-M365SmtpConnection -Name Scanner).IsClosed | Should -BeFalse
        @(Get-M365SmtpConnection).Count | Should -Be 4
    }

    It 'removes with -Confirm:$false' {
        Disconnect-M365Smtp -Name Alerts -Confirm:$false
        (Get-M365SmtpConnection).Name | Should -Not -Contain 'Alerts'
    }

    It 'leaves a removed connection unusable for Send-M365Mail' {
        Disconnect-M365Smtp -Name Reports
        { Send-M365Mail -ConnectionName Reports -To ann@contoso.com -Subject 'x' -Body 'y' -ErrorAction Stop } |
            Should -Throw -ErrorId 'ConnectionNotFound,M365SmtpTools.Commands.SendM365MailCommand'
    }

    It 'stops with ConnectionNotFound for a name that matches nothing under -ErrorAction Stop' {
        { Disconnect-M365Smtp -Name Missing -ErrorAction Stop } |
            Should -Throw -ErrorId 'ConnectionNotFound,M365SmtpTools.Commands.DisconnectM365SmtpCommand'
    }

    It 'reports a missing name as ObjectNotFound aimed at the name and still removes the others' {
        $err = $null
        Disconnect-M365Smtp -Name 'Missing', 'Scanner' -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].TargetObject | Should -Be 'Missing'
        (Get-M365SmtpConnection).Name | Should -Not -Contain 'Scanner'
    }

    It 'shows the removed connections with the table view (no type names)' {
        $text = Disconnect-M365Smtp -Name Scanner -PassThru | Out-String
        $text | Should -Match 'Scanner\s+AccessToken\s+scanner@contoso\.com\s+smtp\.office365\.com'
        $text | Should -Not -Match 'M365SmtpTools\.'
    }
}
