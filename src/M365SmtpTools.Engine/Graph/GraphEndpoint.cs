using System;
using System.Linq;
using M365SmtpTools.Engine.Auth;
using M365SmtpTools.Engine.Exchange;
using M365SmtpTools.Engine.Operations;

namespace M365SmtpTools.Engine.Graph
{
    /// <summary>
    /// Where Graph requests go and which tokens Graph takes: the cloud's Graph host (or a -GraphEndpoint override), and
    /// the audiences of Microsoft Graph tokens. Shared by Send-M365Mail -Method Graph and Test-M365GraphSend.
    /// </summary>
    internal static class GraphEndpoint
    {
        /// <summary>Microsoft Graph's application id: the audience of a v2 token for Graph in every cloud.</summary>
        public const string GraphAppId = "00000003-0000-0000-c000-000000000000";

        /// <summary>Every audience a Microsoft Graph token may carry, in any cloud.</summary>
        public static readonly string[] Audiences =
        {
            "https://graph.microsoft.com", GraphAppId, "https://graph.microsoft.us",
            "https://dod-graph.microsoft.us", "https://microsoftgraph.chinacloudapi.cn", "https://canary.graph.microsoft.com",
        };

        /// <summary>True when <paramref name="audience"/> is Microsoft Graph of any cloud.</summary>
        public static bool IsGraphAudience(string? audience) =>
            Audiences.Any(a => a.Equals((audience ?? "").TrimEnd('/'), StringComparison.OrdinalIgnoreCase));

        /// <summary>True when <paramref name="audience"/> is Microsoft Graph of <paramref name="cloud"/> (or Graph's app id).</summary>
        public static bool IsGraphAudienceOf(string? audience, CloudEnvironment cloud)
        {
            string aud = (audience ?? "").TrimEnd('/');
            return aud.Equals(GraphAppId, StringComparison.OrdinalIgnoreCase)
                || aud.Equals("https://" + cloud.GraphHost, StringComparison.OrdinalIgnoreCase)
                || (cloud.Environment == M365Environment.Commercial
                    && aud.Equals("https://canary.graph.microsoft.com", StringComparison.OrdinalIgnoreCase));
        }

        /// <summary>The base address: the cloud's Graph host, or the https:// address given to override it.</summary>
        /// <exception cref="M365SmtpException">
        /// InvalidGraphEndpoint, GraphEndpointNotHttps (InvalidArgument, target GraphEndpoint).
        /// </exception>
        public static Uri BaseAddress(string? graphEndpoint, CloudEnvironment cloud)
        {
            if (string.IsNullOrWhiteSpace(graphEndpoint)) return new Uri("https://" + cloud.GraphHost + "/");
            string given = graphEndpoint!.Trim();
            if (!Uri.TryCreate(given, UriKind.Absolute, out Uri? uri) || (uri.Scheme != "https" && uri.Scheme != "http"))
                throw SmtpAuthOptions.Invalid(GraphErrorCodes.InvalidGraphEndpoint, "GraphEndpoint",
                    $"-GraphEndpoint '{given}' is not an https:// address.", "Give the base address, e.g. https://graph.microsoft.us.");
            if (uri.Scheme != "https")
                throw SmtpAuthOptions.Invalid(GraphErrorCodes.GraphEndpointNotHttps, "GraphEndpoint",
                    $"-GraphEndpoint '{given}' is not HTTPS: the token would travel in clear text.", "Give an https:// address.");
            return new Uri(uri.GetLeftPart(UriPartial.Authority) + "/");
        }

        /// <summary>True for the Graph hosts of Microsoft's clouds (they always present a valid certificate).</summary>
        public static bool IsMicrosoftGraphHost(string host) =>
            CloudEnvironments.All.Any(c => string.Equals(c.GraphHost, host, StringComparison.OrdinalIgnoreCase))
            || host.EndsWith(".graph.microsoft.com", StringComparison.OrdinalIgnoreCase);

        /// <summary>-SkipCertificateValidation against a Microsoft Graph host: refused.</summary>
        public static M365SmtpException SkipCertificateValidationRefused(string host) =>
            new M365SmtpException(RequestErrorCodes.SkipCertificateValidationNotAllowed,
                $"-SkipCertificateValidation is refused for {host}: Microsoft Graph presents a valid certificate, so one that doesn't " +
                    "validate means the connection is being intercepted.")
            { TargetObject = host, RecommendedAction = "Remove -SkipCertificateValidation (it is only for test servers given with " +
                "-GraphEndpoint)." };
    }
}
