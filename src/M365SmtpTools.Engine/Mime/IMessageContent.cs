using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace M365SmtpTools.Engine.Mime
{
    /// <summary>
    /// A message the SMTP client can transmit: the contract between the MIME writer and the SMTP client.
    /// The content writes canonical bytes (CRLF line ends, no dot-stuffing); the SMTP client adds dot-stuffing
    /// for DATA (and normalizes line ends again as a defence) or frames it for BDAT.
    /// </summary>
    public interface IMessageContent
    {
        /// <summary>The exact number of bytes <see cref="WriteToAsync"/> will write (for the SIZE check before sending).</summary>
        long ComputeSize();

        /// <summary>True when some part is sent 8bit (needs BODY=8BITMIME).</summary>
        bool Requires8BitMime { get; }

        /// <summary>True when a header or address holds UTF-8 that can't be encoded (needs SMTPUTF8).</summary>
        bool RequiresSmtpUtf8 { get; }

        /// <summary>Streams the message to <paramref name="output"/>; attachments are read in chunks, never held whole.</summary>
        Task WriteToAsync(Stream output, CancellationToken cancellationToken);
    }
}
