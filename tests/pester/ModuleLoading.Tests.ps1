#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.3.0' }
# Import-Module as users meet it: each case starts a fresh PowerShell process, because what is being tested (which
# assemblies load where, and in which order) can only be seen once per process.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    $modulePath = if ($env:M365SMTPTOOLS_MODULE_PATH) { $env:M365SMTPTOOLS_MODULE_PATH } else { Join-Path $PSScriptRoot '../../out/M365SmtpTools' }
    $manifestPath = (Resolve-Path -LiteralPath (Join-Path $modulePath 'M365SmtpTools.psd1')).ProviderPath
    $manifest = Import-PowerShellDataFile -Path $manifestPath
    $isCore = $PSVersionTable.PSEdition -eq 'Core'

    # An older MSAL, as ExchangeOnlineManagement or Az.Accounts bring (the test projects download it from NuGet).
    $packageRoot = $env:M365SMTPTOOLS_NUGET_PACKAGES
    if (-not $packageRoot) {
        $locals = & dotnet nuget locals global-packages --list 2>$null
        if ("$locals" -match 'global-packages:\s*(.+)$') { $packageRoot = $Matches[1].Trim() }
    }
    $olderMsal = Join-Path "$packageRoot" 'microsoft.identity.client/4.61.3/lib/netstandard2.0/Microsoft.Identity.Client.dll'

    # Runs a script in a new process of the same PowerShell and returns what it wrote as JSON, parsed.
    function Invoke-FreshPowerShell {
        param([string] $Script)
        $prelude = "`$ErrorActionPreference = 'Stop'; `$manifestPath = '$($manifestPath -replace "'", "''")'; `$olderMsal = '$($olderMsal -replace "'", "''")'`n"
        $output = Invoke-ChildPowerShell -Script ($prelude + $Script)
        $json = ($output -split "`n" | Where-Object { $_.StartsWith('{') }) -join ''
        if (-not $json) { throw "The child PowerShell wrote no result:`n$output" }
        $json | ConvertFrom-Json
    }

    # The probe every case ends with: what is exported, where the engine and MSAL live, and a call that needs both.
    $probe = @'
$secret = ConvertTo-SecureString -String 'not-a-real-secret' -AsPlainText -Force
$connectError = $null
try {
    Connect-M365Smtp -Name Probe -TenantId contoso.onmicrosoft.com -ClientId 0a1b2c3d-1111-2222-3333-444455556666 -ClientSecret $secret -UserName probe@contoso.com -AuthorityHost '127.0.0.1:9' -ErrorAction Stop
}
catch { $connectError = $_ }
$chain = @(); $e = $connectError.Exception; while ($e) { $chain += $e.GetType().FullName; $e = $e.InnerException }
$contextOf = { param($a) if ($PSVersionTable.PSEdition -eq 'Core') { [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($a).Name } else { 'n/a' } }
$assemblies = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -in 'M365SmtpTools', 'M365SmtpTools.Engine', 'Microsoft.Identity.Client' } |
    ForEach-Object { [pscustomobject]@{ Name = $_.GetName().Name; Version = $_.GetName().Version.ToString(); Context = & $contextOf $_ } }
[pscustomobject]@{
    Exported   = @((Get-Module M365SmtpTools).ExportedCmdlets.Keys | Sort-Object)
    Commands   = @(Get-Command -Module M365SmtpTools | ForEach-Object Name | Sort-Object)
    ErrorId    = $connectError.FullyQualifiedErrorId
    Chain      = $chain
    Assemblies = @($assemblies)
} | ConvertTo-Json -Compress -Depth 4
'@
}

