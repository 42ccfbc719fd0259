using System;
using System.IO;

namespace M365SmtpTools.Engine.Mime
{
    /// <summary>
    /// A file attached to a message (or an inline image when it has a Content-ID). The content is read only while the
    /// message is written, in chunks: from a file path, or from a stream opened by a factory at that moment.
    /// Attachments are always sent base64, so their encoded size is known from their length alone.
    /// </summary>
    public sealed class MimeAttachment
    {
        private readonly Func<Stream>? _open;
        private readonly long _streamLength;

        private MimeAttachment(string fileName, string? contentType, string? filePath, Func<Stream>? open, long streamLength,
            string? contentId)
        {
            if (fileName == null) throw new ArgumentNullException(nameof(fileName));
            HeaderText.Validate(fileName, "attachment file name");
            if (fileName.Trim().Length == 0)
                throw MimeErrors.Create(MimeErrorCodes.InvalidFileName, "The attachment file name is empty.",
                    fileName, "Give the attachment a file name.");
            FileName = fileName;
            ContentType = string.IsNullOrWhiteSpace(contentType)
                ? ContentTypes.FromFileName(fileName) : ContentTypes.Validate(contentType!);
            FilePath = filePath;
            _open = open;
            _streamLength = streamLength;
            if (contentId != null) ContentId = ValidateContentId(contentId);
        }

        /// <summary>The file name shown to the recipient.</summary>
        public string FileName { get; }

        /// <summary>The media type (from the extension unless given).</summary>
        public string ContentType { get; }

        /// <summary>The file the content is read from, or null for a stream attachment.</summary>
        public string? FilePath { get; }

        /// <summary>The Content-ID (without angle brackets) that HTML references as <c>cid:…</c>; set for inline images.</summary>
        public string? ContentId { get; }

        /// <summary>An attachment read from a file when the message is written. The file must exist when the message is built and
        /// written.</summary>
        /// <param name="path">The file.</param>
        /// <param name="fileName">The name shown to the recipient (default: the file's name).</param>
        /// <param name="contentType">The media type (default: from the extension).</param>
        public static MimeAttachment FromFile(string path, string? fileName = null, string? contentType = null)
        {
            if (path == null) throw new ArgumentNullException(nameof(path));
            string full;
            try { full = Path.GetFullPath(path); }
            catch (Exception e) when (e is ArgumentException || e is NotSupportedException || e is PathTooLongException)
            {
                throw MimeErrors.Create(MimeErrorCodes.AttachmentNotFound, ErrorKind.InvalidArgument,
                    $"The attachment path '{MimeErrors.Printable(path)}' is not a valid path: {e.Message}", path,
                    "Give the path of an existing file.", e);
            }
            return new MimeAttachment(fileName ?? Path.GetFileName(full), contentType, full, null, 0, null);
        }

        /// <summary>An attachment whose stream is opened by <paramref name="openStream"/> when the message is written (and disposed
        /// after).</summary>
        /// <param name="fileName">The name shown to the recipient.</param>
        /// <param name="openStream">Opens the content; called once per write.</param>
        /// <param name="length">The exact number of bytes the stream holds.</param>
        /// <param name="contentType">The media type (default: from the extension).</param>
        public static MimeAttachment FromStream(string fileName, Func<Stream> openStream, long length, string? contentType = null)
        {
            if (openStream == null) throw new ArgumentNullException(nameof(openStream));
            if (length < 0) throw new ArgumentOutOfRangeException(nameof(length), "The length can't be negative.");
            return new MimeAttachment(fileName, contentType, null, openStream, length, null);
        }

        /// <summary>An attachment from bytes in memory.</summary>
        public static MimeAttachment FromBytes(string fileName, byte[] content, string? contentType = null)
        {
            if (content == null) throw new ArgumentNullException(nameof(content));
            return new MimeAttachment(fileName, contentType, null, () => new MemoryStream(content, false), content.Length, null);
        }

