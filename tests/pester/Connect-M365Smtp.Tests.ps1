#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.3.0' }
# Connect-M365Smtp as an admin uses it, from out/M365SmtpTools (M365SMTPTOOLS_MODULE_PATH: another copy). -AccessToken
# and -Credential need no network; -Test runs against Postfix + Dovecot (bash tests/interop/servers/postfix.sh start),
# skipped only when its env file is missing.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    Import-Module $TestedManifest -Force -ErrorAction Stop
    $opaqueToken = ConvertTo-SecureString -String 'opaque-token-from-elsewhere' -AsPlainText -Force
    $jwtKey = [byte[]](1..32)
    $postfix = Get-InteropEnv -Name postfix
}

AfterAll {
    Disconnect-M365Smtp -ErrorAction SilentlyContinue
    Remove-Module M365SmtpTools -ErrorAction SilentlyContinue
}

Describe 'Connect-M365Smtp' {
    BeforeEach { Disconnect-M365Smtp -ErrorAction SilentlyContinue }

    Context 'with a token obtained elsewhere (-AccessToken)' {
        It 'stores the connection as Default for Microsoft 365 and writes nothing without -PassThru' {
            $output = Connect-M365Smtp -AccessToken $opaqueToken -UserName scanner@contoso.com
            $output | Should -BeNullOrEmpty
            $connection = Get-M365SmtpConnection -Name Default
            $connection.Method | Should -Be 'AccessToken'
            $connection.UserName | Should -Be 'scanner@contoso.com'
            $connection.SmtpHost | Should -Be 'smtp.office365.com'
            $connection.Port | Should -Be 587
            $connection.IsClosed | Should -BeFalse
        }

        It 'writes the connection with -PassThru, under -Name, for -SmtpServer and -Port' {
            $connection = Connect-M365Smtp -AccessToken $opaqueToken -UserName reports@contoso.com -Name Reports -SmtpServer smtp-hve.office365.com -Port 25 -PassThru
            $connection.PSObject.TypeNames | Should -Contain 'M365SmtpTools.Engine.Auth.SmtpConnection'
            $connection.Name | Should -Be 'Reports'
            $connection.SmtpHost | Should -Be 'smtp-hve.office365.com'
            $connection.Port | Should -Be 25
            (Get-M365SmtpConnection).Name | Should -Be @('Reports')
        }

        It "reads the tenant and app from a JWT, and the mailbox from its upn when -UserName is left out" {
            $tenant = '7f3c1e9a-4b2d-4c8e-9f10-2a3b4c5d6e7f'
            $app = '0a1b2c3d-1111-2222-3333-444455556666'
            $jwt = New-TestJwt -Key $jwtKey -Upn 'alice@contoso.com' -Minutes 30 -Claim @{ aud = 'https://outlook.office.com'; scp = 'SMTP.Send'; tid = $tenant; appid = $app }
            $secureJwt = ConvertTo-SecureString -String $jwt -AsPlainText -Force
            $connection = Connect-M365Smtp -AccessToken $secureJwt -PassThru
            $connection.UserName | Should -Be 'alice@contoso.com'
            $connection.TenantId | Should -Be $tenant
            $connection.ClientId | Should -Be $app
        }

        It 'refuses a token that has already expired, since it cannot be renewed, and stores nothing' {
            $jwt = New-TestJwt -Key $jwtKey -Upn 'alice@contoso.com' -Minutes -30 -Claim @{ aud = 'https://outlook.office.com'; scp = 'SMTP.Send' }
            $expired = ConvertTo-SecureString -String $jwt -AsPlainText -Force
            { Connect-M365Smtp -AccessToken $expired -ErrorAction Stop } |
                Should -Throw -ErrorId 'AccessTokenExpired,M365SmtpTools.Commands.ConnectM365SmtpCommand'
            $record = $null
            try { Connect-M365Smtp -AccessToken $expired -ErrorAction Stop } catch { $record = $_ }
            $record.CategoryInfo.Category | Should -Be 'AuthenticationError'
            $record.Exception.Message | Should -Match 'expired'
            Get-M365SmtpConnection | Should -BeNullOrEmpty
        }

        It 'replaces a connection when connecting again under the same name' {
            Connect-M365Smtp -AccessToken $opaqueToken -UserName first@contoso.com -Name Shared
            Connect-M365Smtp -AccessToken $opaqueToken -UserName second@contoso.com -Name Shared
            $connections = @(Get-M365SmtpConnection)
            $connections.Count | Should -Be 1
            $connections[0].UserName | Should -Be 'second@contoso.com'
        }

        It 'stops with UserNameMissing when neither -UserName nor the token names the mailbox, and stores nothing' {
            { Connect-M365Smtp -AccessToken $opaqueToken -ErrorAction Stop } |
                Should -Throw -ErrorId 'UserNameMissing,M365SmtpTools.Commands.ConnectM365SmtpCommand'
            $record = $null
            try { Connect-M365Smtp -AccessToken $opaqueToken -ErrorAction Stop } catch { $record = $_ }
            $record.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $record.TargetObject | Should -Be 'UserName'
            $record.ErrorDetails.RecommendedAction | Should -Match '-UserName'
            Get-M365SmtpConnection | Should -BeNullOrEmpty
        }

        It 'refuses two ways to authenticate at once' {
            $credential = [pscredential]::new('a@contoso.com', $opaqueToken)
            { Connect-M365Smtp -AccessToken $opaqueToken -UserName a@contoso.com -Credential $credential -ErrorAction Stop } |
                Should -Throw -ErrorId 'AmbiguousParameterSet,M365SmtpTools.Commands.ConnectM365SmtpCommand'
        }
    }

    Context 'with Basic authentication (-Credential)' {
        It 'stores a Basic connection for a server of your own, without the Microsoft 365 retirement warning' {
            $credential = [pscredential]::new('relay@contoso.test', (ConvertTo-SecureString -String 'S3cret-pass' -AsPlainText -Force))
            $warnings = $null
            $connection = Connect-M365Smtp -Credential $credential -SmtpServer mail.contoso.test -Port 2525 -Name OnPrem -PassThru -WarningVariable warnings
            $warnings | Should -BeNullOrEmpty
            $connection.Method | Should -Be 'Basic'
            $connection.UserName | Should -Be 'relay@contoso.test'
            $connection.SmtpHost | Should -Be 'mail.contoso.test'
            $connection.Port | Should -Be 2525
        }

        It 'warns that Basic authentication to Microsoft 365 is being retired' {
            $credential = [pscredential]::new('alice@contoso.com', (ConvertTo-SecureString -String 'S3cret-pass' -AsPlainText -Force))
            $warnings = $null
            Connect-M365Smtp -Credential $credential -AllowRetiredBasicAuth -WarningVariable warnings -WarningAction SilentlyContinue
            ($warnings | Out-String) | Should -Match 'Basic authentication .*smtp\.office365\.com'
            (Get-M365SmtpConnection -Name Default).Method | Should -Be 'Basic'
        }

        It 'never shows the password, not even in Format-List *' {
            $credential = [pscredential]::new('relay@contoso.test', (ConvertTo-SecureString -String 'Vis1ble-If-Leaked' -AsPlainText -Force))
            Connect-M365Smtp -Credential $credential -SmtpServer mail.contoso.test -Name Leak
            $text = (Get-M365SmtpConnection -Name Leak | Format-List -Property * | Out-String) + (Get-M365SmtpConnection -Name Leak | Out-String)
            $text | Should -Match 'relay@contoso\.test'
            $text | Should -Not -Match 'Vis1ble-If-Leaked'
        }
    }

    Context 'app-only sign-in when the identity endpoint is unreachable' {
        It 'stops with IdentityEndpointUnreachable as a connection error and stores nothing' {
            $secret = ConvertTo-SecureString -String 'not-a-real-secret' -AsPlainText -Force
            $record = $null
            try {
                Connect-M365Smtp -TenantId contoso.onmicrosoft.com -ClientId 0a1b2c3d-1111-2222-3333-444455556666 -ClientSecret $secret -UserName scanner@contoso.com -AuthorityHost "127.0.0.1:$(Get-ClosedLoopbackPort)" -ErrorAction Stop
            }
            catch { $record = $_ }
            $record.FullyQualifiedErrorId | Should -Be 'IdentityEndpointUnreachable,M365SmtpTools.Commands.ConnectM365SmtpCommand'
            $record.CategoryInfo.Category | Should -Be 'ConnectionError'
            Get-M365SmtpConnection | Should -BeNullOrEmpty
        }
    }

    Context 'its default view' {
        It 'shows the connection as a table with no type names' {
            $text = Connect-M365Smtp -AccessToken $opaqueToken -UserName scanner@contoso.com -Name Scanner -PassThru | Out-String
            $text | Should -Match 'Name\s+Method\s+UserName\s+SmtpHost'
            $text | Should -Match 'Scanner\s+AccessToken\s+scanner@contoso\.com\s+smtp\.office365\.com'
            $text | Should -Not -Match 'M365SmtpTools\.'
        }
    }

    Context '-Test against Postfix + Dovecot on loopback' -Skip:(-not (Test-Path -Path (Join-Path $PSScriptRoot '../interop/.state/postfix/env'))) {
        BeforeAll { Assert-InteropServerRunning -Name postfix }

        It 'refuses a server whose certificate this computer does not trust, and stores nothing' {
            $credential = [pscredential]::new($postfix.USER, (ConvertTo-SecureString -String $postfix.PASSWORD -AsPlainText -Force))
            $record = $null
            try { Connect-M365Smtp -Credential $credential -SmtpServer 127.0.0.1 -Port $postfix.SUBMISSION_PORT -Test -ErrorAction Stop } catch { $record = $_ }
            $record.FullyQualifiedErrorId | Should -Be 'SmtpCertificateInvalid,M365SmtpTools.Commands.ConnectM365SmtpCommand'
            $record.CategoryInfo.Category | Should -Be 'SecurityError'
            $record.TargetObject | Should -Be '127.0.0.1'
            $record.Exception.Message | Should -Match 'UntrustedRoot'
            Get-M365SmtpConnection | Should -BeNullOrEmpty
        }

        It 'authenticates with a password and with a token before storing, and stores nothing for a wrong password (certificate trusted)' {
            $result = Invoke-TrustingPowerShell -TrustedCertificate $postfix.CA_CERT -Values @{
                Port = [int]$postfix.SUBMISSION_PORT; User = $postfix.USER; Password = $postfix.PASSWORD
                Jwt = New-TestJwt -Key ([Convert]::FromBase64String($postfix.JWT_HS256_KEY_BASE64)) -Upn $postfix.USER -Minutes 10 -Claim @{ aud = 'https://outlook.office.com'; scp = 'SMTP.Send' }
            } -Script @'
$credential = [pscredential]::new($Values.User, (ConvertTo-SecureString -String $Values.Password -AsPlainText -Force))
Connect-M365Smtp -Credential $credential -SmtpServer localhost -Port $Values.Port -Test -Name Password
Connect-M365Smtp -AccessToken (ConvertTo-SecureString -String $Values.Jwt -AsPlainText -Force) -UserName $Values.User -SmtpServer localhost -Port $Values.Port -Test -Name Token
$wrong = [pscredential]::new($Values.User, (ConvertTo-SecureString -String 'wrong-password' -AsPlainText -Force))
$errorId = $null; $category = $null
try { Connect-M365Smtp -Credential $wrong -SmtpServer localhost -Port $Values.Port -Test -Name Wrong -ErrorAction Stop }
catch { $errorId = $_.FullyQualifiedErrorId; $category = "$($_.CategoryInfo.Category)"; $message = $_.Exception.Message }
[pscustomobject]@{
    Stored   = @(Get-M365SmtpConnection | ForEach-Object { "$($_.Name):$($_.Method):$($_.UserName)" })
    ErrorId  = $errorId
    Category = $category
    Message  = $message
}
'@
            $result.Stored | Should -Be @("Password:Basic:$($postfix.USER)", "Token:AccessToken:$($postfix.USER)")
            $result.ErrorId | Should -Be 'SmtpAuthenticationFailed,M365SmtpTools.Commands.ConnectM365SmtpCommand'
            $result.Category | Should -Be 'AuthenticationError'
            $result.Message | Should -Match '535'
        }
    }
}
