# Shared by the per-cmdlet Pester files (dot-source it in BeforeAll): the module under test, the loopback servers of
# tests/interop/servers (their env files), tokens Dovecot accepts, Maildir read-back, and a child PowerShell that
# trusts a test server's self-signed certificate. Not a test file itself (Pester runs *.Tests.ps1 only).

# The module folder under test: out/M365SmtpTools unless M365SMTPTOOLS_MODULE_PATH names another copy.
$script:TestedModulePath = if ($env:M365SMTPTOOLS_MODULE_PATH) { $env:M365SMTPTOOLS_MODULE_PATH } else { Join-Path $PSScriptRoot '../../out/M365SmtpTools' }
$script:TestedManifest = (Resolve-Path -LiteralPath (Join-Path $script:TestedModulePath 'M365SmtpTools.psd1')).ProviderPath
$script:InteropState = Join-Path $PSScriptRoot '../interop/.state'

# The KEY=VALUE env file a server script wrote (nsd, postfix, aiosmtpd) as a hashtable; $null when it isn't running.
function Get-InteropEnv {
    param([Parameter(Mandatory)] [string] $Name)
    $path = Join-Path $script:InteropState "$Name/env"
    if (-not (Test-Path -LiteralPath $path)) { return $null }
    $values = @{}
    foreach ($line in Get-Content -LiteralPath $path) {
        $key, $value = $line -split '=', 2
        if ($key) { $values[$key] = $value }
    }
    $values
}

# Fails (with the command that fixes it) when a server's env file is there but its process is gone: its tests would
# otherwise fail one by one with network errors that hide the cause. Call it in the BeforeAll of a server's Context.
function Assert-InteropServerRunning {
    param([Parameter(Mandatory)] [ValidateSet('nsd', 'postfix', 'aiosmtpd')] [string] $Name)
    $values = Get-InteropEnv -Name $Name
    if ($Name -eq 'nsd') {
        # DNS is UDP: ask whether the process in nsd's pid file still runs.
        $pidFile = Join-Path $script:InteropState 'nsd/nsd.pid'
        $serverPid = if (Test-Path -LiteralPath $pidFile) { (Get-Content -LiteralPath $pidFile -Raw) -replace '\D', '' }
        $running = $serverPid -and (Get-Process -Id ([int]$serverPid) -ErrorAction SilentlyContinue)
        $what = "pid '$serverPid' from $pidFile"
    }
    else {
        # SMTP: something must accept TCP connections on the port the env file names.
        $port = [int]$values[(@{ postfix = 'SUBMISSION_PORT'; aiosmtpd = 'NORMAL_PORT' }[$Name])]
        $client = [System.Net.Sockets.TcpClient]::new()
        try { $running = $client.ConnectAsync('127.0.0.1', $port).Wait(5000) -and $client.Connected } catch { $running = $false } finally { $client.Dispose() }
        $what = "nothing accepts connections on 127.0.0.1:$port"
    }
    if (-not $running) {
        throw "$Name's env file is there but the server is gone ($what): bash tests/interop/servers/$Name.sh start"
    }
}

# A recipient nobody else uses: <prefix>-<12 hex>@<domain>.
function New-TestRecipient {
    param([string] $Prefix = 'pester', [string] $Domain = 'contoso.test')
    '{0}-{1}@{2}' -f $Prefix, [guid]::NewGuid().ToString('N').Substring(0, 12), $Domain
}

# A loopback TCP port nobody listens on.
function Get-ClosedLoopbackPort {
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    $port = $listener.LocalEndpoint.Port
    $listener.Stop()
    $port
}

