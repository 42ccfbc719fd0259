using System;
using System.Collections.Generic;
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

        /// <summary>The message for a spec (already filled with the request's defaults); <paramref name="signedInAs"/> is the
        /// session's mailbox, if any.</summary>
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
                foreach (KeyValuePair<string, string> h in spec.Header)
                    b.AddHeader(h.Key, h.Value);
            if (b.TextBody == null && b.HtmlBody == null) b.TextBody = "";
            return b.Build();
        }

        private void AddInlineImages(MessageBuilder b, MailMessageSpec spec, int index)
        {
            var referenced = CidReferences.In(b.HtmlBody);
            var given = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (InlineImage image in spec.InlineImage ?? Array.Empty<InlineImage>())
            {
                (string cid, string path) = (image.ContentId, image.Path);
                given.Add(cid);
                if (referenced.Contains(cid)) b.InlineImages.Add(MimeAttachment.FromFile(path).WithContentId(cid));
                else
                {
                    // Not shown by the HTML (or there is no HTML): an ordinary attachment, so the file still arrives.
                    _host.WriteVerbose($"Message {index + 1}: the inline image '{cid}' isn't referenced as cid:{cid} in the HTML body; " +
                        "attaching it as a file.");
                    b.Attachments.Add(MimeAttachment.FromFile(path));
                }
            }
            foreach (string cid in referenced.Where(c => !given.Contains(c)))
                _host.WriteWarning($"Message {index + 1}: the HTML body shows cid:{cid}, but no -InlineImage has that Content-ID, so the " +
                    $"image will be missing. Give -InlineImage @{{ '{cid}' = '<path of the image>' }}.");
        }

        private static void AddAll(List<EmailAddress> list, string[]? values)
        {
            foreach (string v in values ?? Array.Empty<string>())
                if (!string.IsNullOrWhiteSpace(v))
                    foreach (EmailAddress a in EmailAddress.ParseList(v))
                        if (!list.Contains(a)) list.Add(a);
        }
    }
}
