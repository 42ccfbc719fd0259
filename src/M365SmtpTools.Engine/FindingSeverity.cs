namespace M365SmtpTools.Engine
{
    /// <summary>How serious a finding (of a diagnosis, a token check or a plan) is.</summary>
    public enum FindingSeverity
    {
        /// <summary>Worth knowing.</summary>
        Information,
        /// <summary>Works, but should be changed; or probably a problem.</summary>
        Warning,
        /// <summary>Sending fails until this is fixed.</summary>
        Error,
    }
}
