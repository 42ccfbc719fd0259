using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace M365SmtpTools.Bench;

/// <summary>
/// A minimal SMTP sink on 127.0.0.1 for the large-message benchmark: STARTTLS (self-signed localhost certificate),
/// AUTH PLAIN/LOGIN accepting anything, PIPELINING, 8BITMIME, CHUNKING (optional), no SIZE limit; DATA and BDAT
/// content is counted and discarded. Not a test double: it checks nothing but framing.
/// </summary>
public sealed class SmtpSink : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly X509Certificate2 _cert;
    private readonly bool _chunking;
    private readonly CancellationTokenSource _stop = new();

    public SmtpSink(bool chunking)
    {
        _chunking = chunking;
        using var key = RSA.Create(2048);
        var req = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        req.CertificateExtensions.Add(san.Build());
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using X509Certificate2 made = req.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(2));
        _cert = X509CertificateLoader.LoadPkcs12(made.Export(X509ContentType.Pfx), null);
        _listener.Start();
        _ = AcceptLoopAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The certificate as PEM, for the client to trust.</summary>
    public string CertificatePem => _cert.ExportCertificatePem();

    /// <summary>
    /// Content bytes of the last completed transaction as they came over the wire: every BDAT chunk of the message
    /// added up, or the DATA content (dot-stuffed, as sent) up to the terminating "." line.
    /// </summary>
    public long LastMessageBytes { get; private set; }

    /// <summary>Whether the last completed transaction came in BDAT chunks (else DATA).</summary>
    public bool LastMessageUsedBdat { get; private set; }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient c;
            try { c = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception) { return; }
            _ = Task.Run(() => SessionAsync(c));
        }
    }

    private async Task SessionAsync(TcpClient tcp)
    {
        using TcpClient _ = tcp;
        Stream stream = tcp.GetStream();
        var r = new LineReader(stream);
        try
        {
            await Send(stream, "220 sink ESMTP\r\n");
            bool tls = false;
            long bdatBytes = 0; // the chunks of the message in progress
            while (true)
            {
                string? line = await r.ReadLineAsync();
                if (line == null) return;
                string verb = line.Split(' ')[0].ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO":
                        await Send(stream, "250-sink\r\n250-PIPELINING\r\n250-8BITMIME\r\n" + (_chunking ? "250-CHUNKING\r\n" : "")
                            + (tls ? "" : "250-STARTTLS\r\n") + "250 AUTH PLAIN LOGIN\r\n");
                        break;
                    case "STARTTLS":
                        await Send(stream, "220 go\r\n");
                        var ssl = new SslStream(stream);
                        await ssl.AuthenticateAsServerAsync(_cert);
                        stream = ssl;
                        r = new LineReader(stream);
                        tls = true;
                        break;
                    case "AUTH":
                        string[] parts = line.Split(' ');
                        if (parts.Length >= 3) { await Send(stream, "235 ok\r\n"); break; }
                        await Send(stream, "334 \r\n");
                        await r.ReadLineAsync();
                        if (parts[1].Equals("LOGIN", StringComparison.OrdinalIgnoreCase))
                        {
                            await Send(stream, "334 \r\n"); await r.ReadLineAsync();
                        }
                        await Send(stream, "235 ok\r\n");
                        break;
                    case "MAIL":
                        bdatBytes = 0;
                        await Send(stream, "250 ok\r\n");
                        break;
                    case "DATA":
                        await Send(stream, "354 go\r\n");
                        LastMessageBytes = await r.SkipDataAsync() - 3; // without the ".\r\n" that ends it
                        LastMessageUsedBdat = false;
                        await Send(stream, "250 queued\r\n");
                        break;
                    case "BDAT":
                        string[] b = line.Split(' ');
                        long n = long.Parse(b[1]);
                        await r.SkipAsync(n);
                        // Every chunk counts; LAST ends the message. (This used to keep only the LAST chunk's size.)
                        bdatBytes += n;
                        if (b.Length > 2 && b[2].Equals("LAST", StringComparison.OrdinalIgnoreCase))
                        {
                            LastMessageBytes = bdatBytes; LastMessageUsedBdat = true; bdatBytes = 0;
                        }
                        await Send(stream, "250 ok\r\n");
                        break;
                    case "QUIT":
                        await Send(stream, "221 bye\r\n");
                        return;
                    default:
                        await Send(stream, "250 ok\r\n");
                        break;
                }
            }
        }
        catch (Exception e) when (e is IOException || e is SocketException || e is ObjectDisposedException) { }
    }

    private static Task Send(Stream s, string text)
    {
        byte[] b = Encoding.ASCII.GetBytes(text);
        return s.WriteAsync(b, 0, b.Length);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
    }

    /// <summary>Buffered reads: lines, a byte count, or DATA up to CRLF.CRLF.</summary>
    private sealed class LineReader(Stream s)
    {
        private readonly byte[] _buf = new byte[256 * 1024];
        private static readonly byte[] EndOfData = "\r\n.\r\n"u8.ToArray();
        private int _start, _end;

        private async Task<bool> FillAsync()
        {
            if (_start == _end) { _start = _end = 0; }
            else if (_end == _buf.Length) { Buffer.BlockCopy(_buf, _start, _buf, 0, _end - _start); _end -= _start; _start = 0; }
            int n = await s.ReadAsync(_buf.AsMemory(_end, _buf.Length - _end));
            if (n <= 0) return false;
            _end += n;
            return true;
        }

        public async Task<string?> ReadLineAsync()
        {
            while (true)
            {
                int nl = Array.IndexOf(_buf, (byte)'\n', _start, _end - _start);
                if (nl >= 0)
                {
                    string line = Encoding.ASCII.GetString(_buf, _start, nl - _start).TrimEnd('\r');
                    _start = nl + 1;
                    return line;
                }
                if (!await FillAsync()) return null;
            }
        }

        public async Task SkipAsync(long count)
        {
            while (count > 0)
            {
                if (_start == _end && !await FillAsync()) throw new IOException("closed in BDAT");
                int n = (int)Math.Min(count, _end - _start);
                _start += n;
                count -= n;
            }
        }

        /// <summary>Discards DATA content through the terminating CRLF.CRLF; returns the bytes read, the final ".\r\n" included.</summary>
        public async Task<long> SkipDataAsync()
        {
            long total = 0;
            // State: how much of "\r\n.\r\n" has been matched, starting as if a CRLF preceded the content.
            int matched = 2;
            while (true)
            {
                if (_start == _end && !await FillAsync()) throw new IOException("closed in DATA");
                int i = _start;
                for (; i < _end; i++)
                {
                    byte c = _buf[i];
                    if (c == EndOfData[matched]) matched++;
                    else matched = c == '\r' ? 1 : 0;
                    if (matched == 5) { long t = total + (i + 1 - _start); _start = i + 1; return t; }
                }
                total += _end - _start;
                _start = _end;
            }
        }
    }
}

/// <summary>A raw TCP sink: accepts, reads everything, counts bytes.</summary>
public sealed class RawSink : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

    /// <summary>Bytes received on the last connection that closed.</summary>
    public long LastConnectionBytes { get; private set; }

    public RawSink()
    {
        _listener.Start();
        _ = Task.Run(async () =>
        {
            while (true)
            {
                TcpClient c;
                try { c = await _listener.AcceptTcpClientAsync(); }
                catch (Exception) { return; }
                _ = Task.Run(async () =>
                {
                    using TcpClient _ = c;
                    byte[] buf = new byte[256 * 1024];
                    NetworkStream s = c.GetStream();
                    long total = 0;
                    int n;
                    try { while ((n = await s.ReadAsync(buf)) > 0) total += n; }
                    catch (IOException) { }
                    LastConnectionBytes = total;
                });
            }
        });
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public void Dispose() => _listener.Stop();
}
