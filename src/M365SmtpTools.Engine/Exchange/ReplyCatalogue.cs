using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace M365SmtpTools.Engine.Exchange
{
    /// <summary>Values a remediation command is filled with (unknown ones stay as quoted placeholders).</summary>
    public sealed class RemediationContext
    {
        /// <summary>The mailbox that authenticates (the XOAUTH2 user or the Basic user name).</summary>
        public string? Mailbox { get; set; }
        /// <summary>The MAIL FROM address.</summary>
        public string? Sender { get; set; }
        /// <summary>The Entra application (client) id, for app-only tokens.</summary>
        public string? AppId { get; set; }
        /// <summary>The enterprise application's (service principal's) object id, when known.</summary>
        public string? ServicePrincipalObjectId { get; set; }
        /// <summary>The recipient the reply refused (RCPT TO), or the message's first recipient.</summary>
        public string? Recipient { get; set; }
        /// <summary>True when the session authenticated with OAuth (changes what 5.7.3 most likely means).</summary>
        public bool UsedOAuth { get; set; }

        /// <summary>A copy naming <paramref name="recipient"/> as the recipient (when it isn't null).</summary>
        public RemediationContext ForRecipient(string? recipient) => recipient == null ? this : new RemediationContext
        {
            Mailbox = Mailbox, Sender = Sender, AppId = AppId, ServicePrincipalObjectId = ServicePrincipalObjectId, UsedOAuth = UsedOAuth,
            Recipient = recipient,
        };
    }

    /// <summary>Where in the SMTP dialogue a reply comes (or that it only comes later, in a non-delivery report).</summary>
    [Flags]
    public enum ReplyStages
    {
        /// <summary>None.</summary>
        None = 0,
        /// <summary>The banner (instead of 220).</summary>
        Greeting = 1,
        /// <summary>The reply to EHLO/HELO.</summary>
        Ehlo = 2,
        /// <summary>The reply to AUTH.</summary>
        Auth = 4,
        /// <summary>The reply to MAIL FROM.</summary>
        MailFrom = 8,
        /// <summary>The reply to RCPT TO.</summary>
        RcptTo = 16,
        /// <summary>The reply to the end of the message (the final dot of DATA, or BDAT LAST).</summary>
        EndOfData = 32,
        /// <summary>Not in the dialogue: reported later in a non-delivery report, after the server accepted the message.</summary>
        Ndr = 64,
    }

    /// <summary>Who can fix what a reply reports.</summary>
    [Flags]
    public enum ReplyFixOwner
    {
        /// <summary>Nobody named.</summary>
        None = 0,
        /// <summary>The admin of the sending organization (or whoever configures the sending app or device).</summary>
        SendersAdmin = 1,
        /// <summary>The admin of the recipient's organization.</summary>
        RecipientsAdmin = 2,
        /// <summary>Microsoft (support, the delist portal).</summary>
        Microsoft = 4,
    }

    /// <summary>Whether sending the same message again can succeed.</summary>
    public enum ReplyRetry
    {
        /// <summary>Yes, later, unchanged (the condition lifts by itself): retry with back-off.</summary>
        RetryLater,
        /// <summary>Only after someone fixes the cause (configuration, permission, block list).</summary>
        RetryAfterFix,
        /// <summary>No: the message, its sender or its recipients must change.</summary>
        DoNotRetry,
    }

    /// <summary>The public page a catalogue row is grounded in.</summary>
    public sealed class ReplySource
    {
        internal ReplySource(string title, string url) { Title = title; Url = url; }
        /// <summary>The page's title.</summary>
        public string Title { get; }
        /// <summary>Its address.</summary>
        public string Url { get; }
        /// <inheritdoc />
        public override string ToString() => $"{Title} <{Url}>";
    }

    /// <summary>
    /// A row of the reply catalogue: the replies it matches (enhanced code and text), where they come, what they mean,
    /// who can fix them, whether to retry, the fix, and the page it comes from.
    /// </summary>
    public sealed class ReplyCatalogueEntry
    {
        private string? _summary;

        internal ReplyCatalogueEntry(string id, string enhanced, string? textPattern, params int[] codes)
        {
            Id = id;
            Codes = codes;
            EnhancedCode = enhanced;
            TextPattern = textPattern == null ? null : new Regex(textPattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        }

        /// <summary>A stable id (also the finding id), e.g. <c>SmtpAuthDisabled</c>.</summary>
        public string Id { get; }
        /// <summary>The basic reply codes it applies to (empty: any).</summary>
        public IReadOnlyList<int> Codes { get; }
        /// <summary>
        /// The enhanced status code(s): <c>5.7.139</c>, a range like <c>4.7.500-699</c>, or a list like
        /// <c>5.4.6,5.4.14</c>; empty: any.
        /// </summary>
        public string EnhancedCode { get; }
        /// <summary>Text that must also appear; null for a fallback row that explains the code when no row's text matches.</summary>
        public Regex? TextPattern { get; }
        /// <summary>True for a fallback row (no text pattern): it lists the candidate causes in order of likelihood.</summary>
        public bool IsFallback => TextPattern == null;
        /// <summary>Where in the dialogue the reply comes.</summary>
        public ReplyStages Stages { get; internal set; }
        /// <summary>Who can fix it.</summary>
        public ReplyFixOwner FixOwner { get; internal set; }
        /// <summary>Whether the same message can succeed later.</summary>
        public ReplyRetry Retry { get; internal set; }
        /// <summary>The page the row comes from.</summary>
        public ReplySource Source { get; internal set; } = null!;
        /// <summary>How serious it is: a warning for a temporary (4.x.x) reply that clears by itself, else an error.</summary>
        public FindingSeverity Severity => IsTransient ? FindingSeverity.Warning : FindingSeverity.Error;
        /// <summary>True for a temporary (4.x.x) reply whose retry later, unchanged, can succeed.</summary>
        public bool IsTransient => Retry == ReplyRetry.RetryLater && EnhancedCode.StartsWith("4.", StringComparison.Ordinal);
        /// <summary>What the reply says happened, in one sentence.</summary>
        public string Summary { get => _summary ?? ""; internal set => _summary = value; }
        /// <summary>Why it typically happens.</summary>
        public string Cause { get; internal set; } = "";
        /// <summary>For an ambiguous reply: the possible causes, most likely first.</summary>
        public IReadOnlyList<string> Candidates { get; internal set; } = Array.Empty<string>();
        /// <summary>The summary for a password (Basic) session, when it differs.</summary>
        public string? PasswordSummary { get; internal set; }
        /// <summary>What to do, in words (without who and when; see <see cref="Remediation"/>).</summary>
        public string Fix { get; internal set; } = "";
        /// <summary>What the reply means: the summary, the cause, and the candidates in order of likelihood.</summary>
        public string Meaning => Compose(Summary);
        /// <summary>What to do, who can do it, and whether to retry.</summary>
        public string Remediation => $"{Fix} {OwnerSentence(FixOwner)} {RetrySentence(Retry)}";
        /// <summary>Exchange Online commands with placeholders {Mailbox}, {Sender}, {Recipient}, {AppId}, {ServicePrincipal}.</summary>
        public IReadOnlyList<string> CommandTemplates { get; internal set; } = Array.Empty<string>();

        /// <summary>The meaning for a run with this context (a password session may read differently).</summary>
        public string MeaningFor(RemediationContext? context) =>
            context != null && !context.UsedOAuth && PasswordSummary != null ? Compose(PasswordSummary) : Meaning;

        private string Compose(string summary)
        {
            string text = Cause.Length == 0 ? summary : summary + " " + Cause;
            if (Candidates.Count > 0)
                text += " In order of likelihood: " + string.Join("; ", Candidates.Select((c, i) => $"{i + 1}) {c}")) + ".";
            return text;
        }

        private static string OwnerSentence(ReplyFixOwner owner)
        {
            var who = new List<string>();
            if ((owner & ReplyFixOwner.SendersAdmin) != 0) who.Add("the sender's admin");
            if ((owner & ReplyFixOwner.RecipientsAdmin) != 0) who.Add("the recipient's admin");
            if ((owner & ReplyFixOwner.Microsoft) != 0) who.Add("Microsoft");
            return who.Count == 0 ? "" : "Who can fix it: " + string.Join(who.Count == 2 ? " or " : ", ", who) + ".";
        }

        private static string RetrySentence(ReplyRetry retry) => retry switch
        {
            ReplyRetry.RetryLater => "Retry: later, with back-off; it clears by itself.",
            ReplyRetry.RetryAfterFix => "Retry: only after the fix; until then every attempt gets the same reply.",
            _ => "Retry: no; the same message will be refused again.",
        };

        /// <summary>The commands with the context's values filled in (unknown values as quoted placeholders).</summary>
        public IReadOnlyList<string> Commands(RemediationContext? context) =>
            CommandTemplates.Select(t => t
                .Replace("{Mailbox}", Quote(context?.Mailbox, "<mailbox>"))
                .Replace("{Sender}", Quote(context?.Sender, "<sender address>"))
                .Replace("{Recipient}", Quote(context?.Recipient, "<recipient address>"))
                .Replace("{AppId}", Quote(context?.AppId, "<application id>"))
                .Replace("{ServicePrincipal}", Quote(context?.ServicePrincipalObjectId, "<enterprise application object id>")))
            .ToList();

        // Single-quoted PowerShell literals: safe to paste, and a placeholder still parses.
        private static string Quote(string? value, string placeholder) => PowerShellText.Quote(value ?? placeholder);

        /// <summary>True when the row matches the reply (its basic code, enhanced code and text).</summary>
        public bool Matches(int code, EnhancedCodeParts? enhanced, string text)
        {
            if (Codes.Count > 0 && !Codes.Contains(code)) return false;
            if (EnhancedCode.Length > 0 && (enhanced == null || !enhanced.Value.Within(EnhancedCode))) return false;
            return TextPattern == null || TextPattern.IsMatch(text);
        }

        /// <summary>
        /// How specific the row is: a text pattern beats a fallback, an exact enhanced code beats a range or list. The
        /// most specific matching row explains a reply; rows of equal precedence must never disagree on a reply.
        /// </summary>
        public int Precedence => (TextPattern != null ? 4 : 0) + (EnhancedCode.Length == 0 ? 0 : EnhancedCode.IndexOfAny(new[] { '-', ',' }) < 0 ? 2 : 1);
    }

    /// <summary>An enhanced status code (RFC 3463) split into its three numbers.</summary>
    public readonly struct EnhancedCodeParts
    {
        /// <summary>Creates the code.</summary>
        public EnhancedCodeParts(int @class, int subject, int detail) { Class = @class; Subject = subject; Detail = detail; }
        /// <summary>2 success, 4 persistent transient failure, 5 permanent failure.</summary>
        public int Class { get; }
        /// <summary>The subject (0 other, 1 addressing, 2 mailbox, 3 mail system, 4 network, 5 protocol, 6 content, 7 security).</summary>
        public int Subject { get; }
        /// <summary>The detail.</summary>
        public int Detail { get; }

        /// <summary>Parses <c>5.7.139</c>; null when the text isn't an enhanced code.</summary>
        public static EnhancedCodeParts? Parse(string? text)
        {
            if (text == null) return null;
            Match m = Regex.Match(text, @"^\s*([245])\.(\d{1,3})\.(\d{1,3})\b");
            if (!m.Success) return null;
            return new EnhancedCodeParts(int.Parse(m.Groups[1].Value), int.Parse(m.Groups[2].Value), int.Parse(m.Groups[3].Value));
        }

        /// <summary>
        /// True when this code equals <c>x.y.z</c>, falls in <c>x.y.a-b</c>, or matches one item of a comma-separated
        /// list of those.
        /// </summary>
        public bool Within(string pattern)
        {
            if (pattern.IndexOf(',') >= 0)
            {
                foreach (string one in pattern.Split(','))
                    if (Within(one.Trim())) return true;
                return false;
            }
            string[] p = pattern.Split('.');
            if (int.Parse(p[0]) != Class || int.Parse(p[1]) != Subject) return false;
            string[] range = p[2].Split('-');
            return range.Length == 1 ? int.Parse(range[0]) == Detail : Detail >= int.Parse(range[0]) && Detail <= int.Parse(range[1]);
        }

        /// <inheritdoc />
        public override string ToString() => $"{Class}.{Subject}.{Detail}";
    }

    /// <summary>What an SMTP reply means, from the catalogue or, failing that, from RFC 3463's generic meanings.</summary>
    public sealed class ReplyExplanation
    {
        internal ReplyExplanation(ReplyCatalogueEntry? entry, string id, FindingSeverity severity, bool transient, string meaning,
            string remediation, IReadOnlyList<string> commands)
        {
            Entry = entry; Id = id; Severity = severity; IsTransient = transient; Meaning = meaning; Remediation = remediation;
            Commands = commands;
        }
        /// <summary>The catalogue entry, or null for a generic explanation.</summary>
        public ReplyCatalogueEntry? Entry { get; }
        /// <summary>The finding id.</summary>
        public string Id { get; }
        /// <summary>How serious it is.</summary>
        public FindingSeverity Severity { get; }
        /// <summary>True when a retry later can succeed.</summary>
        public bool IsTransient { get; }
        /// <summary>What it means.</summary>
        public string Meaning { get; }
        /// <summary>What to do.</summary>
        public string Remediation { get; }
        /// <summary>Commands to run, values filled in.</summary>
        public IReadOnlyList<string> Commands { get; }
    }

    /// <summary>
    /// The replies Exchange Online gives to clients, relay devices and Direct Send devices, with their meaning and fix:
    /// one table (<see cref="Entries"/>, in ReplyCatalogueTable.cs) whose rows name the Microsoft page they come from.
    /// A reply is explained by its most specific matching row (<see cref="ReplyCatalogueEntry.Precedence"/>): a row
    /// whose text pattern matches beats a fallback row for the code alone, an exact code beats a range.
    /// </summary>
    public static partial class ReplyCatalogue
    {
        /// <summary>Every row of the table.</summary>
        public static IReadOnlyList<ReplyCatalogueEntry> Entries => Table;

        /// <summary>The rows that match a reply, most specific first (table order among equals).</summary>
        public static IReadOnlyList<ReplyCatalogueEntry> Matching(int code, string? enhancedCode, string text)
        {
            EnhancedCodeParts? enhanced = EnhancedCodeParts.Parse(enhancedCode) ?? EnhancedCodeParts.Parse(text);
            return Table.Select((e, i) => (e, i)).Where(x => x.e.Matches(code, enhanced, text ?? ""))
                .OrderByDescending(x => x.e.Precedence).ThenBy(x => x.i).Select(x => x.e).ToList();
        }

        /// <summary>Explains a reply: the most specific catalogue row that matches, else RFC 3463's generic meaning.</summary>
        public static ReplyExplanation Explain(int code, string? enhancedCode, string text, RemediationContext? context = null)
        {
            ReplyCatalogueEntry? entry = Matching(code, enhancedCode, text).FirstOrDefault();
            if (entry != null)
                return new ReplyExplanation(entry, entry.Id, entry.Severity, entry.IsTransient, entry.MeaningFor(context),
                    entry.Remediation, entry.Commands(context));
            EnhancedCodeParts? enhanced = EnhancedCodeParts.Parse(enhancedCode) ?? EnhancedCodeParts.Parse(text);
            bool transient = code >= 400 && code < 500;
            return new ReplyExplanation(null, "SmtpReply" + code, transient ? FindingSeverity.Warning : FindingSeverity.Error, transient,
                GenericMeaning(code, enhanced),
                transient ? "A temporary failure: retry later." : "A permanent failure: read the server's text for the reason.",
                Array.Empty<string>());
        }

        /// <summary>RFC 3463's meaning of an enhanced code's class and subject (and the common details).</summary>
        public static string GenericMeaning(int code, EnhancedCodeParts? enhanced)
        {
            string cls = (enhanced?.Class ?? code / 100) switch
            {
                2 => "Success",
                4 => "Persistent transient failure",
                5 => "Permanent failure",
                _ => "Unknown reply class",
            };
            if (enhanced == null) return $"{cls} (reply {code}).";
            string subject = enhanced.Value.Subject switch
            {
                0 => "other or undefined status",
                1 => "addressing status (a mailbox address or domain)",
                2 => "mailbox status (the mailbox is full, disabled or not accepting mail)",
                3 => "mail system status (the receiving system)",
                4 => "network and routing status",
                5 => "mail delivery protocol status",
                6 => "message content or media status",
                7 => "security or policy status",
                _ => "an unknown subject",
            };
            string detail = (enhanced.Value.Subject, enhanced.Value.Detail) switch
            {
                (1, 1) => ": bad destination mailbox address",
                (1, 2) => ": bad destination system address",
                (1, 3) => ": bad destination mailbox address syntax",
                (1, 7) => ": bad sender's mailbox address syntax",
                (1, 8) => ": bad sender's system address",
                (2, 1) => ": mailbox disabled, not accepting messages",
                (2, 2) => ": mailbox full",
                (2, 3) => ": message length exceeds administrative limit",
                (3, 4) => ": message too big for system",
                (4, 1) => ": no answer from host",
                (4, 7) => ": delivery time expired",
                (5, 1) => ": invalid command",
                (5, 2) => ": syntax error",
                (5, 3) => ": too many recipients",
                (7, 0) => ": other security or policy status",
                (7, 1) => ": delivery not authorized, message refused",
                (7, 8) => ": authentication credentials invalid",
                (7, 9) => ": authentication mechanism is too weak",
                (7, 11) => ": encryption required for requested authentication mechanism",
                _ => "",
            };
            return $"{cls}: {subject}{detail} ({enhanced}).";
        }
    }
}
