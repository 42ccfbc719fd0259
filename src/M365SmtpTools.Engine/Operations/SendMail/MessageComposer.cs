using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using M365SmtpTools.Engine.Exchange;
using M365SmtpTools.Engine.Mime;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>
    /// Builds the MIME message of one Send-M365Mail input: the sender (defaulting to the signed-in mailbox), the
    /// recipients, the bodies, attachments, inline images matched to the HTML's cid: references, and extra headers.
    /// </summary>
    internal sealed class MessageComposer
    {
        private readonly SendMailRequest _request;
        private readonly IOperationHost _host;

        public MessageComposer(SendMailRequest request, IOperationHost host)
        {
            _request = request;
            _host = host;
        }

        /// <summary>The message for a spec (already filled with the request's defaults); <paramref name="signedInAs"/> is the session's mailbox, if any.</summary>
        /// <exception cref="M365SmtpException">The input can't make a message (no sender, a bad address, a missing file).</exception>
        public MimeMessage Compose(MailMessageSpec spec, int index, string? signedInAs)
        {
            if (spec.InputError != null) throw spec.InputError;
            var b = new MessageBuilder();
            string? from = spec.From;
            if (string.IsNullOrWhiteSpace(from) && (_request.Method == SendMethod.ClientSubmission || _request.Method == SendMethod.Graph))
            {
                string? user = signedInAs ?? _request.UserName ?? _request.Credential?.UserName;
                if (user != null && EmailAddress.TryParse(user, out EmailAddress? _)) from = user;
            }
            if (string.IsNullOrWhiteSpace(from))
                throw new M365SmtpException(MimeErrorCodes.MessageHasNoSender, "The message has no From address.")
                {
                    TargetObject = "From",
                    ParameterName = "From",
                    RecommendedAction = _request.Method == SendMethod.ClientSubmission
                        ? "Give -From (it defaults to the authenticating mailbox when that is an address)."
                        : "Give -From with an address in one of the tenant's accepted domains.",
                };
            b.From = EmailAddress.Parse(from!);
            AddAll(b.To, spec.To);
            AddAll(b.Cc, spec.Cc);
            AddAll(b.Bcc, spec.Bcc);
            AddAll(b.ReplyTo, spec.ReplyTo);
            b.Subject = spec.Subject;
            // An empty or blank body (an empty CSV cell) means "not given": an empty text/html part would make mail
            // clients show the blank HTML part instead of the text.
            b.TextBody = string.IsNullOrWhiteSpace(spec.Body) ? null : spec.Body;
            b.HtmlBody = string.IsNullOrWhiteSpace(spec.HtmlBody) ? null : spec.HtmlBody;
            if (_request.BodyAsHtml && b.HtmlBody == null)
            {
                b.HtmlBody = b.TextBody;
                b.TextBody = null;
            }
            b.Priority = spec.Priority;
            foreach (string path in spec.Attachment ?? Array.Empty<string>())
                if (!string.IsNullOrWhiteSpace(path)) b.Attachments.Add(MimeAttachment.FromFile(path.Trim()));
            AddInlineImages(b, spec, index);
            if (spec.Header != null)
                foreach (DictionaryEntry h in spec.Header)
                    b.AddHeader(Convert.ToString(h.Key, CultureInfo.InvariantCulture) ?? "", Convert.ToString(h.Value, CultureInfo.InvariantCulture) ?? "");
            if (b.TextBody == null && b.HtmlBody == null) b.TextBody = "";
            return b.Build();
        }

        private void AddInlineImages(MessageBuilder b, MailMessageSpec spec, int index)
        {
            var referenced = CidReferences.In(b.HtmlBody);
            var given = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach ((string cid, string path) in InlineImages(spec.InlineImage))
            {
                given.Add(cid);
                if (referenced.Contains(cid)) b.InlineImages.Add(MimeAttachment.FromFile(path).WithContentId(cid));
                else
                {
                    // Not shown by the HTML (or there is no HTML): an ordinary attachment, so the file still arrives.
                    _host.WriteVerbose($"Message {index + 1}: the inline image '{cid}' isn't referenced as cid:{cid} in the HTML body; attaching it as a file.");
                    b.Attachments.Add(MimeAttachment.FromFile(path));
                }
            }
            foreach (string cid in referenced.Where(c => !given.Contains(c)))
                _host.WriteWarning($"Message {index + 1}: the HTML body shows cid:{cid}, but no -InlineImage has that Content-ID, so the image will be missing. Give -InlineImage @{{ '{cid}' = '<path of the image>' }}.");
        }

        private static void AddAll(List<EmailAddress> list, string[]? values)
        {
            foreach (string v in values ?? Array.Empty<string>())
                if (!string.IsNullOrWhiteSpace(v))
                    foreach (EmailAddress a in EmailAddress.ParseList(v))
                        if (!list.Contains(a)) list.Add(a);
        }

        /// <summary>
        /// The Content-ID → file pairs of an InlineImage value: dictionaries of Content-ID → path, dictionaries with the
        /// keys ContentId and Path, or strings <c>contentId=path</c>.
        /// </summary>
        internal static IEnumerable<(string ContentId, string Path)> InlineImages(object[]? items)
        {
            foreach (object? item in items ?? Array.Empty<object>())
            {
                if (item == null) continue;
                if (item is IDictionary d)
                {
                    object? cid = Find(d, "ContentId", "Cid", "Id");
                    object? path = Find(d, "Path", "FilePath", "File", "FullName");
                    if (cid != null && path != null)
                    {
                        yield return (Str(cid), Str(path));
                        continue;
                    }
                    foreach (DictionaryEntry e in d) yield return (Str(e.Key), Str(e.Value));
                    continue;
                }
                if (item is string s && s.IndexOf('=') > 0)
                {
                    int eq = s.IndexOf('=');
                    yield return (s.Substring(0, eq).Trim(), s.Substring(eq + 1).Trim());
                    continue;
                }
                throw new M365SmtpException(RequestErrorCodes.InvalidInlineImage,
                    $"The inline image '{item}' is not a Content-ID → file pair.")
                {
                    TargetObject = item,
                    ParameterName = "InlineImage",
                    RecommendedAction = "Give a hashtable such as @{ chart = 'C:\\reports\\chart.png' } and reference it as <img src=\"cid:chart\"> in -HtmlBody.",
                };
            }

            static object? Find(IDictionary d, params string[] keys)
            {
                foreach (DictionaryEntry e in d)
                    foreach (string k in keys)
                        if (string.Equals(Convert.ToString(e.Key, CultureInfo.InvariantCulture), k, StringComparison.OrdinalIgnoreCase)) return e.Value;
                return null;
            }

            static string Str(object? o) => Convert.ToString(o, CultureInfo.InvariantCulture) ?? "";
        }
    }
}
