namespace M365SmtpTools.Engine
{
    /// <summary>The error codes of the files the module writes for the user (plan scripts, SMTP transcripts).</summary>
    public static class FileErrorCodes
    {
        /// <summary>-ScriptPath is a symbolic link.</summary>
        public static readonly ErrorCode ScriptPathIsLink = new ErrorCode("ScriptPathIsLink", ErrorKind.InvalidOperation);
        /// <summary>-ScriptPath is a folder.</summary>
        public static readonly ErrorCode ScriptPathIsFolder = new ErrorCode("ScriptPathIsFolder", ErrorKind.InvalidArgument);
        /// <summary>-ScriptPath exists and -Force wasn't given.</summary>
        public static readonly ErrorCode ScriptExists = new ErrorCode("ScriptExists", ErrorKind.ResourceUnavailable);
        /// <summary>The script couldn't be written.</summary>
        public static readonly ErrorCode ScriptWriteFailed = new ErrorCode("ScriptWriteFailed", ErrorKind.InvalidOperation);
        /// <summary>-TranscriptPath is a symbolic link.</summary>
        public static readonly ErrorCode TranscriptPathIsLink = new ErrorCode("TranscriptPathIsLink", ErrorKind.InvalidOperation);
        /// <summary>-TranscriptPath is a folder.</summary>
        public static readonly ErrorCode TranscriptPathIsFolder = new ErrorCode("TranscriptPathIsFolder", ErrorKind.InvalidArgument);
        /// <summary>-TranscriptPath exists and -Force wasn't given.</summary>
        public static readonly ErrorCode TranscriptExists = new ErrorCode("TranscriptExists", ErrorKind.ResourceUnavailable);
        /// <summary>The transcript couldn't be written.</summary>
        public static readonly ErrorCode TranscriptFileUnavailable =
            new ErrorCode("SmtpTranscriptFileUnavailable", ErrorKind.InvalidOperation);
        /// <summary>The folder of -TranscriptPath doesn't exist.</summary>
        public static readonly ErrorCode TranscriptFolderNotFound = new ErrorCode("TranscriptFolderNotFound", ErrorKind.InvalidArgument);
    }
}
