using System;
using System.Collections.Generic;
using System.IO;

namespace M365SmtpTools.Engine.Mime
{
    /// <summary>Media types of common file extensions; anything else is application/octet-stream.</summary>
    public static class ContentTypes
    {
        /// <summary>The type used when the extension is unknown.</summary>
        public const string Default = "application/octet-stream";

        private static readonly Dictionary<string, string> ByExtension = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            [".txt"] = "text/plain", [".log"] = "text/plain", [".csv"] = "text/csv", [".htm"] = "text/html", [".html"] = "text/html",
            [".md"] = "text/markdown", [".ics"] = "text/calendar", [".xml"] = "application/xml", [".json"] = "application/json",
            [".pdf"] = "application/pdf", [".rtf"] = "application/rtf", [".zip"] = "application/zip", [".gz"] = "application/gzip",
            [".7z"] = "application/x-7z-compressed", [".tar"] = "application/x-tar",
            [".png"] = "image/png", [".jpg"] = "image/jpeg", [".jpeg"] = "image/jpeg", [".gif"] = "image/gif", [".bmp"] = "image/bmp",
            [".svg"] = "image/svg+xml", [".webp"] = "image/webp", [".tif"] = "image/tiff", [".tiff"] = "image/tiff",
            [".ico"] = "image/x-icon",
            [".mp3"] = "audio/mpeg", [".wav"] = "audio/wav", [".mp4"] = "video/mp4",
            [".doc"] = "application/msword", [".xls"] = "application/vnd.ms-excel", [".ppt"] = "application/vnd.ms-powerpoint",
            [".docx"] = "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            [".xlsx"] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            [".pptx"] = "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            [".msg"] = "application/vnd.ms-outlook",
        };

        /// <summary>The media type for a file name's extension (<c>report.pdf</c> → <c>application/pdf</c>).</summary>
        public static string FromFileName(string fileName)
        {
            string ext = Path.GetExtension(fileName ?? "");
            return ext.Length > 0 && ByExtension.TryGetValue(ext, out string? type) ? type : Default;
        }

        /// <summary>Validates a caller-given media type: <c>type/subtype</c> of token characters, not multipart or message (they can't be
        /// base64).</summary>
        internal static string Validate(string contentType)
        {
            string t = contentType.Trim();
            int slash = t.IndexOf('/');
            bool ok = slash > 0 && slash < t.Length - 1 && t.IndexOf('/', slash + 1) < 0;
            foreach (char c in t)
                if (c != '/' && !(c > 0x20 && c < 0x7f && "()<>@,;:\\\"[]?=".IndexOf(c) < 0)) ok = false;
            if (!ok)
                throw MimeErrors.Create(MimeErrorCodes.InvalidContentType, $"'{MimeErrors.Printable(contentType)}' is not a media type " +
                    "such as application/pdf.",
                    contentType, "Give type/subtype without parameters, or leave it empty to use the file extension.");
            if (t.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase)
                || t.StartsWith("message/", StringComparison.OrdinalIgnoreCase))
                throw MimeErrors.Create(MimeErrorCodes.InvalidContentType, $"An attachment can't have the composite type '{t}'.",
                    contentType, "Use application/octet-stream for the file instead.");
            return t.ToLowerInvariant();
        }
    }
}
