#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.3.0' }
# The README's five commonest uses and its Send-MailMessage migration, run against aiosmtpd on loopback (bash
# tests/interop/servers/aiosmtpd.sh start; skipped only when its env file is missing). Each example is the README's
# line as written (the test first checks the README still has it), with only what can't exist here substituted:
# - the server: -SmtpServer 127.0.0.1 -Port <aiosmtpd> instead of Exchange Online (smtp.office365.com or the MX
#   endpoint), and -SkipCertificateValidation because aiosmtpd's certificate is self-signed;
# - the credentials: the app's certificate sign-in (Connect-M365Smtp -TenantId -ClientId -CertificatePath) and the
#   Automation account's managed identity need Entra ID, so they become -AccessToken with aiosmtpd's XOAUTH2 token for
#   its user, the token those sign-ins would have produced; -Credential is aiosmtpd's user and password;
# - files: the PFX, the scans, the log, the CSV and the report's files are made in TestDrive ($pfxPassword is set
#   instead of read with Read-Host).

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    Import-Module $TestedManifest -Force -ErrorAction Stop
    $readme = Get-Content -LiteralPath (Join-Path $PSScriptRoot '../../README.md') -Raw
    $smtp = Get-InteropEnv -Name aiosmtpd

    # What aiosmtpd stored for the messages whose Subject contains $Marker: the message text and its envelope.
    function Get-Stored {
        param([string] $Marker)
        foreach ($eml in Get-ChildItem -LiteralPath $smtp.MESSAGES_DIR -Filter '*.eml') {
            $text = Get-Content -LiteralPath $eml.FullName -Raw
            if ($text -match "Subject: .*$([regex]::Escape($Marker))") {
                [pscustomobject]@{ Text = $text; Envelope = Get-Content -LiteralPath ($eml.FullName -replace '\.eml$', '.json') -Raw | ConvertFrom-Json }
            }
        }
    }
}

AfterAll {
    Remove-Module M365SmtpTools -ErrorAction SilentlyContinue
}

