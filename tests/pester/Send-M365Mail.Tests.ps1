#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.3.0' }
# Send-M365Mail as an admin uses it, from out/M365SmtpTools (M365SMTPTOOLS_MODULE_PATH: another copy). Mail goes
# through Postfix + Dovecot on loopback (bash tests/interop/servers/postfix.sh start: submission with PLAIN and
# XOAUTH2, a relay port) and what arrived is read back from its Maildir; a lost reply comes from the aiosmtpd fault
# servers (tests/interop/servers/aiosmtpd.sh start). Those tests are skipped only when the server's env file is
# missing. Postfix's certificate is self-signed: the sends use -SkipCertificateValidation (its warnings are silenced).

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    Import-Module $TestedManifest -Force -ErrorAction Stop
    Disconnect-M365Smtp -ErrorAction SilentlyContinue
    $postfix = Get-InteropEnv -Name postfix
    $faults = Get-InteropEnv -Name aiosmtpd
    if ($postfix) {
        $credential = [pscredential]::new($postfix.USER, (ConvertTo-SecureString -String $postfix.PASSWORD -AsPlainText -Force))
        $submission = @{ SmtpServer = '127.0.0.1'; Port = [int]$postfix.SUBMISSION_PORT; SkipCertificateValidation = $true; WarningAction = 'SilentlyContinue' }
        $relay = @{ Method = 'Relay'; SmtpServer = '127.0.0.1'; Port = [int]$postfix.RELAY_PORT; WarningAction = 'SilentlyContinue' }
    }
}

AfterAll {
    Disconnect-M365Smtp -ErrorAction SilentlyContinue
    Remove-Module M365SmtpTools -ErrorAction SilentlyContinue
}

