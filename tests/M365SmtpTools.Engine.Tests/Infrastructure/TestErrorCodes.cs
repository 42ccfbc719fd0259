namespace M365SmtpTools.Engine.Tests.Infrastructure;

/// <summary>Error codes for test doubles: the registered code of an id, or a made-up one for an id no catalogue has.</summary>
public static class TestErrorCodes
{
    /// <summary>The registered code with this id, else a new code (for "some other failure" cases).</summary>
    public static ErrorCode Of(string id, ErrorKind kind = ErrorKind.InvalidOperation) =>
        ErrorCodeRegistry.Find(id) ?? new ErrorCode(id, kind);
}