Describe 'The README examples' -Skip:(-not (Test-Path -Path (Join-Path $PSScriptRoot '../interop/.state/aiosmtpd/env'))) {
    BeforeAll {
        Assert-InteropServerRunning -Name aiosmtpd
        $server = @{ SmtpServer = '127.0.0.1'; Port = [int]$smtp.NORMAL_PORT; SkipCertificateValidation = $true; WarningAction = 'SilentlyContinue' }
        $token = ConvertTo-SecureString -String $smtp.XOAUTH2_TOKEN -AsPlainText -Force
        Push-Location -LiteralPath $TestDrive
    }

    AfterAll {
        Pop-Location
        Disconnect-M365Smtp -Name Default -ErrorAction SilentlyContinue
    }

    It 'still shows the examples this file runs' {
        foreach ($line in @(
                "Send-M365Mail -Method Relay -From scanner@contoso.com -To 'alice@contoso.com', 'accounts@fabrikam.com' -Subject 'Scanned invoice' -Attachment 'C:\Scans\*.pdf' -ClientCertificatePath C:\Certs\relay.contoso.com.pfx -ClientCertificatePassword `$pfxPassword",
                "Send-M365Mail -ManagedIdentity -UserName reports@contoso.com -To ops@contoso.com -Subject `$subject -Body `$summary -Attachment `$logPath",
                "Import-Csv ./invitations.csv | Send-M365Mail -From events@contoso.com -Bcc archive@contoso.com | Export-Csv ./sent.csv",
                "Send-M365Mail -To management@contoso.com -Subject 'Weekly capacity report' -HtmlBody '<h1>Capacity</h1><img src=`"cid:chart`">' -InlineImage @{ chart = './capacity.png' } -Attachment ./capacity.xlsx",
                "Send-M365Mail -Method DirectSend -From noreply@contoso.com -To staff@contoso.com -Subject 'Planned maintenance tonight' -Body 'Offline 22:00-23:00.' -RequireTls",
                "`$mail = @{ SmtpServer = 'smtp.office365.com'; Port = 587; UseSsl = `$true; Credential = `$credential; From = 'reports@contoso.com'; To = 'ops@contoso.com'; Subject = 'Nightly export'; Body = '<b>Done</b>'; BodyAsHtml = `$true }",
                "Send-M365Mail -From reports@contoso.com -To ops@contoso.com -Subject 'Nightly export' -HtmlBody '<b>Done</b>'")) {
            $readme.Contains($line) | Should -BeTrue -Because "the README should still show: $line"
        }
    }

    It '1. relays scanned PDFs with a client certificate to internal and external recipients' {
        $rsa = [System.Security.Cryptography.RSA]::Create(2048)
        $request = [System.Security.Cryptography.X509Certificates.CertificateRequest]::new('CN=relay.contoso.com', $rsa, [System.Security.Cryptography.HashAlgorithmName]::SHA256, [System.Security.Cryptography.RSASignaturePadding]::Pkcs1)
        $pfxPassword = ConvertTo-SecureString -String 'pfx-password' -AsPlainText -Force
        $pfx = Join-Path $TestDrive 'relay.contoso.com.pfx'
        [System.IO.File]::WriteAllBytes($pfx, $request.CreateSelfSigned([DateTimeOffset]::UtcNow.AddDays(-1), [DateTimeOffset]::UtcNow.AddDays(30)).Export('Pfx', 'pfx-password'))
        $scans = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'Scans')
        Set-Content -LiteralPath (Join-Path $scans 'invoice-1.pdf') -Value '%PDF-1.4 one'
        Set-Content -LiteralPath (Join-Path $scans 'invoice-2.pdf') -Value '%PDF-1.4 two'
        $marker = [guid]::NewGuid().ToString('N')

        $result = Send-M365Mail -Method Relay -From scanner@contoso.com -To 'alice@contoso.com', 'accounts@fabrikam.com' -Subject "Scanned invoice $marker" -Attachment (Join-Path $scans '*.pdf') -ClientCertificatePath $pfx -ClientCertificatePassword $pfxPassword @server

        $result.Status | Should -Be 'Sent'
        $stored = @(Get-Stored -Marker $marker)
        $stored.Count | Should -Be 1
        $stored[0].Envelope.rcpt_tos | Should -Be @('alice@contoso.com', 'accounts@fabrikam.com')
        $stored[0].Envelope.authenticated | Should -BeFalse
        $stored[0].Envelope.tls | Should -BeTrue
        $stored[0].Text | Should -Match 'filename="?invoice-1\.pdf'
        $stored[0].Text | Should -Match 'filename="?invoice-2\.pdf'
    }

    It '2. sends a runbook report with a subject, a body and a log attached' {
        $summary = 'Exported 1,204 rows.'
        $logPath = Join-Path $TestDrive 'export.log'
        Set-Content -LiteralPath $logPath -Value 'export done'
        $marker = [guid]::NewGuid().ToString('N')
        $subject = 'Nightly export finished ' + (Get-Date).ToString('yyyy-MM-dd') + " $marker"

        $result = Send-M365Mail -AccessToken $token -UserName $smtp.USER -To ops@contoso.com -Subject $subject -Body $summary -Attachment $logPath @server

        $result.Status | Should -Be 'Sent'
        $stored = @(Get-Stored -Marker $marker)
        $stored[0].Envelope.authenticated | Should -BeTrue
        $stored[0].Envelope.login | Should -Be $smtp.USER
        $stored[0].Envelope.rcpt_tos | Should -Be @('ops@contoso.com')
        $stored[0].Text | Should -Match 'Exported 1,204 rows\.'
        $stored[0].Text | Should -Match 'filename="?export\.log'
    }

    It '3. sends a CSV batch over the session connection, one result per row, exported to CSV' {
        Connect-M365Smtp -AccessToken $token -UserName $smtp.USER -SmtpServer 127.0.0.1 -Port $smtp.NORMAL_PORT
        $marker = [guid]::NewGuid().ToString('N')
        "To,Subject,Body`nann@contoso.com,Invitation 1 $marker,Welcome Ann`nben@fabrikam.com,Invitation 2 $marker,Welcome Ben" | Set-Content -LiteralPath ./invitations.csv

        Import-Csv ./invitations.csv | Send-M365Mail -From events@contoso.com -Bcc archive@contoso.com -SkipCertificateValidation -WarningAction SilentlyContinue | Export-Csv ./sent.csv

        $sent = @(Import-Csv ./sent.csv)
        $sent.Index | Should -Be @('0', '1')
        $sent.Status | Should -Be @('Sent', 'Sent')
        $sent[1].Recipients | Should -Be 'ben@fabrikam.com; archive@contoso.com'
        $stored = @(Get-Stored -Marker $marker)
        $stored.Count | Should -Be 2
        foreach ($s in $stored) {
            $s.Envelope.rcpt_tos | Should -Contain 'archive@contoso.com'
            $s.Envelope.mail_from | Should -Be 'events@contoso.com'
            $s.Text | Should -Not -Match '(?m)^Bcc:'
        }
    }

    It '4. sends an HTML report with an inline chart and a workbook attached' {
        [System.IO.File]::WriteAllBytes((Join-Path $TestDrive 'capacity.png'), [byte[]](0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3))
        Set-Content -LiteralPath ./capacity.xlsx -Value 'not really a workbook'
        $marker = [guid]::NewGuid().ToString('N')

        $result = Send-M365Mail -To management@contoso.com -Subject "Weekly capacity report $marker" -HtmlBody '<h1>Capacity</h1><img src="cid:chart">' -InlineImage @{ chart = './capacity.png' } -Attachment ./capacity.xlsx -SkipCertificateValidation -WarningAction SilentlyContinue

        $result.Status | Should -Be 'Sent'
        $text = @(Get-Stored -Marker $marker)[0].Text
        $text | Should -Match 'multipart/related'
        $text | Should -Match 'Content-ID: <chart>'
        $text | Should -Match 'filename="?capacity\.xlsx'
    }

    # Direct Send goes to the recipients' own Microsoft 365 MX endpoint, which a loopback server can't be: here the MX
    # comes from nsd (the contoso.test zone stands in for contoso.com), so the message is aimed at the tenant's
    # endpoint on port 25 and fails only because that name doesn't resolve offline; that an external recipient is
    # refused before anything is sent is checked too.
    It '5. sends with Direct Send only to the tenant behind the MX endpoint, TLS required' -Skip:(-not (Test-Path -Path (Join-Path $PSScriptRoot '../interop/.state/nsd/env'))) {
        $dns = "127.0.0.1:$((Get-InteropEnv -Name nsd).PORT)"

        $result = Send-M365Mail -Method DirectSend -From noreply@contoso.test -To staff@contoso.test -Subject 'Planned maintenance tonight' -Body 'Offline 22:00-23:00.' -RequireTls -DnsServer $dns -MaxRetry 0 -TimeoutSeconds 5 -ErrorAction SilentlyContinue

        $result.Server | Should -Be 'contoso-test.mail.protection.outlook.com:25'
        $result.ErrorId | Should -BeIn @('SmtpHostNotFound', 'ConnectFailed', 'ConnectTimeout')
        $err = $null
        $result = Send-M365Mail -Method DirectSend -From noreply@contoso.test -To 'staff@contoso.test', 'partner@fabrikam.test' -Subject 'Planned maintenance tonight' -Body 'Offline 22:00-23:00.' -RequireTls -DnsServer $dns -ErrorVariable err -ErrorAction SilentlyContinue
        $result.Status | Should -Be 'Failed'
        $err[0].FullyQualifiedErrorId | Should -BeLike 'DirectSendExternalRecipient,*'
        $err[0].Exception.Message | Should -Match 'outside it: partner@fabrikam\.test \(MX fabrikam-test\.e-v1\.mx\.microsoft, another Microsoft 365 tenant'
    }

    It 'runs the Send-MailMessage splat renamed, and the OAuth version after it' {
        $credential = [pscredential]::new($smtp.USER, (ConvertTo-SecureString -String $smtp.PASSWORD -AsPlainText -Force))
        $before = [guid]::NewGuid().ToString('N')
        $mail = @{ SmtpServer = '127.0.0.1'; Port = [int]$smtp.NORMAL_PORT; UseSsl = $true; Credential = $credential; From = 'reports@contoso.com'; To = 'ops@contoso.com'; Subject = "Nightly export $before"; Body = '<b>Done</b>'; BodyAsHtml = $true }
        $result = Send-M365Mail @mail -SkipCertificateValidation -WarningAction SilentlyContinue
        $result.Status | Should -Be 'Sent'
        $stored = @(Get-Stored -Marker $before)[0]
        $stored.Envelope.login | Should -Be $smtp.USER
        $stored.Text | Should -Match 'Content-Type: text/html'

        Connect-M365Smtp -AccessToken $token -UserName $smtp.USER -SmtpServer 127.0.0.1 -Port $smtp.NORMAL_PORT
        $after = [guid]::NewGuid().ToString('N')
        $result = Send-M365Mail -From reports@contoso.com -To ops@contoso.com -Subject "Nightly export $after" -HtmlBody '<b>Done</b>' -SkipCertificateValidation -WarningAction SilentlyContinue
        $result.Status | Should -Be 'Sent'
        $stored = @(Get-Stored -Marker $after)[0]
        $stored.Envelope.authenticated | Should -BeTrue
        $stored.Text | Should -Match 'Content-Type: text/html'
    }
}
