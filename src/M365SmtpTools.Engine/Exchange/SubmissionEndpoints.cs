using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using M365SmtpTools.Engine.Smtp;
using M365SmtpTools.Engine.Operations;

namespace M365SmtpTools.Engine.Exchange
{
    /// <summary>How a message reaches Exchange Online (DOMAIN.md, "The three methods").</summary>
    public enum SendMethod
    {
        /// <summary>
        /// Authenticated client submission (smtp.office365.com:587, STARTTLS, OAuth or Basic), or one of the named
        /// alternatives.
        /// </summary>
        ClientSubmission,
        /// <summary>
        /// SMTP relay through an inbound connector: port 25 to the tenant MX endpoint, no AUTH; the connector matches
        /// the IP or the TLS client certificate.
        /// </summary>
        Relay,
        /// <summary>Direct Send: port 25 to the tenant MX endpoint, no AUTH, only the tenant's own recipients.</summary>
        DirectSend,
        /// <summary>
        /// Microsoft Graph sendMail over HTTPS (port 443) with an OAuth token for Graph (Mail.Send): for tenants where
        /// SMTP AUTH is off.
        /// </summary>
        Graph,
    }

    /// <summary>The named authenticated submission endpoints.</summary>
    public enum SubmissionEndpointKind
    {
        /// <summary>Exchange Online client submission: the cloud's host (smtp.office365.com), port 587.</summary>
        ClientSubmission,
        /// <summary>High Volume Email: smtp-hve.office365.com:587, for internal bulk mail.</summary>
        HighVolumeEmail,
        /// <summary>Azure Communication Services Email: smtp.azurecomm.net:587.</summary>
        AzureCommunicationServices,
        /// <summary>The opt-in legacy-TLS endpoint smtp-legacy.office365.com (commercial cloud only); prefer the normal one.</summary>
        LegacyTls,
    }

    /// <summary>One row of the endpoint table: where to connect, how it is secured, and its published limits.</summary>
    public sealed class SubmissionEndpointInfo
    {
        internal SubmissionEndpointInfo(SubmissionEndpointKind? kind, SendMethod method, string? host, int port,
            bool requiresAuthentication, int? messagesPerMinute, int? recipientsPerDay, int? maxConnections, string description,
            string? warning)
        {
            Kind = kind;
            Method = method;
            Host = host;
            Port = port;
            RequiresAuthentication = requiresAuthentication;
            MessagesPerMinute = messagesPerMinute;
            RecipientsPerDay = recipientsPerDay;
            MaxConnections = maxConnections;
            Description = description;
            Warning = warning;
        }

        /// <summary>The named endpoint (null for Relay and Direct Send, whose host comes from DNS, and for other servers).</summary>
        public SubmissionEndpointKind? Kind { get; }

        /// <summary>The sending method.</summary>
        public SendMethod Method { get; }

        /// <summary>The host; null for Relay and Direct Send (the tenant MX endpoint, read from DNS).</summary>
        public string? Host { get; }

        /// <summary>The port.</summary>
        public int Port { get; }

        /// <summary>True when the endpoint takes mail only after AUTH.</summary>
        public bool RequiresAuthentication { get; }

        /// <summary>The published message rate limit per sender (null: none published or not per sender).</summary>
        public int? MessagesPerMinute { get; }

        /// <summary>The published daily recipient limit per sender (null: none published or not per sender).</summary>
        public int? RecipientsPerDay { get; }

        /// <summary>The published limit of concurrent connections per sender (null: none published).</summary>
        public int? MaxConnections { get; }

        /// <summary>One line for people.</summary>
        public string Description { get; }

        /// <summary>A warning to show whenever the endpoint is used, or null.</summary>
        public string? Warning { get; }
    }

    /// <summary>An endpoint resolved for one run: host, port, TLS mode, limits, and the warnings to show.</summary>
    public sealed class ResolvedSmtpEndpoint
    {
        internal ResolvedSmtpEndpoint(SubmissionEndpointInfo info, string? host, int port, SmtpTlsMode tlsMode, bool hostOverridden,
            IReadOnlyList<string> warnings)
        {
            Info = info;
            Host = host;
            Port = port;
            TlsMode = tlsMode;
            HostOverridden = hostOverridden;
            Warnings = warnings;
        }

