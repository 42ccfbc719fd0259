using System.Management.Automation;
using M365SmtpTools.Engine;
using M365SmtpTools.Engine.Auth;
using M365SmtpTools.Engine.Operations;

namespace M365SmtpTools.Commands
{
    /// <summary>
    /// Shows the SMTP connections of this session.
    /// </summary>
    /// <remarks>
    /// <para>Lists the connections Connect-M365Smtp stored: name, auth method, mailbox, server, port, cloud, tenant, client
    /// ID and when the cached token expires. Secrets and tokens are never shown. A name without wildcards that matches
    /// nothing is reported as an error.</para>
    /// </remarks>
    /// <example>
    /// <title>List the connections of the session</title>
    /// <code>Get-M365SmtpConnection</code>
    /// <para>Lists every connection of the session.</para>
    /// </example>
    /// <example>
    /// <title>Show the connections that match a wildcard</title>
    /// <code>Get-M365SmtpConnection -Name Scan* | Format-List *</code>
    /// <para>Shows every property of the connections whose names start with Scan, including TokenExpiresOn.</para>
    /// </example>
    [Cmdlet(VerbsCommon.Get, "M365SmtpConnection")]
    [OutputType(typeof(SmtpConnection))]
    public sealed class GetM365SmtpConnectionCommand : M365CmdletBase
    {
        /// <summary>The names of the connections to show; wildcards are allowed. Default: all.</summary>
        /// <default>All connections</default>
        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(SmtpConnectionNameCompleter))]
        [ValidateNotNullOrEmpty]
        public string[]? Name { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            var request = new GetSmtpConnectionRequest { Name = Name };
            RunOperation(new GetSmtpConnectionOperation(), request);
        }
    }
}