        /// <summary>A copy with a Content-ID, for use as an inline image (<c>&lt;img src="cid:logo"&gt;</c> →
        /// <c>WithContentId("logo")</c>).</summary>
        public MimeAttachment WithContentId(string contentId)
            => new MimeAttachment(FileName, ContentType, FilePath, _open, _streamLength,
                contentId ?? throw new ArgumentNullException(nameof(contentId)));

        /// <summary>Checks that the content can be read: the file exists, is not a folder, and opens for reading.</summary>
        /// <exception cref="M365SmtpException">AttachmentNotFound, AttachmentIsDirectory, AttachmentNotRegularFile,
        /// AttachmentUnreadable.</exception>
        public void Validate()
        {
            if (FilePath == null) return;
            if (Directory.Exists(FilePath))
                throw MimeErrors.Create(MimeErrorCodes.AttachmentIsDirectory,
                    $"The attachment '{FilePath}' is a folder, not a file.", FilePath,
                    "Give the path of a file; to send a folder, compress it into a .zip first.");
            if (!File.Exists(FilePath))
                throw MimeErrors.Create(MimeErrorCodes.AttachmentNotFound, $"The attachment file '{FilePath}' does not exist.", FilePath,
                    "Check the path (relative paths are resolved against the current directory).");
            // A FIFO, device or socket: opening a FIFO blocks until something writes to it, and none has a length to announce.
            if (FileStatus.TryGet(FilePath, out bool regular, out bool directory, out _) && !regular && !directory) throw NotRegularFile();
            try
            {
                using (new FileStream(FilePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1)) { }
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                throw Unreadable(e);
            }
        }

        /// <summary>The content length in bytes (a file's current length).</summary>
        internal long GetLength()
        {
            if (FilePath == null) return _streamLength;
            // The size of what the path leads to: a symbolic link's own size is the length of its target's name.
            if (FileStatus.TryGet(FilePath, out bool regular, out bool directory, out long size))
            {
                if (regular) return size;
                if (!directory) throw NotRegularFile();
            }
            try
            {
                using var stream = new FileStream(FilePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
                return stream.Length;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException) { throw Unreadable(e); }
        }

        internal Stream Open()
        {
            try
            {
                if (FilePath != null)
                    return new FileStream(FilePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1,
                        FileOptions.Asynchronous | FileOptions.SequentialScan);
                return _open!() ?? throw new InvalidOperationException("The stream factory returned null.");
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is InvalidOperationException
                || e is NotSupportedException)
            {
                throw Unreadable(e);
            }
        }

        private M365SmtpException NotRegularFile()
            => MimeErrors.Create(MimeErrorCodes.AttachmentNotRegularFile,
                $"The attachment '{FilePath}' is not a regular file (a named pipe, device or socket).", FilePath!,
                "Attach a regular file: copy the data into a file first.");

        internal M365SmtpException Unreadable(Exception e)
            => MimeErrors.Create(MimeErrorCodes.AttachmentUnreadable, $"The attachment '{FilePath ?? FileName}' can't be read: {e.Message}",
                (object?)FilePath ?? FileName,
                "Check that the file exists, is not locked by another program, and that you may read it.", e);

        private static string ValidateContentId(string contentId)
        {
            string id = contentId.Trim();
            if (id.StartsWith("<", StringComparison.Ordinal)
                && id.EndsWith(">", StringComparison.Ordinal)) id = id.Substring(1, id.Length - 2);
            bool ok = id.Length > 0 && id.Length <= 200;
            foreach (char c in id)
                if (c <= 0x20 || c >= 0x7f || c == '<' || c == '>' || c == '"' || c == '\\' || c == '(' || c == ')' || c == ',' || c == ';'
                    || c == ':' || c == '[' || c == ']')
                    ok = false;
            if (!ok)
                throw MimeErrors.Create(MimeErrorCodes.InvalidContentId,
                    $"'{MimeErrors.Printable(contentId)}' is not a usable Content-ID: use 1 to 200 printable ASCII characters without " +
                        "spaces, quotes, brackets or separators.",
                    contentId, "Use a simple id such as logo or logo@contoso.com and reference it as cid:logo in the HTML.");
            return id;
        }
    }
}
