using System;
using System.Threading;
using System.Threading.Tasks;
using M365SmtpTools.Engine.Operations;

namespace M365SmtpTools.Engine.Auth
{
    /// <summary>
    /// The shared part of every token provider: one cached token, refreshed <see cref="IdentityClientOptions.RefreshBeforeExpiry"/>
    /// before it expires, with one acquisition at a time.
    /// </summary>
    internal abstract class TokenProviderBase : ITokenProvider, IDisposable
    {
        private readonly SemaphoreSlim _gate = new SemaphoreSlim(1, 1);
        private SmtpAccessToken? _cached;

        protected TokenProviderBase(IdentityClientOptions options) => Options = options;

        protected IdentityClientOptions Options { get; }

        public abstract SmtpAuthMethod Method { get; }

        public DateTimeOffset? ExpiresOn => Volatile.Read(ref _cached)?.ExpiresOn;

        /// <summary>How many times a token was requested from the source (not served from this cache).</summary>
        internal int AcquisitionCount;

        public async Task<SmtpAccessToken> GetTokenAsync(IOperationHost host, CancellationToken cancellationToken)
        {
            SmtpAccessToken? current = Volatile.Read(ref _cached);
            if (current != null && IsFresh(current)) return current;

            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                current = _cached;
                if (current != null && IsFresh(current)) return current;
                bool refresh = current != null;
                if (refresh) host.WriteVerbose($"{Method}: the token expires at {current!.ExpiresOn:u}; getting a new one.");
                Interlocked.Increment(ref AcquisitionCount);
                SmtpAccessToken token;
                try
                {
                    token = await AcquireAsync(refresh, host, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested)
                {
                    throw new M365SmtpException(TokenErrorCodes.AuthenticationCancelled, $"Getting a token ({Method}) was cancelled.", e);
                }
                catch (Exception e) when (!(e is M365SmtpException))
                {
                    throw AadErrorCatalog.Translate(e, Method);
                }
                Volatile.Write(ref _cached, token);
                host.WriteVerbose(token.ExpiresOn is DateTimeOffset exp
                    ? $"{Method}: token acquired, valid until {exp:u}."
                    : $"{Method}: token acquired.");
                return token;
            }
            finally
            {
                _gate.Release();
            }
        }

        private bool IsFresh(SmtpAccessToken token) =>
            token.ExpiresOn is not DateTimeOffset exp || Options.Clock() < exp - Options.RefreshBeforeExpiry;

        /// <summary>Gets a token from the source; <paramref name="forceRefresh"/> asks past any library cache.</summary>
        protected abstract Task<SmtpAccessToken> AcquireAsync(bool forceRefresh, IOperationHost host, CancellationToken cancellationToken);

        public virtual void ClearCache() => Volatile.Write(ref _cached, null);

        public virtual void Dispose()
        {
            ClearCache();
            _gate.Dispose();
        }
    }
}
