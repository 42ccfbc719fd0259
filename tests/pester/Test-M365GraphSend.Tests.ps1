#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.3.0' }
# Test-M365GraphSend as an admin uses it, from out/M365SmtpTools (M365SMTPTOOLS_MODULE_PATH: another copy), against the
# loopback Graph double of the engine tests (BCL only, compiled here with Add-Type; HTTPS with a self-signed
# certificate, hence -GraphEndpoint with -SkipCertificateValidation). Tokens are unsigned test JWTs the double reads.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    Import-Module $TestedManifest -Force -ErrorAction Stop
    if (-not ('M365SmtpTools.Engine.Tests.Infrastructure.GraphDouble' -as [type])) {
        Add-Type -Path (Join-Path $PSScriptRoot '../M365SmtpTools.Engine.Tests/Infrastructure/GraphDouble.cs') -ErrorAction Stop
    }
    function New-TestToken {
        param([string] $Audience = 'https://graph.microsoft.com', [string[]] $Roles = @('Mail.Send'), [string] $Scp, [int] $LifetimeSeconds = 3600)
        # PowerShell passes $null to a string parameter as '': [NullString] keeps an app-only token app-only.
        $scpArgument = if ($Scp) { $Scp } else { [NullString]::Value }
        $jwt = [M365SmtpTools.Engine.Tests.Infrastructure.GraphDouble]::Token($Audience, $Roles, $scpArgument, $LifetimeSeconds, '11111111-2222-3333-4444-555555555555')
        ConvertTo-SecureString -String $jwt -AsPlainText -Force
    }
}

AfterAll {
    Remove-Module M365SmtpTools -ErrorAction SilentlyContinue
}

