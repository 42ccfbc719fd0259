using System;
using System.Collections.Generic;

namespace M365SmtpTools.Engine.Exchange
{
    /// <summary>What to do with Basic authentication against a host at a point in time.</summary>
    public enum BasicAuthVerdictKind
    {
        /// <summary>The host is not Microsoft 365 client submission (ACS, HVE, on-premises): the retirement doesn't apply.</summary>
        Allowed,
        /// <summary>Basic still works (or may, if an admin re-enabled it) but is being retired: warn and say what to move to.</summary>
        Warn,
        /// <summary>Basic has been removed for this host: refuse unless the user overrides.</summary>
        Refuse,
    }

    /// <summary>
    /// The retirement dates of Basic authentication for Exchange Online client submission, as data (DOMAIN.md). The
    /// defaults follow Microsoft's update of 27 January 2026, which superseded the 2025 plan. Every value can be replaced.
    /// </summary>
    public sealed class BasicAuthRetirementSchedule
    {
        /// <summary>The schedule as currently announced.</summary>
        public static BasicAuthRetirementSchedule Current { get; } = new BasicAuthRetirementSchedule();

        /// <summary>When the schedule was last updated by Microsoft.</summary>
        public DateTimeOffset AnnouncedOn { get; set; } = new DateTimeOffset(2026, 1, 27, 0, 0, 0, TimeSpan.Zero);

        /// <summary>The superseded 2025 plan: rejections were to start on this date (kept for reference only).</summary>
        public DateTimeOffset SupersededRejectionStart { get; set; } = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

        /// <summary>The superseded 2025 plan: 100% rejection by this date (kept for reference only).</summary>
        public DateTimeOffset SupersededFullRejection { get; set; } = new DateTimeOffset(2026, 4, 30, 0, 0, 0, TimeSpan.Zero);

        /// <summary>
        /// From this moment Basic is disabled by default for existing tenants (admins can re-enable it): end of
        /// December 2026.
        /// </summary>
        public DateTimeOffset DisabledByDefault { get; set; } = new DateTimeOffset(2026, 12, 31, 0, 0, 0, TimeSpan.Zero);

        /// <summary>Final removal: second half of 2027, date to be announced. Null while unannounced; set it when it is.</summary>
        public DateTimeOffset? FinalRemoval { get; set; }

        /// <summary>How the final removal is described while its date is unknown.</summary>
        public string FinalRemovalDescription { get; set; } = "in the second half of 2027 (date to be announced)";
    }

    /// <summary>The answer of <see cref="BasicAuthRetirement.Evaluate"/>.</summary>
    public sealed class BasicAuthVerdict
    {
        internal BasicAuthVerdict(BasicAuthVerdictKind kind, string host, string message, IReadOnlyList<string> alternatives)
        {
            Kind = kind;
            Host = host;
            Message = message;
            Alternatives = alternatives;
        }

        /// <summary>Allowed, Warn or Refuse.</summary>
        public BasicAuthVerdictKind Kind { get; }

        /// <summary>The SMTP host evaluated.</summary>
        public string Host { get; }

        /// <summary>The text to show (empty when allowed).</summary>
        public string Message { get; }

        /// <summary>What to move to, one line each.</summary>
        public IReadOnlyList<string> Alternatives { get; }

        /// <inheritdoc />
        public override string ToString() => $"{Kind}: {Message}";
    }

    /// <summary>Decides whether Basic authentication may be used against a host, from the retirement schedule.</summary>
    public static class BasicAuthRetirement
    {
        /// <summary>What to move to instead of Basic authentication.</summary>
        public static IReadOnlyList<string> Alternatives { get; } = new[]
        {
            "OAuth: Connect-M365Smtp with -CertificateThumbprint/-CertificatePath (app-only, SMTP.SendAsApp), -ManagedIdentity, or " +
                "-DeviceCode (delegated, SMTP.Send).",
            "High Volume Email (smtp-hve.office365.com) for internal bulk mail, with OAuth.",
            "Azure Communication Services Email (smtp.azurecomm.net) for application mail.",
            "An SMTP relay inbound connector (certificate or static IP) for devices that can't do OAuth.",
            "Direct Send to the tenant MX endpoint for devices that only mail internal recipients.",
        };

        /// <summary>
        /// True for Microsoft 365 client-submission hosts, whose Basic authentication is being retired
        /// (smtp.office365.com, smtp-legacy.office365.com and the other clouds' equivalents).
        /// </summary>
        public static bool IsMicrosoft365SubmissionHost(string host) =>
            !string.IsNullOrWhiteSpace(host) && CloudEnvironments.FindBySmtpHost(host) != null;

        /// <summary>Evaluates Basic authentication against <paramref name="host"/> at <paramref name="now"/>.</summary>
        public static BasicAuthVerdict Evaluate(DateTimeOffset now, string host, BasicAuthRetirementSchedule? schedule = null)
        {
            schedule ??= BasicAuthRetirementSchedule.Current;
            if (!IsMicrosoft365SubmissionHost(host))
                return new BasicAuthVerdict(BasicAuthVerdictKind.Allowed, host, "", Array.Empty<string>());

            string moveTo = "Move to: " + string.Join(" ", Alternatives);
            string final = schedule.FinalRemoval is DateTimeOffset f
                ? "on " + f.ToString("d MMMM yyyy", System.Globalization.CultureInfo.InvariantCulture)
                : schedule.FinalRemovalDescription;
            if (schedule.FinalRemoval is DateTimeOffset removal && now >= removal)
                return new BasicAuthVerdict(BasicAuthVerdictKind.Refuse, host,
                    $"Basic authentication (username and password) for SMTP client submission to {host} was removed by Microsoft " +
                        $"{final}. {moveTo}",
                    Alternatives);

            string disabled = schedule.DisabledByDefault.ToString("d MMMM yyyy", System.Globalization.CultureInfo.InvariantCulture);
            string message = now >= schedule.DisabledByDefault
                ? $"Basic authentication for SMTP client submission to {host} has been disabled by default since {disabled}; it works " +
                    $"only where an admin re-enabled it, and will be removed {final}. {moveTo}"
                : $"Basic authentication for SMTP client submission to {host} is being retired: disabled by default from {disabled} " +
                    $"(admins can re-enable it), removed {final}. {moveTo}";
            return new BasicAuthVerdict(BasicAuthVerdictKind.Warn, host, message, Alternatives);
        }
    }
}
