using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using M365SmtpTools.Engine.Exchange;

namespace M365SmtpTools.Commands
{
    /// <summary>Completes -SmtpServer with the known Microsoft 365 and Azure submission hosts.</summary>
    public sealed class SmtpServerCompleter : IArgumentCompleter
    {
        private static IEnumerable<(string Host, string Description)> Hosts()
        {
            foreach (CloudEnvironment c in CloudEnvironments.All)
            {
                yield return (c.SmtpHost, $"Exchange Online client submission ({c.Environment})");
                if (c.LegacySmtpHost != null) yield return (c.LegacySmtpHost, "Exchange Online legacy-TLS submission " +
                    $"({c.Environment}, opt-in)");
            }
            yield return ("smtp-hve.office365.com", "High Volume Email");
            yield return ("smtp.azurecomm.net", "Azure Communication Services Email");
        }

        /// <inheritdoc />
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            string prefix = (wordToComplete ?? "").Trim('\'', '"');
            return Hosts().GroupBy(h => h.Host).Select(g => g.First())
                .Where(h => h.Host.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                .Select(h => new CompletionResult(h.Host, h.Host, CompletionResultType.ParameterValue, h.Description));
        }
    }
}
