#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.3.0' }
# Get-M365SmtpConnection as an admin uses it, from out/M365SmtpTools (M365SMTPTOOLS_MODULE_PATH: another copy). The
# connections are made with Connect-M365Smtp -AccessToken / -Credential, which need no network.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    Import-Module $TestedManifest -Force -ErrorAction Stop
    $token = ConvertTo-SecureString -String 'opaque-token-from-elsewhere' -AsPlainText -Force
    $password = ConvertTo-SecureString -String 'Never-Sh0wn' -AsPlainText -Force
}

AfterAll {
    Disconnect-M365Smtp -ErrorAction SilentlyContinue
    Remove-Module M365SmtpTools -ErrorAction SilentlyContinue
}

Describe 'Get-M365SmtpConnection' {
    BeforeEach {
        Disconnect-M365Smtp -ErrorAction SilentlyContinue
        Connect-M365Smtp -AccessToken $token -UserName scanner@contoso.com -Name Scanner
        Connect-M365Smtp -AccessToken $token -UserName reports@contoso.com -Name Reports
        Connect-M365Smtp -Credential ([pscredential]::new('relay@contoso.test', $password)) -SmtpServer mail.contoso.test -Port 2525 -Name OnPrem
    }

    It 'lists every connection of the session' {
        (Get-M365SmtpConnection).Name | Sort-Object | Should -Be @('OnPrem', 'Reports', 'Scanner')
    }

    It 'returns nothing when the session has no connection' {
        Disconnect-M365Smtp
        Get-M365SmtpConnection | Should -BeNullOrEmpty
    }

    It 'gets one connection by name (positional), with its server, port and user' {
        $connection = Get-M365SmtpConnection OnPrem
        $connection.Name | Should -Be 'OnPrem'
        $connection.Method | Should -Be 'Basic'
        $connection.SmtpHost | Should -Be 'mail.contoso.test'
        $connection.Port | Should -Be 2525
        $connection.UserName | Should -Be 'relay@contoso.test'
    }

    It 'expands wildcards, and a wildcard that matches nothing is no error' {
        (Get-M365SmtpConnection -Name 'Re*', 'S*').Name | Should -Be @('Reports', 'Scanner')
        $err = $null
        Get-M365SmtpConnection -Name 'Nothing*' -ErrorVariable err | Should -BeNullOrEmpty
        $err | Should -BeNullOrEmpty
    }

    It 'takes names from the pipeline by value' {
        ('Scanner', 'OnPrem' | Get-M365SmtpConnection).UserName | Should -Be @('scanner@contoso.com', 'relay@contoso.test')
    }

    It 'takes names from the Name column of a CSV file' {
        $csv = Join-Path $TestDrive 'connections.csv'
        "Name,Owner`nReports,Finance`nOnPrem,Facilities" | Set-Content -Path $csv
        (Import-Csv -Path $csv | Get-M365SmtpConnection).Name | Should -Be @('Reports', 'OnPrem')
    }

    It 'stops with ConnectionNotFound for a name that matches nothing under -ErrorAction Stop' {
        { Get-M365SmtpConnection -Name Missing -ErrorAction Stop } |
            Should -Throw -ErrorId 'ConnectionNotFound,M365SmtpTools.Commands.GetM365SmtpConnectionCommand'
    }

    It 'reports a missing name as a non-terminating ObjectNotFound error aimed at the name, and goes on' {
        $err = $null
        $found = Get-M365SmtpConnection -Name 'Missing', 'Scanner' -ErrorVariable err -ErrorAction SilentlyContinue
        $found.Name | Should -Be 'Scanner'
        $err.Count | Should -Be 1
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].TargetObject | Should -Be 'Missing'
        $err[0].Exception.Message | Should -Match 'Missing'
    }

    It 'shows a table with no type names, no secrets and no token' {
        $text = Get-M365SmtpConnection | Out-String
        $text | Should -Match 'Name\s+Method\s+UserName\s+SmtpHost'
        $text | Should -Match 'OnPrem\s+Basic\s+relay@contoso\.test\s+mail\.contoso\.test'
        $text | Should -Not -Match 'M365SmtpTools\.'
        $all = Get-M365SmtpConnection | Format-List -Property * | Out-String
        $all | Should -Not -Match 'Never-Sh0wn'
        $all | Should -Not -Match 'opaque-token-from-elsewhere'
    }
}
