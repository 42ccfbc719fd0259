#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.3.0' }
# The help a user reads: Get-Help <cmdlet> -Full rendered by PowerShell itself from the shipped MAML
# (out/M365SmtpTools/en-US/M365SmtpTools.dll-Help.xml), checked against the cmdlets as PowerShell loads them.
# Rendered wide (Out-String -Width 4096) so that no check depends on where the console would wrap a line.

BeforeDiscovery {
    $modulePath = if ($env:M365SMTPTOOLS_MODULE_PATH) { $env:M365SMTPTOOLS_MODULE_PATH } else { Join-Path $PSScriptRoot '../../out/M365SmtpTools' }
    $manifest = Import-PowerShellDataFile -Path (Join-Path $modulePath 'M365SmtpTools.psd1')
    $cmdlets = @($manifest.CmdletsToExport | ForEach-Object { @{ Name = $_ } })
}

BeforeAll {
    $modulePath = if ($env:M365SMTPTOOLS_MODULE_PATH) { $env:M365SMTPTOOLS_MODULE_PATH } else { Join-Path $PSScriptRoot '../../out/M365SmtpTools' }
    Import-Module (Join-Path $modulePath 'M365SmtpTools.psd1') -Force -ErrorAction Stop
    [xml] $maml = Get-Content -LiteralPath (Join-Path $modulePath 'en-US/M365SmtpTools.dll-Help.xml') -Raw
    $ns = New-Object System.Xml.XmlNamespaceManager($maml.NameTable)
    $ns.AddNamespace('command', 'http://schemas.microsoft.com/maml/dev/command/2004/10')
    $ns.AddNamespace('maml', 'http://schemas.microsoft.com/maml/2004/10')
    $ns.AddNamespace('dev', 'http://schemas.microsoft.com/maml/dev/2004/10')
    $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters

    function Get-RenderedHelp([string] $Name) { Get-Help -Name $Name -Full | Out-String -Width 4096 }

    # The lines of one section of the rendered help (SYNTAX, PARAMETERS, ...), up to the next heading.
    function Get-Section([string] $Text, [string] $Heading) {
        $lines = $Text -split '\r?\n'
        $start = [array]::IndexOf($lines, $Heading)
        if ($start -lt 0) { return @() }
        $section = foreach ($line in $lines[($start + 1)..($lines.Count - 1)]) {
            if ($line -match '^[A-Z][A-Z ]+$') { break }
            $line
        }
        @($section)
    }

    # Parameter name -> the fields Get-Help shows for it in PARAMETERS ("Default value", "Accept wildcard characters?", ...).
    function Get-ParameterFields([string] $Text) {
        $fields = @{}
        $current = $null
        foreach ($line in (Get-Section $Text 'PARAMETERS')) {
            if ($line -match '^    -(\w+)') { $current = $Matches[1]; $fields[$current] = @{ Header = $line.Trim() }; continue }
            if ($current -and $line -match '^        (Required\?|Position\?|Default value|Accept pipeline input\?|Aliases|Accept wildcard characters\?)\s{2,}(.*)$') {
                $fields[$current][$Matches[1]] = $Matches[2].Trim()
            }
        }
        $fields
    }

    function Get-ValueType([System.Management.Automation.ParameterMetadata] $Parameter) {
        $type = $Parameter.ParameterType
        if ([Nullable]::GetUnderlyingType($type)) { $type = [Nullable]::GetUnderlyingType($type) }
        $type
    }

    function Get-MamlCommand([string] $Name) {
        $maml.SelectSingleNode("//command:command[command:details/command:name='$Name']", $ns)
    }
}

AfterAll {
    Remove-Module M365SmtpTools -ErrorAction SilentlyContinue
}

