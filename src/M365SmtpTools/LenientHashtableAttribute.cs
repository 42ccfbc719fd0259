using System;
using System.Collections;
using System.Management.Automation;

namespace M365SmtpTools
{
    /// <summary>
    /// Binds a pipeline value of a hashtable parameter (-Header) without failing: blank binds as null, a dictionary as is,
    /// an object's properties as name/value pairs, text such as a CSV cell as "Name: value" or "Name=value" pairs
    /// separated by semicolons or line breaks; anything else binds as an <see cref="UnreadableHashtable"/> that the
    /// cmdlet reports as this input's error, so the row still gets its result.
    /// </summary>
    public sealed class LenientHashtableAttribute : ArgumentTransformationAttribute
    {
        /// <inheritdoc />
        public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
        {
            object? value = inputData is PSObject pso ? pso.BaseObject : inputData;
            switch (value)
            {
                case null: return null;
                case Hashtable _: return value;
                case IDictionary d: return new Hashtable(d);
                case PSCustomObject _:
                    var bag = new Hashtable(StringComparer.OrdinalIgnoreCase);
                    foreach (PSPropertyInfo p in ((PSObject)inputData!).Properties) bag[p.Name] = p.Value;
                    return bag;
                case string s: return Parse(s);
                default: return new UnreadableHashtable(value.ToString() ?? "");
            }
        }

        private static Hashtable? Parse(string text)
        {
            if (string.IsNullOrWhiteSpace(text)) return null;
            var table = new Hashtable(StringComparer.OrdinalIgnoreCase);
            foreach (string raw in text.Split(new[] { ';', '\r', '\n' }, StringSplitOptions.RemoveEmptyEntries))
            {
                string pair = raw.Trim();
                if (pair.Length == 0) continue;
                int colon = pair.IndexOf(':'), equals = pair.IndexOf('=');
                int at = colon < 0 ? equals : equals < 0 ? colon : Math.Min(colon, equals);
                if (at <= 0) return new UnreadableHashtable(text);
                table[pair.Substring(0, at).Trim()] = pair.Substring(at + 1).Trim();
            }
            return table.Count == 0 ? null : table;
        }
    }

    /// <summary>A -Header value that is neither a hashtable nor "Name: value" text; the cmdlet fails that input with it.</summary>
    public sealed class UnreadableHashtable : Hashtable
    {
        /// <summary>Keeps the text that couldn't be read.</summary>
        public UnreadableHashtable(string text) => Text = text;

        /// <summary>The value as given.</summary>
        public string Text { get; }
    }
}
