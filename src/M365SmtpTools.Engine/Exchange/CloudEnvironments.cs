using System;
using System.Collections.Generic;
using System.Linq;

namespace M365SmtpTools.Engine.Exchange
{
    /// <summary>The Microsoft 365 clouds the module knows endpoints for.</summary>
    public enum M365Environment
    {
        /// <summary>Worldwide commercial Microsoft 365, including GCC (moderate).</summary>
        Commercial,
        /// <summary>US Government Community Cloud High.</summary>
        USGovGCCHigh,
        /// <summary>US Government Department of Defense.</summary>
        USGovDoD,
        /// <summary>Microsoft 365 operated by 21Vianet in China.</summary>
        China,
    }

    /// <summary>
    /// The endpoints of one cloud: where tokens come from, which SMTP host takes client submission, which scopes to ask
    /// for, and the suffix of tenant MX endpoints. Values marked observed in DOMAIN.md are overridable with
    /// <see cref="WithOverrides"/>.
    /// </summary>
    public sealed class CloudEnvironment
    {
        /// <summary>Creates an entry of the table.</summary>
        public CloudEnvironment(M365Environment environment, string authorityHost, string smtpHost, string? legacySmtpHost,
            string appOnlyScope, string delegatedScope, string mxSuffix, string graphHost = "graph.microsoft.com")
        {
            GraphHost = graphHost;
            Environment = environment;
            AuthorityHost = authorityHost;
            SmtpHost = smtpHost;
            LegacySmtpHost = legacySmtpHost;
            AppOnlyScope = appOnlyScope;
            DelegatedScope = delegatedScope;
            MxSuffix = mxSuffix;
        }

        /// <summary>Which cloud this is.</summary>
        public M365Environment Environment { get; }

        /// <summary>The Entra ID (Azure AD) authority host name, e.g. <c>login.microsoftonline.com</c>.</summary>
        public string AuthorityHost { get; }

        /// <summary>The client-submission SMTP host, e.g. <c>smtp.office365.com</c>.</summary>
        public string SmtpHost { get; }

        /// <summary>The opt-in legacy-TLS submission host, when the cloud has one.</summary>
        public string? LegacySmtpHost { get; }

        /// <summary>The scope of an app-only (client credentials or managed identity) token, ending in <c>/.default</c>.</summary>
        public string AppOnlyScope { get; }

        /// <summary>
        /// The delegated scope that lets a signed-in user submit mail over SMTP, e.g.
        /// <c>https://outlook.office.com/SMTP.Send</c>.
        /// </summary>
        public string DelegatedScope { get; }

        /// <summary>The scopes asked for in a delegated sign-in: the SMTP.Send scope and <c>offline_access</c> (for refresh).</summary>
        public IReadOnlyList<string> DelegatedScopes => new[] { DelegatedScope, "offline_access" };

        /// <summary>The resource (audience) of app-only tokens: the app-only scope without <c>/.default</c>.</summary>
        public string AppOnlyResource => AppOnlyScope.EndsWith("/.default", StringComparison.Ordinal)
            ? AppOnlyScope.Substring(0, AppOnlyScope.Length - "/.default".Length)
            : AppOnlyScope;

        /// <summary>The resource (audience) of delegated tokens: the delegated scope without its permission name.</summary>
        public string DelegatedResource
        {
            get
            {
                int slash = DelegatedScope.LastIndexOf('/');
                return slash > "https://".Length ? DelegatedScope.Substring(0, slash) : DelegatedScope;
            }
        }

        /// <summary>The Microsoft Graph host of this cloud, e.g. <c>graph.microsoft.com</c> (Send-M365Mail -Method Graph).</summary>
        public string GraphHost { get; }

        /// <summary>The scope of an app-only Graph token: <c>https://{GraphHost}/.default</c>.</summary>
        public string GraphAppOnlyScope => "https://" + GraphHost + "/.default";

        /// <summary>The delegated Graph scope that lets a signed-in user send mail: <c>https://{GraphHost}/Mail.Send</c>.</summary>
        public string GraphDelegatedScope => "https://" + GraphHost + "/Mail.Send";

        /// <summary>The suffix of tenant MX endpoints in this cloud, e.g. <c>mail.protection.outlook.com</c>.</summary>
        public string MxSuffix { get; }

        /// <summary>The authority URL for a tenant (a GUID, a domain, or <c>organizations</c>).</summary>
        public string AuthorityFor(string tenant) => "https://" + AuthorityHost.TrimEnd('/') + "/" + tenant;

