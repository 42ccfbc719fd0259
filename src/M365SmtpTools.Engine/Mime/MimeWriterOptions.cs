namespace M365SmtpTools.Engine.Mime
{
    /// <summary>
    /// What the receiving server accepts, set by the caller (the SMTP client knows it after EHLO) before
    /// <see cref="MimeMessage.ComputeSize"/> and <see cref="MimeMessage.WriteToAsync"/>: it decides the encodings.
    /// </summary>
    public sealed record MimeWriterOptions
    {
        /// <summary>Only 7-bit encodings (7bit, quoted-printable, base64, RFC 2047 headers): safe for every server.</summary>
        public static MimeWriterOptions SevenBit { get; } = new MimeWriterOptions();

        /// <summary>The server offers 8BITMIME: mostly non-ASCII text parts may be sent 8bit (then the message needs
        /// BODY=8BITMIME).</summary>
        public bool Allow8Bit { get; init; }

        /// <summary>
        /// The server offers SMTPUTF8 and the caller allows it: header values, display names, file names and address domains
        /// are written as raw UTF-8 (RFC 6532) and the message then needs SMTPUTF8. Required for non-ASCII local parts.
        /// </summary>
        public bool AllowUtf8Headers { get; init; }

        /// <summary>Options from the server's EHLO capabilities.</summary>
        /// <param name="eightBitMime">The server offers 8BITMIME.</param>
        /// <param name="smtpUtf8">The server offers SMTPUTF8.</param>
        /// <param name="useUtf8Headers">Whether to use raw UTF-8 headers when SMTPUTF8 is offered (RFC 2047 encoding otherwise).</param>
        public static MimeWriterOptions FromCapabilities(bool eightBitMime, bool smtpUtf8, bool useUtf8Headers = true)
            => new MimeWriterOptions { Allow8Bit = eightBitMime, AllowUtf8Headers = smtpUtf8 && useUtf8Headers };
    }
}
