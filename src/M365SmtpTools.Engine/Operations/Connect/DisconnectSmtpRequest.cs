namespace M365SmtpTools.Engine.Operations
{
    /// <summary>The parameters of Disconnect-M365Smtp.</summary>
    public sealed class DisconnectSmtpRequest
    {
        /// <summary>The names (wildcards allowed) of the connections to remove; none = every connection.</summary>
        public string[]? Name { get; set; }

        /// <summary>Return the removed connections (the operation always returns them; the cmdlet writes them only then).</summary>
        public bool PassThru { get; set; }
    }
}
