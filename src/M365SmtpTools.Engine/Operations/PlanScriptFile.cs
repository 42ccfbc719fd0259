using System;
using System.IO;
using System.Reflection;
using System.Text;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>
    /// Writes a plan's script (-ScriptPath): UTF-8 with a byte order mark (Windows PowerShell 5.1 reads it correctly). An existing file is replaced only with -Force; a symbolic link is never
    /// followed (someone else's link would make the module write where it points); on Linux and macOS the file is
    /// readable by its owner only, as it describes the tenant's setup.
    /// </summary>
    internal static class PlanScriptFile
    {
        public static void Write(string path, string text, bool overwrite)
        {
            var file = new FileInfo(Path.GetFullPath(path));
            if (file.Exists || Directory.Exists(file.FullName))
            {
                if ((file.Attributes & FileAttributes.ReparsePoint) != 0)
                    throw new M365SmtpException("ScriptPathIsLink", ErrorKind.InvalidOperation,
                        $"-ScriptPath '{path}' is a symbolic link; the script is not written through it.")
                    { TargetObject = path, RecommendedAction = "Give the path of a regular file (or of one that doesn't exist yet)." };
                if (Directory.Exists(file.FullName))
                    throw new M365SmtpException("ScriptPathIsFolder", ErrorKind.InvalidArgument, $"-ScriptPath '{path}' is a folder.")
                    { TargetObject = path, RecommendedAction = "Give a file name, e.g. ./relay.ps1." };
                if (!overwrite)
                    throw new M365SmtpException("ScriptExists", ErrorKind.ResourceUnavailable, $"-ScriptPath '{path}' already exists and was left as it is.")
                    { TargetObject = path, RecommendedAction = "Add -Force to replace it, or give another path." };
            }
            try
            {
                if (file.DirectoryName != null) Directory.CreateDirectory(file.DirectoryName);
                if (file.Exists) file.Delete();
                using (var stream = new FileStream(file.FullName, FileMode.CreateNew, FileAccess.Write, FileShare.None))
                {
                    OwnerOnly(file.FullName);
                    byte[] bytes = new UTF8Encoding(encoderShouldEmitUTF8Identifier: true).GetPreamble();
                    stream.Write(bytes, 0, bytes.Length);
                    bytes = Encoding.UTF8.GetBytes(text);
                    stream.Write(bytes, 0, bytes.Length);
                }
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is NotSupportedException || e is ArgumentException)
            {
                throw new M365SmtpException("ScriptWriteFailed", ErrorKind.InvalidOperation, $"-ScriptPath: the script couldn't be written to '{path}': {e.Message}", e)
                { TargetObject = path, RecommendedAction = "Choose a folder you can write to." };
            }
        }

        // chmod 600 where the runtime has File.SetUnixFileMode (.NET 7+, so PowerShell 7.4+ on Linux and macOS); reached by
        // reflection because netstandard2.0 doesn't expose it. Windows files keep their folder's ACL.
        private static void OwnerOnly(string path)
        {
            if (Path.DirectorySeparatorChar == '\\') return;
            Type? mode = Type.GetType("System.IO.UnixFileMode, System.Runtime", throwOnError: false)
                ?? typeof(File).Assembly.GetType("System.IO.UnixFileMode", throwOnError: false);
            MethodInfo? set = mode == null ? null : typeof(File).GetMethod("SetUnixFileMode", new[] { typeof(string), mode });
            set?.Invoke(null, new object[] { path, Enum.ToObject(mode!, 0x180) }); // UserRead | UserWrite
        }
    }
}
