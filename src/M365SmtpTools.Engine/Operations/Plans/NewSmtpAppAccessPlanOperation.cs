using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using M365SmtpTools.Engine.Exchange;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>
    /// New-M365SmtpAppAccessPlan: the steps that let an app send mail over SMTP with an app-only OAuth token
    /// (client credentials), in the classic mailbox-permission model or with App RBAC. Changes nothing in the tenant;
    /// with <see cref="NewSmtpAppAccessPlanRequest.ScriptPath"/> it writes the Exchange Online steps as a script.
    /// </summary>
    public sealed class NewSmtpAppAccessPlanOperation : IOperation<NewSmtpAppAccessPlanRequest, SmtpAppAccessPlan>
    {
        /// <summary>The application id of Office 365 Exchange Online, the resource that owns SMTP.SendAsApp.</summary>
        public const string ExchangeOnlineResourceAppId = "00000002-0000-0ff1-ce00-000000000000";

        private const string ExchangeRunIn = "Exchange Online PowerShell";
        private const string EntraRunIn = "Microsoft Entra ID (admin center or Microsoft Graph PowerShell)";
        private readonly IClock _clock;

        /// <summary>Creates the operation.</summary>
        public NewSmtpAppAccessPlanOperation(IClock? clock = null) => _clock = clock ?? SystemClock.Instance;

        /// <summary>
        /// Makes the plan. Invalid input (empty ids, bad addresses, no mailbox) throws <see cref="M365SmtpException"/>.
        /// When a script was asked for but the plan has errors, the script isn't written: the plan is written, then an
        /// <c>AppAccessPlanHasErrors</c> error aimed at the script's path.
        /// </summary>
        public Task RunAsync(NewSmtpAppAccessPlanRequest request, IOperationHost<SmtpAppAccessPlan> host,
            CancellationToken cancellationToken)
        {
            if (request == null) throw new ArgumentNullException(nameof(request));
            if (host == null) throw new ArgumentNullException(nameof(host));
            cancellationToken.ThrowIfCancellationRequested();
            if (request.AppId == Guid.Empty) throw EmptyId("AppId", "the Application (client) ID on the app registration's Overview page");
            if (request.ServicePrincipalObjectId == Guid.Empty) throw EmptyId("ServicePrincipalObjectId", "the Object ID on the " +
                "Enterprise applications page of the app (not App registrations)");
            var mailboxes = (request.Mailbox ?? new string[0]).Where(m => !string.IsNullOrWhiteSpace(m))
                .Select(m => PlanInput.Address(m, "Mailbox")).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
            if (mailboxes.Length == 0)
                throw new M365SmtpException(PlanErrorCodes.MailboxRequired,
                    "-Mailbox is required: the mailbox the app authenticates as (the user= of XOAUTH2).")
                {
                    TargetObject = request.AppId,
                    ParameterName = "Mailbox",
                    RecommendedAction = "Give the SMTP address of a licensed user mailbox in -Mailbox.",
                };
            var sendAs = (request.SendAs ?? new string[0]).Where(a => !string.IsNullOrWhiteSpace(a))
                .Select(a => PlanInput.Address(a, "SendAs")).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            string? scriptPath = PlanScriptWriter.CheckedPath(request.ScriptPath, @".\smtp-app-access.ps1");

            bool graph = request.Graph;
            if (graph && request.EnableSmtpClientAuthentication)
                throw new M365SmtpException(PlanErrorCodes.SmtpClientAuthenticationNotApplicable,
                    "-EnableSmtpClientAuthentication allows SMTP AUTH, which Microsoft Graph (-Graph) doesn't use.")
                {
                    TargetObject = "EnableSmtpClientAuthentication",
                    ParameterName = "EnableSmtpClientAuthentication",
                    RecommendedAction = "Remove -EnableSmtpClientAuthentication: with -Graph, SMTP AUTH can stay off.",
                };
            string appId = request.AppId.ToString("D");
            string sp = request.ServicePrincipalObjectId.ToString("D");
            string displayName = Clean(request.DisplayName) ?? $"SMTP app {appId}";
            string scopeName = Clean(request.ScopeName) ?? (graph ? $"Graph Mail.Send app {appId}" : $"SMTP app {appId}");
            // Graph: always RBAC for Applications (least privilege); Mail.Send granted in Entra would cover every mailbox.
            bool rbac = graph || request.Model == SmtpAppAccessModel.AppRbac;
            var findings = new List<PlanFinding>();

            // The commonest mistake: an id from the app registration where Exchange needs the Enterprise application's.
            if (request.ServicePrincipalObjectId == request.AppId)
                findings.Add(new PlanFinding("ObjectIdIsAppId", FindingSeverity.Error,
                    $"-ServicePrincipalObjectId is the same as -AppId ({appId}). The application (client) id and the service principal's " +
                        "object id are always different: New-ServicePrincipal needs the object id of the Enterprise application.",
                    "In the Entra admin center open Enterprise applications (not App registrations), find the app, and copy its Object " +
                        $"ID; or run Get-MgServicePrincipal -Filter \"appId eq '{appId}'\" and use its Id."));
            if (request.AppObjectId.HasValue && request.AppObjectId.Value == request.ServicePrincipalObjectId)
                findings.Add(new PlanFinding("ObjectIdIsAppRegistration", FindingSeverity.Error,
                    $"-ServicePrincipalObjectId equals -AppObjectId ({sp}): that is the app registration's object id. Exchange must know " +
                        "the Enterprise application's (service principal's) object id; with the registration's id the service principal " +
                        "Exchange creates matches no token and authentication fails with 535 5.7.3.",
                    "In the Entra admin center open Enterprise applications (not App registrations), find the app, and copy its Object " +
                        $"ID; or run Get-MgServicePrincipal -Filter \"appId eq '{appId}'\" and use its Id."));
            else if (request.AppObjectId.HasValue && request.AppObjectId.Value == request.AppId)
                findings.Add(new PlanFinding("AppObjectIdIsAppId", FindingSeverity.Warning,
                    "-AppObjectId is the same as -AppId: the application (client) id was given where the registration's object id was " +
                        "meant, so the ids couldn't be cross-checked.",
                    "Leave out -AppObjectId, or give the Object ID from the app registration's Overview page."));
            else if (!request.AppObjectId.HasValue && request.ServicePrincipalObjectId != request.AppId)
                findings.Add(new PlanFinding("ServicePrincipalObjectIdUnverified", FindingSeverity.Information,
                    $"Make sure {sp} is the Object ID shown under Enterprise applications, not the one under App registrations (the two " +
                        "pages show different object ids for the same app; Exchange needs the first).",
                    $"Check with Get-MgServicePrincipal -Filter \"appId eq '{appId}'\" (its Id), or give -AppObjectId so the plan can " +
                        "compare them."));

            string entraGrant = "Grant the application permission SMTP.SendAsApp of Office 365 Exchange Online (resource app id " +
                $"{ExchangeOnlineResourceAppId}) to the app, with admin consent.";
            if (graph)
            {
                findings.Add(new PlanFinding("DoNotGrantEntraPermission", FindingSeverity.Warning,
                    "Do NOT grant the Microsoft Graph application permission Mail.Send in Microsoft Entra ID: an Entra grant lets the " +
                        "app send as every mailbox in the organization and makes the management scope pointless.",
                    "If the app already has Mail.Send (Microsoft Graph, Application) in API permissions, remove it and its admin " +
                        "consent, so only the scoped Exchange role 'Application Mail.Send' applies."));
                findings.Add(new PlanFinding("GraphNeedsNoSmtpAuth", FindingSeverity.Information,
                    "Microsoft Graph sendMail doesn't use SMTP AUTH: it works with SMTP AUTH disabled for the tenant (Security Defaults, " +
                        "tenants created after January 2020). The app requests its token for https://graph.microsoft.com/.default and " +
                        "sends with Send-M365Mail -Method Graph.",
                    "After the script, check with Test-ServicePrincipalAuthorization, then send a test message with Send-M365Mail " +
                        "-Method Graph -UserName <mailbox>."));
                if (sendAs.Count > 0)
                    findings.Add(new PlanFinding("SendAsThroughScope", FindingSeverity.Information,
                        "With RBAC for Applications the app sends as the mailboxes in its management scope, so the Send As addresses " +
                            $"({string.Join(", ", sendAs)}) are added to the scope. They must be mailboxes (user or shared)."));
            }
            else if (rbac)
            {
                findings.Add(new PlanFinding("DoNotGrantEntraPermission", FindingSeverity.Warning,
                    "With App RBAC, do NOT also grant SMTP.SendAsApp in Microsoft Entra ID: an Entra grant applies to every mailbox in " +
                        "the organization and makes the management scope pointless.",
                    "If the app already has SMTP.SendAsApp in API permissions, remove it (and its admin consent) so only the scoped " +
                        "Exchange role applies."));
                if (sendAs.Count > 0)
                    findings.Add(new PlanFinding("SendAsThroughScope", FindingSeverity.Information,
                        "With App RBAC the app sends as the mailboxes in its management scope, so the Send As addresses " +
                            $"({string.Join(", ", sendAs)}) are added to the scope instead of getting Add-RecipientPermission. " +
                            "They must be mailboxes (user or shared)."));
            }
            else
                findings.Add(new PlanFinding("EntraPermissionRequired", FindingSeverity.Information,
                    entraGrant + " Without it the token has no roles claim and Exchange answers 535 5.7.3. This step is done in Entra, " +
                        "not by the script.",
                    "API permissions > Add a permission > APIs my organization uses > Office 365 Exchange Online > Application " +
                        "permissions > SMTP.SendAsApp, then Grant admin consent."));
            if (!request.EnableSmtpClientAuthentication && !graph)
                findings.Add(new PlanFinding("SmtpAuthMayBeDisabled", FindingSeverity.Information,
                    "SMTP AUTH is off by default in tenants created after January 2020 and with Security Defaults; if it is, " +
                        "authentication fails with 535 5.7.139.",
                    "Run the plan with -EnableSmtpClientAuthentication to allow it on the mailbox (Set-CASMailbox " +
                        "-SmtpClientAuthenticationDisabled $false)."));
            var selfSend = sendAs.Where(a => mailboxes.Contains(a, StringComparer.OrdinalIgnoreCase)).ToList();
            if (selfSend.Count > 0)
            {
                findings.Add(new PlanFinding("SendAsIsMailbox", FindingSeverity.Information,
                    $"{string.Join(", ", selfSend)} is also in -Mailbox: the app sends as the mailbox it authenticates as without any " +
                        "Send As permission."));
                sendAs = sendAs.Except(selfSend, StringComparer.OrdinalIgnoreCase).ToList();
            }

            var steps = new List<PlanStep>();
            void Add(string title, string why, string command, bool inScript = true, string runIn = ExchangeRunIn) =>
                steps.Add(new PlanStep(steps.Count + 1, title, why, command, runIn, inScript));

            string grantScript = string.Join("\n", new[]
            {
                "Connect-MgGraph -Scopes 'AppRoleAssignment.ReadWrite.All', 'Application.Read.All'",
                $"$exchange = Get-MgServicePrincipal -Filter {PowerShellText.Quote($"appId eq '{ExchangeOnlineResourceAppId}'")}",
                "$role = $exchange.AppRoles | Where-Object { $_.Value -eq 'SMTP.SendAsApp' }",
                $"New-MgServicePrincipalAppRoleAssignment -ServicePrincipalId {PowerShellText.Quote(sp)} -PrincipalId " +
                    $"{PowerShellText.Quote(sp)} -ResourceId $exchange.Id -AppRoleId $role.Id",
            });
            if (!rbac)
                Add("Grant SMTP.SendAsApp in Microsoft Entra ID, with admin consent", entraGrant + " It puts SMTP.SendAsApp in the " +
                    "token's roles claim; the token is " +
                    "requested for " + "https://outlook.office365.com/.default.", grantScript, inScript: false, runIn: EntraRunIn);

            Add("Register the app's service principal in Exchange Online",
                "Exchange Online only accepts tokens of service principals it knows; the ObjectId must be the Enterprise application's " +
                    "object id.",
                $"New-ServicePrincipal -AppId {PowerShellText.Quote(appId)} -ObjectId {PowerShellText.Quote(sp)} -DisplayName " +
                    $"{PowerShellText.Quote(displayName)}");
            if (!rbac)
            {
                foreach (string m in mailboxes)
                    Add($"Give the app FullAccess to {m}", "With XOAUTH2 the app authenticates as this mailbox (user=); Exchange allows " +
                        "it when the service principal has FullAccess on it.",
                        $"Add-MailboxPermission -Identity {PowerShellText.Quote(m)} -User {PowerShellText.Quote(sp)} -AccessRights " +
                            "FullAccess");
                foreach (string a in sendAs)
                    Add($"Let the app send as {a}", "A From/MAIL FROM other than the authenticated mailbox needs Send As, else 5.7.60 " +
                        "(SendAsDenied).",
                        $"Add-RecipientPermission -Identity {PowerShellText.Quote(a)} -Trustee {PowerShellText.Quote(sp)} -AccessRights " +
                            "SendAs -Confirm:$false");
            }
            else
            {
                string filter = ScopeFilter(mailboxes.Concat(sendAs).ToList());
                Add("Create a management scope with the mailboxes", "App RBAC limits the app to the mailboxes the scope's filter matches.",
                    $"New-ManagementScope -Name {PowerShellText.Quote(scopeName)} -RecipientRestrictionFilter " +
                        $"{PowerShellText.Quote(filter)}");
                if (graph)
                {
                    Add("Assign the role Application Mail.Send over the scope", "This is what lets the app send as the scoped mailboxes " +
                        "through Microsoft Graph (sendMail); nothing is granted in Entra.",
                        $"New-ManagementRoleAssignment -Name {PowerShellText.Quote(RoleAssignmentName(appId, graph))} -App " +
                            $"{PowerShellText.Quote(sp)} -Role 'Application Mail.Send' -CustomResourceScope " +
                            $"{PowerShellText.Quote(scopeName)}");
                    foreach (string m in mailboxes)
                        Add($"Check that the app may send as {m}", "Reads the RBAC for Applications assignments for this mailbox; the " +
                            "Mail.Send role should show InScope True. Changes nothing.",
                            $"Test-ServicePrincipalAuthorization -Identity {PowerShellText.Quote(sp)} -Resource {PowerShellText.Quote(m)}");
                }
                else
                Add("Assign the role Application SMTP.SendAsApp over the scope", "This is what lets the app send as the scoped mailboxes " +
                    "over SMTP; nothing is granted in Entra.",
                    $"New-ManagementRoleAssignment -Name {PowerShellText.Quote(RoleAssignmentName(appId))} -App " +
                        $"{PowerShellText.Quote(sp)} -Role 'Application SMTP.SendAsApp' -CustomResourceScope " +
                        $"{PowerShellText.Quote(scopeName)}");
            }
            if (request.EnableSmtpClientAuthentication)
                foreach (string m in mailboxes)
                    Add($"Allow SMTP AUTH on {m}", "SMTP AUTH (client submission) is often disabled for the tenant; this allows it for " +
                        "this mailbox only.",
                        $"Set-CASMailbox -Identity {PowerShellText.Quote(m)} -SmtpClientAuthenticationDisabled $false");

            var plan = new SmtpAppAccessPlan
            {
                AppId = request.AppId,
                ServicePrincipalObjectId = request.ServicePrincipalObjectId,
                Mailbox = mailboxes,
                SendAs = sendAs.ToArray(),
                Model = graph ? SmtpAppAccessModel.AppRbac : request.Model,
                Graph = graph,
                TokenScope = graph ? "https://graph.microsoft.com/.default" : "https://outlook.office365.com/.default",
                Findings = findings.Select((f, i) => (f, i)).OrderByDescending(x => x.f.Severity)
                    .ThenBy(x => x.i).Select(x => x.f).ToArray(),
                Steps = steps.ToArray(),
                EntraPermission = graph ? "None: do not grant Mail.Send in Entra; RBAC for Applications scopes it to the mailboxes."
                    : rbac ? "None: do not grant SMTP.SendAsApp in Entra with App RBAC." : entraGrant,
            };
            plan.Script = BuildScript(plan, scopeName, ScopeFilter(plan.Mailbox.Concat(plan.SendAs).ToList()), appId, sp, displayName);

            var script = new PlanScript(scriptPath, plan.Script, plan.IsReady, request.Force, "Write the SMTP app access script",
                PlanErrorCodes.AppAccessPlanHasErrors,
                "Fix the Error findings (see the plan's Findings) and run the plan again.");
            PlanScriptWriter.Finish(host, plan, script, plan.Findings, (p, path) => p.ScriptPath = path);
            return Task.CompletedTask;
        }

        /// <summary>The OPATH filter of the management scope: the mailboxes (and Send As addresses) by primary SMTP address.</summary>
        private static string ScopeFilter(IReadOnlyList<string> inScope) =>
            string.Join(" -or ", inScope.Select(a => inScope.Count == 1
                ? $"PrimarySmtpAddress -eq {PowerShellText.Quote(a)}"
                : $"(PrimarySmtpAddress -eq {PowerShellText.Quote(a)})"));

        /// <summary>The name given to the role assignment (at most 64 characters, as Exchange requires).</summary>
        internal static string RoleAssignmentName(string appId, bool graph = false) => (graph ? "Mail.Send " : "SMTP.SendAsApp ") + appId;

        private string BuildScript(SmtpAppAccessPlan plan, string scopeName, string filter, string appId, string sp, string displayName)
        {
            bool rbac = plan.Model == SmtpAppAccessModel.AppRbac;
            var s = new List<string>
            {
                plan.Graph
                    ? $"# App-only Microsoft Graph sendMail (OAuth client credentials) for the app {appId}: RBAC for Applications (the " +
                        "role Application Mail.Send over a management scope)."
                    : $"# App-only SMTP (OAuth client credentials) for the app {appId}: " +
                        $"{(rbac ? "App RBAC (scoped Exchange role)" : "mailbox permissions")}.",
                $"# Written by New-M365SmtpAppAccessPlan (M365SmtpTools) on {PowerShellText.Date(_clock.UtcNow)}.",
                "#",
                "# Run it in a PowerShell session that is connected to Exchange Online as an Exchange administrator:",
                "#     Connect-ExchangeOnline",
                "# It is safe to run again: what exists already is kept (an existing permission is not duplicated); it looks before it",
                "# creates, and stops with a message when a management scope or role assignment exists with another filter or scope.",
                plan.Graph
                    ? $"# The app then requests its token for {plan.TokenScope} and sends with Send-M365Mail -Method Graph -UserName " +
                        $"{string.Join(" or ", plan.Mailbox)}."
                    : $"# The app then requests its token for {plan.TokenScope} and authenticates with XOAUTH2 as " +
                        $"{string.Join(" or ", plan.Mailbox)}.",
                "#",
                "# Findings:",
            };
            foreach (PlanFinding f in plan.Findings)
            {
                s.AddRange(PowerShellText.CommentLines($"[{f.Severity}] {f.Id}: {f.Message}", "  "));
                if (f.Remediation != null) s.AddRange(PowerShellText.CommentLines("Fix: " + f.Remediation, "      "));
            }
            foreach (PlanStep step in plan.Steps.Where(x => !x.InScript))
            {
                s.Add("#");
                s.Add($"# Step {step.Order}, NOT done by this script ({step.RunIn}): {PowerShellText.Comment(step.Title)}.");
                s.AddRange(PowerShellText.CommentLines(step.Why, "  "));
                s.Add("#   With Microsoft Graph PowerShell:");
                foreach (string line in step.Command.Split('\n')) s.Add("#     " + PowerShellText.Comment(line));
            }
            s.Add("");
            s.Add("$ErrorActionPreference = 'Stop'");
            s.Add("if (-not (Get-Command -Name New-ServicePrincipal -ErrorAction SilentlyContinue)) {");
            s.Add("    throw 'New-ServicePrincipal is not available: connect to Exchange Online first (Connect-ExchangeOnline), then run " +
                "this script again.'");
            s.Add("}");
            foreach (PlanStep step in plan.Steps.Where(x => x.InScript))
            {
                s.Add("");
                s.Add($"# Step {step.Order}: {PowerShellText.Comment(step.Title)}.");
                s.AddRange(PowerShellText.CommentLines(step.Why));
                if (step.Command.StartsWith("New-ServicePrincipal", StringComparison.Ordinal))
                {
                    s.Add("# An unknown -Identity can return every service principal, so keep only the one with this app id.");
                    s.Add($"$servicePrincipal = Get-ServicePrincipal -Identity {PowerShellText.Quote(appId)} -ErrorAction " +
                        $"SilentlyContinue | Where-Object {{ $_.AppId -eq {PowerShellText.Quote(appId)} }}");
                    s.Add("if ($servicePrincipal) {");
                    s.Add($"    Write-Host {PowerShellText.Quote($"The service principal of app {appId} is registered already.")}");
                    s.Add($"    if ($servicePrincipal.ObjectId -ne {PowerShellText.Quote(sp)}) {{");
                    s.Add($"        Write-Warning ({PowerShellText.Quote($"It was registered with object id ")} + " +
                        "$servicePrincipal.ObjectId + " +
                        $"{PowerShellText.Quote($", not {sp}: check which one is the Enterprise application's object id.")})");
                    s.Add("    }");
                    s.Add("}");
                    s.Add("else {");
                    s.Add("    " + step.Command);
                    s.Add("}");
                }
                else if (step.Command.StartsWith("New-ManagementScope", StringComparison.Ordinal))
                {
                    // Query first: an existing scope is kept only when its filter is the planned one (Exchange stores it
                    // with its own spacing and parentheses, so those are ignored); otherwise the script stops here.
                    string q = PowerShellText.Quote(scopeName);
                    s.Add($"$scope = Get-ManagementScope -Identity {q} -ErrorAction SilentlyContinue | Where-Object {{ $_.Name -eq {q} }}");
                    s.Add("if ($scope) {");
                    s.Add($"    $plannedFilter = {PowerShellText.Quote(filter)}");
                    s.Add("    if (($scope.RecipientFilter -replace '[\\s()]', '') -ne ($plannedFilter -replace '[\\s()]', '')) {");
                    s.Add($"        throw ({PowerShellText.Quote($"The management scope '{scopeName}' exists already with the filter ")} + $scope.RecipientFilter + {PowerShellText.Quote($", not the planned {filter}. Nothing more was changed: the app would be scoped to other mailboxes than planned. Change that scope's filter in Exchange Online if it should cover these mailboxes, or plan again with another -ScopeName.")})");
                    s.Add("    }");
                    s.Add($"    Write-Host {PowerShellText.Quote($"The management scope '{scopeName}' exists already with the planned filter.")}");
                    s.Add("}");
                    s.Add("else {");
                    s.Add($"    {step.Command} | Out-Null");
                    s.Add($"    Write-Host {PowerShellText.Quote($"Created the management scope '{scopeName}'.")}");
                    s.Add("}");
                }
                else if (step.Command.StartsWith("New-ManagementRoleAssignment", StringComparison.Ordinal))
                {
                    // Query first: the app's assignment of this role is kept only when it is over the planned scope.
                    string role = plan.Graph ? "Application Mail.Send" : "Application SMTP.SendAsApp";
                    string name = RoleAssignmentName(appId, plan.Graph);
                    s.Add($"$assignment = @(Get-ManagementRoleAssignment -Role {PowerShellText.Quote(role)} -ErrorAction " +
                        $"SilentlyContinue | Where-Object {{ $_.Name -eq {PowerShellText.Quote(name)} -or [string]$_.RoleAssignee -in " +
                        $"@({PowerShellText.Quote(sp)}, {PowerShellText.Quote(appId)}, {PowerShellText.Quote(displayName)}) }})");
                    s.Add("if ($assignment.Count -gt 0) {");
                    s.Add($"    $otherScope = @($assignment | Where-Object {{ [string]$_.CustomResourceScope -ne " +
                        $"{PowerShellText.Quote(scopeName)} }})");
                    s.Add("    if ($otherScope.Count -gt 0) {");
                    s.Add($"        throw ({PowerShellText.Quote($"The app already has the role '{role}' in the assignment ")} + ($otherScope.Name -join ', ') + {PowerShellText.Quote(" over the scope '")} + ($otherScope.CustomResourceScope -join ', ') + {PowerShellText.Quote($"', not over '{scopeName}'. Nothing more was changed: an assignment over another scope (or none) lets the app send as other mailboxes than planned. Remove or change that assignment in Exchange Online, then run this script again.")})");
                    s.Add("    }");
                    s.Add($"    Write-Host {PowerShellText.Quote($"The role assignment '{name}' over '{scopeName}' exists already and is kept.")}");
                    s.Add("}");
                    s.Add("else {");
                    s.Add($"    {step.Command} | Out-Null");
                    s.Add($"    Write-Host {PowerShellText.Quote($"Created the role assignment '{name}'.")}");
                    s.Add("}");
                }
                else
                    s.Add(step.Command);
            }
            return string.Join("\n", s) + "\n";
        }

        private static M365SmtpException EmptyId(string parameter, string where) =>
            new M365SmtpException(PlanErrorCodes.InvalidApplicationId, $"-{parameter} is empty (all zeros).")
            { TargetObject = parameter, ParameterName = parameter, RecommendedAction = $"Give {where} in -{parameter}." };

        private static string? Clean(string? value)
        {
            if (value == null) return null;
            string v = new string(value.Where(c => !TerminalText.NeedsEscape(c)).ToArray()).Trim();
            return v.Length == 0 ? null : v;
        }
    }
}