Describe 'Import-Module in a fresh PowerShell' {
    Context 'a first import' {
        BeforeAll { $r = Invoke-FreshPowerShell ("Import-Module -Name `$manifestPath`n" + $probe) }

        It 'exports exactly the ten cmdlets the manifest lists' {
            $r.Exported | Should -Be ($manifest.CmdletsToExport | Sort-Object)
            $r.Commands | Should -Be ($manifest.CmdletsToExport | Sort-Object)
            $r.Commands.Count | Should -Be 10
        }

        It 'runs an engine call that needs MSAL, failing only for the network reason' {
            $r.ErrorId | Should -Be 'IdentityEndpointUnreachable,M365SmtpTools.Commands.ConnectM365SmtpCommand'
            $r.Chain | Should -Not -Contain 'System.TypeLoadException'
            $r.Chain | Should -Not -Contain 'System.MissingMethodException'
            $r.Chain | Should -Not -Contain 'System.IO.FileNotFoundException'
            $r.Chain | Should -Not -Contain 'System.IO.FileLoadException'
        }

        It 'keeps the cmdlets, the engine and MSAL in the module''s own load context' -Skip:($PSVersionTable.PSEdition -ne 'Core') {
            $byName = @{}; foreach ($a in $r.Assemblies) { $byName[$a.Name] = $a }
            $byName['M365SmtpTools'].Context | Should -Be 'M365SmtpTools'
            $byName['M365SmtpTools.Engine'].Context | Should -Be 'M365SmtpTools'
            $byName['Microsoft.Identity.Client'].Context | Should -Be 'M365SmtpTools'
            $byName['Microsoft.Identity.Client'].Version | Should -Be '4.92.0.0'
        }
    }

    It 'imports again after Remove-Module, and with -Force twice' {
        $script = @'
Import-Module -Name $manifestPath
Remove-Module -Name M365SmtpTools
Import-Module -Name $manifestPath
Import-Module -Name $manifestPath -Force
Import-Module -Name $manifestPath -Force
'@
        $r = Invoke-FreshPowerShell ($script + "`n" + $probe)
        $r.Commands | Should -Be ($manifest.CmdletsToExport | Sort-Object)
        $r.ErrorId | Should -Be 'IdentityEndpointUnreachable,M365SmtpTools.Commands.ConnectM365SmtpCommand'
    }

    It 'keeps working when another runspace imports and removes the module' -Skip:($PSVersionTable.PSEdition -ne 'Core') {
        $script = @'
Import-Module -Name $manifestPath
1..2 | ForEach-Object -Parallel { Import-Module -Name $using:manifestPath; $null = Get-M365SmtpConnection; Remove-Module -Name M365SmtpTools } -ThrottleLimit 2
'@
        $r = Invoke-FreshPowerShell ($script + "`n" + $probe)
        $r.Commands.Count | Should -Be 10
        $r.ErrorId | Should -Be 'IdentityEndpointUnreachable,M365SmtpTools.Commands.ConnectM365SmtpCommand'
    }
}

Describe 'Beside an older MSAL (as ExchangeOnlineManagement or Az.Accounts load it)' {
    BeforeAll {
        if (-not (Test-Path -LiteralPath $olderMsal)) { throw "MSAL 4.61.3 is missing at '$olderMsal': run 'dotnet restore' (the test projects download it)." }
    }

    It 'works when the older MSAL was loaded first' {
        $r = Invoke-FreshPowerShell ("Add-Type -Path `$olderMsal`nImport-Module -Name `$manifestPath`n" + $probe)
        $r.ErrorId | Should -Be 'IdentityEndpointUnreachable,M365SmtpTools.Commands.ConnectM365SmtpCommand'
        $versions = @($r.Assemblies | Where-Object Name -EQ 'Microsoft.Identity.Client' | ForEach-Object Version)
        $versions | Should -Contain '4.61.3.0'
        if ($isCore) {
            ($r.Assemblies | Where-Object { $_.Name -eq 'Microsoft.Identity.Client' -and $_.Context -eq 'M365SmtpTools' }).Version | Should -Be '4.92.0.0'
            ($r.Assemblies | Where-Object { $_.Name -eq 'Microsoft.Identity.Client' -and $_.Context -eq 'Default' }).Version | Should -Be '4.61.3.0'
        }
    }

    It 'works when the module was loaded first' {
        $r = Invoke-FreshPowerShell ("Import-Module -Name `$manifestPath`nAdd-Type -Path `$olderMsal`n" + $probe)
        $r.ErrorId | Should -Be 'IdentityEndpointUnreachable,M365SmtpTools.Commands.ConnectM365SmtpCommand'
        if ($isCore) {
            ($r.Assemblies | Where-Object { $_.Name -eq 'Microsoft.Identity.Client' -and $_.Context -eq 'M365SmtpTools' }).Version | Should -Be '4.92.0.0'
            ($r.Assemblies | Where-Object { $_.Name -eq 'Microsoft.Identity.Client' -and $_.Context -eq 'Default' }).Version | Should -Be '4.61.3.0'
            ($r.Assemblies | Where-Object Name -EQ 'M365SmtpTools.Engine').Context | Should -Be 'M365SmtpTools'
        }
    }
}
