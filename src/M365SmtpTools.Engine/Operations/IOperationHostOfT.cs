namespace M365SmtpTools.Engine.Operations
{
    /// <summary>
    /// The host of one operation run: the common host calls, plus where results and per-item errors go. The cmdlet
    /// runner writes them to the pipeline (WriteObject, a non-terminating ErrorRecord), the CLI runner to stdout and
    /// stderr, <see cref="OperationRunner"/> into a list.
    /// </summary>
    /// <typeparam name="TResult">What the operation writes.</typeparam>
    public interface IOperationHost<in TResult> : IOperationHost
    {
        /// <summary>One result, as soon as it is final.</summary>
        void WriteResult(TResult result);

        /// <summary>One input's failure (a domain, a connection name, a script not written); the run goes on.</summary>
        void WriteError(M365SmtpException error);
    }
}
