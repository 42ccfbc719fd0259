using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace M365SmtpTools.Engine.Smtp
{
    /// <summary>One complete (possibly multi-line) server reply.</summary>
    public sealed class SmtpReply
    {
        /// <summary>Creates a reply from its code and the text of each line (without the code and separator).</summary>
        public SmtpReply(int code, IReadOnlyList<string> lines)
        {
            if (code < 200 || code > 599) throw new ArgumentOutOfRangeException(nameof(code), "An SMTP reply code is between 200 and 599.");
            Code = code;
            Lines = lines ?? throw new ArgumentNullException(nameof(lines));
            if (Lines.Count == 0) throw new ArgumentException("A reply has at least one line.", nameof(lines));
            EnhancedStatusCode = EnhancedStatusCode.FromReplyText(Lines[0], code);
        }

        /// <summary>The three-digit reply code.</summary>
        public int Code { get; }

        /// <summary>The text of each line, without the code and the separator.</summary>
        public IReadOnlyList<string> Lines { get; }

        /// <summary>The enhanced status code at the start of the first line's text, when there is one.</summary>
        public EnhancedStatusCode? EnhancedStatusCode { get; }

        /// <summary>The lines' text joined with spaces.</summary>
        public string Text => string.Join(" ", Lines);

        /// <summary>2xx.</summary>
        public bool IsPositiveCompletion => Code >= 200 && Code < 300;

        /// <summary>3xx (334 during AUTH, 354 after DATA).</summary>
        public bool IsPositiveIntermediate => Code >= 300 && Code < 400;

        /// <summary>4xx: the command failed but may succeed later.</summary>
        public bool IsTransientFailure => Code >= 400 && Code < 500;

        /// <summary>5xx: the command failed for good.</summary>
        public bool IsPermanentFailure => Code >= 500;

        /// <summary>The reply as the server sent it (lines joined with CRLF, without the final CRLF).</summary>
        public override string ToString()
        {
            string code = Code.ToString(CultureInfo.InvariantCulture);
            return string.Join("\r\n", Lines.Select((l, i) => code + (i == Lines.Count - 1 ? " " : "-") + l));
        }
    }
}
