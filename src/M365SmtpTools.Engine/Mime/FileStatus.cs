using System;
using System.IO;
using System.Runtime.InteropServices;

namespace M365SmtpTools.Engine.Mime
{
    /// <summary>
    /// What a path names on Unix, following symbolic links: a regular file and its size, or something else (a FIFO,
    /// a device, a socket) that must not be opened as an attachment (opening a FIFO blocks until a writer appears).
    /// Uses the .NET runtime's own native shim (System.Native's SystemNative_Stat, whose FileStatus layout is the
    /// runtime's, not the C library's); where it isn't available (Windows, .NET Framework) nothing is known.
    /// </summary>
    internal static class FileStatus
    {
        private const int TypeMask = 0xF000, Regular = 0x8000, Directory = 0x4000;

        [DllImport("libSystem.Native", EntryPoint = "SystemNative_Stat", CharSet = CharSet.Ansi, SetLastError = true)]
        private static extern int Stat(string path, byte[] status);

        /// <summary>True when the path could be examined; <paramref name="regular"/> says whether it is a regular file (after
        /// links).</summary>
        public static bool TryGet(string path, out bool regular, out bool directory, out long size)
        {
            regular = false; directory = false; size = -1;
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return false;
            try
            {
                var status = new byte[256]; // FileStatus is about 120 bytes; room to spare
                if (Stat(path, status) != 0) return false;
                int mode = BitConverter.ToInt32(status, 4);
                regular = (mode & TypeMask) == Regular;
                directory = (mode & TypeMask) == Directory;
                size = BitConverter.ToInt64(status, 16);
                return true;
            }
            catch (Exception e) when (e is DllNotFoundException || e is EntryPointNotFoundException || e is BadImageFormatException)
            {
                return false;
            }
        }
    }
}
