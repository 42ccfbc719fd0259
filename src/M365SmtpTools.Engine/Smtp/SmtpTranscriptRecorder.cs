using System;
using System.Text;

namespace M365SmtpTools.Engine.Smtp
{
    /// <summary>What the bytes written to the server are, for the transcript.</summary>
    internal enum SmtpWriteKind
    {
        /// <summary>Ordinary protocol text: logged.</summary>
        Normal,
        /// <summary>Credentials or tokens: redacted unless the session is explicitly unredacted.</summary>
        Secret,
        /// <summary>Message content: not logged line by line (the client logs a size note instead).</summary>
        Content,
    }

    /// <summary>
    /// Turns the bytes the client writes into transcript lines. Redaction works on bytes as they are written, so a
    /// secret split over several writes is still hidden: secret bytes never enter the line buffer, a marker does.
    /// </summary>
    internal sealed class SmtpTranscriptRecorder
    {
        private const int MaxLoggedLine = 4096;
        private static readonly byte[] Marker = Encoding.ASCII.GetBytes(SmtpTranscript.RedactedText);
        private readonly ISmtpTranscriptLogger _logger;
        private readonly bool _redact;
        private readonly byte[] _line = new byte[MaxLoggedLine + 16];
        private int _length;
        private bool _truncated;
        private bool _inSecretRun;

        public SmtpTranscriptRecorder(ISmtpTranscriptLogger? logger, bool redact)
        {
            _logger = logger ?? NullSmtpTranscriptLogger.Instance;
            _redact = redact;
        }

        public bool Enabled => !(_logger is NullSmtpTranscriptLogger);

        public SmtpPhase Phase { get; set; }

        public void ClientBytes(byte[] buffer, int offset, int count, SmtpWriteKind kind)
        {
            if (!Enabled || kind == SmtpWriteKind.Content) return;
            bool secret = kind == SmtpWriteKind.Secret && _redact;
            for (int i = offset; i < offset + count; i++)
            {
                byte b = buffer[i];
                if (b == (byte)'\n')
                {
                    EmitLine();
                    continue;
                }
                if (b == (byte)'\r') continue;
                if (secret)
                {
                    if (!_inSecretRun) AppendBytes(Marker);
                    _inSecretRun = true;
                    continue;
                }
                _inSecretRun = false;
                AppendByte(b);
            }
        }

        public void ServerLine(string line) => Log(SmtpTranscriptDirection.Server, line);

        public void Info(string text) => Log(SmtpTranscriptDirection.Info, text);

        private void AppendBytes(byte[] bytes)
        {
            foreach (byte b in bytes) AppendByte(b);
        }

        private void AppendByte(byte b)
        {
            if (_length >= MaxLoggedLine) { _truncated = true; return; }
            _line[_length++] = b;
        }

        private void EmitLine()
        {
            string text = Encoding.UTF8.GetString(_line, 0, _length) + (_truncated ? "…" : "");
            Array.Clear(_line, 0, _length);
            _length = 0;
            _truncated = false;
            _inSecretRun = false;
            Log(SmtpTranscriptDirection.Client, text);
        }

        private void Log(SmtpTranscriptDirection direction, string text)
        {
            if (!Enabled) return;
            _logger.Log(new SmtpTranscriptEntry(DateTimeOffset.UtcNow, direction, Phase, text));
        }
    }
}
