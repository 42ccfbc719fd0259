using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;

namespace M365SmtpTools.Engine.Mime
{
    /// <summary>The Content-IDs an HTML body refers to with cid: URLs (RFC 2392), e.g. &lt;img src="cid:chart"&gt;.</summary>
    public static class CidReferences
    {
        private static readonly Regex CidUrl = new Regex(@"\bcid:([^""'\s>)]+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        /// <summary>The distinct Content-IDs referenced (URL-decoded, compared without case), in order of appearance.</summary>
        public static HashSet<string> In(string? html)
        {
            var found = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            if (string.IsNullOrEmpty(html)) return found;
            foreach (Match m in CidUrl.Matches(html!)) found.Add(Uri.UnescapeDataString(m.Groups[1].Value));
            return found;
        }
    }
}
