using System;

namespace M365SmtpTools.Engine
{
    /// <summary>
    /// One kind of engine failure: its stable id (the ErrorRecord's FullyQualifiedErrorId, which scripts match), the
    /// failure kind it usually is, and the sending step it belongs to. Every code lives in the catalogue of its area
    /// (e.g. <see cref="Smtp.SmtpErrorCodes"/>) and can be found by id with <see cref="ErrorCodeRegistry"/>.
    /// </summary>
    public sealed class ErrorCode : IEquatable<ErrorCode>
    {
        internal ErrorCode(string id, ErrorKind kind, FailurePhase phase = FailurePhase.Other)
        {
            if (string.IsNullOrEmpty(id)) throw new ArgumentException("An error code needs an id.", nameof(id));
            Id = id;
            Kind = kind;
            Phase = phase;
        }

        /// <summary>The stable identifier, e.g. <c>SmtpAuthenticationFailed</c>.</summary>
        public string Id { get; }

        /// <summary>The kind of failure, unless the place that throws it decides otherwise (e.g. from a server's reply).</summary>
        public ErrorKind Kind { get; }

        /// <summary>The step of sending the failure belongs to.</summary>
        public FailurePhase Phase { get; }

        // The id is the identity: two codes with one id are the same failure (the registry test keeps ids unique).

        /// <inheritdoc />
        public bool Equals(ErrorCode? other) => other is not null && string.Equals(Id, other.Id, StringComparison.Ordinal);

        /// <inheritdoc />
        public override bool Equals(object? obj) => Equals(obj as ErrorCode);

        /// <inheritdoc />
        public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Id);

        /// <summary>True when both are the same code (or both null).</summary>
        public static bool operator ==(ErrorCode? left, ErrorCode? right) => left is null ? right is null : left.Equals(right);

        /// <summary>True when they are different codes.</summary>
        public static bool operator !=(ErrorCode? left, ErrorCode? right) => !(left == right);

        /// <summary>The id.</summary>
        public override string ToString() => Id;
    }
}
