using System;

namespace M365SmtpTools.Engine.Mime
{
    /// <summary>A custom header field: the name is RFC 5322 ftext, the value is validated (no line breaks or control characters) and
    /// encoded when written.</summary>
    public sealed class MessageHeader
    {
        private static readonly string[] Reserved =
        {
            "From", "Sender", "Reply-To", "To", "Cc", "Bcc", "Subject", "Date", "Message-ID", "MIME-Version",
            "Content-Type", "Content-Transfer-Encoding", "Content-Disposition", "Content-ID", "X-Priority", "Importance", "Priority",
        };

        /// <summary>Creates the header.</summary>
        /// <exception cref="M365SmtpException">InvalidHeaderName, ReservedHeaderName, HeaderInjection, InvalidHeaderValue.</exception>
        public MessageHeader(string name, string value)
        {
            if (name == null) throw new ArgumentNullException(nameof(name));
            if (value == null) throw new ArgumentNullException(nameof(value));
            if (name.IndexOf('\r') >= 0 || name.IndexOf('\n') >= 0) throw MimeErrors.HeaderInjection("header name", name);
            if (name.Length == 0 || name.Length > 76)
                throw MimeErrors.Create(MimeErrorCodes.InvalidHeaderName,
                    $"The header name '{MimeErrors.Printable(name)}' must be 1 to 76 characters long.", name,
                    "Use a short name such as X-Application.");
            foreach (char c in name)
                if (!HeaderText.IsFText(c))
                    throw MimeErrors.Create(MimeErrorCodes.InvalidHeaderName,
                        $"The header name '{MimeErrors.Printable(name)}' has the character '{MimeErrors.Printable(c.ToString())}'; a " +
                            "header name is printable ASCII without spaces or ':'.",
                        name, "Use letters, digits and hyphens, such as X-Application.");
            foreach (string r in Reserved)
                if (string.Equals(r, name, StringComparison.OrdinalIgnoreCase))
                    throw MimeErrors.Create(MimeErrorCodes.ReservedHeaderName,
                        $"The header '{name}' is written by the message builder and can't be added as a custom header.", name,
                        "Set the matching property (From, To, Subject, Priority, …) instead.");
            HeaderText.Validate(value, $"value of header '{name}'");
            Name = name;
            Value = value;
        }

        /// <summary>The field name.</summary>
        public string Name { get; }

        /// <summary>The unencoded value.</summary>
        public string Value { get; }

        /// <inheritdoc />
        public override string ToString() => Name + ": " + Value;
    }
}
