#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.3.0' }
# New-M365RelayConnectorPlan and New-M365SmtpAppAccessPlan as a user runs them (module from out/M365SmtpTools).
# DNS goes to 127.0.0.1:9, where nothing answers: the plans then report the DNS parts as unchecked findings.

BeforeAll {
    $modulePath = if ($env:M365SMTPTOOLS_MODULE_PATH) { $env:M365SMTPTOOLS_MODULE_PATH } else { Join-Path $PSScriptRoot '../../out/M365SmtpTools' }
    Import-Module (Join-Path $modulePath 'M365SmtpTools.psd1') -Force -ErrorAction Stop
    $noDns = '127.0.0.1:9'

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

    $appId = '6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b'
    $spId = '0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d'
}

AfterAll {
    Remove-Module M365SmtpTools -ErrorAction SilentlyContinue
}

Describe 'New-M365RelayConnectorPlan' {
    It 'plans a certificate connector for a scanner' {
        $plan = New-M365RelayConnectorPlan -Domain contoso.com -Certificate $certificate -DeviceName 'Scanner' -DnsServer $noDns
        $plan.Method | Should -Be 'Certificate'
        $plan.ConnectorName | Should -Be 'SMTP relay - Scanner (certificate)'
        $plan.ConnectorCommand | Should -BeLike "New-InboundConnector -Name 'SMTP relay - Scanner (certificate)' -ConnectorType OnPremises -SenderDomains '*' -TlsSenderCertificateName 'contoso.com' -RequireTls `$true *"
        $plan.Certificate.Thumbprint | Should -Be $certificate.Thumbprint
        ($plan.DeviceSettings | Where-Object Setting -eq 'Port').Value | Should -Be '25'
    }

    It 'reads a certificate file and says the device needs the private key' {
        $plan = New-M365RelayConnectorPlan -Domain contoso.com -CertificatePath $certificateFile -DnsServer $noDns
        $plan.Findings.Id | Should -Contain 'CertificateNoPrivateKey'
    }

    It 'writes the script with -AsScript' {
        $path = Join-Path $TestDrive 'relay.ps1'
        $plan = New-M365RelayConnectorPlan -Domain contoso.com -SenderIPAddress 52.160.10.25 -Name 'Relay - ERP' -AsScript $path -DnsServer $noDns -Confirm:$false
        $plan.ScriptPath | Should -Be $path
        Get-Content -Path $path -Raw | Should -Match 'Get-InboundConnector -Identity \$connectorName'
    }

    It 'writes nothing with -WhatIf' {
        $path = Join-Path $TestDrive 'relay-whatif.ps1'
        $plan = New-M365RelayConnectorPlan -Domain contoso.com -SenderIPAddress 52.160.10.25 -AsScript $path -DnsServer $noDns -WhatIf
        Test-Path -Path $path | Should -BeFalse
        $plan.ScriptPath | Should -BeNullOrEmpty
        $plan.ConnectorCommand | Should -BeLike "*-SenderIPAddresses '52.160.10.25'*"
    }

    It 'refuses a private address with an error finding and writes no script' {
        $path = Join-Path $TestDrive 'relay-private.ps1'
        $err = $null
        $plan = New-M365RelayConnectorPlan -Domain contoso.com -SenderIPAddress 192.168.1.20 -AsScript $path -DnsServer $noDns -ErrorVariable err -ErrorAction SilentlyContinue
        $plan.IsReady | Should -BeFalse
        $plan.Findings[0].Id | Should -Be 'SenderIPNotPublic'
        $err[0].FullyQualifiedErrorId | Should -Be 'RelayPlanHasErrors,M365SmtpTools.Commands.NewM365RelayConnectorPlanCommand'
        Test-Path -Path $path | Should -BeFalse
    }

    It 'reports text that is no IPv4 address with a stable error id' {
        { New-M365RelayConnectorPlan -Domain contoso.com -SenderIPAddress 'not-an-address' -DnsServer $noDns -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidSenderIPAddress,M365SmtpTools.Commands.NewM365RelayConnectorPlanCommand'
    }

    It 'has one parameter set per way of naming the sender' {
        (Get-Command -Name New-M365RelayConnectorPlan).ParameterSets.Name | Sort-Object |
            Should -Be @('Certificate', 'CertificateFile', 'CertificateThumbprint', 'IPAddress')
    }
}

Describe 'New-M365SmtpAppAccessPlan' {
    It 'plans the mailbox-permission model' {
        $plan = New-M365SmtpAppAccessPlan -AppId $appId -ServicePrincipalObjectId $spId -Mailbox 'reports@contoso.com' -SendAs 'noreply@contoso.com' -EnableSmtpClientAuthentication
        $plan.Model | Should -Be 'MailboxPermission'
        $plan.Steps.Command | Should -Contain "Add-MailboxPermission -Identity 'reports@contoso.com' -User '$spId' -AccessRights FullAccess"
        $plan.Steps.Command | Should -Contain "Set-CASMailbox -Identity 'reports@contoso.com' -SmtpClientAuthenticationDisabled `$false"
        $plan.Steps[0].InScript | Should -BeFalse
    }

    It 'plans the App RBAC model and warns against the Entra grant' {
        $plan = New-M365SmtpAppAccessPlan -AppId $appId -ServicePrincipalObjectId $spId -Mailbox 'alerts@contoso.com', 'billing@contoso.com' -Model AppRbac -ScopeName 'SMTP senders'
        $plan.Steps.Command | Should -Contain "New-ManagementRoleAssignment -Name 'SMTP.SendAsApp $appId' -App '$spId' -Role 'Application SMTP.SendAsApp' -CustomResourceScope 'SMTP senders'"
        $plan.Findings.Id | Should -Contain 'DoNotGrantEntraPermission'
    }

    It 'writes nothing with -WhatIf and the script without it' {
        $path = Join-Path $TestDrive 'app.ps1'
        $null = New-M365SmtpAppAccessPlan -AppId $appId -ServicePrincipalObjectId $spId -Mailbox 'reports@contoso.com' -AsScript $path -WhatIf
        Test-Path -Path $path | Should -BeFalse
        $plan = New-M365SmtpAppAccessPlan -AppId $appId -ServicePrincipalObjectId $spId -Mailbox 'reports@contoso.com' -AsScript $path -Confirm:$false
        $plan.ScriptPath | Should -Be $path
        Get-Content -Path $path -Raw | Should -Match 'New-ServicePrincipal -AppId'
    }

    It "catches the app registration's object id given as the service principal's" {
        $plan = New-M365SmtpAppAccessPlan -AppId $appId -ServicePrincipalObjectId $spId -AppObjectId $spId -Mailbox 'reports@contoso.com'
        $plan.IsReady | Should -BeFalse
        $plan.Findings[0].Id | Should -Be 'ObjectIdIsAppRegistration'
    }
}
