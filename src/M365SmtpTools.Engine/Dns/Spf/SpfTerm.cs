using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace M365SmtpTools.Engine.Dns.Spf
{
    /// <summary>
    /// One term of an SPF record as written (RFC 7208 section 4.6.1): a mechanism with its qualifier, or a modifier.
    /// This is the one place that splits a record into terms: <see cref="SpfRecord"/> validates on top of it, and the
    /// record editors (the relay connector plan, Test-M365MailDomain's proposed records) insert terms with it, so a
    /// record that doesn't fully validate can still be edited term by term.
    /// </summary>
    public sealed class SpfTerm
    {
        private static readonly string[] MechanismNames = { "all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists" };
        private static readonly Regex ModifierName = new Regex(@"^[A-Za-z][A-Za-z0-9\-_.]*=", RegexOptions.CultureInvariant);

        private SpfTerm(string text) => Text = text;

        /// <summary>The term as written.</summary>
        public string Text { get; }

        /// <summary>The qualifier character of a mechanism (<c>+</c> when none is written); '+' for a modifier.</summary>
        public char Qualifier { get; private set; } = '+';

        /// <summary>True when the qualifier is written out (<c>+all</c>, not <c>all</c>).</summary>
        public bool QualifierWritten { get; private set; }

        /// <summary>The mechanism or modifier name in lower case; empty for a term that is neither.</summary>
        public string Name { get; private set; } = "";

        /// <summary>What follows the name: after ':' or '=' (a leading '/' is kept, as in <c>a/24</c>).</summary>
        public string Value { get; private set; } = "";

        /// <summary>True for <c>name=value</c> (redirect, exp, unknown modifiers).</summary>
        public bool IsModifier { get; private set; }

        /// <summary>True for one of the eight mechanisms of RFC 7208 section 5.</summary>
        public bool IsMechanism => !IsModifier && Name.Length > 0;

        /// <summary>True for the mechanism <paramref name="name"/> (case-insensitive).</summary>
        public bool IsMechanismNamed(string name) => IsMechanism && string.Equals(Name, name, StringComparison.OrdinalIgnoreCase);

        /// <summary>The terms after <c>v=spf1</c>, split at spaces.</summary>
        public static List<SpfTerm> Split(string record) =>
            record.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(Lex).ToList();

        /// <summary>Reads one term.</summary>
        public static SpfTerm Lex(string text)
        {
            var term = new SpfTerm(text);
            if (ModifierName.IsMatch(text))
            {
                int eq = text.IndexOf('=');
                term.IsModifier = true;
                term.Name = text.Substring(0, eq).ToLowerInvariant();
                term.Value = text.Substring(eq + 1);
                return term;
            }
            string body = text;
            if (body.Length > 1 && "+-~?".IndexOf(body[0]) >= 0)
            {
                term.Qualifier = body[0];
                term.QualifierWritten = true;
                body = body.Substring(1);
            }
            string? name = MechanismNames.FirstOrDefault(m => body.StartsWith(m, StringComparison.OrdinalIgnoreCase)
                && (body.Length == m.Length || body[m.Length] == ':' || body[m.Length] == '/'));
            if (name != null)
            {
                term.Name = name;
                term.Value = body.Length > name.Length ? body.Substring(name.Length + (body[name.Length] == ':' ? 1 : 0)) : "";
            }
            return term;
        }

        /// <summary>
        /// The record with <paramref name="term"/> inserted before the first term <paramref name="before"/> matches
        /// (at the end when none does); every other term is kept as written.
        /// </summary>
        public static string InsertBefore(string record, string term, Func<SpfTerm, bool> before)
        {
            string[] written = record.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries);
            var texts = written.Skip(1).ToList();
            int at = texts.FindIndex(t => before(Lex(t)));
            texts.Insert(at < 0 ? texts.Count : at, term);
            return (written.Length > 0 ? written[0] : "v=spf1") + " " + string.Join(" ", texts);
        }

        /// <summary>
        /// Inserts <paramref name="term"/> before the <c>all</c> term or the first modifier (at the end when there is neither).
        /// </summary>
        public static string InsertBeforeAll(string record, string term) =>
            InsertBefore(record, term, t => t.IsMechanismNamed("all") || t.IsModifier);

        /// <summary>Inserts <paramref name="term"/> right after <c>v=spf1</c>, so it is matched first and costs no lookup.</summary>
        public static string InsertFirst(string record, string term) => InsertBefore(record, term, _ => true);
    }
}
