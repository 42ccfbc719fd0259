#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.3.0' }
# Get-M365MxEndpoint as an admin uses it, from out/M365SmtpTools (M365SMTPTOOLS_MODULE_PATH: another copy). The DNS
# answers come from nsd on loopback (bash tests/interop/servers/nsd.sh start, zones in tests/interop/zones); those
# tests are skipped only when its env file is missing.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    Import-Module $TestedManifest -Force -ErrorAction Stop
    $nsd = Get-InteropEnv -Name nsd
    $dns = if ($nsd) { "127.0.0.1:$($nsd.PORT)" }
}

AfterAll {
    Remove-Module M365SmtpTools -ErrorAction SilentlyContinue
}

Describe 'Get-M365MxEndpoint' {
    Context 'without a DNS answer' {
        It 'rejects an invalid domain name with a stable error id, as an invalid argument aimed at the name' {
            { Get-M365MxEndpoint -Domain 'not a domain!' -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidDomainName,M365SmtpTools.Commands.GetM365MxEndpointCommand'
            $record = $null
            try { Get-M365MxEndpoint -Domain 'not a domain!' -ErrorAction Stop } catch { $record = $_ }
            $record.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $record.TargetObject | Should -Be 'not a domain!'
        }

        It 'reports a DNS server that does not answer as a connection error naming the server it asked' {
            $err = $null
            Get-M365MxEndpoint -Domain contoso.com -DnsServer "127.0.0.1:$(Get-ClosedLoopbackPort)" -TimeoutSeconds 1 -ErrorVariable err -ErrorAction SilentlyContinue |
                Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -Be 'DnsServerFailure,M365SmtpTools.Commands.GetM365MxEndpointCommand'
            $err[0].CategoryInfo.Category | Should -Be 'ConnectionError'
            $err[0].TargetObject | Should -Be 'contoso.com'
            $err[0].Exception.Message | Should -Match '127\.0\.0\.1'
        }

        It 'refuses a timeout outside 1 to 300 seconds before asking anything' {
            { Get-M365MxEndpoint -Domain contoso.com -TimeoutSeconds 0 -ErrorAction Stop } |
                Should -Throw -ErrorId 'ParameterArgumentValidationError,M365SmtpTools.Commands.GetM365MxEndpointCommand'
        }
    }

    Context 'against nsd on loopback' -Skip:(-not (Test-Path -Path (Join-Path $PSScriptRoot '../interop/.state/nsd/env'))) {
        BeforeAll { Assert-InteropServerRunning -Name nsd }

        It 'reads the legacy Microsoft 365 endpoint and its tenant label' {
            $mx = Get-M365MxEndpoint -Domain good.maildomain.test -DnsServer $dns
            $mx.Domain | Should -Be 'good.maildomain.test'
            $mx.MxHost | Should -Be 'good-maildomain-test.mail.protection.outlook.com'
            $mx.Preference | Should -Be 0
            $mx.IsMicrosoft365 | Should -BeTrue
            $mx.EndpointForm | Should -Be 'Legacy'
            $mx.TenantLabel | Should -Be 'good-maildomain-test'
            $mx.IsGuess | Should -BeFalse
            $mx.DnsServer | Should -Be $dns
        }

        It 'tells the DNSSEC form from the legacy one and marks other providers' {
            (Get-M365MxEndpoint -Domain dnssec.maildomain.test -DnsServer $dns).EndpointForm | Should -Be 'Dnssec'
            $other = Get-M365MxEndpoint -Domain elsewhere.maildomain.test -DnsServer $dns
            $other.MxHost | Should -Be @('mx1.mail-provider.example', 'mx2.mail-provider.example')
            $other.IsMicrosoft365 | Should -Be @($false, $false)
        }

        It 'takes domain names from the pipeline by value, in order' {
            $results = 'good.maildomain.test', 'dnssec.maildomain.test' | Get-M365MxEndpoint -DnsServer $dns
            $results.Domain | Should -Be @('good.maildomain.test', 'dnssec.maildomain.test')
        }

        It 'takes domain names from the Domain column of a CSV file, and from Name like Get-AcceptedDomain output' {
            $csv = Join-Path $TestDrive 'domains.csv'
            "Domain,Owner`ngood.maildomain.test,IT`nmixedforms.maildomain.test,Sales" | Set-Content -Path $csv
            $fromCsv = Import-Csv -Path $csv | Get-M365MxEndpoint -DnsServer $dns
            $fromCsv.Domain | Select-Object -Unique | Should -Be @('good.maildomain.test', 'mixedforms.maildomain.test')
            ($fromCsv | Where-Object Domain -EQ 'mixedforms.maildomain.test').EndpointForm | Should -Be @('Dnssec', 'Legacy')
            $accepted = [pscustomobject]@{ Name = 'dnssec.maildomain.test'; DomainType = 'Authoritative' } | Get-M365MxEndpoint -DnsServer $dns
            $accepted.MxHost | Should -Be 'dnssec-maildomain-test.b-v1.mx.microsoft'
        }

        It 'writes DnsNameNotFound for a domain that does not exist and goes on with the next' {
            $err = $null
            $results = Get-M365MxEndpoint -Domain 'nothere.maildomain.test', 'good.maildomain.test' -DnsServer $dns -ErrorVariable err -ErrorAction SilentlyContinue
            $results.Domain | Should -Be 'good.maildomain.test'
            $err.Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -Be 'DnsNameNotFound,M365SmtpTools.Commands.GetM365MxEndpointCommand'
            $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $err[0].TargetObject | Should -Be 'nothere.maildomain.test'
        }

        It 'stops on a domain that does not exist with -ErrorAction Stop' {
            { Get-M365MxEndpoint -Domain nothere.maildomain.test -DnsServer $dns -ErrorAction Stop } |
                Should -Throw -ErrorId 'DnsNameNotFound,M365SmtpTools.Commands.GetM365MxEndpointCommand'
        }

        It 'reports a domain without MX records with the derived endpoint in the recommended action' {
            $err = $null
            Get-M365MxEndpoint -Domain nomx.maildomain.test -DnsServer $dns -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -Be 'DnsNoMxRecords,M365SmtpTools.Commands.GetM365MxEndpointCommand'
            $err[0].ErrorDetails.RecommendedAction | Should -Match 'nomx-maildomain-test\.mail\.protection\.outlook\.com'
        }

        It 'also outputs the derived guess, marked as such, with -IncludeDerivedGuess' {
            $err = $null
            $guess = Get-M365MxEndpoint -Domain nomx.maildomain.test -DnsServer $dns -IncludeDerivedGuess -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].FullyQualifiedErrorId | Should -Be 'DnsNoMxRecords,M365SmtpTools.Commands.GetM365MxEndpointCommand'
            $guess.MxHost | Should -Be 'nomx-maildomain-test.mail.protection.outlook.com'
            $guess.IsGuess | Should -BeTrue
            $guess.EndpointForm | Should -Be 'DerivedGuess'
        }

        It 'warns about a null MX and outputs it as accepting no mail' {
            $warnings = $null
            $mx = Get-M365MxEndpoint -Domain nullmx.maildomain.test -DnsServer $dns -WarningVariable warnings -WarningAction SilentlyContinue
            ($warnings | Out-String) | Should -Match 'null MX'
            $mx.IsMicrosoft365 | Should -BeFalse
            $mx.Note | Should -Match 'accepts no mail'
        }

        It 'shows a table with the domain, host and form, and no type names' {
            $text = Get-M365MxEndpoint -Domain good.maildomain.test -DnsServer $dns | Out-String -Width 200
            $text | Should -Match 'Domain\s+Pref\s+MxHost'
            $text | Should -Match 'good\.maildomain\.test\s+0\s+good-maildomain-test\.mail\.protection\.outlook\.com\s+True\s+Legacy'
            $text | Should -Not -Match 'M365SmtpTools\.'
        }
    }
}
