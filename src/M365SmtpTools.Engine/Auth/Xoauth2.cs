using System;
using System.Text;

namespace M365SmtpTools.Engine.Auth
{
    /// <summary>
    /// The SASL XOAUTH2 initial response: <c>user=&lt;mailbox&gt;\x01auth=Bearer &lt;token&gt;\x01\x01</c>. The SMTP client
    /// sends it base64-encoded after <c>AUTH XOAUTH2</c>. The returned arrays hold a secret: clear them
    /// (<see cref="Clear"/>) as soon as they are written.
    /// </summary>
    public static class Xoauth2
    {
        /// <summary>The raw (not yet base64) XOAUTH2 bytes.</summary>
        public static byte[] BuildInitialResponse(string user, SmtpAccessToken token) => BuildInitialResponse(user, token.RevealToken());

        /// <summary>The raw (not yet base64) XOAUTH2 bytes for a token text.</summary>
        public static byte[] BuildInitialResponse(string user, string accessToken)
        {
            if (string.IsNullOrWhiteSpace(user))
                throw new M365SmtpException(AuthErrorCodes.Xoauth2UserMissing, "XOAUTH2 needs the mailbox (user=) and none was given.")
                {
                    TargetObject = "UserName",
                    ParameterName = "UserName",
                    RecommendedAction = "Give -UserName: the mailbox that authenticates (for app-only, the mailbox to send as).",
                };
            if (user.IndexOf('\x01') >= 0 || accessToken.IndexOf('\x01') >= 0 || user.IndexOf('\r') >= 0 || user.IndexOf('\n') >= 0)
                throw new M365SmtpException(AuthErrorCodes.Xoauth2InvalidCharacter,
                    "The user name or token contains a control character XOAUTH2 can't carry.")
                { TargetObject = "UserName", ParameterName = "UserName" };
            byte[] prefix = Encoding.UTF8.GetBytes("user=" + user.Trim() + "\u0001auth=Bearer ");
            int tokenLength = Encoding.ASCII.GetByteCount(accessToken);
            var result = new byte[prefix.Length + tokenLength + 2];
            Buffer.BlockCopy(prefix, 0, result, 0, prefix.Length);
            Encoding.ASCII.GetBytes(accessToken, 0, accessToken.Length, result, prefix.Length);
            result[result.Length - 2] = 1;
            result[result.Length - 1] = 1;
            return result;
        }

        /// <summary>The base64 form as ASCII bytes (what goes on the wire); the intermediate raw bytes are cleared.</summary>
        public static byte[] BuildBase64InitialResponse(string user, SmtpAccessToken token)
        {
            byte[] raw = BuildInitialResponse(user, token);
            try
            {
                char[] chars = new char[(raw.Length + 2) / 3 * 4];
                int n = Convert.ToBase64CharArray(raw, 0, raw.Length, chars, 0);
                byte[] ascii = new byte[n];
                for (int i = 0; i < n; i++) ascii[i] = (byte)chars[i];
                Array.Clear(chars, 0, chars.Length);
                return ascii;
            }
            finally
            {
                Clear(raw);
            }
        }

        /// <summary>Overwrites a secret buffer with zeros.</summary>
        public static void Clear(byte[]? buffer)
        {
            if (buffer != null) Array.Clear(buffer, 0, buffer.Length);
        }
    }
}
