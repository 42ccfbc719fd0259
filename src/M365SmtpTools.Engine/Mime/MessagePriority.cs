namespace M365SmtpTools.Engine.Mime
{
    /// <summary>The priority written as X-Priority, Importance and Priority headers.</summary>
    public enum MessagePriority
    {
        /// <summary>Normal: X-Priority 3, Importance Normal, Priority normal.</summary>
        Normal,
        /// <summary>Low: X-Priority 5, Importance Low, Priority non-urgent.</summary>
        Low,
        /// <summary>High: X-Priority 1, Importance High, Priority urgent.</summary>
        High,
    }
}
