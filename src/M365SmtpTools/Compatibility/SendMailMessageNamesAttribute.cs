using System;
using System.Linq;
using System.Management.Automation;
using M365SmtpTools.Engine.Operations;
using M365SmtpTools.Engine.Smtp;

namespace M365SmtpTools
{
    /// <summary>
    /// Lets a Send-MailMessage call move over by renaming the command: the values Send-MailMessage takes for
    /// -DeliveryNotificationOption (None, OnSuccess, OnFailure, Delay, Never) and -Encoding (a System.Text.Encoding or
    /// its name) are translated to this module's; anything else binds (or fails) as usual.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class SendMailMessageNamesAttribute : ArgumentTransformationAttribute
    {
        /// <inheritdoc />
        public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
        {
            object? value = inputData is PSObject pso ? pso.BaseObject : inputData;
            if (value is System.Text.Encoding encoding) return EncodingFor(encoding.WebName) ?? inputData;
            if (value is string text)
                return EncodingFor(text) is SendMailEncoding e ? e : DsnFor(text) is SmtpDsnNotify d ? d : inputData;
            if (value is object[] items && items.All(i => (i is PSObject p ? p.BaseObject : i) is string))
            {
                SmtpDsnNotify? combined = DsnFor(string.Join(",", items.Select(i => (i is PSObject p ? p.BaseObject : i)!.ToString())));
                return combined ?? inputData;
            }
            return inputData;
        }

        // Every encoding Send-MailMessage offers is sent as UTF-8 here; ASCII means "keep it 7-bit".
        private static SendMailEncoding? EncodingFor(string name)
        {
            switch (name.Trim().Replace("-", "").ToLowerInvariant())
            {
                case "ascii": case "usascii": return SendMailEncoding.SevenBit;
                case "utf8": case "utf8bom": case "utf8nobom": case "unicode": case "utf16": case "default": case "oem": case "utf32":
                case "bigendianunicode": case "bigendianutf32": case "utf7": case "latin1": case "iso88591":
                    return SendMailEncoding.Auto;
                default: return null;
            }
        }

        // Send-MailMessage's DeliveryNotificationOptions names, alone or comma-separated ("OnSuccess, OnFailure, Delay").
        // Only a list with one of its own names (None, OnSuccess, OnFailure) is translated; the rest bind as usual.
        private static SmtpDsnNotify? DsnFor(string names)
        {
            SmtpDsnNotify result = SmtpDsnNotify.Default;
            bool ownName = false;
            foreach (string raw in names.Split(new[] { ',' }, StringSplitOptions.RemoveEmptyEntries))
            {
                switch (raw.Trim().ToLowerInvariant())
                {
                    case "none": ownName = true; break;
                    case "onsuccess": result |= SmtpDsnNotify.Success; ownName = true; break;
                    case "onfailure": result |= SmtpDsnNotify.Failure; ownName = true; break;
                    case "delay": result |= SmtpDsnNotify.Delay; break;
                    case "never": result |= SmtpDsnNotify.Never; break;
                    default: return null;
                }
            }
            return ownName ? result : (SmtpDsnNotify?)null;
        }
    }
}
