#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.3.0' }
# New-M365RelayConnectorPlan as an admin uses it, from out/M365SmtpTools (M365SMTPTOOLS_MODULE_PATH: another copy).
# Without DNS, -DnsServer points at a closed loopback port: the plan then reports the DNS parts as findings. The MX and
# SPF checks run against nsd on loopback (bash tests/interop/servers/nsd.sh start), skipped only when its env file is
# missing.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    Import-Module $TestedManifest -Force -ErrorAction Stop
    $noDns = "127.0.0.1:$(Get-ClosedLoopbackPort)"
    $nsd = Get-InteropEnv -Name nsd
    $dns = if ($nsd) { "127.0.0.1:$($nsd.PORT)" }

    # A client-authentication certificate for contoso.com, made here (CertificateRequest: .NET Framework 4.7.2+ and .NET).
    $rsa = [System.Security.Cryptography.RSA]::Create(2048)
    $request = [System.Security.Cryptography.X509Certificates.CertificateRequest]::new('CN=contoso.com', $rsa, [System.Security.Cryptography.HashAlgorithmName]::SHA256, [System.Security.Cryptography.RSASignaturePadding]::Pkcs1)
    $san = [System.Security.Cryptography.X509Certificates.SubjectAlternativeNameBuilder]::new()
    $san.AddDnsName('contoso.com')
    $request.CertificateExtensions.Add($san.Build())
    $usages = [System.Security.Cryptography.OidCollection]::new()
    $null = $usages.Add([System.Security.Cryptography.Oid]::new('1.3.6.1.5.5.7.3.2'))
    $request.CertificateExtensions.Add([System.Security.Cryptography.X509Certificates.X509EnhancedKeyUsageExtension]::new($usages, $false))
    $certificate = $request.CreateSelfSigned([DateTimeOffset]::UtcNow.AddDays(-1), [DateTimeOffset]::UtcNow.AddDays(365))
    $certificateFile = Join-Path $TestDrive 'scanner.cer'
    [System.IO.File]::WriteAllBytes($certificateFile, $certificate.Export([System.Security.Cryptography.X509Certificates.X509ContentType]::Cert))
}

AfterAll {
    Remove-Module M365SmtpTools -ErrorAction SilentlyContinue
}

