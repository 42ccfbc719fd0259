using System;
using System.IO;
using System.Reflection;
using System.Runtime.ExceptionServices;
using System.Text;

namespace M365SmtpTools.Engine
{
    /// <summary>How a file the module writes is named in its errors: the parameter, what it holds, and the error codes.</summary>
    internal sealed class OutputFileKind
    {
        private OutputFileKind(string parameter, string contents, ErrorCode isLink, ErrorCode isFolder, ErrorCode exists,
            ErrorCode writeFailed, string example)
        {
            Parameter = parameter;
            Contents = contents;
            IsLink = isLink;
            IsFolder = isFolder;
            Exists = exists;
            WriteFailed = writeFailed;
            Example = example;
        }

        /// <summary>A plan's script (-ScriptPath).</summary>
        public static readonly OutputFileKind Script = new OutputFileKind("-ScriptPath", "the script",
            FileErrorCodes.ScriptPathIsLink, FileErrorCodes.ScriptPathIsFolder, FileErrorCodes.ScriptExists,
            FileErrorCodes.ScriptWriteFailed, "./relay.ps1");

        /// <summary>Send-M365Mail's SMTP transcript (-TranscriptPath).</summary>
        public static readonly OutputFileKind Transcript = new OutputFileKind("-TranscriptPath", "the transcript",
            FileErrorCodes.TranscriptPathIsLink, FileErrorCodes.TranscriptPathIsFolder, FileErrorCodes.TranscriptExists,
            FileErrorCodes.TranscriptFileUnavailable, "./smtp.log");

        public string Parameter { get; }
        public string Contents { get; }
        public ErrorCode IsLink { get; }
        public ErrorCode IsFolder { get; }
        public ErrorCode Exists { get; }
        public ErrorCode WriteFailed { get; }
        public string Example { get; }
    }

    /// <summary>
    /// Creates the files the module writes for the user (plan scripts, SMTP transcripts). They describe a tenant's setup or
    /// a mail session, so: an existing file is replaced only when asked (-Force); a symbolic link at the path is never
    /// followed (someone else's link would make the module write where it points); on Linux and macOS the file is created
    /// readable by its owner only (0600).
    /// </summary>
    internal static class PrivateOutputFile
    {
        /// <summary>The checks of <see cref="Create"/> without creating anything, so an operation can refuse before it starts.</summary>
        public static void Check(string path, bool overwrite, OutputFileKind kind)
        {
            var file = new FileInfo(Path.GetFullPath(path));
            bool isFolder = Directory.Exists(file.FullName);
            if (!file.Exists && !isFolder) return;
            // FileInfo reads the link itself (lstat), so a link to a folder or a dangling link is caught here too.
            if ((file.Attributes & FileAttributes.ReparsePoint) != 0)
                throw new M365SmtpException(kind.IsLink,
                    $"{kind.Parameter} '{path}' is a symbolic link; {kind.Contents} is not written through it.")
                { TargetObject = path, RecommendedAction = "Give the path of a regular file (or of one that doesn't exist yet)." };
            if (isFolder)
                throw new M365SmtpException(kind.IsFolder, $"{kind.Parameter} '{path}' is a folder.")
                { TargetObject = path, RecommendedAction = $"Give a file name, e.g. {kind.Example}." };
            if (!overwrite)
                throw new M365SmtpException(kind.Exists, $"{kind.Parameter} '{path}' already exists and was left as it is.")
                { TargetObject = path, RecommendedAction = "Add -Force to replace it, or give another path." };
        }

        /// <summary>
        /// Creates the file (its folder too) and opens it for writing. The file is created anew (O_EXCL), so a link
        /// planted between the check and the creation makes it fail instead of being followed.
        /// </summary>
        public static FileStream Create(string path, bool overwrite, OutputFileKind kind)
        {
            Check(path, overwrite, kind);
            string full = Path.GetFullPath(path);
            try
            {
                string? dir = Path.GetDirectoryName(full);
                if (dir != null) Directory.CreateDirectory(dir);
                if (File.Exists(full)) File.Delete(full);
                return CreateOwnerOnly(full);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is NotSupportedException
                || e is ArgumentException)
            {
                throw new M365SmtpException(kind.WriteFailed,
                    $"{kind.Parameter}: {kind.Contents} couldn't be written to '{path}': {e.Message}", e)
                { TargetObject = path, RecommendedAction = "Choose a folder you can write to." };
            }
        }

        /// <summary>Writes <paramref name="text"/> as UTF-8 (with a byte order mark when asked) through <see cref="Create"/>.</summary>
        public static void WriteText(string path, string text, bool overwrite, OutputFileKind kind, bool byteOrderMark)
        {
            using (FileStream stream = Create(path, overwrite, kind))
            {
                try
                {
                    byte[] bytes = new UTF8Encoding(byteOrderMark).GetPreamble();
                    stream.Write(bytes, 0, bytes.Length);
                    bytes = Encoding.UTF8.GetBytes(text);
                    stream.Write(bytes, 0, bytes.Length);
                }
                catch (IOException e)
                {
                    throw new M365SmtpException(kind.WriteFailed,
                        $"{kind.Parameter}: {kind.Contents} couldn't be written to '{path}': {e.Message}", e)
                    { TargetObject = path, RecommendedAction = "Choose a folder you can write to." };
                }
            }
        }

        // Where the runtime has FileStreamOptions.UnixCreateMode (.NET 7+, so PowerShell 7.4+ on Linux and macOS) the file is
        // created 0600 in one step; reached by reflection because netstandard2.0 doesn't expose it. Elsewhere on Unix it is
        // made 0600 before anything is written. Windows files keep their folder's ACL.
        private static FileStream CreateOwnerOnly(string path)
        {
            if (Path.DirectorySeparatorChar == '\\')
                return new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
            Type? optionsType = typeof(FileStream).Assembly.GetType("System.IO.FileStreamOptions", throwOnError: false);
            PropertyInfo? createMode = optionsType?.GetProperty("UnixCreateMode");
            ConstructorInfo? ctor = optionsType == null ? null : typeof(FileStream).GetConstructor(new[] { typeof(string), optionsType });
            if (optionsType != null && createMode != null && ctor != null)
            {
                object options = Activator.CreateInstance(optionsType)!;
                optionsType.GetProperty("Mode")!.SetValue(options, FileMode.CreateNew);
                optionsType.GetProperty("Access")!.SetValue(options, FileAccess.Write);
                optionsType.GetProperty("Share")!.SetValue(options, FileShare.Read);
                Type modeType = Nullable.GetUnderlyingType(createMode.PropertyType) ?? createMode.PropertyType;
                createMode.SetValue(options, Enum.ToObject(modeType, 0x180)); // UserRead | UserWrite
                try { return (FileStream)ctor.Invoke(new[] { path, options }); }
                catch (TargetInvocationException e) when (e.InnerException != null)
                { ExceptionDispatchInfo.Capture(e.InnerException).Throw(); throw; }
            }
            var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
            Type? mode = typeof(File).Assembly.GetType("System.IO.UnixFileMode", throwOnError: false);
            MethodInfo? set = mode == null ? null : typeof(File).GetMethod("SetUnixFileMode", new[] { typeof(string), mode });
            set?.Invoke(null, new object[] { path, Enum.ToObject(mode!, 0x180) });
            return stream;
        }
    }
}
