using M365SmtpTools.Engine.Tests.Dns;
using System.Net;
using System.Net.Sockets;
using M365SmtpTools.Engine.Dns;

namespace M365SmtpTools.Engine.Tests.Infrastructure;

/// <summary>
/// A scripted UDP DNS responder on loopback: for each query it receives it calls the script, which returns the datagrams
/// to send back (possibly none, possibly forged ones first). For client behaviours a real server won't show.
/// </summary>
internal sealed class FakeDnsServer : IDisposable
{
    private readonly UdpClient _udp;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    public List<byte[]> Queries { get; } = new();

    public FakeDnsServer(Func<byte[], IEnumerable<byte[]>> script)
    {
        _udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        Port = ((IPEndPoint)_udp.Client.LocalEndPoint!).Port;
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                UdpReceiveResult r;
                try { r = await _udp.ReceiveAsync(_stop.Token); }
                catch { return; }
                lock (Queries) Queries.Add(r.Buffer);
                foreach (byte[] reply in script(r.Buffer))
                    await _udp.SendAsync(reply, reply.Length, r.RemoteEndPoint);
            }
        });
    }

    public int Port { get; }
    public string Endpoint => "127.0.0.1:" + Port;

    /// <summary>A reply to <paramref name="query"/> with the given id, flags and answer records appended raw.</summary>
    public static byte[] Reply(byte[] query, ushort? id = null, ushort flags = 0x8180, int answers = 0, byte[]? answerBytes = null)
    {
        var b = new MessageBuilder();
        ushort qid = id ?? (ushort)((query[0] << 8) | query[1]);
        b.Header(qid, flags, 1, answers);
        b.Bytes(query[12..]); // the question, as asked
        if (answerBytes != null) b.Bytes(answerBytes);
        return b.ToArray();
    }

    /// <summary>An A record answer (owner = pointer to the question name).</summary>
    public static byte[] ARecord(byte a, byte b, byte c, byte d) =>
        new MessageBuilder().Pointer(12).U16((int)DnsRecordType.A).U16(1).U32(60).U16(4).Bytes(a, b, c, d).ToArray();

    /// <summary>A UDP port on loopback with nothing listening (bound then released).</summary>
    public static int ClosedUdpPort()
    {
        using var u = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)u.Client.LocalEndPoint!).Port;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _udp.Dispose();
        try { _loop.Wait(2000); } catch { }
        _stop.Dispose();
    }
}
