using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using M365SmtpTools.Engine.Dns;
using M365SmtpTools.Engine.Mime;

namespace M365SmtpTools.Engine.Exchange
{
    /// <summary>One result of a plan's checks: what was found and what to do about it.</summary>
    public sealed class PlanFinding
    {
        /// <summary>Creates the finding.</summary>
        public PlanFinding(string id, FindingSeverity severity, string message, string? remediation = null)
        {
            Id = id;
            Severity = severity;
            Message = message;
            Remediation = remediation;
        }

        /// <summary>A stable identifier such as <c>CertificateExpired</c>; scripts may match on it.</summary>
        public string Id { get; }

        /// <summary>Error: the plan won't work until this is fixed. Warning: works, but should change. Info: for the record.</summary>
        public FindingSeverity Severity { get; }

        /// <summary>What was found.</summary>
        public string Message { get; }

        /// <summary>What to do about it, when there is something to do.</summary>
        public string? Remediation { get; }

        /// <inheritdoc />
        public override string ToString() => $"[{Severity}] {Id}: {Message}";
    }

    /// <summary>Writing PowerShell text safely.</summary>
    internal static class PowerShellText
    {
        /// <summary>A single-quoted PowerShell string literal: nothing inside is expanded; quotes are doubled.</summary>
        public static string Quote(string value)
        {
            var sb = new StringBuilder("'");
            foreach (char c in value)
            {
                // PowerShell also treats the typographic single quotes as quote characters.
                if (IsSingleQuote(c)) sb.Append(c);
                sb.Append(c);
            }
            return sb.Append('\'').ToString();
        }

        /// <summary>True for the single quotes PowerShell's tokenizer accepts: ASCII ' and U+2018-U+201B.</summary>
        public static bool IsSingleQuote(char c) => c == '\'' || (c >= '\u2018' && c <= '\u201B');

        /// <summary>
        /// Makes a value safe for a one-line comment: control characters (C0, DEL, C1 such as U+0085), line and paragraph
        /// separators (U+2028, U+2029) and bidirectional controls are escaped (<see cref="TerminalText"/>), so no value
        /// from DNS, a certificate or the user can end the comment or hide text; <c>#&gt;</c> becomes <c># &gt;</c>.
        /// </summary>
        public static string Comment(string value) => TerminalText.Escape(value).Replace("#>", "# >");

        /// <summary>
        /// Comment lines that start with <c># </c>; only very long text is wrapped (so records and commands stay on one
        /// line).
        /// </summary>
        public static IEnumerable<string> CommentLines(string text, string indent = "", int width = 400)
        {
            var line = new StringBuilder();
            foreach (string word in Comment(text).Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries))
            {
                if (line.Length > 0 && line.Length + 1 + word.Length > width)
                {
                    yield return "# " + indent + line;
                    line.Clear();
                }
                if (line.Length > 0) line.Append(' ');
                line.Append(word);
            }
            if (line.Length > 0) yield return "# " + indent + line;
        }

        /// <summary>A date for a script header.</summary>
        public static string Date(DateTimeOffset when) => when.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    }

    /// <summary>Checks shared by the plans.</summary>
    internal static class PlanInput
    {
        /// <summary>Normalizes a domain name (lower case, no trailing dot, IDN to A-labels) or throws InvalidDomainName.</summary>
        public static string Domain(string? input, string parameter)
        {
            string text = (input ?? "").Trim().TrimEnd('.');
            string ascii;
            try { ascii = text.Length == 0 ? "" : new IdnMapping().GetAscii(text).ToLowerInvariant(); }
            catch (ArgumentException) { ascii = ""; }
            bool ok = ascii.Length > 0 && ascii.Length <= 253 && ascii.Contains(".")
                && ascii.Split('.').All(l => l.Length > 0 && l.Length <= 63 && l[0] != '-' && l[l.Length - 1] != '-'
                    && l.All(c => (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'));
            if (!ok)
                throw new M365SmtpException(DnsErrorCodes.InvalidDomainName,
                    $"-{parameter} '{input}' is not a domain name such as contoso.com.")
                {
                    TargetObject = input,
                    ParameterName = parameter,
                    RecommendedAction = $"Give the accepted domain the mail is sent from in -{parameter}, for example contoso.com.",
                };
            return ascii;
        }

        /// <summary>Checks an e-mail address well enough to put it in a generated script and an OPATH filter.</summary>
        public static string Address(string? input, string parameter)
        {
            string text = (input ?? "").Trim();
            int at = text.LastIndexOf('@');
            bool ok = at > 0 && at < text.Length - 1 && text.IndexOf('@') == at
                && !text.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c == '"' || c == '`' || c == '$'
                    || c == '\u201C' || c == '\u201D' || c == '\u201E' || c == ',' || c == ';' || c == '<' || c == '>'
                    || c == '(' || c == ')');
            if (ok)
            {
                try { Domain(text.Substring(at + 1), parameter); }
                catch (M365SmtpException) { ok = false; }
            }
            if (!ok)
                throw new M365SmtpException(MimeErrorCodes.InvalidEmailAddress,
                    $"-{parameter} '{input}' is not an e-mail address such as scanner@contoso.com.")
                {
                    TargetObject = input,
                    ParameterName = parameter,
                    RecommendedAction = $"Give the SMTP address (name@domain) in -{parameter}.",
                };
            return text;
        }
    }
}
