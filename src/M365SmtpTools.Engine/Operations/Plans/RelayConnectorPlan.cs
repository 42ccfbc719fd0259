using System.Linq;
using M365SmtpTools.Engine.Exchange;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>One line of the settings to enter on the device.</summary>
    public sealed class DeviceSetting
    {
        /// <summary>Creates the row.</summary>
        public DeviceSetting(string setting, string value, string? note = null)
        {
            Setting = setting;
            Value = value;
            Note = note;
        }

        /// <summary>The setting, as devices usually call it (SMTP server, Port, ...).</summary>
        public string Setting { get; }

        /// <summary>The value to enter.</summary>
        public string Value { get; }

        /// <summary>Why, or what to watch for.</summary>
        public string? Note { get; }

        /// <inheritdoc />
        public override string ToString() => $"{Setting}: {Value}";
    }

    /// <summary>
    /// The output of New-M365RelayConnectorPlan: the checks, the connector command, the SPF change and the device
    /// settings for SMTP relay through an inbound connector.
    /// </summary>
    public sealed class RelayConnectorPlan
    {
        /// <summary>The accepted domain.</summary>
        public string Domain { get; internal set; } = "";

        /// <summary>The inbound connector's name.</summary>
        public string ConnectorName { get; internal set; } = "";

        /// <summary>OnPremises or Partner.</summary>
        public RelayConnectorType ConnectorType { get; internal set; }

        /// <summary>Certificate or IPAddress.</summary>
        public RelayMethod Method { get; internal set; }

        /// <summary>True when no finding is an Error.</summary>
        public bool IsReady => Findings.All(f => f.Severity != FindingSeverity.Error);

        /// <summary>Every check's result, errors first.</summary>
        public DisplayList<PlanFinding> Findings { get; internal set; } = DisplayList<PlanFinding>.Empty;

        /// <summary>The certificate the device presents (certificate plans), without key material.</summary>
        public RelayCertificateInfo? Certificate { get; internal set; }

        /// <summary>The value of -TlsSenderCertificateName (certificate plans).</summary>
        public string? TlsSenderCertificateName { get; internal set; }

        /// <summary>The sender address or range as the connector takes it (IP plans).</summary>
        public string? SenderIPAddress { get; internal set; }

        /// <summary>The New-InboundConnector command that creates the connector.</summary>
        public string ConnectorCommand { get; internal set; } = "";

        /// <summary>The Set-InboundConnector command that brings an existing connector of that name to the plan.</summary>
        public string UpdateCommand { get; internal set; } = "";

        /// <summary>The SPF record now and the one to publish.</summary>
        public SpfChange Spf { get; internal set; } = new SpfChange();

        /// <summary>The MX host of the domain: the server the device connects to. Null when DNS couldn't tell.</summary>
        public string? SmtpServer { get; internal set; }

        /// <summary>What to enter on the device.</summary>
        public DisplayList<DeviceSetting> DeviceSettings { get; internal set; } = DisplayList<DeviceSetting>.Empty;

        /// <summary>The whole plan as a PowerShell script (written to <see cref="ScriptPath"/> with -ScriptPath).</summary>
        public string Script { get; internal set; } = "";

        /// <summary>The script file that was written, or null.</summary>
        public string? ScriptPath { get; internal set; }

        /// <inheritdoc />
        public override string ToString() =>
            $"Relay connector plan '{ConnectorName}' for {Domain} ({Method}): {(IsReady ? "ready" : "has errors")}";
    }
}
