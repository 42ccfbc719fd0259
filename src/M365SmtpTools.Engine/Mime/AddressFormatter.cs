using System.Collections.Generic;

namespace M365SmtpTools.Engine.Mime
{
    /// <summary>Turns mailboxes into header tokens: display names as atoms, quoted strings or encoded words.</summary>
    internal static class AddressFormatter
    {
        internal static List<string> Tokens(IReadOnlyList<EmailAddress> addresses, bool allowUtf8)
        {
            var tokens = new List<string>();
            for (int i = 0; i < addresses.Count; i++)
            {
                EmailAddress a = addresses[i];
                if (a.RequiresSmtpUtf8 && !allowUtf8) throw MimeErrors.SmtpUtf8Required($"address '{a.Address}'", a.ToString());
                string spec = EmailAddress.FormatLocalPart(a.LocalPart) + "@" + (allowUtf8 ? a.Domain : a.AsciiDomain);
                if (a.DisplayName == null) tokens.Add(spec);
                else
                {
                    tokens.AddRange(PhraseTokens(a.DisplayName, allowUtf8));
                    tokens.Add("<" + spec + ">");
                }
                if (i < addresses.Count - 1) tokens[tokens.Count - 1] += ",";
            }
            return tokens;
        }

        /// <summary>A display name: atoms when every word is atext, a quoted string when it is printable, else encoded words.</summary>
        internal static List<string> PhraseTokens(string name, bool allowUtf8)
        {
            bool printable = HeaderText.Utf8Length(name) <= 900 && !name.Contains("=?");
            foreach (char c in name)
            {
                if (c >= 0x80) { if (!allowUtf8) printable = false; }
                else if (!HeaderText.IsPrintableAsciiOrSpace(c)) printable = false;
            }
            if (!printable) return EncodedWordEncoder.Encode(name);

            string[] words = name.Split(' ');
            bool atoms = true;
            foreach (string w in words)
            {
                if (w.Length == 0) { atoms = false; break; }
                foreach (char c in w)
                    if (c < 0x80 && !HeaderText.IsAText(c)) { atoms = false; break; }
            }
            return atoms ? new List<string>(words) : new List<string> { HeaderText.Quote(name) };
        }
    }
}
