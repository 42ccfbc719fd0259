using System;
using M365SmtpTools.Engine.Exchange;
using M365SmtpTools.Engine.Mime;
using M365SmtpTools.Engine.Smtp;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>One input of a Send-M365Mail batch on its way to its one result.</summary>
    internal sealed class SendItem
    {
        public int Index;
        public MailMessageSpec Spec = null!;
        public MimeMessage? Message;
        public SmtpDsnNotify Notify;
        public ResolvedSmtpEndpoint? Endpoint;
        public SendMailResult Result = new SendMailResult();
        public DateTimeOffset? Started;
        public bool Done;
    }
}
