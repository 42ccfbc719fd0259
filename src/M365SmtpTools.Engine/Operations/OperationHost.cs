using System;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>
    /// An <see cref="IOperationHost{TResult}"/> made of a host for the common calls and two callbacks for results and
    /// errors: what a front end's runner hands to <see cref="IOperation{TRequest, TResult}.RunAsync"/>.
    /// </summary>
    /// <typeparam name="TResult">What the operation writes.</typeparam>
    public sealed class OperationHost<TResult> : IOperationHost<TResult>
    {
        private readonly IOperationHost _host;
        private readonly Action<TResult> _onResult;
        private readonly Action<M365SmtpException> _onError;

        /// <summary>Creates the host.</summary>
        public OperationHost(IOperationHost host, Action<TResult> onResult, Action<M365SmtpException> onError)
        {
            _host = host ?? throw new ArgumentNullException(nameof(host));
            _onResult = onResult ?? throw new ArgumentNullException(nameof(onResult));
            _onError = onError ?? throw new ArgumentNullException(nameof(onError));
        }

        /// <inheritdoc />
        public bool IsInteractive => _host.IsInteractive;

        /// <inheritdoc />
        public void WriteResult(TResult result) => _onResult(result);

        /// <inheritdoc />
        public void WriteError(M365SmtpException error) => _onError(error);

        /// <inheritdoc />
        public void WriteVerbose(string message) => _host.WriteVerbose(message);

        /// <inheritdoc />
        public void WriteWarning(string message) => _host.WriteWarning(message);

        /// <inheritdoc />
        public void WriteInformation(string message, params string[] tags) => _host.WriteInformation(message, tags);

        /// <inheritdoc />
        public void WriteProgress(OperationProgress progress) => _host.WriteProgress(progress);

        /// <inheritdoc />
        public bool ShouldProcess(string target, string action) => _host.ShouldProcess(target, action);
    }
}