        /// <summary>The table row it came from.</summary>
        public SubmissionEndpointInfo Info { get; }

        /// <summary>The sending method.</summary>
        public SendMethod Method => Info.Method;

        /// <summary>The host to connect to; null when it must still be read from DNS (<see cref="NeedsMxLookup"/>).</summary>
        public string? Host { get; }

        /// <summary>The port to connect to.</summary>
        public int Port { get; }

        /// <summary>How the connection is secured.</summary>
        public SmtpTlsMode TlsMode { get; }

        /// <summary>True when the caller named the host (-SmtpServer) instead of the table or DNS.</summary>
        public bool HostOverridden { get; }

        /// <summary>True for Relay and Direct Send without -SmtpServer: the host is the tenant MX endpoint from DNS.</summary>
        public bool NeedsMxLookup => Host == null;

        /// <summary>True when the endpoint takes mail only after AUTH.</summary>
        public bool RequiresAuthentication => Info.RequiresAuthentication;

        /// <summary>Warnings to show before using it (legacy endpoint, IP address instead of a name).</summary>
        public IReadOnlyList<string> Warnings { get; }

        /// <summary>A copy with the host read from DNS.</summary>
        public ResolvedSmtpEndpoint WithHost(string host) => new ResolvedSmtpEndpoint(Info, host, Port, TlsMode, HostOverridden, Warnings);

        /// <summary><c>host:port</c>.</summary>
        public string Address => (Host ?? "<MX endpoint>") + ":" + Port.ToString(CultureInfo.InvariantCulture);

        /// <inheritdoc />
        public override string ToString() =>
            $"{Address} ({Method}{(Info.Kind is SubmissionEndpointKind k && k != SubmissionEndpointKind.ClientSubmission ? ", " + k : "")}, TLS {TlsMode})";
    }

    /// <summary>
    /// The table of submission endpoints and their published limits (DOMAIN.md), and how a request's method,
    /// endpoint, server and port resolve to one place to connect. Used by Send-M365Mail and Test-M365SmtpAuth.
    /// </summary>
    public static class SubmissionEndpoints
    {
        /// <summary>The port of client submission with STARTTLS.</summary>
        public const int SubmissionPort = 587;

        /// <summary>The port of relay and Direct Send (the MX endpoint).</summary>
        public const int MxPort = 25;

        /// <summary>High Volume Email's host.</summary>
        public const string HighVolumeEmailHost = "smtp-hve.office365.com";

        /// <summary>Azure Communication Services Email's host.</summary>
        public const string AzureCommunicationServicesHost = "smtp.azurecomm.net";

        /// <summary>
        /// The table row for a named endpoint in a cloud. Client submission: 30 messages a minute, 10,000 recipients a
        /// day and 3 connections per mailbox. HVE's limits are not in the table (tenant-wide, not per sender); Azure
        /// Communication Services' default quota for custom domains is 30 messages a minute (raised on request).
        /// </summary>
        public static SubmissionEndpointInfo Get(SubmissionEndpointKind kind, M365Environment environment = M365Environment.Commercial)
        {
            CloudEnvironment cloud = CloudEnvironments.Get(environment);
            switch (kind)
            {
                case SubmissionEndpointKind.ClientSubmission:
                    return new SubmissionEndpointInfo(kind, SendMethod.ClientSubmission, cloud.SmtpHost,
                        SubmissionPort, true, 30, 10000, 3,
                        $"Exchange Online client submission ({cloud.Environment})", null);
                case SubmissionEndpointKind.HighVolumeEmail:
                    if (environment != M365Environment.Commercial) throw NotInCloud(kind, environment);
                    return new SubmissionEndpointInfo(kind, SendMethod.ClientSubmission, HighVolumeEmailHost,
                        SubmissionPort, true, null, null, null,
                        "High Volume Email (internal bulk mail; OAuth with Mail.Send and Add-HVEAppAccess)", null);
                case SubmissionEndpointKind.AzureCommunicationServices:
                    if (environment != M365Environment.Commercial) throw NotInCloud(kind, environment);
                    return new SubmissionEndpointInfo(kind, SendMethod.ClientSubmission, AzureCommunicationServicesHost,
                        SubmissionPort, true, 30, null, null,
                        "Azure Communication Services Email (user name <resource>.<appId>.<tenantId>, or XOAUTH2)", null);
                case SubmissionEndpointKind.LegacyTls:
                    if (cloud.LegacySmtpHost == null) throw NotInCloud(kind, environment);
                    return new SubmissionEndpointInfo(kind, SendMethod.ClientSubmission, cloud.LegacySmtpHost,
                        SubmissionPort, true, 30, 10000, 3,
                        "Exchange Online legacy-TLS client submission (opt-in)",
                        $"{cloud.LegacySmtpHost} is the opt-in endpoint for devices that can't use TLS 1.2 (an admin must run " +
                            "Set-TransportConfig -AllowLegacyTLSClients $true). This module always uses TLS 1.2 or 1.3, so " +
                            $"{cloud.SmtpHost} works and is preferred; use the legacy endpoint only to test what an old device sees.");
                default:
                    throw new ArgumentOutOfRangeException(nameof(kind));
            }
        }

