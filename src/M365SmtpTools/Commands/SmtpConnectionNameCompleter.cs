using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using M365SmtpTools.Engine.Auth;
using M365SmtpTools.Engine.Exchange;

namespace M365SmtpTools.Commands
{
    /// <summary>Completes -Name with the names of the SMTP connections of this session.</summary>
    public sealed class SmtpConnectionNameCompleter : IArgumentCompleter
    {
        /// <inheritdoc />
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            string prefix = (wordToComplete ?? "").Trim('\'', '"');
            return SmtpConnectionRegistry.Default.Find(prefix + "*")
                .Select(c => new CompletionResult(Quote(c.Name), c.Name, CompletionResultType.ParameterValue, c.ToString()));
        }

        internal static string Quote(string name) =>
            name.Length == 0
                || name.Any(ch => char.IsWhiteSpace(ch) || char.IsControl(ch) || ch > '\u007E'
                    || "'\"$`;,(){}[]@#&|<>".IndexOf(ch) >= 0)
                ? PowerShellText.Quote(name) : name;
    }
}
