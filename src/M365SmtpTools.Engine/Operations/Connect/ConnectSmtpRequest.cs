using M365SmtpTools.Engine.Auth;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>The parameters of Connect-M365Smtp: the auth options plus where to connect and what to keep.</summary>
    public sealed class ConnectSmtpRequest : SmtpAuthOptions
    {
        /// <summary>The SMTP server; default the cloud's submission host (smtp.office365.com).</summary>
        public string? SmtpServer { get; set; }

        /// <summary>The SMTP port; default 587 (STARTTLS).</summary>
        public int Port { get; set; } = 587;

        /// <summary>The connection's name; default <c>Default</c>.</summary>
        public string? Name { get; set; }

        /// <summary>Also authenticate against the SMTP server now (AUTH), not only get the token.</summary>
        public bool Test { get; set; }

        /// <summary>Return the connection object.</summary>
        public bool PassThru { get; set; }

        /// <summary>Use Basic authentication against Microsoft 365 even after its final removal date.</summary>
        public bool AllowRetiredBasicAuth { get; set; }
    }
}
