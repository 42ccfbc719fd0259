using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace M365SmtpTools.Engine.Smtp
{
    /// <summary>Who a transcript line came from.</summary>
    public enum SmtpTranscriptDirection
    {
        /// <summary>Sent by the client.</summary>
        Client,
        /// <summary>Received from the server.</summary>
        Server,
        /// <summary>A note by the client (connected, TLS negotiated, message content summary).</summary>
        Info,
    }

    /// <summary>One transcript line.</summary>
    public sealed class SmtpTranscriptEntry
    {
        /// <summary>Creates an entry.</summary>
        public SmtpTranscriptEntry(DateTimeOffset timestamp, SmtpTranscriptDirection direction, SmtpPhase phase, string text)
        {
            Timestamp = timestamp;
            Direction = direction;
            Phase = phase;
            Text = text;
        }

        /// <summary>When the line was sent or received.</summary>
        public DateTimeOffset Timestamp { get; }

        /// <summary>Client, server or note.</summary>
        public SmtpTranscriptDirection Direction { get; }

        /// <summary>The session step.</summary>
        public SmtpPhase Phase { get; }

        /// <summary>The line without its CRLF; secrets replaced by <see cref="SmtpTranscript.RedactedText"/> unless the session was
        /// unredacted.</summary>
        public string Text { get; }

        /// <summary>The line as <c>timestamp C|S|* phase: text</c>, control characters in the text escaped
        /// (<see cref="TerminalText"/>).</summary>
        public override string ToString()
        {
            char d = Direction == SmtpTranscriptDirection.Client ? 'C' : Direction == SmtpTranscriptDirection.Server ? 'S' : '*';
            // A server's text is escaped (no ESC/OSC/BEL or line separators reach whoever reads the transcript in a terminal).
            return Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture)
                + " " + d + " " + Phase + ": " + TerminalText.Escape(Text);
        }
    }

    /// <summary>Receives the protocol transcript of an SMTP session. Implementations must be thread-safe.</summary>
    public interface ISmtpTranscriptLogger
    {
        /// <summary>Records one line.</summary>
        void Log(SmtpTranscriptEntry entry);
    }

    /// <summary>Shared transcript constants.</summary>
    public static class SmtpTranscript
    {
        /// <summary>What replaces secret bytes in a redacted transcript.</summary>
        public const string RedactedText = "********";
    }

    /// <summary>A logger that discards everything (the default).</summary>
    public sealed class NullSmtpTranscriptLogger : ISmtpTranscriptLogger
    {
        /// <summary>The shared instance.</summary>
        public static readonly NullSmtpTranscriptLogger Instance = new NullSmtpTranscriptLogger();

        /// <inheritdoc />
        public void Log(SmtpTranscriptEntry entry) { }
    }

    /// <summary>A logger that keeps the transcript in memory.</summary>
    public sealed class InMemorySmtpTranscriptLogger : ISmtpTranscriptLogger
    {
        private readonly object _gate = new object();
        private readonly List<SmtpTranscriptEntry> _entries = new List<SmtpTranscriptEntry>();

        /// <summary>A snapshot of the lines so far.</summary>
        public IReadOnlyList<SmtpTranscriptEntry> Entries
        {
            get { lock (_gate) return _entries.ToArray(); }
        }

        /// <inheritdoc />
        public void Log(SmtpTranscriptEntry entry)
        {
            if (entry == null) throw new ArgumentNullException(nameof(entry));
            lock (_gate) _entries.Add(entry);
        }

        /// <summary>The transcript as text, one line per entry.</summary>
        public override string ToString()
        {
            lock (_gate) return string.Join(Environment.NewLine, _entries);
        }
    }

    /// <summary>
    /// A logger that writes lines (UTF-8) to a new file; safe to share between sessions. The file is private to its owner
    /// (0600 on Linux and macOS), an existing file is replaced only when asked, and a symbolic link is never written through.
    /// </summary>
    public sealed class FileSmtpTranscriptLogger : ISmtpTranscriptLogger, IDisposable
    {
        private readonly object _gate = new object();
        private readonly StreamWriter _writer;

        /// <summary>Creates <paramref name="path"/>; fails (TranscriptExists) if it exists.</summary>
        public FileSmtpTranscriptLogger(string path) : this(path, overwrite: false) { }

        /// <summary>Creates <paramref name="path"/>, replacing an existing file only when <paramref name="overwrite"/> is set.</summary>
        public FileSmtpTranscriptLogger(string path, bool overwrite)
        {
            if (string.IsNullOrEmpty(path)) throw new ArgumentException("A transcript file path is required.", nameof(path));
            FileStream stream = PrivateOutputFile.Create(path, overwrite, OutputFileKind.Transcript);
            _writer = new StreamWriter(stream, new UTF8Encoding(false)) { AutoFlush = true, NewLine = "\n" };
        }

        /// <inheritdoc />
        public void Log(SmtpTranscriptEntry entry)
        {
            if (entry == null) throw new ArgumentNullException(nameof(entry));
            lock (_gate) _writer.WriteLine(entry.ToString());
        }

        /// <summary>Closes the file.</summary>
        public void Dispose()
        {
            lock (_gate) _writer.Dispose();
        }
    }
}