        /// <summary>A copy with some values replaced; null or empty arguments keep the table's value.</summary>
        public CloudEnvironment WithOverrides(string? authorityHost = null, string? smtpHost = null, string? appOnlyScope = null,
            string? delegatedScope = null, string? mxSuffix = null)
        {
            return new CloudEnvironment(Environment,
                NormalizeHost(authorityHost) ?? AuthorityHost,
                string.IsNullOrWhiteSpace(smtpHost) ? SmtpHost : smtpHost!.Trim(),
                LegacySmtpHost,
                string.IsNullOrWhiteSpace(appOnlyScope) ? AppOnlyScope : appOnlyScope!.Trim(),
                string.IsNullOrWhiteSpace(delegatedScope) ? DelegatedScope : delegatedScope!.Trim(),
                string.IsNullOrWhiteSpace(mxSuffix) ? MxSuffix : mxSuffix!.Trim(),
                GraphHost);
        }

        private static string? NormalizeHost(string? host)
        {
            if (string.IsNullOrWhiteSpace(host)) return null;
            string h = host!.Trim();
            if (h.StartsWith("https://", StringComparison.OrdinalIgnoreCase)) h = h.Substring(8);
            return h.TrimEnd('/');
        }

        /// <inheritdoc />
        public override string ToString() => $"{Environment} (SMTP {SmtpHost}, authority {AuthorityHost})";
    }

    /// <summary>The data table of clouds (DOMAIN.md, "Clouds"). One place to update.</summary>
    public static class CloudEnvironments
    {
        /// <summary>Worldwide commercial and GCC.</summary>
        public static CloudEnvironment Commercial { get; } = new CloudEnvironment(M365Environment.Commercial,
            "login.microsoftonline.com", "smtp.office365.com", "smtp-legacy.office365.com",
            "https://outlook.office365.com/.default", "https://outlook.office.com/SMTP.Send", "mail.protection.outlook.com");

        /// <summary>GCC High.</summary>
        public static CloudEnvironment USGovGCCHigh { get; } = new CloudEnvironment(M365Environment.USGovGCCHigh,
            "login.microsoftonline.us", "smtp.office365.us", null,
            "https://outlook.office365.us/.default", "https://outlook.office365.us/SMTP.Send", "mail.protection.office365.us",
            "graph.microsoft.us");

        /// <summary>DoD. The SMTP host and scope are observed, not documented: override them if they differ.</summary>
        public static CloudEnvironment USGovDoD { get; } = new CloudEnvironment(M365Environment.USGovDoD,
            "login.microsoftonline.us", "outlook-dod.office365.us", null,
            "https://outlook-dod.office365.us/.default", "https://outlook-dod.office365.us/SMTP.Send", "mail.protection.office365.us",
            "dod-graph.microsoft.us");

        /// <summary>China (21Vianet).</summary>
        public static CloudEnvironment China { get; } = new CloudEnvironment(M365Environment.China,
            "login.partner.microsoftonline.cn", "smtp.partner.outlook.cn", null,
            "https://partner.outlook.cn/.default", "https://partner.outlook.cn/SMTP.Send", "mail.protection.partner.outlook.cn",
            "microsoftgraph.chinacloudapi.cn");

        /// <summary>Every cloud of the table.</summary>
        public static IReadOnlyList<CloudEnvironment> All { get; } = new[] { Commercial, USGovGCCHigh, USGovDoD, China };

        /// <summary>The table's entry for a cloud.</summary>
        public static CloudEnvironment Get(M365Environment environment) =>
            All.FirstOrDefault(e => e.Environment == environment)
            ?? throw new M365SmtpException(ExchangeErrorCodes.UnknownEnvironment,
                $"The environment '{environment}' is not one of {string.Join(", ", All.Select(e => e.Environment))}.")
            {
                TargetObject = environment,
                ParameterName = "Environment",
                RecommendedAction = "Use -Environment Commercial, USGovGCCHigh, USGovDoD or China.",
            };

        /// <summary>The cloud whose SMTP submission host (or legacy host) is <paramref name="smtpHost"/>, or null.</summary>
        public static CloudEnvironment? FindBySmtpHost(string smtpHost)
        {
            string h = smtpHost.Trim().TrimEnd('.');
            return All.FirstOrDefault(e => string.Equals(e.SmtpHost, h, StringComparison.OrdinalIgnoreCase)
                || (e.LegacySmtpHost != null && string.Equals(e.LegacySmtpHost, h, StringComparison.OrdinalIgnoreCase)));
        }
    }
}