        /// <summary>The table row for Relay or Direct Send (the tenant MX endpoint on port 25, no AUTH, no per-sender limits).</summary>
        public static SubmissionEndpointInfo GetMx(SendMethod method)
        {
            if (method == SendMethod.ClientSubmission) throw new ArgumentOutOfRangeException(nameof(method), "Client submission has " +
                "named endpoints: use Get(kind).");
            return method == SendMethod.Relay
                ? new SubmissionEndpointInfo(null, method, null, MxPort, false, null, null, null,
                    "SMTP relay through an inbound connector (tenant MX endpoint, port 25, no AUTH)", null)
                : new SubmissionEndpointInfo(null, method, null, MxPort, false, null, null, null,
                    "Direct Send (tenant MX endpoint, port 25, no AUTH, internal recipients only)", null);
        }

        /// <summary>
        /// Resolves where to connect. Client submission: the named endpoint's host and port 587, STARTTLS required,
        /// unless <paramref name="smtpServer"/>/<paramref name="port"/> override them (port 465 to a server that is not
        /// Microsoft 365 means implicit TLS). Relay and Direct Send: port 25 to
        /// <paramref name="smtpServer"/> or, when null, to the tenant MX endpoint the caller reads from DNS
        /// (<see cref="ResolvedSmtpEndpoint.NeedsMxLookup"/>); STARTTLS when offered, required with
        /// <paramref name="requireTls"/> or a client certificate.
        /// </summary>
        /// <exception cref="M365SmtpException">
        /// ImplicitTlsNotSupported (port 465 to Microsoft 365), EndpointNotInCloud, PortOutOfRange, SmtpServerWithEndpoint.
        /// </exception>
        public static ResolvedSmtpEndpoint Resolve(SendMethod method,
            SubmissionEndpointKind endpoint = SubmissionEndpointKind.ClientSubmission,
            M365Environment environment = M365Environment.Commercial, string? smtpServer = null, int? port = null,
            bool requireTls = false, bool clientCertificate = false)
        {
            if (port is int p && (p < 1 || p > 65535))
                throw Invalid(RequestErrorCodes.PortOutOfRange, "Port",
                    $"-Port {p} is not a TCP port.", "Use 587 for client submission, 25 for relay and Direct Send.");
            string? server = string.IsNullOrWhiteSpace(smtpServer) ? null : smtpServer!.Trim().TrimEnd('.');
            var warnings = new List<string>();
            SubmissionEndpointInfo info;
            if (method == SendMethod.ClientSubmission)
            {
                // -SmtpServer with the default endpoint: a known host brings its own row (limits, warnings); any other
                // server (on-premises, another provider) has no published limits.
                SubmissionEndpointKind? known = server == null || endpoint != SubmissionEndpointKind.ClientSubmission
                    ? endpoint
                    : KindForHost(server, environment);
                info = known is SubmissionEndpointKind k
                    ? Get(k, environment)
                    : new SubmissionEndpointInfo(null, SendMethod.ClientSubmission, server, SubmissionPort, true, null, null, null,
                        $"SMTP submission to {server}", null);
                if (info.Warning != null) warnings.Add(info.Warning);
            }
            else
            {
                if (endpoint != SubmissionEndpointKind.ClientSubmission)
                    throw Invalid(ExchangeErrorCodes.EndpointNotApplicable, "Endpoint",
                        $"-Endpoint {endpoint} applies to -Method ClientSubmission, not to -Method {method} (which connects to the " +
                            "tenant MX endpoint on port 25).",
                        "Remove -Endpoint, or use -Method ClientSubmission.");
                info = GetMx(method);
            }

            string? host = server ?? info.Host;
            int resolvedPort = port ?? info.Port;
            bool microsoftHost = host != null
                && (MicrosoftHosts.IsMicrosoft365Host(host) || host.EndsWith(".mx.microsoft", StringComparison.OrdinalIgnoreCase));
            if (resolvedPort == 465 && (microsoftHost || host == null))
                throw Invalid(ExchangeErrorCodes.ImplicitTlsNotSupported, "Port",
                    $"Port 465 (implicit TLS) is not supported by Microsoft 365 ({host ?? "the tenant MX endpoint"}); nothing was sent.",
                    method == SendMethod.ClientSubmission
                        ? "Use port 587 with STARTTLS (leave -Port out). A device that can only use 465 needs a relay in between, or " +
                            "another sending method."
                        : "Leave -Port out: relay and Direct Send use port 25 with STARTTLS.");
            // Only an address of Microsoft 365 itself: a loopback, private or other provider's address is a server of its own.
            if (server != null && IPAddress.TryParse(server.Trim('[', ']'), out IPAddress? address) && method == SendMethod.ClientSubmission
                && MicrosoftAddressRanges.Contains(address))
            {
                string name = CloudEnvironments.Get(environment).SmtpHost;
                warnings.Add($"-SmtpServer {server} is an IP address of Microsoft 365: its addresses change without notice and its " +
                    $"certificate names {name}, so TLS validation fails for an address; use -SmtpServer {name} (or leave " +
                    "-SmtpServer out).");
            }

            // Port 465 elsewhere (an on-premises server, another provider) means TLS from the first byte.
            SmtpTlsMode tls = resolvedPort == 465 ? SmtpTlsMode.ImplicitTls
                : method == SendMethod.ClientSubmission || requireTls || clientCertificate ? SmtpTlsMode.StartTlsRequired
                : SmtpTlsMode.StartTlsWhenAvailable;
            return new ResolvedSmtpEndpoint(info, host, resolvedPort, tls, server != null, warnings);
        }