Describe 'New-M365RelayConnectorPlan' {
    Context 'planning without DNS' {
        It 'plans a certificate connector for a scanner' {
            $plan = New-M365RelayConnectorPlan -Domain contoso.com -Certificate $certificate -DeviceName 'Scanner' -DnsServer $noDns
            $plan.Method | Should -Be 'Certificate'
            $plan.ConnectorName | Should -Be 'SMTP relay - Scanner (certificate)'
            $plan.ConnectorCommand | Should -BeLike "New-InboundConnector -Name 'SMTP relay - Scanner (certificate)' -ConnectorType OnPremises -SenderDomains '*' -TlsSenderCertificateName 'contoso.com' -RequireTls `$true *"
            $plan.Certificate.Thumbprint | Should -Be $certificate.Thumbprint
            ($plan.DeviceSettings | Where-Object Setting -EQ 'Port').Value | Should -Be '25'
        }

        It 'reads a certificate file and says the device needs the private key' {
            $plan = New-M365RelayConnectorPlan -Domain contoso.com -CertificatePath $certificateFile -DnsServer $noDns
            $plan.Findings.Id | Should -Contain 'CertificateNoPrivateKey'
        }

        It 'writes the script with -ScriptPath' {
            $path = Join-Path $TestDrive 'relay.ps1'
            $plan = New-M365RelayConnectorPlan -Domain contoso.com -SenderIPAddress 52.160.10.25 -Name 'Relay - ERP' -ScriptPath $path -DnsServer $noDns -Confirm:$false
            $plan.ScriptPath | Should -Be $path
            Get-Content -Path $path -Raw | Should -Match 'Get-InboundConnector -Identity \$connectorName'
            Get-Content -Path $path -Raw | Should -Match "'Relay - ERP'"
        }

        It 'writes nothing with -WhatIf but still returns the plan' {
            $path = Join-Path $TestDrive 'relay-whatif.ps1'
            $plan = New-M365RelayConnectorPlan -Domain contoso.com -SenderIPAddress 52.160.10.25 -ScriptPath $path -DnsServer $noDns -WhatIf
            Test-Path -Path $path | Should -BeFalse
            $plan.ScriptPath | Should -BeNullOrEmpty
            $plan.ConnectorCommand | Should -BeLike "*-SenderIPAddresses '52.160.10.25'*"
        }

        It 'refuses a private address with an error finding, a RelayPlanHasErrors error aimed at the script, and no script' {
            $path = Join-Path $TestDrive 'relay-private.ps1'
            $err = $null
            $plan = New-M365RelayConnectorPlan -Domain contoso.com -SenderIPAddress 192.168.1.20 -ScriptPath $path -DnsServer $noDns -ErrorVariable err -ErrorAction SilentlyContinue
            $plan.IsReady | Should -BeFalse
            $plan.Findings[0].Id | Should -Be 'SenderIPNotPublic'
            $err[0].FullyQualifiedErrorId | Should -Be 'RelayPlanHasErrors,M365SmtpTools.Commands.NewM365RelayConnectorPlanCommand'
            $err[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
            $err[0].TargetObject | Should -Be $path
            Test-Path -Path $path | Should -BeFalse
        }

        It 'reports text that is no IPv4 address with a stable error id, as an invalid argument aimed at the text' {
            { New-M365RelayConnectorPlan -Domain contoso.com -SenderIPAddress 'not-an-address' -DnsServer $noDns -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidSenderIPAddress,M365SmtpTools.Commands.NewM365RelayConnectorPlanCommand'
            $record = $null
            try { New-M365RelayConnectorPlan -Domain contoso.com -SenderIPAddress 'not-an-address' -DnsServer $noDns -ErrorAction Stop } catch { $record = $_ }
            $record.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $record.TargetObject | Should -Be 'not-an-address'
        }

        It 'has one parameter set per way of naming the sender, and asks for one when none is given' {
            (Get-Command -Name New-M365RelayConnectorPlan).ParameterSets.Name | Sort-Object |
                Should -Be @('Certificate', 'CertificateFile', 'CertificateThumbprint', 'IPAddress')
            { New-M365RelayConnectorPlan -Domain contoso.com -SenderIPAddress 52.160.10.25 -CertificatePath $certificateFile -ErrorAction Stop } |
                Should -Throw -ErrorId 'AmbiguousParameterSet,M365SmtpTools.Commands.NewM365RelayConnectorPlanCommand'
        }

        It 'takes the domain from the Domain column of a CSV file, one plan per row' {
            $csv = Join-Path $TestDrive 'devices.csv'
            "Domain,Site`ncontoso.com,HQ`nfabrikam.com,Branch" | Set-Content -Path $csv
            $plans = Import-Csv -Path $csv | New-M365RelayConnectorPlan -SenderIPAddress 52.160.10.25 -DnsServer $noDns
            $plans.Domain | Should -Be @('contoso.com', 'fabrikam.com')
            $plans.Method | Should -Be @('IPAddress', 'IPAddress')
        }

        It 'takes the domain from a DomainName property, like Get-AcceptedDomain output' {
            $plan = [pscustomobject]@{ DomainName = 'contoso.com' } | New-M365RelayConnectorPlan -Certificate $certificate -DnsServer $noDns
            $plan.Domain | Should -Be 'contoso.com'
        }

        It 'shows the plan and its findings with the module views, without type names' {
            $plan = New-M365RelayConnectorPlan -Domain contoso.com -SenderIPAddress 52.160.10.25 -DeviceName ERP -DnsServer $noDns
            $text = $plan | Out-String -Width 200
            $text | Should -Match 'ConnectorName\s+:\s+SMTP relay - ERP \(IP\)'
            $text | Should -Match 'ConnectorCommand\s+:\s+New-InboundConnector'
            $text | Should -Not -Match 'M365SmtpTools\.'
            $findings = $plan.Findings | Out-String -Width 200
            $findings | Should -Match 'Severity\s+Id\s+Message'
            $findings | Should -Not -Match 'M365SmtpTools\.'
        }
    }

    Context 'with the MX and SPF of nsd on loopback' -Skip:(-not (Test-Path -Path (Join-Path $PSScriptRoot '../interop/.state/nsd/env'))) {
        BeforeAll { Assert-InteropServerRunning -Name nsd }

        It "reads the tenant's MX endpoint as the device's server and proposes the SPF record with the device's address" {
            $plan = New-M365RelayConnectorPlan -Domain contoso.test -SenderIPAddress 52.160.10.25 -DeviceName Scanner -DnsServer $dns
            $plan.IsReady | Should -BeTrue
            $plan.SmtpServer | Should -Be 'contoso-test.mail.protection.outlook.com'
            $plan.Spf.Checked | Should -BeTrue
            $plan.Spf.Current | Should -Be 'v=spf1 ip4:192.0.2.10 include:spf.protection.outlook.com -all'
            $plan.Spf.ChangeNeeded | Should -BeTrue
            $plan.Spf.Proposed | Should -Be 'v=spf1 ip4:192.0.2.10 ip4:52.160.10.25 include:spf.protection.outlook.com -all'
            $plan.Findings.Id | Should -Contain 'SpfNotAuthorized'
        }

        It 'round-trips Export-Csv and Import-Csv readably, the SPF change and the certificate as text' {
            $ipPlan = New-M365RelayConnectorPlan -Domain contoso.test -SenderIPAddress 52.160.10.25 -DeviceName Scanner -DnsServer $dns
            $certificatePlan = New-M365RelayConnectorPlan -Domain contoso.test -CertificatePath $certificateFile -DnsServer $dns -WarningAction SilentlyContinue -ErrorAction SilentlyContinue
            $csv = Get-CsvRoundTrip -InputObject $ipPlan, $certificatePlan
            $csv.Text | Should -Not -Match $TypeNamePattern
            $csv.Rows[0].Spf | Should -Be 'contoso.test: publish v=spf1 ip4:192.0.2.10 ip4:52.160.10.25 include:spf.protection.outlook.com -all instead of v=spf1 ip4:192.0.2.10 include:spf.protection.outlook.com -all'
            $csv.Rows[0].DeviceSettings | Should -Match 'SMTP server: contoso-test\.mail\.protection\.outlook\.com; Port: 25'
            $csv.Rows[0].Findings | Should -Match '\] SpfNotAuthorized: '
            $csv.Rows[1].Certificate | Should -Be "CN=contoso.com ($($certificate.Thumbprint))"
        }

        It 'refuses a documentation-range address even though the SPF record lists it' {
            $err = $null
            $plan = New-M365RelayConnectorPlan -Domain contoso.test -SenderIPAddress 192.0.2.10 -DnsServer $dns -ErrorVariable err -ErrorAction SilentlyContinue
            $plan.IsReady | Should -BeFalse
            $plan.Findings[0].Id | Should -Be 'SenderIPNotPublic'
            $plan.Findings[0].Message | Should -Match 'RFC 5737'
            $err | Should -BeNullOrEmpty -Because 'without -ScriptPath there is no script to refuse: the plan carries the error finding'
        }
    }
}
