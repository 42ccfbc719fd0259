#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.3.0' }
# Test-M365SmtpAuth as an admin uses it, from out/M365SmtpTools (M365SMTPTOOLS_MODULE_PATH: another copy), against a
# closed loopback port, Postfix + Dovecot (bash tests/interop/servers/postfix.sh start) and the aiosmtpd fault servers
# (bash tests/interop/servers/aiosmtpd.sh start); the server tests are skipped only when the server's env file is
# missing. Both servers have self-signed certificates: in this process that is what the Tls stage must report; the
# tests that go further run in a child pwsh whose only trusted root is Postfix's certificate (Invoke-TrustingPowerShell).

BeforeDiscovery {
    # aiosmtpd.sh lists TLS11_ONLY_PORT only when this OpenSSL can still speak TLS 1.1 (else TLS11_ONLY_UNAVAILABLE).
    $faultEnv = Join-Path $PSScriptRoot '../interop/.state/aiosmtpd/env'
    $hasTls11Server = (Test-Path -Path $faultEnv) -and (Select-String -Path $faultEnv -Pattern '^TLS11_ONLY_PORT=' -Quiet)
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    Import-Module $TestedManifest -Force -ErrorAction Stop
    $closedPort = Get-ClosedLoopbackPort
    $postfix = Get-InteropEnv -Name postfix
    $faults = Get-InteropEnv -Name aiosmtpd
}

AfterAll {
    Remove-Module M365SmtpTools -ErrorAction SilentlyContinue
}

