using System;
using System.Text.RegularExpressions;
using M365SmtpTools.Engine.Dns;

namespace M365SmtpTools.Engine.Exchange
{
    /// <summary>Which kind of mail exchanger an MX host is.</summary>
    public enum MxEndpointForm
    {
        /// <summary>Microsoft 365 legacy form: <c>&lt;label&gt;.mail.protection.outlook.com</c>.</summary>
        Legacy,
        /// <summary>Microsoft 365 DNSSEC-capable form (since 2024): <c>&lt;label&gt;.&lt;letter&gt;-v1.mx.microsoft</c>.</summary>
        Dnssec,
        /// <summary>Microsoft 365 operated by 21Vianet (China): <c>&lt;label&gt;.mail.protection.partner.outlook.cn</c>.</summary>
        China,
        /// <summary>Microsoft 365 GCC High / DoD: <c>&lt;label&gt;.mail.protection.office365.us</c>.</summary>
        GccHigh,
        /// <summary>Not a Microsoft 365 endpoint (on-premises, a filtering service, another provider).</summary>
        Other,
        /// <summary>Not from DNS: the legacy endpoint derived from the domain name, a guess.</summary>
        DerivedGuess,
    }

    /// <summary>What <see cref="MxEndpointClassifier.Classify"/> found out about an MX host.</summary>
    public sealed class MxEndpointClassification
    {
        internal MxEndpointClassification(string host, MxEndpointForm form, string? tenantLabel, string? regionLetter)
        {
            Host = host;
            Form = form;
            TenantLabel = tenantLabel;
            RegionLetter = regionLetter;
        }

        /// <summary>The host, lower case, without the trailing dot.</summary>
        public string Host { get; }

        /// <summary>The form.</summary>
        public MxEndpointForm Form { get; }

        /// <summary>True for every Microsoft 365 form.</summary>
        public bool IsMicrosoft365 => Form != MxEndpointForm.Other;

        /// <summary>The tenant's label (the first label, e.g. <c>contoso-com</c>) for Microsoft 365 forms.</summary>
        public string? TenantLabel { get; }

        /// <summary>The letter of a DNSSEC endpoint's <c>&lt;letter&gt;-v1</c> zone.</summary>
        public string? RegionLetter { get; }
    }

    /// <summary>
    /// Recognizes Microsoft 365 MX endpoints and derives the legacy one from a domain name (DOMAIN.md, "The tenant MX
    /// endpoint").
    /// </summary>
    public static class MxEndpointClassifier
    {
        /// <summary>The legacy commercial MX suffix.</summary>
        public const string LegacySuffix = "mail.protection.outlook.com";
        /// <summary>The 21Vianet (China) MX suffix.</summary>
        public const string ChinaSuffix = "mail.protection.partner.outlook.cn";
        /// <summary>The GCC High / DoD MX suffix.</summary>
        public const string GccHighSuffix = "mail.protection.office365.us";

        private static readonly Regex DnssecForm =
            new Regex(@"^(?<label>[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)\.(?<letter>[a-z])-v1\.mx\.microsoft$",
                RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

        /// <summary>Classifies an MX host name (case and a trailing dot don't matter).</summary>
        public static MxEndpointClassification Classify(string host)
        {
            string h = (host ?? "").Trim().TrimEnd('.').ToLowerInvariant();
            Match m = DnssecForm.Match(h);
            if (m.Success) return new MxEndpointClassification(h, MxEndpointForm.Dnssec, m.Groups["label"].Value, m.Groups["letter"].Value);
            // China and GCC High first: their suffixes are not sub-names of the legacy one, but be explicit anyway.
            if (TryLabel(h, ChinaSuffix, out string? label)) return new MxEndpointClassification(h, MxEndpointForm.China, label, null);
            if (TryLabel(h, GccHighSuffix, out label)) return new MxEndpointClassification(h, MxEndpointForm.GccHigh, label, null);
            if (TryLabel(h, LegacySuffix, out label)) return new MxEndpointClassification(h, MxEndpointForm.Legacy, label, null);
            return new MxEndpointClassification(h, MxEndpointForm.Other, null, null);
        }

        /// <summary>
        /// The legacy endpoint Microsoft 365 would usually give <paramref name="domain"/>: dots become dashes, then
        /// <c>.mail.protection.outlook.com</c>. A guess: domains that contain hyphens get a different label in reality
        /// (see <see cref="IsDerivationReliable"/>). Read the MX from DNS whenever it exists.
        /// </summary>
        public static string DeriveLegacyEndpoint(string domain)
        {
            string d = DnsName.Normalize(domain);
            return d.Replace('.', '-') + "." + LegacySuffix;
        }

        /// <summary>
        /// False when the domain contains a hyphen: Microsoft then drops the hyphens and adds a suffix such as
        /// <c>01i</c> (observed), so the derived label is wrong.
        /// </summary>
        public static bool IsDerivationReliable(string domain) => DnsName.Normalize(domain).IndexOf('-') < 0;

        private static bool TryLabel(string host, string suffix, out string? label)
        {
            label = null;
            if (!host.EndsWith("." + suffix, StringComparison.Ordinal)) return false;
            string rest = host.Substring(0, host.Length - suffix.Length - 1);
            if (rest.Length == 0 || rest.IndexOf('.') >= 0) return false; // exactly one label in front
            label = rest;
            return true;
        }
    }
}