        /// <summary>The named endpoint whose host is <paramref name="host"/> in the cloud, or null for any other host.</summary>
        public static SubmissionEndpointKind? KindForHost(string host, M365Environment environment = M365Environment.Commercial)
        {
            if (string.IsNullOrWhiteSpace(host)) return null;
            string h = host.Trim().TrimEnd('.');
            CloudEnvironment cloud = CloudEnvironments.Get(environment);
            if (h.Equals(cloud.SmtpHost, StringComparison.OrdinalIgnoreCase)) return SubmissionEndpointKind.ClientSubmission;
            if (cloud.LegacySmtpHost != null && h.Equals(cloud.LegacySmtpHost, StringComparison.OrdinalIgnoreCase))
                return SubmissionEndpointKind.LegacyTls;
            if (environment == M365Environment.Commercial && h.Equals(HighVolumeEmailHost, StringComparison.OrdinalIgnoreCase))
                return SubmissionEndpointKind.HighVolumeEmail;
            if (environment == M365Environment.Commercial && h.Equals(AzureCommunicationServicesHost, StringComparison.OrdinalIgnoreCase))
                return SubmissionEndpointKind.AzureCommunicationServices;
            return null;
        }

        private static M365SmtpException NotInCloud(SubmissionEndpointKind kind, M365Environment environment) =>
            Invalid(ExchangeErrorCodes.EndpointNotInCloud, "Endpoint", $"-Endpoint {kind} is not available in the {environment} cloud.",
                "Use -Endpoint ClientSubmission, or name the server with -SmtpServer.");

        private static M365SmtpException Invalid(ErrorCode code, string parameter, string message, string action) =>
            new M365SmtpException(code, ErrorKind.InvalidArgument, message)
            {
                TargetObject = parameter,
                ParameterName = parameter,
                RecommendedAction = action,
            };
    }
}
