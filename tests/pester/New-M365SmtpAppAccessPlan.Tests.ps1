#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.3.0' }
# New-M365SmtpAppAccessPlan as an admin uses it, from out/M365SmtpTools (M365SMTPTOOLS_MODULE_PATH: another copy).
# It needs no network: it plans Exchange Online and Entra steps from the ids given.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    Import-Module $TestedManifest -Force -ErrorAction Stop
    $appId = '6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b'
    $spId = '0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d'
}

AfterAll {
    Remove-Module M365SmtpTools -ErrorAction SilentlyContinue
}

Describe 'New-M365SmtpAppAccessPlan' {
    It 'plans the mailbox-permission model' {
        $plan = New-M365SmtpAppAccessPlan -AppId $appId -ServicePrincipalObjectId $spId -Mailbox 'reports@contoso.com' -SendAs 'noreply@contoso.com' -EnableSmtpClientAuthentication
        $plan.Model | Should -Be 'MailboxPermission'
        $plan.IsReady | Should -BeTrue
        $plan.Steps.Command | Should -Contain "Add-MailboxPermission -Identity 'reports@contoso.com' -User '$spId' -AccessRights FullAccess"
        $plan.Steps.Command | Should -Contain "Set-CASMailbox -Identity 'reports@contoso.com' -SmtpClientAuthenticationDisabled `$false"
        $plan.Steps[0].InScript | Should -BeFalse
    }

    It 'accepts -ClientId for -AppId' {
        $plan = New-M365SmtpAppAccessPlan -ClientId $appId -ServicePrincipalObjectId $spId -Mailbox 'reports@contoso.com'
        $plan.AppId | Should -Be $appId
    }

    It 'plans the App RBAC model and warns against the Entra grant' {
        $plan = New-M365SmtpAppAccessPlan -AppId $appId -ServicePrincipalObjectId $spId -Mailbox 'alerts@contoso.com', 'billing@contoso.com' -Model AppRbac -ScopeName 'SMTP senders'
        $plan.Steps.Command | Should -Contain "New-ManagementRoleAssignment -Name 'SMTP.SendAsApp $appId' -App '$spId' -Role 'Application SMTP.SendAsApp' -CustomResourceScope 'SMTP senders'"
        $plan.Findings.Id | Should -Contain 'DoNotGrantEntraPermission'
    }

    It 'writes nothing with -WhatIf and the script without it' {
        $path = Join-Path $TestDrive 'app.ps1'
        $whatIf = New-M365SmtpAppAccessPlan -AppId $appId -ServicePrincipalObjectId $spId -Mailbox 'reports@contoso.com' -ScriptPath $path -WhatIf
        Test-Path -Path $path | Should -BeFalse
        $whatIf.ScriptPath | Should -BeNullOrEmpty
        $plan = New-M365SmtpAppAccessPlan -AppId $appId -ServicePrincipalObjectId $spId -Mailbox 'reports@contoso.com' -ScriptPath $path -Confirm:$false
        $plan.ScriptPath | Should -Be $path
        Get-Content -Path $path -Raw | Should -Match 'New-ServicePrincipal -AppId'
    }

    It "catches the app registration's object id given as the service principal's" {
        $plan = New-M365SmtpAppAccessPlan -AppId $appId -ServicePrincipalObjectId $spId -AppObjectId $spId -Mailbox 'reports@contoso.com'
        $plan.IsReady | Should -BeFalse
        $plan.Findings[0].Id | Should -Be 'ObjectIdIsAppRegistration'
    }

    It 'reports a mailbox that is no address as InvalidEmailAddress aimed at it, and writes no script' {
        $path = Join-Path $TestDrive 'bad-mailbox.ps1'
        $err = $null
        $null = New-M365SmtpAppAccessPlan -AppId $appId -ServicePrincipalObjectId $spId -Mailbox 'not an address' -ScriptPath $path -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'InvalidEmailAddress,M365SmtpTools.Commands.NewM365SmtpAppAccessPlanCommand'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err[0].TargetObject | Should -Be 'not an address'
        Test-Path -Path $path | Should -BeFalse
        { New-M365SmtpAppAccessPlan -AppId $appId -ServicePrincipalObjectId $spId -Mailbox 'not an address' -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidEmailAddress,M365SmtpTools.Commands.NewM365SmtpAppAccessPlanCommand'
    }

    It 'refuses an app id that is no GUID when binding' {
        { New-M365SmtpAppAccessPlan -AppId 'scanner-app' -ServicePrincipalObjectId $spId -Mailbox 'reports@contoso.com' -ErrorAction Stop } |
            Should -Throw -ErrorId 'CannotConvertArgumentNoMessage,M365SmtpTools.Commands.NewM365SmtpAppAccessPlanCommand'
    }

    It 'plans for each row of a CSV file when its columns are splatted' {
        $csv = Join-Path $TestDrive 'apps.csv'
        "AppId,ServicePrincipalObjectId,Mailbox`n$appId,$spId,reports@contoso.com`n0b1c2d3e-5f60-4b7c-8d9e-0f1a2b3c4d5e,1b2c3d4e-5f60-4b7c-9d8e-9f0a1b2c3d4e,alerts@contoso.com" | Set-Content -Path $csv
        $plans = Import-Csv -Path $csv | ForEach-Object {
            $row = @{ AppId = $_.AppId; ServicePrincipalObjectId = $_.ServicePrincipalObjectId; Mailbox = $_.Mailbox }
            New-M365SmtpAppAccessPlan @row
        }
        $plans.Mailbox | Should -Be @('reports@contoso.com', 'alerts@contoso.com')
        $plans[1].AppId | Should -Be '0b1c2d3e-5f60-4b7c-8d9e-0f1a2b3c4d5e'
    }

    It 'shows the plan, its steps and findings with the module views, without type names' {
        $plan = New-M365SmtpAppAccessPlan -AppId $appId -ServicePrincipalObjectId $spId -Mailbox 'reports@contoso.com'
        $text = $plan | Out-String -Width 200
        $text | Should -Match 'Model\s+:\s+MailboxPermission'
        $text | Should -Match '3\. Give the app FullAccess to reports@contoso\.com'
        $text | Should -Not -Match 'M365SmtpTools\.'
        ($plan.Steps | Out-String -Width 200) | Should -Not -Match 'M365SmtpTools\.'
        ($plan.Findings | Out-String -Width 200) | Should -Match 'EntraPermissionRequired'
    }

    It 'plans least privilege for Microsoft Graph with -Graph: Application Mail.Send over a scope, no SMTP AUTH, nothing in Entra' {
        $script = Join-Path $TestDrive 'graph-app.ps1'
        $plan = New-M365SmtpAppAccessPlan -Graph -AppId $appId -ServicePrincipalObjectId $spId -Mailbox 'reports@contoso.com' -ScriptPath $script
        $plan.Graph | Should -BeTrue
        $plan.Model | Should -Be 'AppRbac'
        $plan.TokenScope | Should -Be 'https://graph.microsoft.com/.default'
        $plan.Steps.Command | Should -Contain "New-ManagementRoleAssignment -Name 'Mail.Send $appId' -App '$spId' -Role 'Application Mail.Send' -CustomResourceScope 'Graph Mail.Send app $appId'"
        ($plan.Steps.Command -join "`n") | Should -Not -Match 'SMTP\.SendAsApp|Set-CASMailbox'
        $plan.Findings.Id | Should -Contain 'DoNotGrantEntraPermission'
        Get-Content -LiteralPath $script -Raw | Should -Match "Test-ServicePrincipalAuthorization -Identity '$spId' -Resource 'reports@contoso\.com'"
        { New-M365SmtpAppAccessPlan -Graph -AppId $appId -ServicePrincipalObjectId $spId -Mailbox 'reports@contoso.com' -EnableSmtpClientAuthentication -ErrorAction Stop } |
            Should -Throw -ErrorId 'SmtpClientAuthenticationNotApplicable*'
    }

    It 'round-trips Export-Csv and Import-Csv readably: lists joined, no type names' {
        $plan = New-M365SmtpAppAccessPlan -AppId $appId -ServicePrincipalObjectId $spId -Mailbox 'alerts@contoso.com', 'billing@contoso.com' -SendAs 'noreply@contoso.com' -Model AppRbac
        $csv = Get-CsvRoundTrip -InputObject $plan
        $csv.Text | Should -Not -Match $TypeNamePattern
        $row = $csv.Rows[0]
        $row.Mailbox | Should -Be 'alerts@contoso.com; billing@contoso.com'
        $row.SendAs | Should -Be 'noreply@contoso.com'
        $row.Steps | Should -Match "^1\. Register the app's service principal in Exchange Online; 2\. Create a management scope"
        $row.Findings | Should -Match '\[Warning\] DoNotGrantEntraPermission: '
        $row.Script | Should -Match 'New-ManagementScope -Name'
    }

    Context 'the App RBAC script looks before it creates' {
        BeforeAll {
            $script = Join-Path $TestDrive 'rbac.ps1'
            $null = New-M365SmtpAppAccessPlan -AppId $appId -ServicePrincipalObjectId $spId -Mailbox 'alerts@contoso.com', 'billing@contoso.com' -Model AppRbac -ScopeName 'SMTP senders' -ScriptPath $script -Confirm:$false
            # Exchange Online as the script meets it: what exists ($exchange.Scope, .Assignment) and every New-* call made.
            function Get-ServicePrincipal {
                param($Identity, $ErrorAction)
                [pscustomobject]@{ AppId = $appId; ObjectId = $spId }
            }
            function New-ServicePrincipal {
                param($AppId, $ObjectId, $DisplayName)
                $exchange.Created.Add('New-ServicePrincipal')
            }
            function Get-ManagementScope {
                param($Identity, $ErrorAction)
                $exchange.Scope
            }
            function New-ManagementScope {
                param($Name, $RecipientRestrictionFilter)
                $exchange.Created.Add("New-ManagementScope $Name : $RecipientRestrictionFilter")
            }
            function Get-ManagementRoleAssignment {
                param($Role, $ErrorAction)
                $exchange.Assignment
            }
            function New-ManagementRoleAssignment {
                param($Name, $App, $Role, $CustomResourceScope)
                $exchange.Created.Add("New-ManagementRoleAssignment $Role over $CustomResourceScope")
            }
            function New-Exchange { @{ Scope = $null; Assignment = $null; Created = [System.Collections.Generic.List[string]]::new() } }
        }

        It 'creates the scope with the planned filter and the role assignment over it when neither exists' {
            $exchange = New-Exchange
            & $script 6> $null
            $exchange.Created | Should -Be @(
                "New-ManagementScope SMTP senders : (PrimarySmtpAddress -eq 'alerts@contoso.com') -or (PrimarySmtpAddress -eq 'billing@contoso.com')",
                'New-ManagementRoleAssignment Application SMTP.SendAsApp over SMTP senders')
        }

        It 'keeps an existing scope whose filter is the planned one as Exchange stores it' {
            $exchange = New-Exchange
            $exchange.Scope = [pscustomobject]@{ Name = 'SMTP senders'; RecipientFilter = "((PrimarySmtpAddress -eq 'alerts@contoso.com') -or (PrimarySmtpAddress -eq 'billing@contoso.com'))" }
            & $script 6> $null
            $exchange.Created | Should -Be @('New-ManagementRoleAssignment Application SMTP.SendAsApp over SMTP senders')
        }

        It 'stops with a clear message when the scope exists with another filter, before assigning the role' {
            $exchange = New-Exchange
            $exchange.Scope = [pscustomobject]@{ Name = 'SMTP senders'; RecipientFilter = "RecipientTypeDetails -eq 'UserMailbox'" }
            { & $script 6> $null } | Should -Throw "*management scope 'SMTP senders' exists already with the filter RecipientTypeDetails -eq 'UserMailbox', not the planned*"
            $exchange.Created | Should -BeNullOrEmpty
        }

        It 'stops when the app has the role over another scope, and keeps an assignment over the planned one' {
            $exchange = New-Exchange
            $exchange.Assignment = [pscustomobject]@{ Name = "SMTP.SendAsApp $appId"; RoleAssignee = $spId; CustomResourceScope = 'All mailboxes' }
            { & $script 6> $null } | Should -Throw "*already has the role 'Application SMTP.SendAsApp'*over the scope 'All mailboxes'*"
            $exchange.Created | Should -Not -Contain 'New-ManagementRoleAssignment Application SMTP.SendAsApp over SMTP senders'

            $exchange = New-Exchange
            $exchange.Assignment = [pscustomobject]@{ Name = 'Assigned by hand'; RoleAssignee = $spId; CustomResourceScope = 'SMTP senders' }
            & $script 6> $null
            $exchange.Created | Should -Be @("New-ManagementScope SMTP senders : (PrimarySmtpAddress -eq 'alerts@contoso.com') -or (PrimarySmtpAddress -eq 'billing@contoso.com')")
        }
    }
}
