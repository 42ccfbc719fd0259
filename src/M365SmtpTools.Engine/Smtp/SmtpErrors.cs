namespace M365SmtpTools.Engine.Smtp
{
    /// <summary>Turns refused commands into <see cref="SmtpCommandException"/>s with the error kind their reply means.</summary>
    internal static class SmtpErrors
    {
        /// <summary>Builds the exception for a refused command, choosing the error kind from the reply.</summary>
        /// <remarks>
        /// When the server is one that <paramref name="serverRules"/> know, the recommended action is theirs (for
        /// Exchange Online, from its reply catalogue).
        /// </remarks>
        internal static SmtpCommandException CommandFailed(ErrorCode code, SmtpPhase phase, string? host, SmtpReply reply, string what,
            ISmtpServerRules? serverRules, string? detail = null)
        {
            string message = $"{what}: {reply.Code} {reply.Text}" + (detail != null ? $" (server detail: {detail})" : "");
            string? action = reply.IsTransientFailure ? "This is temporary: try again later." : null;
            if (serverRules?.RecommendedAction(reply) is string known) action = known;
            return new SmtpCommandException(code, KindFor(reply, phase), message, phase, host, reply) { RecommendedAction = action };
        }

        /// <summary>The error kind a reply means.</summary>
        internal static ErrorKind KindFor(SmtpReply reply, SmtpPhase phase)
        {
            EnhancedStatusCode? e = reply.EnhancedStatusCode;
            if (reply.Code == 552
                || (e != null && ((e.Subject == 3 && e.Detail == 4) || (e.Subject == 2 && (e.Detail == 0 || e.Detail == 2)))))
                return ErrorKind.LimitsExceeded;
            if (reply.IsTransientFailure) return ErrorKind.ResourceUnavailable;
            if (phase == SmtpPhase.Auth || reply.Code == 530 || reply.Code == 535) return ErrorKind.AuthenticationError;
            if (e != null && e.Subject == 7) return ErrorKind.PermissionDenied;
            if (e != null && e.Subject == 1 && phase == SmtpPhase.RcptTo) return ErrorKind.ObjectNotFound;
            return ErrorKind.InvalidOperation;
        }
    }
}
