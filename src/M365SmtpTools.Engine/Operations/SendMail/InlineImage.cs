using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>An image shown by the HTML body: the file, and the Content-ID the HTML references as <c>cid:ContentId</c>.</summary>
    public sealed class InlineImage
    {
        /// <summary>An image.</summary>
        public InlineImage(string contentId, string path)
        {
            ContentId = contentId ?? throw new ArgumentNullException(nameof(contentId));
            Path = path ?? throw new ArgumentNullException(nameof(path));
        }

        /// <summary>The Content-ID (without angle brackets), as referenced by <c>&lt;img src="cid:..."&gt;</c>.</summary>
        public string ContentId { get; }

        /// <summary>The image file.</summary>
        public string Path { get; }

        /// <inheritdoc />
        public override string ToString() => $"{ContentId}={Path}";

        /// <summary>
        /// The images written the ways a user gives them: dictionaries of Content-ID → path (<c>@{ chart = 'chart.png' }</c>),
        /// dictionaries with the keys ContentId and Path, or strings <c>contentId=path</c>. Null items are skipped.
        /// </summary>
        /// <exception cref="M365SmtpException">InvalidInlineImage for any other value (its parameter: InlineImage).</exception>
        public static InlineImage[] From(IEnumerable<object?>? items)
        {
            var images = new List<InlineImage>();
            foreach (object? item in items ?? Array.Empty<object?>())
            {
                if (item == null) continue;
                if (item is IDictionary d)
                {
                    object? cid = Find(d, "ContentId", "Cid", "Id");
                    object? path = Find(d, "Path", "FilePath", "File", "FullName");
                    if (cid != null && path != null) images.Add(new InlineImage(Text(cid), Text(path)));
                    else foreach (DictionaryEntry e in d) images.Add(new InlineImage(Text(e.Key), Text(e.Value)));
                    continue;
                }
                string? pair = item as string;
                int eq = pair?.IndexOf('=') ?? -1;
                if (eq > 0)
                {
                    images.Add(new InlineImage(pair!.Substring(0, eq).Trim(), pair.Substring(eq + 1).Trim()));
                    continue;
                }
                throw new M365SmtpException(RequestErrorCodes.InvalidInlineImage, $"The inline image '{item}' is not a Content-ID → " +
                    "file pair.")
                {
                    TargetObject = item,
                    ParameterName = "InlineImage",
                    RecommendedAction = "Give a hashtable such as @{ chart = 'C:\\reports\\chart.png' } and reference it as <img " +
                        "src=\"cid:chart\"> in -HtmlBody.",
                };
            }
            return images.ToArray();
        }

        private static object? Find(IDictionary d, params string[] keys)
        {
            foreach (DictionaryEntry e in d)
                foreach (string k in keys)
                    if (string.Equals(Text(e.Key), k, StringComparison.OrdinalIgnoreCase)) return e.Value;
            return null;
        }

        private static string Text(object? o) => Convert.ToString(o, CultureInfo.InvariantCulture) ?? "";
    }
}