Describe 'Test-M365GraphSend' {
    BeforeEach {
        $graph = [M365SmtpTools.Engine.Tests.Infrastructure.GraphDouble]::new()
        $probe = @{ GraphEndpoint = $graph.BaseUrl; SkipCertificateValidation = $true; WarningAction = 'SilentlyContinue'; UserName = 'reports@contoso.com' }
    }
    AfterEach { $graph.Dispose() }

    It 'passes when Graph refuses only the missing recipients, and sends nothing' {
        $report = Test-M365GraphSend @probe -AccessToken (New-TestToken)
        $report.Overall | Should -Be 'Passed'
        ($report.Stages | ForEach-Object { '{0}:{1}' -f $_.Stage, $_.Status }) | Should -Be @('Token:Passed', 'Claims:Passed', 'Mailbox:Passed')
        $graph.NoRecipientRequests | Should -Be 1
        $graph.Sent.Count | Should -Be 0
        $report.Token.Audience | Should -Be 'https://graph.microsoft.com'
    }

    It 'fails the Claims stage for a token made for SMTP (outlook.office365.com), before Graph sees it' {
        $token = New-TestToken -Audience 'https://outlook.office365.com' -Roles 'SMTP.SendAsApp'
        $report = Test-M365GraphSend @probe -AccessToken $token
        $report.Overall | Should -Be 'Failed'
        $report.FailedStage | Should -Be 'Claims'
        $finding = $report.Findings | Where-Object Id -EQ 'GraphTokenWrongAudience'
        $finding.Severity | Should -Be 'Error'
        $finding.Remediation | Should -Match 'Get-AzAccessToken -ResourceUrl https://graph\.microsoft\.com'
        $graph.Requests.Count | Should -Be 0
    }

    It 'fails the Claims stage for an expired token' {
        $token = New-TestToken -LifetimeSeconds -600
        $report = Test-M365GraphSend @probe -AccessToken $token
        $report.FailedStage | Should -Be 'Claims'
        $report.Findings.Id | Should -Contain 'GraphTokenExpired'
        $graph.Requests.Count | Should -Be 0
    }

    It 'reports a token without Mail.Send that Graph then refuses as access denied' {
        $token = New-TestToken -Roles 'User.Read.All'
        $report = Test-M365GraphSend @probe -AccessToken $token
        $report.FailedStage | Should -Be 'Mailbox'
        ($report.Findings | Where-Object Id -EQ 'GraphTokenMissingMailSend').Severity | Should -Be 'Warning'
        $denied = $report.Findings | Where-Object Id -EQ 'GraphErrorAccessDenied'
        $denied.Evidence | Should -BeLike '403 ErrorAccessDenied: Access is denied.*'
        $denied.Commands | Should -Contain 'Test-ServicePrincipalAuthorization -Identity 11111111-2222-3333-4444-555555555555 -Resource reports@contoso.com'
    }

    It 'explains an application access policy that excludes the mailbox' {
        $graph.MailboxAnswers['reports@contoso.com'] = [M365SmtpTools.Engine.Tests.Infrastructure.GraphFault]@{
            Status = 403; Code = 'ErrorAccessDenied'; Message = 'Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings.'
        }
        $report = Test-M365GraphSend @probe -AccessToken (New-TestToken)
        $denied = $report.Findings | Where-Object Id -EQ 'GraphErrorAccessDenied'
        $denied.Meaning | Should -Match 'application access policy'
        $denied.Commands | Should -Contain 'Test-ApplicationAccessPolicy -Identity reports@contoso.com -AppId 11111111-2222-3333-4444-555555555555'
    }

    It 'reports a mailbox Graph does not know as GraphMailboxNotFound' {
        $graph.MailboxAnswers['reports@contoso.com'] = [M365SmtpTools.Engine.Tests.Infrastructure.GraphFault]@{
            Status = 404; Code = 'ErrorInvalidUser'; Message = "The requested user 'reports@contoso.com' is invalid."
        }
        $report = Test-M365GraphSend @probe -AccessToken (New-TestToken)
        $report.FailedStage | Should -Be 'Mailbox'
        ($report.Findings | Where-Object Severity -EQ 'Error').Id | Should -Be 'GraphMailboxNotFound'
    }

    It 'with -SendTestMessage -WhatIf asks, sends nothing and skips the Message stage' {
        $report = Test-M365GraphSend @probe -AccessToken (New-TestToken) -SendTestMessage -WhatIf
        ($report.Stages | Where-Object Stage -EQ 'Message').Status | Should -Be 'Skipped'
        $report.MessageSent | Should -BeFalse
        $graph.Sent.Count | Should -Be 0
        $graph.SendRequestCount | Should -Be 1
    }

    It 'with -SendTestMessage sends one message to -To, and Graph receives its JSON' {
        $report = Test-M365GraphSend @probe -AccessToken (New-TestToken) -SendTestMessage -To ops@contoso.com -Confirm:$false
        $report.Overall | Should -Be 'Passed'
        $report.MessageSent | Should -BeTrue
        $sent = @($graph.Sent)
        $sent.Count | Should -Be 1
        $sent[0].Mailbox | Should -Be 'reports@contoso.com'
        $sent[0].Message.GetProperty('toRecipients')[0].GetProperty('emailAddress').GetProperty('address').GetString() | Should -Be 'ops@contoso.com'
        $sent[0].Message.GetProperty('subject').GetString() | Should -Match 'Test-M365GraphSend'
    }

    It 'with -ErrorOnFailure throws GraphSendTestFailed carrying the report, and -PassThru writes the report first' {
        $graph.MailboxAnswers['reports@contoso.com'] = [M365SmtpTools.Engine.Tests.Infrastructure.GraphFault]@{
            Status = 404; Code = 'MailboxNotEnabledForRESTAPI'; Message = 'The mailbox is either inactive, soft-deleted, or is hosted on-premise.'
        }
        $written = $null
        $thrown = $null
        try { Test-M365GraphSend @probe -AccessToken (New-TestToken) -ErrorOnFailure -PassThru -OutVariable written } catch { $thrown = $_ }
        @($written).Count | Should -Be 1
        $written[0].Overall | Should -Be 'Failed'
        $thrown.FullyQualifiedErrorId | Should -Be 'GraphSendTestFailed,M365SmtpTools.Commands.TestM365GraphSendCommand'
        $thrown.Exception.Message | Should -Match 'GraphMailboxNotEnabledForRESTAPI'
        $thrown.TargetObject.Overall | Should -Be 'Failed'
    }

    It 'refuses -Credential: Graph takes no password' {
        $credential = [pscredential]::new('reports@contoso.com', (ConvertTo-SecureString -String 'app-password' -AsPlainText -Force))
        { Test-M365GraphSend -Credential $credential -GraphEndpoint $graph.BaseUrl -ErrorAction Stop } |
            Should -Throw -ErrorId 'GraphBasicAuthNotSupported,M365SmtpTools.Commands.TestM365GraphSendCommand'
        $graph.Requests.Count | Should -Be 0
    }

    It 'shows a readable report: stages, token claims and findings, never the token' {
        $token = New-TestToken -Roles 'User.Read.All'
        $text = Test-M365GraphSend @probe -AccessToken $token | Out-String -Width 200
        $text | Should -Match 'Overall\s+: Failed'
        $text | Should -Match 'Mailbox\s+Failed'
        $text | Should -Match 'GraphErrorAccessDenied'
        $text | Should -Not -Match 'M365SmtpTools\.Engine'
        $plain = [System.Net.NetworkCredential]::new('', $token).Password
        $text | Should -Not -Match ([regex]::Escape($plain.Split('.')[1]))
    }
}
