using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using M365SmtpTools.Engine.Mime;
using M365SmtpTools.Engine.Smtp;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>
    /// One message: its values as given (a request's <see cref="SendMailRequest.Message"/>, or one pipeline object of a
    /// batch). Null values fall back to the defaults (<see cref="WithDefaults"/>), so
    /// <c>Import-Csv batch.csv | Send-M365Mail -From ops@contoso.com</c> takes From from the parameter and everything else
    /// from each row.
    /// </summary>
    public sealed class MailMessageSpec
    {
        /// <summary>The author.</summary>
        public string? From { get; set; }
        /// <summary>To recipients.</summary>
        public string[]? To { get; set; }
        /// <summary>Cc recipients.</summary>
        public string[]? Cc { get; set; }
        /// <summary>Bcc recipients.</summary>
        public string[]? Bcc { get; set; }
        /// <summary>Reply-To addresses.</summary>
        public string[]? ReplyTo { get; set; }
        /// <summary>The subject.</summary>
        public string? Subject { get; set; }
        /// <summary>The plain-text body.</summary>
        public string? Body { get; set; }
        /// <summary>The HTML body.</summary>
        public string? HtmlBody { get; set; }
        /// <summary>Files to attach (full paths; the cmdlet resolves wildcards and relative paths).</summary>
        public string[]? Attachment { get; set; }
        /// <summary>Images for the HTML body, each referenced there as cid:ContentId (<see cref="Operations.InlineImage.From"/>
        /// reads the ways users write them).</summary>
        public InlineImage[]? InlineImage { get; set; }
        /// <summary>Custom header fields, name → value (<see cref="HeadersFrom"/> reads a hashtable).</summary>
        public IReadOnlyDictionary<string, string>? Header { get; set; }
        /// <summary>The priority (X-Priority, Importance, Priority headers); none by default.</summary>
        public MessagePriority? Priority { get; set; }
        /// <summary>DSN NOTIFY (Success, Failure, Delay, Never), sent when the server offers DSN; null: the server's default.</summary>
        public SmtpDsnNotify? DeliveryNotification { get; set; }

        /// <summary>The input this message came from (the pipeline object), reported as the target of its errors.</summary>
        public object? Input { get; set; }

        /// <summary>
        /// A value of this input the caller couldn't read (a CSV cell that isn't a valid Priority or Header): the message
        /// fails with this error before anything is sent, and the other messages go on.
        /// </summary>
        public M365SmtpException? InputError { get; set; }

        /// <summary>
        /// Header fields from a dictionary (a PowerShell hashtable): names and values as invariant text, names matched
        /// without case as PowerShell's hashtables match them.
        /// </summary>
        public static IReadOnlyDictionary<string, string> HeadersFrom(IDictionary headers)
        {
            if (headers == null) throw new ArgumentNullException(nameof(headers));
            var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (DictionaryEntry h in headers)
                map[Convert.ToString(h.Key, CultureInfo.InvariantCulture) ?? ""] = Convert.ToString(h.Value, CultureInfo.InvariantCulture)
                    ?? "";
            return map;
        }

        /// <summary>
        /// Maps a row (a CSV record, a property bag) to a message the way PowerShell binds pipeline objects by property
        /// name: keys are matched to the message parameter names without case (and the aliases Recipient, Recipients,
        /// EmailAddress for To; TextBody for Body; Attachments for Attachment); unknown keys are ignored; empty values
        /// count as absent. Address fields may hold several addresses separated by commas or semicolons; Attachment
        /// several paths separated by semicolons.
        /// </summary>
        /// <exception cref="M365SmtpException">InvalidRowValue when Priority or DeliveryNotification isn't a valid name;
        /// InvalidInlineImage.</exception>
        public static MailMessageSpec FromRow(IEnumerable<KeyValuePair<string, object?>> row)
        {
            if (row == null) throw new ArgumentNullException(nameof(row));
            var spec = new MailMessageSpec();
            var bag = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
            foreach (KeyValuePair<string, object?> kv in row)
                if (kv.Key != null && !IsEmpty(kv.Value)) bag[kv.Key.Trim()] = kv.Value;
            spec.From = Text(bag, "From");
            spec.To = Strings(bag, "To", "Recipient", "Recipients", "EmailAddress");
            spec.Cc = Strings(bag, "Cc");
            spec.Bcc = Strings(bag, "Bcc");
            spec.ReplyTo = Strings(bag, "ReplyTo");
            spec.Subject = Text(bag, "Subject");
            spec.Body = Text(bag, "Body", "TextBody");
            spec.HtmlBody = Text(bag, "HtmlBody");
            string[]? attachments = Strings(bag, "Attachment", "Attachments");
            spec.Attachment = attachments?.SelectMany(a => a.Split(';')).Select(a => a.Trim()).Where(a => a.Length > 0).ToArray();
            if (bag.TryGetValue("InlineImage", out object? images))
                spec.InlineImage = Operations.InlineImage.From(images is object[] arr ? arr : new[] { images });
            if (bag.TryGetValue("Header", out object? header) && header is IDictionary h) spec.Header = HeadersFrom(h);
            string? priority = Text(bag, "Priority");
            if (priority != null) spec.Priority = ParseEnum<MessagePriority>(priority, "Priority");
            string? dsn = Text(bag, "DeliveryNotification");
            if (dsn != null) spec.DeliveryNotification = ParseEnum<SmtpDsnNotify>(dsn, "DeliveryNotification");
            spec.Input = row;
            return spec;
        }

        /// <summary>A copy whose absent values are taken from <paramref name="defaults"/>.</summary>
        public MailMessageSpec WithDefaults(MailMessageSpec defaults)
        {
            if (defaults == null) throw new ArgumentNullException(nameof(defaults));
            return new MailMessageSpec
            {
                From = From ?? defaults.From,
                To = To ?? defaults.To,
                Cc = Cc ?? defaults.Cc,
                Bcc = Bcc ?? defaults.Bcc,
                ReplyTo = ReplyTo ?? defaults.ReplyTo,
                Subject = Subject ?? defaults.Subject,
                Body = Body ?? defaults.Body,
                HtmlBody = HtmlBody ?? defaults.HtmlBody,
                Attachment = Attachment ?? defaults.Attachment,
                InlineImage = InlineImage ?? defaults.InlineImage,
                Header = Header ?? defaults.Header,
                Priority = Priority ?? defaults.Priority,
                DeliveryNotification = DeliveryNotification ?? defaults.DeliveryNotification,
                Input = Input,
                InputError = InputError,
            };
        }

        /// <summary>Every recipient as given (To, Cc, Bcc), for display.</summary>
        public IEnumerable<string> AllRecipientsText() =>
            (To ?? Array.Empty<string>()).Concat(Cc ?? Array.Empty<string>()).Concat(Bcc ?? Array.Empty<string>())
                .Where(s => !string.IsNullOrWhiteSpace(s));

        /// <inheritdoc />
        public override string ToString() => $"{From ?? "(default sender)"} -> {string.Join(", ", AllRecipientsText())}: {Subject}";

        private static bool IsEmpty(object? value) =>
            value == null || (value is string s && s.Trim().Length == 0) || (value is Array a && a.Length == 0);

        private static string? Text(Dictionary<string, object?> bag, params string[] names)
        {
            foreach (string n in names)
                if (bag.TryGetValue(n, out object? v))
                    return v is string s ? s : v is IEnumerable e && !(v is string) ? string.Join(", ", e.Cast<object>())
                        : Convert.ToString(v, CultureInfo.InvariantCulture);
            return null;
        }

        private static string[]? Strings(Dictionary<string, object?> bag, params string[] names)
        {
            foreach (string n in names)
            {
                if (!bag.TryGetValue(n, out object? v)) continue;
                if (v is string s) return new[] { s };
                if (v is IEnumerable e) return e.Cast<object?>().Where(x => x != null)
                    .Select(x => Convert.ToString(x, CultureInfo.InvariantCulture)!).ToArray();
                return new[] { Convert.ToString(v, CultureInfo.InvariantCulture)! };
            }
            return null;
        }

        private static T ParseEnum<T>(string value, string field) where T : struct
        {
            if (Enum.TryParse(value.Trim(), true, out T parsed) && !int.TryParse(value.Trim(), out _)) return parsed;
            throw new M365SmtpException(RequestErrorCodes.InvalidRowValue,
                $"'{value}' is not a valid {field}; use one of: {string.Join(", ", Enum.GetNames(typeof(T)))}.")
            { TargetObject = field, ParameterName = field, RecommendedAction = $"Fix the {field} column." };
        }
    }
}
