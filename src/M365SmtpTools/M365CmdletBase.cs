using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using M365SmtpTools.Engine;
using M365SmtpTools.Engine.Operations;

namespace M365SmtpTools
{
    /// <summary>
    /// Base of every cmdlet: owns the cancellation source (Ctrl+C cancels it), runs engine operations off the pipeline
    /// thread while forwarding their verbose/warning/progress/information/ShouldProcess calls to the pipeline thread,
    /// and turns engine exceptions into ErrorRecords with stable ids.
    /// </summary>
    public abstract class M365CmdletBase : PSCmdlet, IDisposable
    {
        private readonly CancellationTokenSource _cancellation = new CancellationTokenSource();

        /// <summary>Cancelled when the user presses Ctrl+C or the pipeline stops.</summary>
        protected CancellationToken CancellationToken => _cancellation.Token;

        /// <inheritdoc />
        protected override void StopProcessing() => _cancellation.Cancel();

        /// <summary>
        /// Says (with -Debug) which parameter set PowerShell chose: the first thing to check when a call does something
        /// other than what was meant.
        /// </summary>
        protected override void BeginProcessing() =>
            WriteDebug($"{MyInvocation.MyCommand.Name}: parameter set '{ParameterSetName}'.");

        /// <inheritdoc />
        public void Dispose()
        {
            _cancellation.Dispose();
            GC.SuppressFinalize(this);
        }

        /// <summary>
        /// The one way every cmdlet runs its engine operation. The operation runs off the pipeline thread; its host calls,
        /// results and per-item errors are queued and executed here on the pipeline thread, as PowerShell requires, as
        /// soon as each is made (results stream). A result goes to <paramref name="onResult"/> (default: the pipeline);
        /// a per-item error is a non-terminating error; what the operation throws ends the cmdlet with a terminating
        /// error, or, when <paramref name="failureIsPerInput"/> (commands run once per pipeline input), a non-terminating
        /// one for this input. An error without its own target is aimed at <paramref name="errorTarget"/>.
        /// </summary>
        protected void RunOperation<TRequest, TResult>(IOperation<TRequest, TResult> operation, TRequest request,
            Action<TResult>? onResult = null, object? errorTarget = null, bool failureIsPerInput = false)
        {
            Action<TResult> write = onResult ?? (result => WriteObject(result));
            try
            {
                using var host = new PipelineThreadHost(this);
                var output = new OperationHost<TResult>(host,
                    result => host.Post(() => write(result)),
                    error => host.Post(() => WriteEngineError(error, error.TargetObject ?? errorTarget)));
                Task task = Task.Run(() => operation.RunAsync(request, output, _cancellation.Token));
                Pump(host, task);
                task.GetAwaiter().GetResult();
            }
            catch (M365SmtpException e)
            {
                if (failureIsPerInput) WriteEngineError(e, e.TargetObject ?? errorTarget);
                else ThrowEngineError(e, e.TargetObject ?? errorTarget);
            }
        }

        // Runs the operation's host calls here until it ends. When the pipeline goes away underneath (a terminating
        // error from -ErrorAction Stop, a downstream cmdlet failing, Select-Object -First), the operation is cancelled
        // and waited for, so that nothing is sent after this cmdlet has stopped.
        private void Pump(PipelineThreadHost host, Task task)
        {
            task.ContinueWith(_ => host.Complete(), TaskScheduler.Default);
            try
            {
                host.PumpUntilComplete();
            }
            catch
            {
                _cancellation.Cancel();
                host.Abandon();
                try { task.Wait(); }
                catch (AggregateException) { /* the operation's own failure is moot: the pipeline's exception wins */ }
                throw;
            }
        }

        /// <summary>True when an error of this cmdlet would stop the pipeline (-ErrorAction Stop, or
        /// $ErrorActionPreference = 'Stop').</summary>
        protected bool ErrorActionIsStop()
        {
            object? preference = MyInvocation.BoundParameters.TryGetValue("ErrorAction", out object? bound)
                ? bound
                : SessionState?.PSVariable.GetValue("ErrorActionPreference");
            if (preference is PSObject pso) preference = pso.BaseObject;
            return preference is ActionPreference p ? p == ActionPreference.Stop
                : string.Equals(preference?.ToString(), nameof(ActionPreference.Stop), StringComparison.OrdinalIgnoreCase);
        }

        /// <summary>Writes an engine exception as a non-terminating error for one input.</summary>
        protected void WriteEngineError(M365SmtpException exception, object? target = null) =>
            WriteError(ToErrorRecord(exception, target));

        /// <summary>Stops the cmdlet with an engine exception as a terminating error.</summary>
        protected void ThrowEngineError(M365SmtpException exception, object? target = null) =>
            ThrowTerminatingError(ToErrorRecord(exception, target));

        /// <summary>Builds the ErrorRecord for an engine exception: stable id, mapped category, target, recommended action.</summary>
        internal static ErrorRecord ToErrorRecord(M365SmtpException exception, object? target = null)
        {
            var record = new ErrorRecord(exception, exception.ErrorId, MapCategory(exception.Kind), target ?? exception.TargetObject);
            if (exception.RecommendedAction != null)
                record.ErrorDetails = new ErrorDetails(exception.Message) { RecommendedAction = exception.RecommendedAction };
            return record;
        }

