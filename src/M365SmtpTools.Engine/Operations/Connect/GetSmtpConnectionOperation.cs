using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using M365SmtpTools.Engine.Auth;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>Get-M365SmtpConnection: lists stored connections (never secrets).</summary>
    public sealed class GetSmtpConnectionOperation : IOperation<GetSmtpConnectionRequest, SmtpConnection>
    {
        private readonly SmtpConnectionRegistry _registry;

        /// <summary>Creates the operation over a registry (default: the process's).</summary>
        public GetSmtpConnectionOperation(SmtpConnectionRegistry? registry = null) =>
            _registry = registry ?? SmtpConnectionRegistry.Default;

        /// <summary>Writes the matching connections; a name without wildcards that matched nothing is a ConnectionNotFound error.</summary>
        public Task RunAsync(GetSmtpConnectionRequest request, IOperationHost<SmtpConnection> host, CancellationToken cancellationToken)
        {
            Query(_registry, request.Name, remove: false, host);
            return Task.CompletedTask;
        }

        // The connections first, then one error per name that matched nothing (the order the cmdlets have always written).
        internal static void Query(SmtpConnectionRegistry registry, string[]? names, bool remove, IOperationHost<SmtpConnection> host)
        {
            var found = new System.Collections.Generic.List<SmtpConnection>();
            var errors = new System.Collections.Generic.List<M365SmtpException>();
            string[] patterns = names == null || names.Length == 0 ? new string[] { "*" } : names;
            foreach (string pattern in patterns.Where(p => !string.IsNullOrWhiteSpace(p)).Select(p => p.Trim()))
            {
                var matches = registry.Find(pattern).Where(c => !found.Contains(c)).ToList();
                if (remove)
                    matches = matches.Where(c => host.ShouldProcess($"SMTP connection '{c.Name}' ({c.Method} {c.UserName} -> {c.SmtpHost})",
                        "Disconnect")).ToList();
                if (matches.Count == 0 && !Wildcard.ContainsWildcard(pattern) && registry.TryGet(pattern) == null)
                    errors.Add(registry.NotFound(pattern));
                found.AddRange(matches);
            }
            if (remove)
                foreach (SmtpConnection c in found)
                {
                    foreach (SmtpConnection r in registry.Remove(WildcardEscape(c.Name)))
                        host.WriteVerbose($"Disconnected '{r.Name}' and cleared its token cache.");
                }
            foreach (SmtpConnection c in found) host.WriteResult(c);
            foreach (M365SmtpException e in errors) host.WriteError(e);
        }

        private static string WildcardEscape(string name)
        {
            var b = new System.Text.StringBuilder();
            foreach (char ch in name)
            {
                if (ch == '*' || ch == '?' || ch == '[' || ch == ']' || ch == '`') b.Append('`');
                b.Append(ch);
            }
            return b.ToString();
        }
    }
}
