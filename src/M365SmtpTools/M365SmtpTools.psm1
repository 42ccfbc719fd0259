# M365SmtpTools: the root module. It hands PowerShell the cmdlet assembly only after the module's loader has made its
# dependencies (the engine, MSAL, System.Text.Json, ...) load from this folder in isolation: on PowerShell 7 into the
# module's own AssemblyLoadContext, on Windows PowerShell 5.1 for exactly the names and versions shipped here. So the
# module works beside ExchangeOnlineManagement, Az.Accounts or Microsoft.Graph, whichever is imported first.

$loaderType = 'M365SmtpTools.Loader.ModuleLoader' -as [type]
if (-not $loaderType) {
    $loaderPath = [System.IO.Path]::Combine($PSScriptRoot, 'M365SmtpTools.Loader.dll')
    $loaderType = [System.Reflection.Assembly]::LoadFrom($loaderPath).GetType('M365SmtpTools.Loader.ModuleLoader', $true)
}
$cmdletAssembly = $loaderType::Initialize($PSScriptRoot)
$cmdletModule = Microsoft.PowerShell.Core\Import-Module -Assembly $cmdletAssembly -PassThru -ErrorAction Stop

# A second import in the same process (Remove-Module then Import-Module, or Import-Module -Force) imports the same
# assembly again, and PowerShell then leaves this module's exported cmdlets empty (PowerShell issue 20710): add them.
$thisModule = $ExecutionContext.SessionState.Module
if ($thisModule.ExportedCmdlets.Count -eq 0) {
    $addExportedCmdlet = [System.Management.Automation.PSModuleInfo].GetMethod('AddExportedCmdlet', [System.Reflection.BindingFlags]'Instance, NonPublic')
    foreach ($cmdlet in $cmdletModule.ExportedCmdlets.Values) {
        $addExportedCmdlet.Invoke($thisModule, @(, $cmdlet))
    }
}
