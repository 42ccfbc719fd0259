using System.Threading;
using System.Threading.Tasks;
using M365SmtpTools.Engine.Auth;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>
    /// Runs an AUTH against the SMTP server with a connection's credentials (Connect-M365Smtp -Test). The SMTP client
    /// implements it; throws <see cref="M365SmtpException"/> when authentication fails.
    /// </summary>
    public interface ISmtpAuthTester
    {
        /// <summary>Connects to the connection's server, authenticates, and disconnects.</summary>
        Task TestAuthenticationAsync(SmtpConnection connection, IOperationHost host, CancellationToken cancellationToken);
    }
}
