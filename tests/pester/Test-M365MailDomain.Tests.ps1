#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.3.0' }
# Test-M365MailDomain as an admin uses it, from out/M365SmtpTools (M365SMTPTOOLS_MODULE_PATH: another copy). The DNS
# answers come from nsd on loopback (bash tests/interop/servers/nsd.sh start, zones in tests/interop/zones); those
# tests are skipped only when its env file is missing. nsd serves no spf.protection.outlook.com, so an SPF check that
# has to read that include gets a DNS error: the cases below use records that decide before reaching it.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    Import-Module $TestedManifest -Force -ErrorAction Stop
    $nsd = Get-InteropEnv -Name nsd
    $dns = if ($nsd) { "127.0.0.1:$($nsd.PORT)" }
}

AfterAll {
    Remove-Module M365SmtpTools -ErrorAction SilentlyContinue
}

Describe 'Test-M365MailDomain' {
    Context 'before asking DNS' {
        It 'declares the report type it outputs' {
            (Get-Command Test-M365MailDomain).OutputType.Name | Should -Contain 'M365SmtpTools.Engine.Operations.MailDomainReport'
        }

        It 'rejects an invalid domain name with a stable error id, as an invalid argument aimed at the name' {
            { Test-M365MailDomain -Domain 'not a domain!' -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidDomainName,M365SmtpTools.Commands.TestM365MailDomainCommand'
            $record = $null
            try { Test-M365MailDomain -Domain 'not a domain!' -ErrorAction Stop } catch { $record = $_ }
            $record.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $record.TargetObject | Should -Be 'not a domain!'
        }

        It 'refuses a sender address that is not an IP address when binding' {
            { Test-M365MailDomain -Domain contoso.com -SenderIPAddress 'scanner.contoso.com' -ErrorAction Stop } |
                Should -Throw -ErrorId 'CannotConvertArgumentNoMessage,M365SmtpTools.Commands.TestM365MailDomainCommand'
        }

        It 'turns a DNS server that does not answer into lookup-failure findings naming the server, not a pass' {
            $port = Get-ClosedLoopbackPort
            $err = $null
            $report = Test-M365MailDomain -Domain contoso.com -DnsServer "127.0.0.1:$port" -TimeoutSeconds 1 -ErrorVariable err
            $err | Should -BeNullOrEmpty
            $report.Overall | Should -Not -Be 'Passed'
            $report.Findings.Id | Should -Be @('MxLookupFailed', 'SpfLookupFailed', 'DmarcLookupFailed', 'DkimLookupFailed')
            ($report.Findings | Where-Object Id -EQ 'MxLookupFailed').Evidence | Should -Match "127\.0\.0\.1:$port"
        }
    }

    Context 'against nsd on loopback' -Skip:(-not (Test-Path -Path (Join-Path $PSScriptRoot '../interop/.state/nsd/env'))) {
        BeforeAll { Assert-InteropServerRunning -Name nsd }

        It 'reads MX, SPF, DMARC and both DKIM selectors of a complete Microsoft 365 setup' {
            $report = Test-M365MailDomain -Domain good.maildomain.test -DnsServer $dns -TimeoutSeconds 5
            $report.Domain | Should -Be 'good.maildomain.test'
            $report.IsMicrosoft365 | Should -BeTrue
            $report.Mx[0].EndpointForm | Should -Be 'Legacy'
            $report.Spf.Record | Should -Be 'v=spf1 ip4:203.0.113.25 include:spf.protection.outlook.com -all'
            $report.Dmarc.Policy | Should -Be 'Reject'
            @($report.Dkim).Count | Should -Be 2
            $report.Findings.Id | Should -Contain 'DmarcEnforced'
            $report.Findings.Id | Should -Contain 'DkimCnamesPublished'
        }

        It 'round-trips Export-Csv and Import-Csv readably: MX, SPF, DMARC, DKIM and findings as text' {
            $csv = Get-CsvRoundTrip -InputObject (Test-M365MailDomain -Domain good.maildomain.test -DnsServer $dns -TimeoutSeconds 5)
            $csv.Text | Should -Not -Match $TypeNamePattern
            $row = $csv.Rows[0]
            $row.Dkim | Should -Match '^selector1: Microsoft365\w+ -> selector1-good-maildomain-test\._domainkey\.\S+; selector2: Microsoft365\w+ -> selector2-'
            $row.Spf | Should -Be 'v=spf1 ip4:203.0.113.25 include:spf.protection.outlook.com -all'
            $row.Mx | Should -Match 'mail\.protection\.outlook\.com'
            $row.Findings | Should -Match 'DmarcEnforced: '
        }

        It 'says SPF passes for a Direct Send device the record lists' {
            $report = Test-M365MailDomain -Domain good.maildomain.test -SenderIPAddress 203.0.113.25 -DnsServer $dns
            $report.Spf.SenderResult | Should -Be 'Pass'
            $report.Spf.SenderIPAddress | Should -Be '203.0.113.25'
        }

        It 'fails Direct Send for an address the record does not list, with the ip4: term to add' {
            $report = Test-M365MailDomain -Domain noinclude.maildomain.test -SenderIPAddress 198.51.100.99 -DnsServer $dns
            $report.Spf.SenderResult | Should -Be 'Fail'
            $report.Overall | Should -Be 'Failed'
            $finding = $report.Findings | Where-Object Id -EQ 'DirectSendSpfFail'
            $finding.Severity | Should -Be 'Error'
            $finding.Remediation | Should -Match 'ip4:198\.51\.100\.99'
            $report.Findings.Id | Should -Contain 'SpfMissingMicrosoft365Include'
        }

        It 'suggests a DMARC record when there is none' {
            $report = Test-M365MailDomain -Domain bare.maildomain.test -DnsServer $dns
            $report.Dmarc.SuggestedRecord | Should -Be 'v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@bare.maildomain.test'
            $report.Overall | Should -Be 'Failed'
            $report.Findings.Id | Should -Contain 'DmarcMissing'
        }

        It 'takes domain names from the pipeline by value' {
            $reports = 'good.maildomain.test', 'bare.maildomain.test' | Test-M365MailDomain -DnsServer $dns
            $reports.Domain | Should -Be @('good.maildomain.test', 'bare.maildomain.test')
        }

        It 'binds objects with a DomainName property, like Get-AcceptedDomain output' {
            $reports = @(
                [pscustomobject]@{ DomainName = 'good.maildomain.test' }
                [pscustomobject]@{ DomainName = 'dnssec.maildomain.test' }
            ) | Test-M365MailDomain -DnsServer $dns
            $reports.Domain | Should -Be @('good.maildomain.test', 'dnssec.maildomain.test')
        }

        It 'takes domain names from the Name column of a CSV file' {
            $csv = Join-Path $TestDrive 'accepted-domains.csv'
            "Name,DomainType`ndnssec.maildomain.test,Authoritative`nbare.maildomain.test,InternalRelay" | Set-Content -Path $csv
            $reports = Import-Csv -Path $csv | Test-M365MailDomain -DnsServer $dns
            $reports.Domain | Should -Be @('dnssec.maildomain.test', 'bare.maildomain.test')
            $reports[0].Mx[0].EndpointForm | Should -Be 'Dnssec'
        }

        It 'writes a non-terminating error for a domain that does not exist and goes on' {
            $err = $null
            $reports = Test-M365MailDomain -Domain 'nothere.maildomain.test', 'good.maildomain.test' -DnsServer $dns -ErrorVariable err -ErrorAction SilentlyContinue
            @($reports).Count | Should -Be 1
            $reports.Domain | Should -Be 'good.maildomain.test'
            $err[0].FullyQualifiedErrorId | Should -Be 'DnsNameNotFound,M365SmtpTools.Commands.TestM365MailDomainCommand'
            $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $err[0].TargetObject | Should -Be 'nothere.maildomain.test'
        }

        It 'stops on a domain that does not exist with -ErrorAction Stop' {
            { Test-M365MailDomain -Domain nothere.maildomain.test -DnsServer $dns -ErrorAction Stop } |
                Should -Throw -ErrorId 'DnsNameNotFound,M365SmtpTools.Commands.TestM365MailDomainCommand'
        }

        It 'formats the report and its findings with the module views, without type names' {
            $report = Test-M365MailDomain -Domain noinclude.maildomain.test -SenderIPAddress 198.51.100.99 -DnsServer $dns
            $text = $report | Out-String -Width 200
            $text | Should -Match 'Overall\s+:\s+Failed'
            $text | Should -Match 'SenderSpf\s+:\s+Fail for 198\.51\.100\.99'
            $text | Should -Match 'DirectSendSpfFail'
            $text | Should -Not -Match 'M365SmtpTools\.'
            $findings = $report.Findings | Out-String -Width 200
            $findings | Should -Match 'DmarcMissing'
            $findings | Should -Not -Match 'M365SmtpTools\.'
        }
    }
}
