#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.3.0' }
# Test-M365MailDomain as a user runs it, from out/M365SmtpTools (set M365SMTPTOOLS_MODULE_PATH to test another copy).
# The DNS tests need the nsd of tests/interop/servers/nsd.sh (bash tests/interop/servers/nsd.sh start); they are
# skipped when it isn't running.

BeforeAll {
    $modulePath = if ($env:M365SMTPTOOLS_MODULE_PATH) { $env:M365SMTPTOOLS_MODULE_PATH } else { Join-Path $PSScriptRoot '../../out/M365SmtpTools' }
    Import-Module (Join-Path $modulePath 'M365SmtpTools.psd1') -Force -ErrorAction Stop

    $nsdEnv = Join-Path $PSScriptRoot '../interop/.state/nsd/env'
    $script:DnsServer = $null
    if (Test-Path -Path $nsdEnv) {
        $port = (Get-Content -Path $nsdEnv | Where-Object { $_ -like 'PORT=*' }) -replace '^PORT=', ''
        $script:DnsServer = "127.0.0.1:$port"
    }
}

AfterAll {
    Remove-Module M365SmtpTools -ErrorAction SilentlyContinue
}

Describe 'Test-M365MailDomain' {
    Context 'its surface' {
        It 'takes domain names from the pipeline, by value and by the Name or DomainName property' {
            $parameter = (Get-Command Test-M365MailDomain).Parameters['Domain']
            $parameter.Attributes.ValueFromPipeline | Should -Contain $true
            $parameter.Attributes.ValueFromPipelineByPropertyName | Should -Contain $true
            $parameter.Aliases | Should -Contain 'DomainName'
            $parameter.Aliases | Should -Contain 'Name'
        }

        It 'declares the report type it outputs' {
            (Get-Command Test-M365MailDomain).OutputType.Name | Should -Contain 'M365SmtpTools.Engine.Operations.MailDomainReport'
        }

        It 'rejects an invalid domain name with a stable error id' {
            { Test-M365MailDomain -Domain 'not a domain!' -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidDomainName,M365SmtpTools.Commands.TestM365MailDomainCommand'
        }

        It 'refuses a sender address that is not an IP address' {
            { Test-M365MailDomain -Domain contoso.com -SenderIPAddress 'scanner.contoso.com' -ErrorAction Stop } | Should -Throw
        }
    }

    Context 'against nsd on loopback' -Skip:(-not (Test-Path -Path (Join-Path $PSScriptRoot '../interop/.state/nsd/env'))) {
        It 'reports a complete Microsoft 365 setup as Passed' {
            $report = Test-M365MailDomain -Domain good.maildomain.test -DnsServer $script:DnsServer -TimeoutSeconds 5
            $report.Domain | Should -Be 'good.maildomain.test'
            $report.Mx[0].EndpointForm | Should -Be 'Legacy'
            $report.Spf.Record | Should -Be 'v=spf1 ip4:203.0.113.25 include:spf.protection.outlook.com -all'
            $report.Dmarc.Policy | Should -Be 'Reject'
            @($report.Dkim).Count | Should -Be 2
        }

        It 'answers the Direct Send question for an IP address' {
            $report = Test-M365MailDomain -Domain good.maildomain.test -SenderIPAddress 203.0.113.25 -DnsServer $script:DnsServer
            $report.Spf.SenderResult | Should -Be 'Pass'
            $fail = Test-M365MailDomain -Domain good.maildomain.test -SenderIPAddress 198.51.100.99 -DnsServer $script:DnsServer
            $fail.Overall | Should -Be 'Failed'
            ($fail.Findings | Where-Object Id -eq 'DirectSendSpfFail').Remediation | Should -Match 'ip4:198\.51\.100\.99'
        }

        It 'suggests a DMARC record when there is none' {
            $report = Test-M365MailDomain -Domain bare.maildomain.test -DnsServer $script:DnsServer
            $report.Dmarc.SuggestedRecord | Should -Be 'v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@bare.maildomain.test'
            $report.Overall | Should -Be 'Failed'
        }

        It 'binds objects with a DomainName property, like Get-AcceptedDomain output' {
            $reports = @(
                [pscustomobject]@{ DomainName = 'good.maildomain.test' }
                [pscustomobject]@{ DomainName = 'dnssec.maildomain.test' }
            ) | Test-M365MailDomain -DnsServer $script:DnsServer
            $reports.Domain | Should -Be @('good.maildomain.test', 'dnssec.maildomain.test')
        }

        It 'writes a non-terminating error for a domain that does not exist and goes on' {
            $err = $null
            $reports = Test-M365MailDomain -Domain 'nothere.maildomain.test', 'good.maildomain.test' -DnsServer $script:DnsServer -ErrorVariable err -ErrorAction SilentlyContinue
            @($reports).Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -Be 'DnsNameNotFound,M365SmtpTools.Commands.TestM365MailDomainCommand'
            $err[0].TargetObject | Should -Be 'nothere.maildomain.test'
        }

        It 'formats the report and its findings with the module views' {
            $report = Test-M365MailDomain -Domain bare.maildomain.test -DnsServer $script:DnsServer
            ($report | Out-String) | Should -Match 'SpfMissing'
            ($report.Findings | Out-String) | Should -Match 'DmarcMissing'
        }
    }
}
