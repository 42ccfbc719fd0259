using System.Security;
using System.Security.Cryptography.X509Certificates;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>Which kind of inbound connector the relay plan creates.</summary>
    public enum RelayConnectorType
    {
        /// <summary>Mail from your own organization's devices and servers: may relay to any recipient (the usual choice).</summary>
        OnPremises,
        /// <summary>
        /// Mail from a partner organization or service; restricted to the sender domain and its certificate or
        /// addresses.
        /// </summary>
        Partner,
    }

    /// <summary>How the connector recognizes the device's mail.</summary>
    public enum RelayMethod
    {
        /// <summary>By the TLS certificate the device presents (preferred).</summary>
        Certificate,
        /// <summary>By the static public IPv4 address the device sends from.</summary>
        IPAddress,
    }

    /// <summary>
    /// The input of <see cref="NewRelayConnectorPlanOperation"/>; one property per parameter of
    /// New-M365RelayConnectorPlan.
    /// </summary>
    public sealed class NewRelayConnectorPlanRequest
    {
        /// <summary>The accepted domain the device sends from (contoso.com).</summary>
        public string Domain { get; set; } = "";

        /// <summary>A certificate file (.pfx/.p12 with the private key, or .cer/.crt/.pem); a full path.</summary>
        public string? CertificatePath { get; set; }

        /// <summary>The password of the PFX file in <see cref="CertificatePath"/>.</summary>
        public SecureString? CertificatePassword { get; set; }

        /// <summary>The thumbprint of a certificate in the Windows certificate store (CurrentUser\My, then LocalMachine\My).</summary>
        public string? CertificateThumbprint { get; set; }

        /// <summary>The certificate itself; the caller keeps ownership.</summary>
        public X509Certificate2? Certificate { get; set; }

        /// <summary>The static public IPv4 address, or a /24 to /32 range, the device sends from.</summary>
        public string? SenderIPAddress { get; set; }

        /// <summary>The connector's name; by default it is made from the device name and the domain.</summary>
        public string? Name { get; set; }

        /// <summary>The device or application (for the connector name, its comment and the script).</summary>
        public string? DeviceName { get; set; }

        /// <summary>OnPremises (default) or Partner.</summary>
        public RelayConnectorType ConnectorType { get; set; } = RelayConnectorType.OnPremises;

        /// <summary>A .ps1 file to write the plan to as a script; a full path. Null writes nothing.</summary>
        public string? ScriptPath { get; set; }

        /// <summary>The DNS server as <c>host[:port]</c>; null asks the system's resolvers.</summary>
        public string? DnsServer { get; set; }

        /// <summary>
        /// Replace an existing -ScriptPath file, and write the script even though the plan has Error findings (the
        /// script then lists them at its top as overridden).
        /// </summary>
        public bool Force { get; set; }
    }
}
