#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.3.0' }
# Send-M365Mail as a user runs it. Nothing here reaches a mail server: -WhatIf, validation before connecting, and
# errors that happen before any connection. The sending itself is tested in the engine tests (tests/M365SmtpTools.Engine.Tests/Send).

BeforeAll {
    $modulePath = if ($env:M365SMTPTOOLS_MODULE_PATH) { $env:M365SMTPTOOLS_MODULE_PATH } else { Join-Path $PSScriptRoot '../../out/M365SmtpTools' }
    Import-Module (Join-Path $modulePath 'M365SmtpTools.psd1') -Force -ErrorAction Stop
    Disconnect-M365Smtp -ErrorAction SilentlyContinue
}

AfterAll {
    Disconnect-M365Smtp -ErrorAction SilentlyContinue
    Remove-Module M365SmtpTools -ErrorAction SilentlyContinue
}

Describe 'Send-M365Mail parameters' {
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

Describe 'Send-M365Mail -WhatIf' {
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

Describe 'Send-M365Mail errors before connecting' {
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
