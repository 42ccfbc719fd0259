#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.3.0' }
# Test-M365SmtpAuth as a user runs it: out/M365SmtpTools (set M365SMTPTOOLS_MODULE_PATH to test another copy).
# Network-free: a closed loopback port and parameter checks; the stage-by-stage behaviour is tested in the engine tests.

BeforeAll {
    $modulePath = if ($env:M365SMTPTOOLS_MODULE_PATH) { $env:M365SMTPTOOLS_MODULE_PATH } else { Join-Path $PSScriptRoot '../../out/M365SmtpTools' }
    Import-Module (Join-Path $modulePath 'M365SmtpTools.psd1') -Force -ErrorAction Stop

    # A loopback port nobody listens on.
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    $script:closedPort = $listener.LocalEndpoint.Port
    $listener.Stop()
}

AfterAll {
    Remove-Module M365SmtpTools -ErrorAction SilentlyContinue
}

Describe 'Test-M365SmtpAuth' {
    It 'returns a failed report with an explained finding for a refused port' {
        $report = Test-M365SmtpAuth -SmtpServer 127.0.0.1 -Port $script:closedPort -StopAfter Connect -TimeoutSeconds 5
        $report.Overall | Should -Be 'Failed'
        $report.FailedStage | Should -Be 'Connect'
        $finding = $report.Findings | Where-Object Id -EQ 'ConnectionRefused'
        $finding | Should -Not -BeNullOrEmpty
        $finding.Commands | Should -Contain "Test-NetConnection -ComputerName '127.0.0.1' -Port $($script:closedPort)"
    }

    It 'shows the stages and findings in its default view' {
        $text = Test-M365SmtpAuth -SmtpServer 127.0.0.1 -Port $script:closedPort -StopAfter Connect -TimeoutSeconds 5 | Out-String
        $text | Should -Match 'Overall'
        $text | Should -Match 'Connect\s+Failed'
        $text | Should -Match 'ConnectionRefused'
    }

    It 'makes a failed test a terminating error with -ErrorOnFailure' {
        { Test-M365SmtpAuth -SmtpServer 127.0.0.1 -Port $script:closedPort -StopAfter Connect -TimeoutSeconds 5 -ErrorOnFailure } |
            Should -Throw -ErrorId 'SmtpAuthTestFailed,M365SmtpTools.Commands.TestM365SmtpAuthCommand'
    }

    It 'writes the report before the error with -ErrorOnFailure -PassThru' {
        $reports = @()
        try {
            Test-M365SmtpAuth -SmtpServer 127.0.0.1 -Port $script:closedPort -StopAfter Connect -TimeoutSeconds 5 -ErrorOnFailure -PassThru |
                ForEach-Object { $reports += $_ }
        }
        catch {
            $_.TargetObject.Overall | Should -Be 'Failed'
        }
        $reports.Count | Should -Be 1
    }

    It 'refuses -SendTestMessage without -To before connecting' {
        { Test-M365SmtpAuth -SmtpServer 127.0.0.1 -Port $script:closedPort -SendTestMessage -ErrorAction Stop } |
            Should -Throw -ErrorId 'ToMissing,M365SmtpTools.Commands.TestM365SmtpAuthCommand'
    }

    It 'offers the same auth parameter sets as Connect-M365Smtp' {
        $test = (Get-Command Test-M365SmtpAuth).ParameterSets.Name
        foreach ($set in (Get-Command Connect-M365Smtp).ParameterSets.Name) {
            $test | Should -Contain $set
        }
        $test | Should -Contain 'Session'
    }

    It 'documents the five commonest failures in its examples' {
        $examples = (Get-Help Test-M365SmtpAuth -Full).Examples.Example | Out-String
        foreach ($code in '5.7.139', '5.7.3', '5.7.60', '5.7.30', 'firewall') {
            $examples | Should -Match ([regex]::Escape($code))
        }
    }
}
