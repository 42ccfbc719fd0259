namespace M365SmtpTools.Engine.Operations
{
    /// <summary>An <see cref="IOperationHost"/> that turns warnings into verbose lines (their content becomes findings).</summary>
    internal sealed class WarningsToVerboseHost : IOperationHost
    {
        private readonly IOperationHost _inner;
        public WarningsToVerboseHost(IOperationHost inner) => _inner = inner;
        public bool IsInteractive => _inner.IsInteractive;
        public void WriteVerbose(string message) => _inner.WriteVerbose(message);
        public void WriteWarning(string message) => _inner.WriteVerbose("(reported as a finding) " + message);
        public void WriteInformation(string message, params string[] tags) => _inner.WriteInformation(message, tags);
        public void WriteProgress(OperationProgress progress) => _inner.WriteProgress(progress);
        public bool ShouldProcess(string target, string action) => _inner.ShouldProcess(target, action);
    }
}
