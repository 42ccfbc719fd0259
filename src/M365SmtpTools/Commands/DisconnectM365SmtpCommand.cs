using System.Management.Automation;
using M365SmtpTools.Engine;
using M365SmtpTools.Engine.Auth;
using M365SmtpTools.Engine.Operations;

namespace M365SmtpTools.Commands
{
    /// <summary>
    /// Removes SMTP connections from the session and forgets their cached tokens.
    /// </summary>
    /// <remarks>
    /// <para>Removes the named connections (all of them when no -Name is given) and clears their in-memory token caches;
    /// a removed connection can't be used again. Tokens kept with -PersistTokenCache stay in the platform's encrypted
    /// store for the next session. A name without wildcards that matches nothing is reported as an error.</para>
    /// </remarks>
    /// <example>
    /// <title>Remove every connection</title>
    /// <code>Disconnect-M365Smtp</code>
    /// <para>Removes every connection of the session.</para>
    /// </example>
    /// <example>
    /// <title>Show which connection would be removed</title>
    /// <code>Disconnect-M365Smtp -Name Scanner -WhatIf</code>
    /// <para>Shows which connection would be removed without removing it.</para>
    /// </example>
    /// <example>
    /// <title>Remove the connections that match a wildcard</title>
    /// <code>Get-M365SmtpConnection -Name Test* | Disconnect-M365Smtp -PassThru</code>
    /// <para>Removes the connections whose names start with Test and writes them out.</para>
    /// </example>
    [Cmdlet(VerbsCommunications.Disconnect, "M365Smtp", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(SmtpConnection))]
    public sealed class DisconnectM365SmtpCommand : M365CmdletBase
    {
        /// <summary>The names of the connections to remove; wildcards are allowed. Default: all.</summary>
        /// <default>All connections</default>
        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(SmtpConnectionNameCompleter))]
        [ValidateNotNullOrEmpty]
        public string[]? Name { get; set; }

        /// <summary>Writes the removed connections to the pipeline.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            var request = new DisconnectSmtpRequest { Name = Name, PassThru = PassThru.IsPresent };
            RunOperation(new DisconnectSmtpOperation(), request, connection => { if (PassThru) WriteObject(connection); });
        }
    }
}