Describe 'Get-Help <Name> -Full' -ForEach $cmdlets {
    BeforeAll {
        $text = Get-RenderedHelp $Name
        $command = Get-Command -Name $Name
        $parameters = @($command.Parameters.Values | Where-Object { $_.Name -notin $common -or $_.Name -in 'WhatIf', 'Confirm' })
        $fields = Get-ParameterFields $text
        $syntax = @(Get-Section $text 'SYNTAX' | Where-Object { $_ -match "^    $Name( |$)" })
    }

    It 'comes from the module''s help file, with every parameter described' {
        $text | Should -Match 'SYNOPSIS'
        $syntax.Count | Should -Be $command.ParameterSets.Count
        foreach ($p in $parameters) { $fields.Keys | Should -Contain $p.Name -Because "-$($p.Name) is a parameter of $Name" }
    }

    It 'shows switches as [-Switch], never with a SwitchParameter value' {
        $text | Should -Not -Match '<SwitchParameter>'
        $text | Should -Not -Match 'System\.Management\.Automation\.SwitchParameter'
        foreach ($p in $parameters | Where-Object { $_.SwitchParameter }) {
            $fields[$p.Name].Header | Should -BeExactly "-$($p.Name)"
            # [-Name] when optional, -Name when mandatory; never followed by a value.
            ($syntax -match "(\[-$($p.Name)\]| -$($p.Name) (?![<{]))").Count | Should -BeGreaterThan 0 -Because "-$($p.Name) is a switch"
        }
    }

    It 'names the underlying type of nullable parameters, never Nullable' {
        $text | Should -Not -Match 'Nullable'
        foreach ($p in $parameters | Where-Object { [Nullable]::GetUnderlyingType($_.ParameterType) -and -not (Get-ValueType $_).IsEnum }) {
            $fields[$p.Name].Header | Should -BeExactly "-$($p.Name) <$((Get-ValueType $p).FullName)>"
        }
    }

    It 'lists the values of enum parameters in the syntax' {
        foreach ($p in $parameters | Where-Object { (Get-ValueType $_).IsEnum }) {
            $values = '{' + ([Enum]::GetNames((Get-ValueType $p)) -join ' | ') + '}'
            $expected = "[-$($p.Name) $values]"
            ($syntax | Where-Object { $_.Contains($expected) }).Count | Should -Be @($p.ParameterSets.Keys | ForEach-Object {
                    if ($_ -eq '__AllParameterSets') { $command.ParameterSets.Count } else { 1 } } | Measure-Object -Sum).Sum -Because "every syntax line with -$($p.Name) should show $values"
        }
    }

    It 'shows the value each parameter starts with as its default' {
        # What the parameters hold before PowerShell binds anything: the cmdlet's property initialisers, run for real.
        $instance = [Activator]::CreateInstance($command.ImplementingType)
        foreach ($p in $parameters | Where-Object { $_.Name -notin 'WhatIf', 'Confirm' }) {
            $default = $fields[$p.Name].'Default value'
            if ($p.SwitchParameter) { $default | Should -BeExactly 'False' -Because "-$($p.Name) is a switch"; continue }
            $value = $instance.($p.Name)
            $set = $null -ne $value -and -not ($value -is [array] -and $value.Count -eq 0) -and -not ($value -is [string] -and $value -eq '') -and
                -not ($value -is [int] -and $value -eq 0) -and -not ($value -is [guid] -and $value -eq [guid]::Empty)
            if ($set) { $default | Should -BeExactly "$value" -Because "-$($p.Name) starts as $value" }
            else { $default | Should -Not -BeNullOrEmpty -Because "-$($p.Name) needs a default value line" }
        }
    }

    It 'marks "Accept wildcard characters" true exactly for parameters with [SupportsWildcards]' {
        foreach ($p in $parameters) {
            $expected = [bool]($p.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] })
            $fields[$p.Name].'Accept wildcard characters?' | Should -BeExactly "$expected".ToLowerInvariant() -Because "-$($p.Name) [SupportsWildcards] is $expected"
        }
    }

    It 'has at least two examples, each with a short title in the form of PowerShell''s own help' {
        $titles = @([regex]::Matches($text, '(?m)^ {4,5}(?:-+ )?Example (\d+): (.+?)(?: -+)?\s*$'))
        $titles.Count | Should -BeGreaterOrEqual 2
        $titles.Count | Should -Be @((Get-MamlCommand $Name).SelectNodes('command:examples/command:example', $ns)).Count
        for ($i = 0; $i -lt $titles.Count; $i++) {
            [int] $titles[$i].Groups[1].Value | Should -Be ($i + 1)
            $title = $titles[$i].Groups[2].Value
            $title.Length | Should -BeLessOrEqual 60 -Because "'$title' is a title, not a paragraph"
            $title | Should -Not -Match '\.\s*$|\.\.' -Because "'$title' should not end with a period or be cut off"
        }
    }

    It 'shows each example''s code in full' {
        foreach ($example in (Get-MamlCommand $Name).SelectNodes('command:examples/command:example', $ns)) {
            $code = $example.SelectSingleNode('dev:code', $ns).InnerText
            $code | Should -Match ([regex]::Escape($Name))
            foreach ($line in $code -split '\n' | Where-Object { $_.Trim() }) {
                $text.Contains($line) | Should -BeTrue -Because "the example line '$line' should be shown whole"
                $line | Should -Not -Match '^\s{8}' -Because 'example code should not keep the doc comment''s indentation'
            }
        }
    }

    It 'ends every syntax line with the common parameters and describes them' {
        foreach ($line in $syntax) { $line.TrimEnd() | Should -BeLike '*`[<CommonParameters>`]' }
        (Get-Section $text 'PARAMETERS') | Should -Contain '    <CommonParameters>' -Because 'Get-Help lists them in PARAMETERS'
        if ($command.Parameters.ContainsKey('WhatIf')) {
            foreach ($line in $syntax) { $line | Should -Match '\[-Confirm\] \[-WhatIf\] \[<CommonParameters>\]' }
        }
    }

    It 'has no online version: no link with an address, no HelpUri, and -Online says so' {
        $command.HelpUri | Should -BeNullOrEmpty
        foreach ($uri in (Get-MamlCommand $Name).SelectNodes('command:relatedLinks/maml:navigationLink/maml:uri', $ns)) {
            $uri.InnerText | Should -BeNullOrEmpty
        }
        { Get-Help -Name $Name -Online -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidOperation,Microsoft.PowerShell.Commands.GetHelpCommand'
    }
}