Describe 'Test-M365SmtpAuth' {
    Context 'against a closed port, and before connecting' {
        It 'returns a failed report with an explained finding for a refused port' {
            $report = Test-M365SmtpAuth -SmtpServer 127.0.0.1 -Port $closedPort -StopAfter Connect -TimeoutSeconds 5
            $report.Overall | Should -Be 'Failed'
            $report.FailedStage | Should -Be 'Connect'
            $finding = $report.Findings | Where-Object Id -EQ 'ConnectionRefused'
            $finding | Should -Not -BeNullOrEmpty
            # The fix is a command that exists where the test runs: Test-NetConnection only exists on Windows.
            if ($IsWindows -or $PSVersionTable.PSEdition -eq 'Desktop') {
                $finding.Commands | Should -Contain "Test-NetConnection -ComputerName '127.0.0.1' -Port $($closedPort)"
            }
            else {
                @($finding.Commands).Count | Should -Be 1
                $finding.Commands[0] | Should -Match "^(nc -vz 127\.0\.0\.1 $closedPort|openssl s_client -starttls smtp -crlf -connect 127\.0\.0\.1:$closedPort)`$"
                $tool = ($finding.Commands[0] -split ' ')[0]
                (Get-Command -Name $tool -CommandType Application -ErrorAction SilentlyContinue) | Should -Not -BeNullOrEmpty -Because "the suggested $tool must exist here"
            }
        }

        It 'shows the stages and findings in its default view' {
            $text = Test-M365SmtpAuth -SmtpServer 127.0.0.1 -Port $closedPort -StopAfter Connect -TimeoutSeconds 5 | Out-String
            $text | Should -Match 'Overall'
            $text | Should -Match 'Connect\s+Failed'
            $text | Should -Match 'ConnectionRefused'
            $text | Should -Not -Match 'M365SmtpTools\.'
            ($report = Test-M365SmtpAuth -SmtpServer 127.0.0.1 -Port $closedPort -StopAfter Connect -TimeoutSeconds 5).Stages | Out-String | Should -Not -Match 'M365SmtpTools\.'
            $report.Findings | Out-String | Should -Match 'ConnectionRefused'
        }

        It 'makes a failed test a terminating error with -ErrorOnFailure' {
            { Test-M365SmtpAuth -SmtpServer 127.0.0.1 -Port $closedPort -StopAfter Connect -TimeoutSeconds 5 -ErrorOnFailure } |
                Should -Throw -ErrorId 'SmtpAuthTestFailed,M365SmtpTools.Commands.TestM365SmtpAuthCommand'
        }

        It 'writes the report before the error with -ErrorOnFailure -PassThru' {
            $reports = @()
            $record = $null
            try {
                Test-M365SmtpAuth -SmtpServer 127.0.0.1 -Port $closedPort -StopAfter Connect -TimeoutSeconds 5 -ErrorOnFailure -PassThru |
                    ForEach-Object { $reports += $_ }
            }
            catch { $record = $_ }
            $reports.Count | Should -Be 1
            $reports[0].Overall | Should -Be 'Failed'
            $record.FullyQualifiedErrorId | Should -Be 'SmtpAuthTestFailed,M365SmtpTools.Commands.TestM365SmtpAuthCommand'
            $record.TargetObject.FailedStage | Should -Be 'Connect'
            $record.Exception.Message | Should -Match 'refused'
        }

        It 'refuses -SendTestMessage without -To before connecting' {
            { Test-M365SmtpAuth -SmtpServer 127.0.0.1 -Port $closedPort -SendTestMessage -ErrorAction Stop } |
                Should -Throw -ErrorId 'ToMissing,M365SmtpTools.Commands.TestM365SmtpAuthCommand'
        }

        It 'offers the same auth parameter sets as Connect-M365Smtp' {
            $test = (Get-Command Test-M365SmtpAuth).ParameterSets.Name
            foreach ($set in (Get-Command Connect-M365Smtp).ParameterSets.Name) {
                $test | Should -Contain $set
            }
            $test | Should -Contain 'Connection'
        }

        It 'documents the five commonest failures in its examples' {
            $examples = (Get-Help Test-M365SmtpAuth -Full).Examples.Example | Out-String
            foreach ($code in '5.7.139', '5.7.3', '5.7.60', '5.7.30', 'firewall') {
                $examples | Should -Match ([regex]::Escape($code))
            }
        }

        It 'refuses a timeout outside 1 to 3600 seconds when binding' {
            { Test-M365SmtpAuth -SmtpServer 127.0.0.1 -Port $closedPort -TimeoutSeconds 0 -ErrorAction Stop } |
                Should -Throw -ErrorId 'ParameterArgumentValidationError,M365SmtpTools.Commands.TestM365SmtpAuthCommand'
        }

        It 'takes a session connection made by Connect-M365Smtp and tests its server and port' {
            $opaque = ConvertTo-SecureString -String 'opaque' -AsPlainText -Force
            Connect-M365Smtp -AccessToken $opaque -UserName scanner@contoso.com -SmtpServer 127.0.0.1 -Port $closedPort -Name Closed
            try {
                $report = Test-M365SmtpAuth -ConnectionName Closed -StopAfter Connect -TimeoutSeconds 5
                $report.Port | Should -Be $closedPort
                $report.FailedStage | Should -Be 'Connect'
            }
            finally { Disconnect-M365Smtp -Name Closed }
        }

        It 'stops with ConnectionNotFound for a session connection that does not exist' {
            { Test-M365SmtpAuth -ConnectionName Missing -ErrorAction Stop } |
                Should -Throw -ErrorId 'ConnectionNotFound,M365SmtpTools.Commands.TestM365SmtpAuthCommand'
        }
    }

    Context 'against Postfix + Dovecot on loopback' -Skip:(-not (Test-Path -Path (Join-Path $PSScriptRoot '../interop/.state/postfix/env'))) {
        BeforeAll { Assert-InteropServerRunning -Name postfix }

        It "reads Postfix's banner, then fails the Tls stage on its self-signed certificate, naming its thumbprint" {
            $credential = [pscredential]::new($postfix.USER, (ConvertTo-SecureString -String $postfix.PASSWORD -AsPlainText -Force))
            $report = Test-M365SmtpAuth -SmtpServer 127.0.0.1 -Port $postfix.SUBMISSION_PORT -Credential $credential -TimeoutSeconds 15
            $report.Overall | Should -Be 'Failed'
            $report.FailedStage | Should -Be 'Tls'
            ($report.Stages | Where-Object Stage -EQ 'Greeting').Detail | Should -Match '220 mx\.contoso\.test ESMTP Postfix'
            $report.Stages.Stage | Should -Not -Contain 'Auth'
            $finding = $report.Findings | Where-Object Id -EQ 'CertificateUntrusted'
            $finding.Severity | Should -Be 'Error'
            $thumbprint = [System.Security.Cryptography.X509Certificates.X509Certificate2]::new($postfix.CA_CERT).Thumbprint
            $finding.Evidence | Should -Match $thumbprint
        }

        It 'round-trips Export-Csv and Import-Csv readably: stages, TLS facts, findings and transcript as text' {
            $credential = [pscredential]::new($postfix.USER, (ConvertTo-SecureString -String $postfix.PASSWORD -AsPlainText -Force))
            $report = Test-M365SmtpAuth -SmtpServer 127.0.0.1 -Port $postfix.SUBMISSION_PORT -Credential $credential -TimeoutSeconds 15 -Transcript
            $csv = Get-CsvRoundTrip -InputObject $report
            $csv.Text | Should -Not -Match $TypeNamePattern
            $row = $csv.Rows[0]
            $row.Stages | Should -Match '^Resolve\s+Passed.*; Connect\s+Passed.*; Greeting\s+Passed'
            $row.Findings | Should -Match 'CertificateUntrusted'
            $row.Capabilities | Should -Match 'STARTTLS'
            $row.Transcript | Should -Match 'EHLO'
            $row.Transcript | Should -Not -Match ([regex]::Escape($postfix.PASSWORD))
        }

        It 'passes PLAIN and XOAUTH2, fails a wrong password at Auth, and sends only with -SendTestMessage (certificate trusted)' {
            $plainOnly = New-TestRecipient -Prefix auth-rcpt
            $testMessage = New-TestRecipient -Prefix auth-send
            $whatIf = New-TestRecipient -Prefix auth-whatif
            $result = Invoke-TrustingPowerShell -TrustedCertificate $postfix.CA_CERT -Values @{
                Port = [int]$postfix.SUBMISSION_PORT; User = $postfix.USER; Password = $postfix.PASSWORD
                Jwt = New-TestJwt -Key ([Convert]::FromBase64String($postfix.JWT_HS256_KEY_BASE64)) -Upn $postfix.USER -Minutes 10 -Claim @{ aud = 'https://outlook.office.com'; scp = 'SMTP.Send' }
                RcptOnly = $plainOnly; Send = $testMessage; WhatIf = $whatIf
            } -Script @'
$summary = { param($r) [pscustomobject]@{ Overall = "$($r.Overall)"; FailedStage = "$($r.FailedStage)"; Mechanism = $r.Mechanism; LastStage = "$($r.Stages[-1].Stage)"; Ids = @($r.Findings.Id); AuthDetail = ($r.Stages | Where-Object Stage -EQ 'Auth').Detail; Evidence = @($r.Findings.Evidence) } }
$credential = [pscredential]::new($Values.User, (ConvertTo-SecureString -String $Values.Password -AsPlainText -Force))
$wrong = [pscredential]::new($Values.User, (ConvertTo-SecureString -String 'wrong-password' -AsPlainText -Force))
$token = ConvertTo-SecureString -String $Values.Jwt -AsPlainText -Force
$common = @{ SmtpServer = 'localhost'; Port = $Values.Port; TimeoutSeconds = 15 }
$errorId = $null; $target = $null
try { Test-M365SmtpAuth @common -Credential $wrong -ErrorOnFailure -ErrorAction Stop } catch { $errorId = $_.FullyQualifiedErrorId; $target = "$($_.TargetObject.FailedStage)" }
[pscustomobject]@{
    Plain    = & $summary (Test-M365SmtpAuth @common -Credential $credential -Mechanism Plain)
    Token    = & $summary (Test-M365SmtpAuth @common -AccessToken $token -UserName $Values.User -To $Values.RcptOnly)
    Wrong    = & $summary (Test-M365SmtpAuth @common -Credential $wrong)
    Send     = & $summary (Test-M365SmtpAuth @common -Credential $credential -To $Values.Send -SendTestMessage)
    WhatIf   = & $summary (Test-M365SmtpAuth @common -Credential $credential -To $Values.WhatIf -SendTestMessage -WhatIf)
    ErrorId  = $errorId
    Target   = $target
}
'@
            $result.Plain.FailedStage | Should -BeNullOrEmpty
            $result.Plain.Mechanism | Should -Be 'PLAIN'
            $result.Plain.AuthDetail | Should -Match '^235'
            $result.Plain.Ids | Where-Object { $_ -ne 'CertificateExpiresSoon' } | Should -BeNullOrEmpty
            $result.Token.FailedStage | Should -BeNullOrEmpty
            $result.Token.Mechanism | Should -Be 'XOAUTH2'
            $result.Token.LastStage | Should -Be 'RcptTo'
            $result.Wrong.Overall | Should -Be 'Failed'
            $result.Wrong.FailedStage | Should -Be 'Auth'
            ($result.Wrong.Evidence -join "`n") | Should -Match '535 5\.7\.8'
            $result.ErrorId | Should -Be 'SmtpAuthTestFailed,M365SmtpTools.Commands.TestM365SmtpAuthCommand'
            $result.Target | Should -Be 'Auth'
            $result.Send.FailedStage | Should -BeNullOrEmpty
            $delivered = @(Wait-MaildirMessage -MaildirBase $postfix.MAILDIR_BASE -Address $testMessage)
            $delivered.Count | Should -Be 1
            Get-Content -LiteralPath $delivered[0] -Raw | Should -Match 'Subject: M365SmtpTools test message'
            Wait-MaildirMessage -MaildirBase $postfix.MAILDIR_BASE -Address $plainOnly -TimeoutSeconds 2 | Should -BeNullOrEmpty -Because 'RCPT TO is followed by RSET'
            Wait-MaildirMessage -MaildirBase $postfix.MAILDIR_BASE -Address $whatIf -TimeoutSeconds 2 | Should -BeNullOrEmpty -Because '-WhatIf sends nothing'
        }
    }

    Context 'against the aiosmtpd fault servers on loopback' -Skip:(-not (Test-Path -Path (Join-Path $PSScriptRoot '../interop/.state/aiosmtpd/env'))) {
        BeforeAll {
            Assert-InteropServerRunning -Name aiosmtpd
            $faultCredential = [pscredential]::new($faults.USER, (ConvertTo-SecureString -String $faults.PASSWORD -AsPlainText -Force))
        }

        It 'stops at Tls on a server that offers AUTH but no STARTTLS, and never sends the password' {
            # The server's transcript holds every connection since it started (other tests use it too): read this test's part.
            $before = if (Test-Path -LiteralPath $faults.NO_STARTTLS_LOG) { (Get-Content -LiteralPath $faults.NO_STARTTLS_LOG -Raw).Length } else { 0 }
            $report = Test-M365SmtpAuth -SmtpServer 127.0.0.1 -Port $faults.NO_STARTTLS_PORT -Credential $faultCredential -TimeoutSeconds 10
            $report.FailedStage | Should -Be 'Tls'
            $finding = $report.Findings | Where-Object Id -EQ 'StartTlsNotOffered'
            $finding.Evidence | Should -Match 'AUTH'
            $transcript = (Get-Content -LiteralPath $faults.NO_STARTTLS_LOG -Raw).Substring($before)
            $transcript | Should -Match 'C: EHLO'
            $transcript | Should -Not -Match 'C: AUTH'
            $transcript | Should -Not -Match ([regex]::Escape($faults.PASSWORD))
        }

        It 'calls a server whose greeting is not SMTP NotAnSmtpServer' {
            $report = Test-M365SmtpAuth -SmtpServer 127.0.0.1 -Port $faults.GARBAGE_GREETING_PORT -TimeoutSeconds 10
            $report.FailedStage | Should -Be 'Greeting'
            $report.Findings.Id | Should -Contain 'NotAnSmtpServer'
        }

        It 'reports a server that never greets as GreetingTimeout within -TimeoutSeconds' {
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $report = Test-M365SmtpAuth -SmtpServer 127.0.0.1 -Port $faults.BANNER_NEVER_PORT -TimeoutSeconds 2
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 20
            $report.FailedStage | Should -Be 'Greeting'
            $report.Findings.Id | Should -Contain 'GreetingTimeout'
        }

        It 'fails the Tls stage on a server that only speaks TLS 1.1' -Skip:(-not $hasTls11Server) {
            $report = Test-M365SmtpAuth -SmtpServer 127.0.0.1 -Port $faults.TLS11_ONLY_PORT -StopAfter Tls -TimeoutSeconds 10
            $report.FailedStage | Should -Be 'Tls'
            ($report.Findings | Where-Object Id -EQ 'TlsHandshakeFailed').Meaning | Should -Match 'TLS 1\.2'
        }

        It 'makes a fault a terminating SmtpAuthTestFailed error whose message is the first finding with -ErrorOnFailure' {
            $record = $null
            try { Test-M365SmtpAuth -SmtpServer 127.0.0.1 -Port $faults.GARBAGE_GREETING_PORT -TimeoutSeconds 10 -ErrorOnFailure } catch { $record = $_ }
            $record.FullyQualifiedErrorId | Should -Be 'SmtpAuthTestFailed,M365SmtpTools.Commands.TestM365SmtpAuthCommand'
            $record.TargetObject.FailedStage | Should -Be 'Greeting'
            $record.Exception.Message | Should -Not -BeNullOrEmpty
        }
    }
}
