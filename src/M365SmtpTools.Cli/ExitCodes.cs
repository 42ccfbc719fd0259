using M365SmtpTools.Engine;
using M365SmtpTools.Engine.Operations;
using M365SmtpTools.Engine.Smtp;

namespace M365SmtpTools.Cli;

/// <summary>
/// The process exit codes, one per failing phase, so a script can branch on them (like swaks' phase codes). This table
/// is the only place they are defined: <c>--help</c> and README.md are generated from / checked against it.
/// </summary>
internal static class ExitCodes
{
    /// <summary>Everything worked.</summary>
    public const int Ok = 0;
    /// <summary>A failure that belongs to no phase below (an unexpected error, a file that can't be read).</summary>
    public const int Other = 1;
    /// <summary>Bad command line: unknown option, bad value, missing or conflicting options, invalid engine argument.</summary>
    public const int Usage = 2;
    /// <summary>Resolving failed: DNS (NXDOMAIN, no MX, timeout, server failure) or the SMTP host name.</summary>
    public const int Resolve = 10;
    /// <summary>The TCP connection, greeting or EHLO failed.</summary>
    public const int Connect = 11;
    /// <summary>STARTTLS or the TLS handshake failed, or TLS was required and not offered.</summary>
    public const int Tls = 12;
    /// <summary>Getting a token or AUTH failed (identity platform or SMTP server rejected the credentials).</summary>
    public const int Auth = 13;
    /// <summary>MAIL FROM was rejected (e.g. 5.7.60 no Send As, 5.7.57 not authenticated).</summary>
    public const int Sender = 14;
    /// <summary>RCPT TO was rejected for every recipient (or the recipients given are invalid).</summary>
    public const int Recipients = 15;
    /// <summary>DATA/BDAT or the message content was rejected (size, policy, quota).</summary>
    public const int Data = 16;
    /// <summary>A batch where some messages were sent and some failed.</summary>
    public const int PartialBatch = 17;
    /// <summary>The connection died after the message was sent and before the server's answer: it may or may not have been
    /// delivered.</summary>
    public const int DeliveryUnknown = 18;
    /// <summary>Interrupted (Ctrl+C / SIGTERM).</summary>
    public const int Cancelled = 130;

    /// <summary>One row of the table: code, short name, meaning.</summary>
    public sealed record Entry(int Code, string Name, string Meaning);

    /// <summary>The table, in order, as shown in --help and README.md.</summary>
    public static IReadOnlyList<Entry> Table { get; } = new[]
    {
        new Entry(Ok, "ok", "Everything worked."),
        new Entry(Other, "other", "A failure outside the phases below (unreadable file, unexpected error)."),
        new Entry(Usage, "usage", "Bad command line: unknown option, bad or missing value, conflicting options."),
        new Entry(Resolve, "resolve", "DNS failed: name not found, no MX, timeout, server failure; or the SMTP host name."),
        new Entry(Connect, "connect", "TCP connection, greeting or EHLO failed."),
        new Entry(Tls, "tls", "STARTTLS or the TLS handshake failed, or TLS was required and not offered."),
        new Entry(Auth, "auth",
            "Getting a token (identity platform, certificate, managed identity) or SMTP AUTH failed (e.g. 535 5.7.3, 5.7.139)."),
        new Entry(Sender, "sender", "MAIL FROM rejected (e.g. 5.7.60 no Send As, 5.7.57 not authenticated)."),
        new Entry(Recipients, "recipients", "RCPT TO rejected for the recipients."),
        new Entry(Data, "data", "DATA or the message rejected (size, policy, quota)."),
        new Entry(PartialBatch, "partial", "Batch: some messages sent, some failed (see the per-message lines)."),
        new Entry(DeliveryUnknown, "unknown", "The connection died after the message was sent: delivery unknown, don't blindly resend."),
        new Entry(Cancelled, "cancelled", "Interrupted (Ctrl+C)."),
    };

    /// <summary>The exit-code table as text, for --help.</summary>
    public static string HelpText()
    {
        var b = new System.Text.StringBuilder();
        b.AppendLine("Exit codes:");
        foreach (Entry e in Table)
            b.AppendLine($"  {e.Code,3}  {e.Name,-10}  {e.Meaning}");
        return b.ToString();
    }

    /// <summary>The exit code of a sending step (a code's <see cref="ErrorCode.Phase"/>).</summary>
    public static int For(FailurePhase phase) => phase switch
    {
        FailurePhase.Usage => Usage,
        FailurePhase.Resolve => Resolve,
        FailurePhase.Connect => Connect,
        FailurePhase.Tls => Tls,
        FailurePhase.Auth => Auth,
        FailurePhase.Sender => Sender,
        FailurePhase.Recipients => Recipients,
        FailurePhase.Data => Data,
        FailurePhase.DeliveryUnknown => DeliveryUnknown,
        FailurePhase.Cancelled => Cancelled,
        _ => Other,
    };

    /// <summary>
    /// The exit code for an engine failure. Order: cancellation; invalid arguments (usage, whatever step they are
    /// about); a name that didn't resolve; SMTP failures by delivery-unknown, TLS, then the SMTP phase they happened in
    /// (a refused RSET by its kind); then the code's step; then the error kind (authentication, TLS, connection).
    /// </summary>
    public static int For(Exception exception)
    {
        if (exception is OperationCanceledException) return Cancelled;
        if (exception is not M365SmtpException e) return Other;
        if (e.Kind == ErrorKind.Cancelled) return Cancelled;
        if (e.Kind == ErrorKind.InvalidArgument) return Usage;
        if (e.Code.Phase == FailurePhase.Resolve) return Resolve;
        if (e is SmtpException smtp)
        {
            if (smtp.DeliveryUnknown) return DeliveryUnknown;
            if (smtp.Kind == ErrorKind.SecurityError) return Tls; // certificate rejected, TLS required but not in place
            // The session's phase says where it broke: a connection lost during DATA is a data failure here.
            return ForPhase(smtp.Phase) ?? ForKind(smtp.Kind);
        }
        return e.Code.Phase != FailurePhase.Other ? For(e.Code.Phase) : ForKind(e.Kind);
    }

    /// <summary>
    /// The exit code of one message of a batch: delivery unknown, or the step of its error's code (the result
    /// carries the code, so no id is looked up).
    /// </summary>
    public static int For(SendMailResult result) =>
        result.Status == SendMailStatus.Unknown ? DeliveryUnknown : result.ErrorCode is ErrorCode code ? For(code.Phase) : Other;

    // A failure whose code names no step: what kind of failure it is decides.
    private static int ForKind(ErrorKind kind) => kind switch
    {
        ErrorKind.AuthenticationError => Auth,
        ErrorKind.SecurityError => Tls,
        ErrorKind.ConnectionError => Connect,
        ErrorKind.OperationTimeout => Connect,
        _ => Other,
    };

    /// <summary>The exit code for the SMTP phase a failure happened in, or null (RSET: decided by the error's kind).</summary>
    public static int? ForPhase(SmtpPhase phase) => phase switch
    {
        SmtpPhase.Connect or SmtpPhase.Greeting or SmtpPhase.Ehlo or SmtpPhase.Quit => Connect,
        SmtpPhase.StartTls => Tls,
        SmtpPhase.Auth => Auth,
        SmtpPhase.MailFrom => Sender,
        SmtpPhase.RcptTo => Recipients,
        SmtpPhase.Data or SmtpPhase.Bdat => Data,
        _ => null,
    };
}
