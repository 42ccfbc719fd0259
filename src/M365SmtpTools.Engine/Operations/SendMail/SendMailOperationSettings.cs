using System;
using M365SmtpTools.Engine.Auth;
using M365SmtpTools.Engine.Dns;
using M365SmtpTools.Engine.Exchange;
using M365SmtpTools.Engine.Smtp;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>What <see cref="SendMailOperation"/> uses from its environment; every value defaults to production.</summary>
    public sealed class SendMailOperationSettings
    {
        /// <summary>Time for pacing, back-off and elapsed times.</summary>
        public IClock Clock { get; set; } = SystemClock.Instance;

        /// <summary>Makes the DNS resolver for MX lookups (default: <see cref="DnsClient"/> with the request's DnsServer).</summary>
        public Func<SendMailRequest, Action<string>, IDnsResolver>? DnsResolverFactory { get; set; }

        /// <summary>The session connections (default: the process's).</summary>
        public SmtpConnectionRegistry? Registry { get; set; }

        /// <summary>Makes token providers for auth parameters (default: production MSAL).</summary>
        public TokenProviderFactory? TokenProviderFactory { get; set; }

        /// <summary>The Basic authentication retirement dates (default: as announced).</summary>
        public BasicAuthRetirementSchedule? BasicAuthSchedule { get; set; }

        /// <summary>
        /// Stop at the first message that fails (PowerShell's -ErrorAction Stop): messages are sent one at a time, and
        /// after a Failed or Unknown message (or one that fails before sending) nothing later in the batch is handed to a
        /// server; those messages end NotAttempted. A message already being transmitted on the connection when the failure
        /// happens can't exist: with this setting there is only one.
        /// </summary>
        public bool StopAtFirstFailure { get; set; }

        /// <summary>Adjusts each connection's options after the request's are applied (e.g. trust a private CA, shorter
        /// timeouts).</summary>
        public Action<SmtpConnectOptions>? ConfigureConnection { get; set; }

        /// <summary>Maps the resolved host and port to the address actually dialled (tests put a loopback server behind a real
        /// name).</summary>
        public Func<string, int, (string Host, int Port)>? Redirect { get; set; }

        /// <summary>The first back-off of the retry policy (default 2 seconds).</summary>
        public TimeSpan? RetryBaseDelay { get; set; }

        /// <summary>Makes the retry jitter repeatable.</summary>
        public int? RetrySeed { get; set; }

        /// <summary>-Method Graph: the HTTP handler requests go through (tests trust a private CA); default a new
        /// HttpClientHandler.</summary>
        public System.Net.Http.HttpMessageHandler? GraphHttpHandler { get; set; }
    }
}
