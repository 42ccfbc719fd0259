using System;
using System.Runtime.InteropServices;
using System.Security;

namespace M365SmtpTools.Engine.Auth
{
    /// <summary>Conversions of secrets held in <see cref="SecureString"/>; the plain copies live as briefly as possible.</summary>
    public static class SecretText
    {
        /// <summary>A read-only SecureString holding <paramref name="value"/> (for C# callers and tests).</summary>
        public static SecureString ToSecureString(string value)
        {
            var secure = new SecureString();
            foreach (char c in value) secure.AppendChar(c);
            secure.MakeReadOnly();
            return secure;
        }

        /// <summary>The plain text of a SecureString. Callers must not log, format or keep it.</summary>
        internal static string Reveal(SecureString secure)
        {
            IntPtr ptr = IntPtr.Zero;
            try
            {
                ptr = Marshal.SecureStringToGlobalAllocUnicode(secure);
                return Marshal.PtrToStringUni(ptr) ?? "";
            }
            finally
            {
                if (ptr != IntPtr.Zero) Marshal.ZeroFreeGlobalAllocUnicode(ptr);
            }
        }

        /// <summary>True when a SecureString is null or holds nothing.</summary>
        internal static bool IsEmpty(SecureString? secure) => secure == null || secure.Length == 0;
    }
}