# An HS256 JWT (claims sub, upn, iat, nbf, exp plus -Claim) signed with -Key: Dovecot's oauth2 passdb in postfix.sh
# accepts it for -Upn when -Key is JWT_HS256_KEY_BASE64 decoded. A negative -Minutes makes an expired token.
function New-TestJwt {
    param(
        [Parameter(Mandatory)] [byte[]] $Key,
        [Parameter(Mandatory)] [string] $Upn,
        [int] $Minutes = 10,
        [hashtable] $Claim = @{}
    )
    $toBase64Url = { param([byte[]] $bytes) [Convert]::ToBase64String($bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_') }
    $now = [DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
    $issued = if ($Minutes -lt 0) { $now + $Minutes * 60 - 600 } else { $now - 30 }
    $claims = [ordered]@{ sub = "m365smtp-test-$Upn"; upn = $Upn; iat = $issued; nbf = $issued; exp = $now + $Minutes * 60 }
    foreach ($k in $Claim.Keys) { $claims[$k] = $Claim[$k] }
    $header = & $toBase64Url ([Text.Encoding]::UTF8.GetBytes('{"alg":"HS256","typ":"JWT"}'))
    $payload = & $toBase64Url ([Text.Encoding]::UTF8.GetBytes(($claims | ConvertTo-Json -Compress)))
    $hmac = [System.Security.Cryptography.HMACSHA256]::new($Key)
    try { $signature = & $toBase64Url ($hmac.ComputeHash([Text.Encoding]::ASCII.GetBytes("$header.$payload"))) } finally { $hmac.Dispose() }
    "$header.$payload.$signature"
}

# The Maildir files Postfix delivered to -Address (matched on the Delivered-To line among the first headers), waiting
# up to -TimeoutSeconds for -Count of them. Returns what arrived, possibly fewer: the caller asserts the count.
function Wait-MaildirMessage {
    param(
        [Parameter(Mandatory)] [string] $MaildirBase,
        [Parameter(Mandatory)] [string] $Address,
        [int] $Count = 1,
        [int] $TimeoutSeconds = 30
    )
    $domain = ($Address -split '@')[-1].ToLowerInvariant()
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    do {
        $found = @(foreach ($sub in 'new', 'cur') {
                $dir = Join-Path $MaildirBase "$domain/$sub"
                if (Test-Path -LiteralPath $dir) {
                    Get-ChildItem -LiteralPath $dir -File | Where-Object {
                        (Get-Content -LiteralPath $_.FullName -TotalCount 5) -contains "Delivered-To: $Address"
                    }
                }
            })
        if ($found.Count -ge $Count) { break }
        Start-Sleep -Milliseconds 200
    } while ([DateTime]::UtcNow -lt $deadline)
    # One path per file; wrap calls in @() to index them.
    $found | Sort-Object -Property LastWriteTimeUtc | ForEach-Object FullName
}

# The command line that starts another process of the PowerShell running these tests: pwsh (or powershell.exe),
# or dotnet plus pwsh.dll when PowerShell runs as a .NET tool.
function Get-PowerShellCommandLine {
    $exe = (Get-Process -Id $PID).Path
    $leading = @()
    if ([System.IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { $leading += (Join-Path $PSHOME 'pwsh.dll') }
    [pscustomobject]@{ Executable = $exe; LeadingArguments = $leading }
}

# Runs -Script in a new, non-interactive process of this PowerShell and returns everything it wrote, as text;
# throws with that text when the process fails.
function Invoke-ChildPowerShell {
    param([Parameter(Mandatory)] [string] $Script)
    $pwsh = Get-PowerShellCommandLine
    $encoded = [Convert]::ToBase64String([System.Text.Encoding]::Unicode.GetBytes($Script))
    $arguments = @($pwsh.LeadingArguments) + @('-NoProfile', '-NonInteractive', '-EncodedCommand', $encoded)
    $output = & $pwsh.Executable @arguments 2>&1 | Out-String
    if ($LASTEXITCODE -ne 0) { throw "The child PowerShell failed (exit $LASTEXITCODE):`n$output" }
    $output
}

# Runs -Script in a new process of this PowerShell with the module imported, where the only trusted root
# certificate is -TrustedCertificate (SSL_CERT_FILE: .NET on Linux reads the root store from it), so a test server's
# self-signed certificate validates as a real one would. The script gets $Values (a hashtable, passed as JSON) and
# must write one object; it comes back through ConvertTo-Json/ConvertFrom-Json.
function Invoke-TrustingPowerShell {
    param(
        [Parameter(Mandatory)] [string] $Script,
        [Parameter(Mandatory)] [string] $TrustedCertificate,
        [hashtable] $Values = @{}
    )
    $valuesJson = ($Values | ConvertTo-Json -Compress -Depth 5) -replace "'", "''"
    $prelude = "`$ErrorActionPreference = 'Stop'; `$ProgressPreference = 'SilentlyContinue'; Import-Module '$($script:TestedManifest -replace "'", "''")'; `$Values = '$valuesJson' | ConvertFrom-Json -AsHashtable`n"
    $wrapped = $prelude + "& {`n$Script`n} | ConvertTo-Json -Compress -Depth 6 | ForEach-Object { 'RESULT:' + `$_ }"
    $saved = $env:SSL_CERT_FILE
    try {
        $env:SSL_CERT_FILE = $TrustedCertificate
        $output = Invoke-ChildPowerShell -Script $wrapped
    }
    finally { $env:SSL_CERT_FILE = $saved }
    $json = ($output -split "`r?`n" | Where-Object { $_.StartsWith('RESULT:') }) -replace '^RESULT:', ''
    if (-not $json) { throw "The child PowerShell wrote no result:`n$output" }
    $json | ConvertFrom-Json
}

# Export-Csv, then Import-Csv, as a runbook's log or a report does: the file's text and the rows read back.
function Get-CsvRoundTrip {
    param([Parameter(Mandatory)] [object[]] $InputObject)
    $path = Join-Path ([System.IO.Path]::GetTempPath()) "roundtrip-$([guid]::NewGuid().ToString('N')).csv"
    try {
        $InputObject | Export-Csv -LiteralPath $path -NoTypeInformation
        [pscustomobject]@{ Text = Get-Content -LiteralPath $path -Raw; Rows = @(Import-Csv -LiteralPath $path) }
    }
    finally { Remove-Item -LiteralPath $path -ErrorAction SilentlyContinue }
}

# A .NET type name where a value should be (System.String[], System.Collections.Generic.List`1[...], M365SmtpTools.Engine....).
$script:TypeNamePattern = '\b(System|M365SmtpTools)\.[A-Z]\w*(\.|\[|`)'
