namespace M365SmtpTools.Engine.Operations
{
    /// <summary>The parameters of Get-M365SmtpConnection.</summary>
    public sealed class GetSmtpConnectionRequest
    {
        /// <summary>The names (wildcards allowed); none = every connection.</summary>
        public string[]? Name { get; set; }
    }
}