        /// <summary>Maps the engine's failure kind to PowerShell's error category.</summary>
        internal static ErrorCategory MapCategory(ErrorKind kind) => kind switch
        {
            ErrorKind.InvalidArgument => ErrorCategory.InvalidArgument,
            ErrorKind.ObjectNotFound => ErrorCategory.ObjectNotFound,
            ErrorKind.ConnectionError => ErrorCategory.ConnectionError,
            ErrorKind.AuthenticationError => ErrorCategory.AuthenticationError,
            ErrorKind.PermissionDenied => ErrorCategory.PermissionDenied,
            ErrorKind.OperationTimeout => ErrorCategory.OperationTimeout,
            ErrorKind.ProtocolError => ErrorCategory.ProtocolError,
            ErrorKind.InvalidOperation => ErrorCategory.InvalidOperation,
            ErrorKind.LimitsExceeded => ErrorCategory.LimitsExceeded,
            ErrorKind.SecurityError => ErrorCategory.SecurityError,
            ErrorKind.ResourceUnavailable => ErrorCategory.ResourceUnavailable,
            ErrorKind.Cancelled => ErrorCategory.OperationStopped,
            _ => ErrorCategory.NotSpecified,
        };

        /// <summary>True when no person can answer a prompt (-NonInteractive host, Azure Automation, no console).</summary>
        protected bool IsNonInteractive()
        {
            if (Environment.GetEnvironmentVariable("AUTOMATION_ASSET_ACCOUNTID") != null) return true; // Azure Automation sandbox
            foreach (string arg in Environment.GetCommandLineArgs())
                if (arg.StartsWith("-noni", StringComparison.OrdinalIgnoreCase)) return true;
            return Host?.UI?.RawUI == null || Host.Name == "Default Host" || Host.Name == "ServerRemoteHost";
        }

        /// <summary>Forwards an operation's host calls to the pipeline thread.</summary>
        private sealed class PipelineThreadHost : IOperationHost, IDisposable
        {
            private readonly M365CmdletBase _cmdlet;
            private readonly BlockingCollection<Action> _queue = new BlockingCollection<Action>();
            private readonly bool _interactive;

            public PipelineThreadHost(M365CmdletBase cmdlet)
            {
                _cmdlet = cmdlet;
                _interactive = !cmdlet.IsNonInteractive();
            }

            public bool IsInteractive => _interactive;

            private readonly TaskCompletionSource<bool> _abandoned = new TaskCompletionSource<bool>();

            public void Complete() => _queue.CompleteAdding();

            /// <summary>The pipeline thread stopped listening: later calls are dropped and any question is answered "no".</summary>
            public void Abandon()
            {
                _abandoned.TrySetResult(true);
                try { _queue.CompleteAdding(); } catch (ObjectDisposedException) { }
            }

            public void PumpUntilComplete()
            {
                foreach (Action action in _queue.GetConsumingEnumerable()) action();
            }

            public void Post(Action action)
            {
                try { _queue.Add(action); }
                catch (InvalidOperationException) { /* operation already finished; late messages are dropped */ }
            }

            // Server replies and DNS text reach these messages: no control sequence goes to the console raw.
            public void WriteVerbose(string message) =>
                Post(() => _cmdlet.WriteVerbose(TerminalText.Escape(message, keepLineBreaks: true)));
            // A warning that applies to every connection or attempt (a switched-off certificate check) is said once per command.
            private readonly HashSet<string> _warned = new HashSet<string>(StringComparer.Ordinal);
            public void WriteWarning(string message) => Post(() =>
            {
                if (_warned.Add(message)) _cmdlet.WriteWarning(TerminalText.Escape(message, keepLineBreaks: true));
            });
            public void WriteInformation(string message, params string[] tags) =>
                Post(() => _cmdlet.WriteInformation(
                    new HostInformationMessage { Message = TerminalText.Escape(message, keepLineBreaks: true) }, tags));

            public void WriteProgress(OperationProgress progress) => Post(() =>
            {
                var record = new ProgressRecord(progress.ActivityId, progress.Activity,
                    string.IsNullOrEmpty(progress.Status) ? "…" : progress.Status)
                {
                    CurrentOperation = progress.CurrentOperation,
                    PercentComplete = progress.PercentComplete,
                    SecondsRemaining = progress.SecondsRemaining,
                    RecordType = progress.Completed ? ProgressRecordType.Completed : ProgressRecordType.Processing,
                };
                _cmdlet.WriteProgress(record);
            });

            public bool ShouldProcess(string target, string action)
            {
                var answer = new TaskCompletionSource<bool>();
                Post(() =>
                {
                    try { answer.SetResult(_cmdlet.ShouldProcess(target, action)); }
                    catch (Exception e) { answer.SetException(e); }
                });
                return Task.WhenAny(answer.Task, _abandoned.Task).GetAwaiter().GetResult() == answer.Task
                    && answer.Task.GetAwaiter().GetResult();
            }

            public void Dispose() => _queue.Dispose();
        }
    }
}