Describe 'The module''s help as a whole' {
    It 'declares no HelpInfoUri: the help ships in the module and there is no updatable help to download' {
        (Get-Module M365SmtpTools).HelpInfoUri | Should -BeNullOrEmpty
    }

    It 'marks -Attachment of Send-M365Mail as accepting wildcards (the cmdlet expands them)' {
        (Get-ParameterFields (Get-RenderedHelp Send-M365Mail)).Attachment.'Accept wildcard characters?' | Should -BeExactly 'true'
    }

    It 'shows the defaults decided at run time that the doc comments document' -ForEach @(
        @{ Cmdlet = 'Send-M365Mail'; Parameter = 'Port'; Default = '587 (ClientSubmission), 25 (Relay, DirectSend)' }
        @{ Cmdlet = 'Send-M365Mail'; Parameter = 'MaxRetry'; Default = '3' }
        @{ Cmdlet = 'Send-M365Mail'; Parameter = 'Method'; Default = 'ClientSubmission' }
        @{ Cmdlet = 'Send-M365Mail'; Parameter = 'MaxConnections'; Default = '1' }
        @{ Cmdlet = 'Connect-M365Smtp'; Parameter = 'Port'; Default = '587' }
        @{ Cmdlet = 'Test-M365SmtpAuth'; Parameter = 'TimeoutSeconds'; Default = '30' }
        @{ Cmdlet = 'Get-M365MxEndpoint'; Parameter = 'TimeoutSeconds'; Default = '3' }
    ) {
        (Get-ParameterFields (Get-RenderedHelp $Cmdlet)).$Parameter.'Default value' | Should -BeExactly $Default
    }

    It 'describes the auth parameters with the text m365smtp --help shows, naming the other parameters as -Name' -ForEach @(
        @{ Cmdlet = 'Connect-M365Smtp'; Parameter = 'CertificatePath'; Text = 'private key. Its password, if any, is -CertificatePassword.' }
        @{ Cmdlet = 'Send-M365Mail'; Parameter = 'TenantId'; Text = 'for -DeviceCode and -Interactive it defaults to any work or school tenant' }
        @{ Cmdlet = 'Test-M365SmtpAuth'; Parameter = 'ClientSecret'; Text = "a client secret of the app registration (the secret's Value, not its ID)." }
    ) {
        $description = (Get-Help $Cmdlet -Parameter $Parameter).description.Text -join ' '
        $description | Should -BeLike "*$Text*"
        $description | Should -Not -Match '\{[A-Z][A-Za-z0-9]*\}'
    }

    It 'shows -Priority of Send-M365Mail as {Normal | Low | High}' {
        Get-RenderedHelp Send-M365Mail | Should -Match ([regex]::Escape('[-Priority {Normal | Low | High}]'))
    }
}
