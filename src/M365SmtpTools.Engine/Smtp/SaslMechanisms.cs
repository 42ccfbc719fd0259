using System;
using System.Globalization;
using System.Linq;
using System.Text;

namespace M365SmtpTools.Engine.Smtp
{
    /// <summary>
    /// A client SASL mechanism (RFC 4954 for SMTP). Holds the secret as bytes, cleared on <see cref="Dispose"/>.
    /// A null response means "cancel the exchange" (the client sends <c>*</c>).
    /// </summary>
    internal abstract class SaslMechanism : IDisposable
    {
        private static readonly Encoding Utf8 = new UTF8Encoding(false);

        protected byte[] Secret { get; private set; }

        protected SaslMechanism(byte[] secret) => Secret = secret;

        public abstract string Name { get; }

        /// <summary>True when the mechanism has something to say first (RFC 4954 initial response).</summary>
        public abstract bool HasInitialResponse { get; }

        /// <summary>The decoded text of a challenge that reported an error (XOAUTH2 / OAUTHBEARER JSON), if any.</summary>
        public string? ErrorDetail { get; protected set; }

        /// <summary>The initial response (only when <see cref="HasInitialResponse"/>).</summary>
        public abstract byte[] InitialResponse();

        /// <summary>The answer to a server challenge; null cancels.</summary>
        public abstract byte[]? Respond(byte[] challenge, bool initialResponseSent);

        public void Dispose()
        {
            Array.Clear(Secret, 0, Secret.Length);
            Secret = Array.Empty<byte>();
        }

        protected static byte[] Bytes(string s) => Utf8.GetBytes(s);

        protected static string DecodeText(byte[] b) => Utf8.GetString(b);

        protected static byte[] Concat(params byte[][] parts)
        {
            int len = 0;
            foreach (byte[] p in parts) len += p.Length;
            var result = new byte[len];
            int pos = 0;
            foreach (byte[] p in parts)
            {
                Buffer.BlockCopy(p, 0, result, pos, p.Length);
                pos += p.Length;
            }
            return result;
        }

        public static SaslMechanism Create(SmtpAuthMechanism mechanism, string user, string secret, string host, int port)
        {
            // SASL framing uses NUL (PLAIN) and ^A (XOAUTH2, OAUTHBEARER) as separators: a value holding one could smuggle fields.
            if (user.IndexOfAny(new[] { '\0', '\u0001', '\r', '\n' }) >= 0 || secret.IndexOfAny(new[] { '\0', '\u0001', '\r', '\n' }) >= 0)
                throw new M365SmtpException(SmtpErrorCodes.CredentialInvalidCharacter,
                    $"The user name or secret for '{new string(user.Where(c => c >= ' ').ToArray())}' contains a control character " +
                        "SASL can't carry.")
                {
                    TargetObject = "UserName",
                    ParameterName = "UserName",
                    RecommendedAction = "Check the user name and the password or token for stray control characters.",
                };
            return CreateChecked(mechanism, user, secret, host, port);
        }

        private static SaslMechanism CreateChecked(SmtpAuthMechanism mechanism, string user, string secret, string host, int port)
            => mechanism switch
            {
                SmtpAuthMechanism.XOAuth2 => new XOAuth2Mechanism(user, secret),
                SmtpAuthMechanism.OAuthBearer => new OAuthBearerMechanism(user, secret, host, port),
                SmtpAuthMechanism.Plain => new PlainMechanism(user, secret),
                SmtpAuthMechanism.Login => new LoginMechanism(user, secret),
                _ => throw new ArgumentOutOfRangeException(nameof(mechanism)),
            };

        public static string NameOf(SmtpAuthMechanism mechanism) => mechanism switch
        {
            SmtpAuthMechanism.XOAuth2 => "XOAUTH2",
            SmtpAuthMechanism.OAuthBearer => "OAUTHBEARER",
            SmtpAuthMechanism.Plain => "PLAIN",
            SmtpAuthMechanism.Login => "LOGIN",
            _ => throw new ArgumentOutOfRangeException(nameof(mechanism)),
        };
    }

    /// <summary>XOAUTH2: <c>user=U^Aauth=Bearer T^A^A</c>. An error arrives as a 334 with base64 JSON; the answer is an empty
    /// line.</summary>
    internal sealed class XOAuth2Mechanism : SaslMechanism
    {
        public XOAuth2Mechanism(string user, string token)
            : base(Concat(Bytes("user=" + user + "\u0001auth=Bearer "), Bytes(token), Bytes("\u0001\u0001")))
        {
        }

        public override string Name => "XOAUTH2";

        public override bool HasInitialResponse => true;

        public override byte[] InitialResponse() => (byte[])Secret.Clone();

        public override byte[]? Respond(byte[] challenge, bool initialResponseSent)
        {
            if (!initialResponseSent && challenge.Length == 0) return InitialResponse();
            ErrorDetail = DecodeText(challenge);
            return Array.Empty<byte>();
        }
    }

    /// <summary>OAUTHBEARER (RFC 7628): a GS2 header and key/value pairs; an error challenge is answered with ^A.</summary>
    internal sealed class OAuthBearerMechanism : SaslMechanism
    {
        public OAuthBearerMechanism(string user, string token, string host, int port)
            : base(Concat(
                Bytes("n,a=" + user.Replace("=", "=3D").Replace(",", "=2C") + ",\u0001host=" + host + "\u0001port="
                    + port.ToString(CultureInfo.InvariantCulture) + "\u0001auth=Bearer "),
                Bytes(token), Bytes("\u0001\u0001")))
        {
        }

        public override string Name => "OAUTHBEARER";

        public override bool HasInitialResponse => true;

        public override byte[] InitialResponse() => (byte[])Secret.Clone();

        public override byte[]? Respond(byte[] challenge, bool initialResponseSent)
        {
            if (!initialResponseSent && challenge.Length == 0) return InitialResponse();
            ErrorDetail = DecodeText(challenge);
            return new byte[] { 1 };
        }
    }

    /// <summary>PLAIN (RFC 4616): <c>\0user\0password</c>.</summary>
    internal sealed class PlainMechanism : SaslMechanism
    {
        public PlainMechanism(string user, string password)
            : base(Concat(new byte[] { 0 }, Bytes(user), new byte[] { 0 }, Bytes(password)))
        {
        }

        public override string Name => "PLAIN";

        public override bool HasInitialResponse => true;

        public override byte[] InitialResponse() => (byte[])Secret.Clone();

        public override byte[]? Respond(byte[] challenge, bool initialResponseSent) =>
            !initialResponseSent && challenge.Length == 0 ? InitialResponse() : null;
    }

    /// <summary>LOGIN: the user name after the first 334, the password after the second.</summary>
    internal sealed class LoginMechanism : SaslMechanism
    {
        private readonly byte[] _user;
        private int _step;

        public LoginMechanism(string user, string password)
            : base(Bytes(password))
        {
            _user = Bytes(user);
        }

        public override string Name => "LOGIN";

        public override bool HasInitialResponse => false;

        public override byte[] InitialResponse() => throw new InvalidOperationException("LOGIN has no initial response.");

        public override byte[]? Respond(byte[] challenge, bool initialResponseSent) => _step++ switch
        {
            0 => (byte[])_user.Clone(),
            1 => (byte[])Secret.Clone(),
            _ => null,
        };
    }
}
