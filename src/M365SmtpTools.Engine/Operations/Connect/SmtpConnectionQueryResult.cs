using M365SmtpTools.Engine.Auth;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>The connections a Get or Disconnect matched, and an error for each literal name that matched nothing.</summary>
    public sealed class SmtpConnectionQueryResult
    {
        internal SmtpConnectionQueryResult(System.Collections.Generic.IReadOnlyList<SmtpConnection> connections, System.Collections.Generic.IReadOnlyList<M365SmtpException> errors)
        {
            Connections = connections;
            Errors = errors;
        }

        /// <summary>The connections.</summary>
        public System.Collections.Generic.IReadOnlyList<SmtpConnection> Connections { get; }

        /// <summary>One ConnectionNotFound per name without wildcards that matched nothing.</summary>
        public System.Collections.Generic.IReadOnlyList<M365SmtpException> Errors { get; }
    }
}
