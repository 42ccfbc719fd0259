namespace M365SmtpTools.Engine.Operations
{
    /// <summary>
    /// How an operation talks back to whoever runs it: the cmdlet base class forwards these to the PowerShell
    /// streams on the pipeline thread; the CLI writes them to stderr; tests record them.
    /// </summary>
    public interface IOperationHost
    {
        /// <summary>A line for the verbose stream.</summary>
        void WriteVerbose(string message);

        /// <summary>A warning.</summary>
        void WriteWarning(string message);

        /// <summary>Information meant for the person (e.g. a device-code prompt).</summary>
        void WriteInformation(string message, params string[] tags);

        /// <summary>Progress of long work.</summary>
        void WriteProgress(OperationProgress progress);

        /// <summary>Asks whether to go on with an action that sends or changes something (-WhatIf / -Confirm).</summary>
        bool ShouldProcess(string target, string action);

        /// <summary>True when a person can answer prompts (not a runbook, not -NonInteractive).</summary>
        bool IsInteractive { get; }
    }

    /// <summary>Progress of an operation, shaped like PowerShell's ProgressRecord.</summary>
    public sealed class OperationProgress
    {
        /// <summary>Identifies the progress bar.</summary>
        public int ActivityId { get; set; }
        /// <summary>What is being done overall.</summary>
        public string Activity { get; set; } = "";
        /// <summary>The current state.</summary>
        public string Status { get; set; } = "";
        /// <summary>The current item.</summary>
        public string? CurrentOperation { get; set; }
        /// <summary>0 to 100, or -1 when unknown.</summary>
        public int PercentComplete { get; set; } = -1;
        /// <summary>Seconds left, or -1 when unknown.</summary>
        public int SecondsRemaining { get; set; } = -1;
        /// <summary>True when the activity is finished.</summary>
        public bool Completed { get; set; }
    }

    /// <summary>A host that discards everything and answers yes: for C# callers that want no output.</summary>
    public sealed class NullOperationHost : IOperationHost
    {
        /// <summary>The shared instance.</summary>
        public static readonly NullOperationHost Instance = new NullOperationHost();
        /// <inheritdoc />
        public void WriteVerbose(string message) { }
        /// <inheritdoc />
        public void WriteWarning(string message) { }
        /// <inheritdoc />
        public void WriteInformation(string message, params string[] tags) { }
        /// <inheritdoc />
        public void WriteProgress(OperationProgress progress) { }
        /// <inheritdoc />
        public bool ShouldProcess(string target, string action) => true;
        /// <inheritdoc />
        public bool IsInteractive => false;
    }
}
