using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace M365SmtpTools.Engine.Auth
{
    /// <summary>
    /// The forms a secret takes on the wire and in replies: the text itself, its base64 and base64url encodings (padded
    /// and not), and the part of its encoding that is the same wherever it sits inside a longer base64 blob (a SASL
    /// response such as XOAUTH2's <c>user=…^Aauth=Bearer &lt;token&gt;</c>). Redacting all of them keeps a secret out
    /// of a line that echoes it encoded.
    /// </summary>
    public sealed class SecretForms
    {
        /// <summary>Forms shorter than this are not masked: they would hide ordinary text.</summary>
        public const int MinimumLength = 8;

        private readonly List<string> _forms = new List<string>();
        private readonly object _gate = new object();

        /// <summary>True when nothing is registered.</summary>
        public bool IsEmpty { get { lock (_gate) return _forms.Count == 0; } }

        /// <summary>Registers <paramref name="secret"/> with every encoded form of it.</summary>
        public void Add(string? secret)
        {
            if (string.IsNullOrEmpty(secret) || secret!.Length < 4) return;
            var forms = Of(secret);
            lock (_gate)
            {
                foreach (string f in forms) if (!_forms.Contains(f)) _forms.Add(f);
                _forms.Sort((a, b) => b.Length.CompareTo(a.Length));
            }
        }

        /// <summary>The text with every registered form replaced by <paramref name="marker"/>.</summary>
        public string Redact(string text, string marker)
        {
            if (string.IsNullOrEmpty(text)) return text;
            lock (_gate)
            {
                foreach (string f in _forms)
                    if (text.IndexOf(f, StringComparison.Ordinal) >= 0) text = text.Replace(f, marker);
            }
            return text;
        }

        /// <summary>The forms of one secret (at least <see cref="MinimumLength"/> characters each, except the secret itself).</summary>
        public static IReadOnlyList<string> Of(string secret)
        {
            var forms = new List<string> { secret };
            byte[] bytes = Encoding.UTF8.GetBytes(secret);
            for (int align = 0; align < 3; align++)
            {
                var shifted = new byte[align + bytes.Length];
                Buffer.BlockCopy(bytes, 0, shifted, align, bytes.Length);
                string encoded = Convert.ToBase64String(shifted);
                if (align == 0) Both(forms, encoded, encoded.TrimEnd('='));
                // Only the 4-character groups whose 3 bytes all belong to the secret are independent of what surrounds it.
                int first = (align + 2) / 3, last = (align + bytes.Length) / 3;
                if (last > first) Both(forms, encoded.Substring(first * 4, (last - first) * 4));
            }
            Array.Clear(bytes, 0, bytes.Length);
            return forms.Where((f, i) => i == 0 || f.Length >= MinimumLength).Distinct(StringComparer.Ordinal).ToList();
        }

        private static void Both(List<string> forms, params string[] base64)
        {
            foreach (string b in base64)
            {
                forms.Add(b);
                forms.Add(b.Replace('+', '-').Replace('/', '_'));
            }
        }
    }
}
