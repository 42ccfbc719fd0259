namespace M365SmtpTools.Engine.Auth
{
    /// <summary>How a connection authenticates to the SMTP server.</summary>
    public enum SmtpAuthMethod
    {
        /// <summary>App-only token (client credentials) signed with a certificate.</summary>
        AppCertificate,
        /// <summary>App-only token (client credentials) with a client secret.</summary>
        AppSecret,
        /// <summary>App-only token of an Azure managed identity (system- or user-assigned).</summary>
        ManagedIdentity,
        /// <summary>Delegated token: a person signs in with a device code.</summary>
        DeviceCode,
        /// <summary>Delegated token: a person signs in in a browser.</summary>
        Interactive,
        /// <summary>A token obtained elsewhere and passed in.</summary>
        AccessToken,
        /// <summary>Username and password (SMTP AUTH PLAIN/LOGIN): being retired for Microsoft 365.</summary>
        Basic,
    }

    /// <summary>Helpers for the auth methods.</summary>
    public static class SmtpAuthMethodExtensions
    {
        /// <summary>True for the methods that use an OAuth access token (XOAUTH2), false for Basic.</summary>
        public static bool UsesToken(this SmtpAuthMethod method) => method != SmtpAuthMethod.Basic;

        /// <summary>True for the methods where a person signs in (delegated tokens).</summary>
        public static bool IsDelegated(this SmtpAuthMethod method) =>
            method == SmtpAuthMethod.DeviceCode || method == SmtpAuthMethod.Interactive;

        /// <summary>True for app-only tokens (client credentials and managed identity).</summary>
        public static bool IsAppOnly(this SmtpAuthMethod method) =>
            method == SmtpAuthMethod.AppCertificate || method == SmtpAuthMethod.AppSecret || method == SmtpAuthMethod.ManagedIdentity;
    }
}
