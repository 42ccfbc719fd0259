@{
    RootModule           = 'M365SmtpTools.psm1'
    ModuleVersion        = '0.1.0'
    GUID                 = '5d3f6c1e-8a42-4e7b-9c1d-2b7f0e4a9c31'
    Author               = 'M365SmtpTools contributors'
    CompanyName          = 'M365SmtpTools contributors'
    Copyright            = '(c) M365SmtpTools contributors. MIT License.'
    Description          = 'Send mail through Exchange Online (Microsoft 365) from scripts, runbooks and devices with OAuth, relay connectors or Direct Send, and diagnose exactly why sending fails.'
    CompatiblePSEditions = @('Desktop', 'Core')
    PowerShellVersion    = '5.1'
    DotNetFrameworkVersion = '4.7.2'
    FormatsToProcess     = @('M365SmtpTools.Format.ps1xml')
    CmdletsToExport      = @(
        'Connect-M365Smtp',
        'Disconnect-M365Smtp',
        'Get-M365MxEndpoint',
        'Get-M365SmtpConnection',
        'New-M365RelayConnectorPlan',
        'New-M365SmtpAppAccessPlan',
        'Send-M365Mail',
        'Test-M365GraphSend',
        'Test-M365MailDomain',
        'Test-M365SmtpAuth'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('Microsoft365', 'ExchangeOnline', 'SMTP', 'OAuth', 'XOAUTH2', 'Email', 'DirectSend', 'Relay', 'PSEdition_Desktop', 'PSEdition_Core', 'Windows', 'Linux', 'MacOS')
            LicenseUri   = 'https://github.com/m365smtptools/M365SmtpTools/blob/main/LICENSE'
            ProjectUri   = 'https://github.com/m365smtptools/M365SmtpTools'
            ReleaseNotes = 'See https://github.com/m365smtptools/M365SmtpTools/releases'
        }
    }
}