Describe 'Send-M365Mail' {
    Context 'its parameters' {
        It 'supports -WhatIf and -Confirm' {
            $command = Get-Command Send-M365Mail
            $command.Parameters.Keys | Should -Contain 'WhatIf'
            $command.Parameters.Keys | Should -Contain 'Confirm'
        }

        It 'binds the message parameters from pipeline objects by property name' {
            $command = Get-Command Send-M365Mail
            foreach ($name in 'From', 'To', 'Cc', 'Bcc', 'ReplyTo', 'Subject', 'Body', 'HtmlBody', 'Attachment', 'InlineImage', 'Header', 'Priority') {
                $command.Parameters[$name].Attributes.Where({ $_ -is [System.Management.Automation.ParameterAttribute] }).ValueFromPipelineByPropertyName |
                    Should -Contain $true -Because "-$name binds from a CSV column of the same name"
            }
        }

        It 'has the auth parameter sets of Connect-M365Smtp plus the session connection' {
            $sets = (Get-Command Send-M365Mail).ParameterSets.Name
            foreach ($set in (Get-Command Connect-M365Smtp).ParameterSets.Name) { $sets | Should -Contain $set }
            $sets | Should -Contain 'Connection'
        }
    }

    Context '-WhatIf' {
        It 'asks for each piped row and sends nothing' {
            $rows = @(
                [pscustomobject]@{ To = 'ann@contoso.com'; Subject = 'Row one'; Body = 'Hello Ann' }
                [pscustomobject]@{ To = 'ben@contoso.com; cat@contoso.com'; Subject = 'Row two'; Body = 'Hello both' }
            )
            $results = $rows | Send-M365Mail -Method Relay -SmtpServer contoso-com.mail.protection.outlook.com -From ops@contoso.com -WhatIf
            $results.Count | Should -Be 2
            $results.Status | Should -Be @('NotAttempted', 'NotAttempted')
            $results[1].Recipients | Should -Be @('ben@contoso.com', 'cat@contoso.com')
            $results[0].Server | Should -BeNullOrEmpty
        }

        It 'writes the WhatIf line with the recipients, the server and the method' {
            $transcript = Join-Path ([IO.Path]::GetTempPath()) "whatif-$([guid]::NewGuid()).txt"
            Start-Transcript -Path $transcript
            Send-M365Mail -Method Relay -SmtpServer contoso-com.mail.protection.outlook.com -From scanner@contoso.com -To alice@contoso.com -Subject 'Scan' -Body 'x' -WhatIf | Out-Null
            Stop-Transcript
            Get-Content $transcript -Raw | Should -Match 'to alice@contoso\.com via contoso-com\.mail\.protection\.outlook\.com:25 \(Relay\)'
            Remove-Item $transcript
        }
    }

    Context 'errors before connecting' {
        It 'reports a missing attachment as a non-terminating AttachmentNotFound error with a Failed result' {
            $missing = Join-Path ([IO.Path]::GetTempPath()) "missing-$([guid]::NewGuid()).pdf"
            $result = Send-M365Mail -Method Relay -SmtpServer 127.0.0.1 -Port 9 -From scanner@contoso.com -To alice@contoso.com -Subject 'Scan' -Attachment $missing -ErrorVariable sendErrors -ErrorAction SilentlyContinue
            $result.Status | Should -Be 'Failed'
            $result.ErrorId | Should -Be 'AttachmentNotFound'
            $sendErrors[0].FullyQualifiedErrorId | Should -BeLike 'AttachmentNotFound*'
        }

        It 'reports an invalid address with the InvalidEmailAddress error id' {
            $result = Send-M365Mail -Method Relay -SmtpServer 127.0.0.1 -Port 9 -From scanner@contoso.com -To 'not an address' -Subject 'x' -ErrorVariable sendErrors -ErrorAction SilentlyContinue
            $result.Status | Should -Be 'Failed'
            $sendErrors[0].FullyQualifiedErrorId | Should -BeLike 'InvalidEmailAddress*'
        }

        It 'refuses port 465 to Microsoft 365 as a terminating error' {
            { Send-M365Mail -Method Relay -SmtpServer contoso-com.mail.protection.outlook.com -Port 465 -From scanner@contoso.com -To alice@contoso.com -Subject 'x' -ErrorAction Stop } |
                Should -Throw -ErrorId 'ImplicitTlsNotSupported*'
        }

        It 'needs a session connection for client submission without auth parameters' {
            { Send-M365Mail -To alice@contoso.com -Subject 'x' -Body 'y' -ErrorAction Stop } | Should -Throw -ErrorId 'ConnectionNotFound*'
        }

        It 'refuses auth parameters with Direct Send' {
            $token = ConvertTo-SecureString -String 'not-a-real-token' -AsPlainText -Force
            { Send-M365Mail -Method DirectSend -AccessToken $token -UserName alice@contoso.com -To alice@contoso.com -Subject 'x' -ErrorAction Stop } |
                Should -Throw -ErrorId 'AuthNotApplicable*'
        }
    }

    Context 'through Postfix submission on loopback' -Skip:(-not (Test-Path -Path (Join-Path $PSScriptRoot '../interop/.state/postfix/env'))) {
        BeforeAll { Assert-InteropServerRunning -Name postfix }

        It 'sends with a password (PLAIN) and the message arrives with its subject, body, header and attachment' {
            $to = New-TestRecipient -Prefix send-plain
            $report = Join-Path $TestDrive 'report.csv'
            "Region,Total`nNorth,42" | Set-Content -Path $report
            $result = Send-M365Mail @submission -Credential $credential -To $to -Subject 'Nightly export' -Body 'The export finished.' -Attachment $report -Header @{ 'X-Job' = 'nightly-export' }
            $result.Status | Should -Be 'Sent'
            $result.From | Should -Be $postfix.USER
            $result.Method | Should -Be 'ClientSubmission'
            $result.Server | Should -Be "127.0.0.1:$($postfix.SUBMISSION_PORT)"
            $result.ReplyCode | Should -Be 250
            $result.AcceptedRecipients | Should -Be @($to)
            $files = @(Wait-MaildirMessage -MaildirBase $postfix.MAILDIR_BASE -Address $to)
            $files.Count | Should -Be 1
            $message = Get-Content -LiteralPath $files[0] -Raw
            $message | Should -Match '(?m)^Subject: Nightly export\r?$'
            $message | Should -Match "(?m)^From: .*$([regex]::Escape($postfix.USER))"
            $message | Should -Match '(?m)^X-Job: nightly-export\r?$'
            $message | Should -Match 'The export finished\.'
            $message | Should -Match 'filename="?report\.csv'
            $message | Should -Match ([regex]::Escape($result.MessageId))
        }

        It 'sends with a token (XOAUTH2) and Postfix logs the mechanism' {
            $to = New-TestRecipient -Prefix send-xoauth2
            $jwt = New-TestJwt -Key ([Convert]::FromBase64String($postfix.JWT_HS256_KEY_BASE64)) -Upn $postfix.USER -Minutes 10 -Claim @{ aud = 'https://outlook.office.com'; scp = 'SMTP.Send' }
            $token = ConvertTo-SecureString -String $jwt -AsPlainText -Force
            $result = Send-M365Mail @submission -AccessToken $token -UserName $postfix.USER -To $to -Subject 'Token mail' -Body 'x'
            $result.Status | Should -Be 'Sent'
            (Wait-MaildirMessage -MaildirBase $postfix.MAILDIR_BASE -Address $to).Count | Should -Be 1
            Get-Content -LiteralPath $postfix.MAILLOG -Raw | Should -Match "sasl_method=XOAUTH2, sasl_username=$([regex]::Escape($postfix.USER))"
        }

        It 'sends with a session connection made by Connect-M365Smtp' {
            Connect-M365Smtp -Credential $credential -SmtpServer 127.0.0.1 -Port $postfix.SUBMISSION_PORT -Name Postfix
            $to = New-TestRecipient -Prefix send-session
            $result = Send-M365Mail -ConnectionName Postfix -SkipCertificateValidation -WarningAction SilentlyContinue -To $to -Subject 'Session mail' -Body 'x'
            $result.Status | Should -Be 'Sent'
            $result.Server | Should -Be "127.0.0.1:$($postfix.SUBMISSION_PORT)"
            (Wait-MaildirMessage -MaildirBase $postfix.MAILDIR_BASE -Address $to).Count | Should -Be 1
        }

        It 'sends one message per row of a CSV file, each with its own recipients, subject and attachment' {
            $first = New-TestRecipient -Prefix csv-a
            $second = New-TestRecipient -Prefix csv-b
            $cc = New-TestRecipient -Prefix csv-cc -Domain fabrikam.test
            Set-Content -Path (Join-Path $TestDrive 'invoice-1.txt') -Value 'invoice one'
            Set-Content -Path (Join-Path $TestDrive 'invoice-2.txt') -Value 'invoice two'
            $csv = Join-Path $TestDrive 'invoices.csv'
            @(
                [pscustomobject]@{ To = $first; Cc = ''; Subject = 'Invoice 1'; Body = 'Dear A'; Attachment = (Join-Path $TestDrive 'invoice-1.txt') }
                [pscustomobject]@{ To = "$second; $cc"; Cc = ''; Subject = 'Invoice 2'; Body = 'Dear B'; Attachment = (Join-Path $TestDrive 'invoice-2.txt') }
            ) | Export-Csv -Path $csv -NoTypeInformation
            $results = Import-Csv -Path $csv | Select-Object -Property 'To', 'Subject', 'Body', 'Attachment' | Send-M365Mail @submission -Credential $credential
            $results.Status | Should -Be @('Sent', 'Sent')
            $results[1].Recipients | Should -Be @($second, $cc)
            (Get-Content -LiteralPath (@(Wait-MaildirMessage -MaildirBase $postfix.MAILDIR_BASE -Address $first)[0]) -Raw) | Should -Match '(?s)Subject: Invoice 1.*invoice-1\.txt'
            (Get-Content -LiteralPath (@(Wait-MaildirMessage -MaildirBase $postfix.MAILDIR_BASE -Address $second)[0]) -Raw) | Should -Match '(?s)Subject: Invoice 2.*invoice-2\.txt'
            (Wait-MaildirMessage -MaildirBase $postfix.MAILDIR_BASE -Address $cc).Count | Should -Be 1
        }

        It 'takes Priority and Bcc from CSV columns: the Bcc recipient gets the message, no header names it' {
            $to = New-TestRecipient -Prefix csv-to
            $bcc = New-TestRecipient -Prefix csv-bcc
            $csv = Join-Path $TestDrive 'alerts.csv'
            "To,Bcc,Subject,Body,Priority`n$to,$bcc,Disk full,Volume D: is full,High" | Set-Content -Path $csv
            $result = Import-Csv -Path $csv | Send-M365Mail @submission -Credential $credential
            $result.Status | Should -Be 'Sent'
            $result.AcceptedRecipients | Sort-Object | Should -Be (@($to, $bcc) | Sort-Object)
            $forTo = Get-Content -LiteralPath (@(Wait-MaildirMessage -MaildirBase $postfix.MAILDIR_BASE -Address $to)[0]) -Raw
            $forBcc = Get-Content -LiteralPath (@(Wait-MaildirMessage -MaildirBase $postfix.MAILDIR_BASE -Address $bcc)[0]) -Raw
            foreach ($message in $forTo, $forBcc) {
                $unfolded = (($message -split "\r?\n\r?\n", 2)[0]) -replace "\r?\n[ \t]+", ' '
                $headers = $unfolded -split "\r?\n" | Where-Object { $_ -notmatch '^(Delivered-To|X-Original-To|Return-Path|Received):' }
                ($headers -join "`n") | Should -Not -Match ([regex]::Escape($bcc))
                $message | Should -Match '(?m)^Subject: Disk full\r?$'
                $message | Should -Match '(?m)^X-Priority: 1'
                $message | Should -Match '(?m)^Importance: high'
            }
        }

        It 'sends nothing with -WhatIf' {
            $to = New-TestRecipient -Prefix send-whatif
            $result = Send-M365Mail @submission -Credential $credential -To $to -Subject 'Not sent' -Body 'x' -WhatIf
            $result.Status | Should -Be 'NotAttempted'
            Wait-MaildirMessage -MaildirBase $postfix.MAILDIR_BASE -Address $to -TimeoutSeconds 3 | Should -BeNullOrEmpty
        }

        It 'reports an unknown recipient as SmtpRecipientsRejected (ObjectNotFound) with a Failed result' {
            $unknown = New-TestRecipient -Prefix "$($postfix.UNKNOWN_LOCALPART_PREFIX)x"
            $err = $null
            $result = Send-M365Mail @submission -Credential $credential -To $unknown -Subject 'x' -Body 'x' -ErrorVariable err -ErrorAction SilentlyContinue
            $result.Status | Should -Be 'Failed'
            $result.RejectedRecipients | Should -Be @($unknown)
            $result.ErrorId | Should -Be 'SmtpRecipientsRejected'
            $err.Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -Be 'SmtpRecipientsRejected,M365SmtpTools.Commands.SendM365MailCommand'
            $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $err[0].Exception.Message | Should -Match '550 5\.1\.1'
            { Send-M365Mail @submission -Credential $credential -To $unknown -Subject 'x' -Body 'x' -ErrorAction Stop } |
                Should -Throw -ErrorId 'SmtpRecipientsRejected,M365SmtpTools.Commands.SendM365MailCommand'
        }

        It 'reports a wrong password as an authentication error and delivers nothing' {
            $to = New-TestRecipient -Prefix send-wrongpw
            $wrong = [pscredential]::new($postfix.USER, (ConvertTo-SecureString -String 'wrong-password' -AsPlainText -Force))
            $err = $null
            $result = Send-M365Mail @submission -Credential $wrong -To $to -Subject 'x' -Body 'x' -ErrorVariable err -ErrorAction SilentlyContinue
            $result.Status | Should -Be 'Failed'
            $err[0].FullyQualifiedErrorId | Should -Be 'SmtpAuthenticationFailed,M365SmtpTools.Commands.SendM365MailCommand'
            $err[0].CategoryInfo.Category | Should -Be 'AuthenticationError'
            Wait-MaildirMessage -MaildirBase $postfix.MAILDIR_BASE -Address $to -TimeoutSeconds 3 | Should -BeNullOrEmpty
        }

        It 'shows the results as a table without type names' {
            $to = New-TestRecipient -Prefix send-view
            $text = Send-M365Mail @submission -Credential $credential -To $to -Subject 'View' -Body 'x' | Out-String -Width 250
            $text | Should -Match 'Status\s+Recipients\s+Subject'
            $text | Should -Match "Sent\s+$([regex]::Escape($to.Substring(0, 20)))\S*\s+View"
            $text | Should -Not -Match 'M365SmtpTools\.'
        }
    }

    Context 'through the Postfix relay port on loopback' -Skip:(-not (Test-Path -Path (Join-Path $PSScriptRoot '../interop/.state/postfix/env'))) {
        BeforeAll { Assert-InteropServerRunning -Name postfix }

        It 'relays without authentication, over STARTTLS' {
            $to = New-TestRecipient -Prefix send-relay
            $result = Send-M365Mail @relay -SkipCertificateValidation -From scanner@contoso.test -To $to -Subject 'Scan 0042' -Body 'scan attached'
            $result.Status | Should -Be 'Sent'
            $result.Method | Should -Be 'Relay'
            $message = Get-Content -LiteralPath (@(Wait-MaildirMessage -MaildirBase $postfix.MAILDIR_BASE -Address $to)[0]) -Raw
            $message | Should -Match '(?m)^Subject: Scan 0042\r?$'
            $message | Should -Match 'with ESMTPS'
        }

        It "refuses the relay's untrusted certificate without -SkipCertificateValidation and delivers nothing" {
            $to = New-TestRecipient -Prefix send-relay-untrusted
            $err = $null
            $result = Send-M365Mail @relay -From scanner@contoso.test -To $to -Subject 'x' -Body 'x' -ErrorVariable err -ErrorAction SilentlyContinue
            $result.Status | Should -Be 'Failed'
            $err[0].FullyQualifiedErrorId | Should -Be 'SmtpCertificateInvalid,M365SmtpTools.Commands.SendM365MailCommand'
            $err[0].CategoryInfo.Category | Should -Be 'SecurityError'
            Wait-MaildirMessage -MaildirBase $postfix.MAILDIR_BASE -Address $to -TimeoutSeconds 3 | Should -BeNullOrEmpty
        }
    }

    Context 'against the aiosmtpd fault servers' -Skip:(-not (Test-Path -Path (Join-Path $PSScriptRoot '../interop/.state/aiosmtpd/env'))) {
        BeforeAll { Assert-InteropServerRunning -Name aiosmtpd }

        It 'reports a reply lost after the message as Unknown (SmtpDeliveryUnknown) and does not resend it' {
            $err = $null
            $result = Send-M365Mail -Method Relay -SmtpServer 127.0.0.1 -Port $faults.DROP_DATA_PORT -From scanner@contoso.test -To bob@contoso.test -Subject 'Dropped' -Body 'x' -WarningAction SilentlyContinue -ErrorVariable err -ErrorAction SilentlyContinue
            $result.Status | Should -Be 'Unknown'
            $result.Attempts | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -Be 'SmtpDeliveryUnknown,M365SmtpTools.Commands.SendM365MailCommand'
            $err[0].CategoryInfo.Category | Should -Be 'ConnectionError'
        }
    }

    Context 'through Microsoft Graph (-Method Graph) to the loopback Graph double' {
        BeforeAll {
            # The double of the engine tests (BCL only), compiled here; it serves HTTPS with a self-signed certificate.
            if (-not ('M365SmtpTools.Engine.Tests.Infrastructure.GraphDouble' -as [type])) {
                Add-Type -Path (Join-Path $PSScriptRoot '../M365SmtpTools.Engine.Tests/Infrastructure/GraphDouble.cs') -ErrorAction Stop
            }
            $graph = [M365SmtpTools.Engine.Tests.Infrastructure.GraphDouble]::new()
            $graphSend = @{
                Method = 'Graph'; GraphEndpoint = $graph.BaseUrl; SkipCertificateValidation = $true; WarningAction = 'SilentlyContinue'
                AccessToken = (ConvertTo-SecureString -String ([M365SmtpTools.Engine.Tests.Infrastructure.GraphDouble]::Token()) -AsPlainText -Force)
                UserName = 'reports@contoso.com'
            }
        }
        AfterAll { $graph.Dispose() }

        It 'sends a CSV batch through Graph: one Sent result per row, and the JSON Graph received carries each row' {
            $csv = Join-Path $TestDrive 'graph.csv'
            @(
                [pscustomobject]@{ To = 'ann@contoso.com'; Subject = 'Graph row 1'; Body = 'first' }
                [pscustomobject]@{ To = 'ben@contoso.com'; Subject = 'Graph row 2'; Body = 'second' }
            ) | Export-Csv -Path $csv -NoTypeInformation
            $results = Import-Csv -Path $csv | Send-M365Mail @graphSend -Cc 'audit@contoso.com' -Header @{ 'X-Batch' = 'pester' }
            $results.Count | Should -Be 2
            $results.Status | Should -Be @('Sent', 'Sent')
            $results.Method | Should -Be @('Graph', 'Graph')
            $sent = @($graph.Sent)
            $sent.Count | Should -Be 2
            $subjects = $sent | ForEach-Object { $_.Message.GetProperty('subject').GetString() } | Sort-Object
            $subjects | Should -Be @('Graph row 1', 'Graph row 2')
            $sent[0].Mailbox | Should -Be 'reports@contoso.com'
            $sent[0].Message.GetProperty('ccRecipients')[0].GetProperty('emailAddress').GetProperty('address').GetString() | Should -Be 'audit@contoso.com'
            $sent[0].Message.GetProperty('internetMessageHeaders')[0].GetProperty('name').GetString() | Should -Be 'X-Batch'
        }

        It 'refuses a header Graph does not accept with GraphHeaderNotAllowed, before anything is sent' {
            $before = $graph.Requests.Count
            $err = $null
            $result = Send-M365Mail @graphSend -To ann@contoso.com -Subject 'x' -Body 'x' -Header @{ Keywords = 'x' } -ErrorVariable err -ErrorAction SilentlyContinue
            $result.Status | Should -Be 'Failed'
            $err[0].FullyQualifiedErrorId | Should -Be 'GraphHeaderNotAllowed,M365SmtpTools.Commands.SendM365MailCommand'
            $graph.Requests.Count | Should -Be $before
        }

        It 'retries a 429 after its Retry-After and reports the message Sent after 2 attempts' {
            $graph.EnqueueError(429, 'ApplicationThrottled', 'Too many requests.', 1)
            $result = Send-M365Mail @graphSend -To ann@contoso.com -Subject 'Throttled once' -Body 'x'
            $result.Status | Should -Be 'Sent'
            $result.Attempts | Should -Be 2
        }
    }
}
