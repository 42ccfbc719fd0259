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

        /// <summary>The line without its CRLF; secrets replaced by <see cref="SmtpTranscript.RedactedText"/> unless the session was unredacted.</summary>
        public string Text { get; }

        /// <summary>The line as <c>timestamp C|S|* phase: text</c>.</summary>
        public override string ToString()
        {
            char d = Direction == SmtpTranscriptDirection.Client ? 'C' : Direction == SmtpTranscriptDirection.Server ? 'S' : '*';
            return Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture) + " " + d + " " + Phase + ": " + Text;
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

    /// <summary>A logger that appends lines (UTF-8) to a file; safe to share between sessions.</summary>
    public sealed class FileSmtpTranscriptLogger : ISmtpTranscriptLogger, IDisposable
    {
        private readonly object _gate = new object();
        private readonly StreamWriter _writer;

        /// <summary>Opens (or creates) <paramref name="path"/> for appending.</summary>
        public FileSmtpTranscriptLogger(string path)
        {
            if (string.IsNullOrEmpty(path)) throw new ArgumentException("A transcript file path is required.", nameof(path));
            try
            {
                var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
                _writer = new StreamWriter(stream, new UTF8Encoding(false)) { AutoFlush = true, NewLine = "\n" };
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is NotSupportedException || ex is ArgumentException)
            {
                throw new M365SmtpException("SmtpTranscriptFileUnavailable", ErrorKind.InvalidArgument, $"The transcript file '{path}' can't be opened for writing: {ex.Message}", ex)
                {
                    TargetObject = path,
                    RecommendedAction = "Give a path in a folder that exists and that you can write to.",
                };
            }
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
