using System;
using System.Globalization;

namespace M365SmtpTools.Engine.Smtp
{
    /// <summary>
    /// An RFC 3463 enhanced status code (<c>class.subject.detail</c>, e.g. <c>5.7.139</c>) as carried at the start of
    /// a reply's text when the server supports ENHANCEDSTATUSCODES (RFC 2034).
    /// </summary>
    public sealed class EnhancedStatusCode : IEquatable<EnhancedStatusCode>
    {
        /// <summary>Creates a code from its three parts.</summary>
        public EnhancedStatusCode(int @class, int subject, int detail)
        {
            if (@class != 2 && @class != 4 && @class != 5) throw new ArgumentOutOfRangeException(nameof(@class), "The class of an " +
                "enhanced status code is 2, 4 or 5.");
            if (subject < 0 || subject > 999) throw new ArgumentOutOfRangeException(nameof(subject));
            if (detail < 0 || detail > 999) throw new ArgumentOutOfRangeException(nameof(detail));
            Class = @class;
            Subject = subject;
            Detail = detail;
        }

        /// <summary>2 (success), 4 (persistent transient failure) or 5 (permanent failure).</summary>
        public int Class { get; }

        /// <summary>The subject: 7 is security or policy, 2 is mailbox, 3 is mail system, 4 is network and routing.</summary>
        public int Subject { get; }

        /// <summary>The detail within the subject.</summary>
        public int Detail { get; }

        /// <summary>Parses <c>c.s.d</c> (e.g. <c>5.7.3</c>); returns false when <paramref name="text"/> isn't one.</summary>
        public static bool TryParse(string? text, out EnhancedStatusCode? code)
        {
            code = null;
            if (text == null) return false;
            string[] parts = text.Split('.');
            if (parts.Length != 3) return false;
            if (!TryPart(parts[0], 1, out int c) || !TryPart(parts[1], 3, out int s) || !TryPart(parts[2], 3, out int d)) return false;
            if (c != 2 && c != 4 && c != 5) return false;
            code = new EnhancedStatusCode(c, s, d);
            return true;
        }

        /// <summary>Parses the code at the start of a reply line's text (<c>"5.7.3 Authentication unsuccessful"</c>).</summary>
        internal static EnhancedStatusCode? FromReplyText(string text, int replyCode)
        {
            int end = text.IndexOf(' ');
            string first = end < 0 ? text : text.Substring(0, end);
            if (!TryParse(first, out EnhancedStatusCode? code)) return null;
            // RFC 3463: the class must agree with the reply code's first digit; a mismatch means it isn't a status code.
            return code!.Class == replyCode / 100 ? code : null;
        }

        private static bool TryPart(string s, int maxDigits, out int value)
        {
            value = 0;
            if (s.Length == 0 || s.Length > maxDigits) return false;
            foreach (char ch in s)
                if (ch < '0' || ch > '9') return false;
            value = int.Parse(s, NumberStyles.None, CultureInfo.InvariantCulture);
            return true;
        }

        /// <summary>True when this code equals <c>class.subject.detail</c> given as text (e.g. <c>"5.7.139"</c>).</summary>
        public bool Is(string code) => TryParse(code, out EnhancedStatusCode? other) && Equals(other);

        /// <inheritdoc />
        public bool Equals(EnhancedStatusCode? other) =>
            other != null && other.Class == Class && other.Subject == Subject && other.Detail == Detail;

        /// <inheritdoc />
        public override bool Equals(object? obj) => Equals(obj as EnhancedStatusCode);

        /// <inheritdoc />
        public override int GetHashCode() => (Class * 1000 + Subject) * 1000 + Detail;

        /// <summary>The code as <c>class.subject.detail</c>.</summary>
        public override string ToString() =>
            Class.ToString(CultureInfo.InvariantCulture) + "." + Subject.ToString(CultureInfo.InvariantCulture) + "."
                + Detail.ToString(CultureInfo.InvariantCulture);
    }
}
