namespace M365SmtpTools.Engine.Operations
{
    /// <summary>The stages of a Test-M365GraphSend run, in the order they run.</summary>
    public enum GraphTestStage
    {
        /// <summary>Getting the access token (or reading the one given with -AccessToken).</summary>
        Token,
        /// <summary>The token's claims: audience (Microsoft Graph of the cloud), Mail.Send in roles or scp, expiry, tenant.</summary>
        Claims,
        /// <summary>The mailbox and the permission to send from it, probed with a message without recipients (nothing is sent).</summary>
        Mailbox,
        /// <summary>A real test message (-SendTestMessage only).</summary>
        Message,
    }
}
