using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Text;

namespace M365SmtpTools.Engine.Dns
{
    /// <summary>A parsed DNS message (RFC 1035 section 4).</summary>
    internal sealed class DnsMessage
    {
        public ushort Id { get; set; }
        public bool IsResponse { get; set; }
        public int Opcode { get; set; }
        public bool Authoritative { get; set; }
        public bool Truncated { get; set; }
        public bool RecursionDesired { get; set; }
        public bool RecursionAvailable { get; set; }
        public DnsResponseCode ResponseCode { get; set; }
        public int QuestionCount { get; set; }
        public List<DnsQuestion> Questions { get; } = new List<DnsQuestion>();
        public List<DnsRecord> Answers { get; } = new List<DnsRecord>();
        public List<DnsRecord> Authority { get; } = new List<DnsRecord>();
        public List<DnsRecord> Additional { get; } = new List<DnsRecord>();
    }

    /// <summary>One entry of the question section.</summary>
    internal readonly struct DnsQuestion
    {
        public DnsQuestion(string name, DnsRecordType type, ushort @class)
        {
            Name = name;
            Type = type;
            Class = @class;
        }

        public string Name { get; }
        public DnsRecordType Type { get; }
        public ushort Class { get; }
    }

    /// <summary>Builds query messages.</summary>
    internal static class DnsQueryWriter
    {
        /// <summary>The IN class.</summary>
        public const ushort ClassIn = 1;

        /// <summary>A standard query for one name (already normalized), recursion desired.</summary>
        public static byte[] Write(ushort id, string name, DnsRecordType type)
        {
            var bytes = new List<byte>(32 + name.Length);
            void U16(int v) { bytes.Add((byte)(v >> 8)); bytes.Add((byte)v); }
            U16(id);
            U16(0x0100); // QR=0, OPCODE=0, RD=1
            U16(1); U16(0); U16(0); U16(0);
            foreach (string label in name.Split('.'))
            {
                if (label.Length == 0) continue;
                byte[] l = Encoding.ASCII.GetBytes(label);
                bytes.Add((byte)l.Length);
                bytes.AddRange(l);
            }
            bytes.Add(0);
            U16((ushort)type);
            U16(ClassIn);
            return bytes.ToArray();
        }
    }

    /// <summary>
    /// Parses DNS messages defensively: every length and pointer is checked against the message, compression pointers
    /// must point strictly backwards (so a loop can't happen), names are limited to 255 octets. Anything wrong becomes a
    /// <see cref="DnsException"/> with <see cref="DnsErrorCodes.MalformedResponse"/>; no other exception escapes.
    /// </summary>
    internal sealed class DnsMessageParser
    {
        private const int HeaderLength = 12;
        private const int MaxNameOctets = 255;
        private const int MaxPointerJumps = 127;

        private readonly byte[] _data;
        private readonly int _length;
        private int _pos;

        private DnsMessageParser(byte[] data, int length)
        {
            _data = data;
            _length = length;
        }

        /// <summary>Parses the header only (id, flags, counts): enough to see a truncated answer.</summary>
        public static DnsMessage ParseHeader(byte[] data, int length)
        {
            var p = new DnsMessageParser(data, Math.Min(length, data.Length));
            return p.ReadHeader(out _, out _, out _);
        }

        /// <summary>Parses a whole message.</summary>
        public static DnsMessage Parse(byte[] data, int length)
        {
            var p = new DnsMessageParser(data, Math.Min(length, data.Length));
            try
            {
                return p.ReadMessage();
            }
            catch (DnsException)
            {
                throw;
            }
            catch (Exception e) when (e is IndexOutOfRangeException || e is ArgumentException || e is OverflowException || e is FormatException)
            {
                // Defence in depth: a bounds check missed somewhere must still surface as the engine's own error.
                throw Malformed("the message could not be decoded", e);
            }
        }

        private DnsMessage ReadHeader(out int an, out int ns, out int ar)
        {
            if (_length < HeaderLength) throw Malformed($"the message is {_length} bytes long, shorter than the 12-byte header");
            var m = new DnsMessage();
            m.Id = U16();
            int flags = U16();
            m.IsResponse = (flags & 0x8000) != 0;
            m.Opcode = (flags >> 11) & 0xF;
            m.Authoritative = (flags & 0x0400) != 0;
            m.Truncated = (flags & 0x0200) != 0;
            m.RecursionDesired = (flags & 0x0100) != 0;
            m.RecursionAvailable = (flags & 0x0080) != 0;
            m.ResponseCode = (DnsResponseCode)(flags & 0xF);
            m.QuestionCount = U16();
            an = U16();
            ns = U16();
            ar = U16();
            return m;
        }

        private DnsMessage ReadMessage()
        {
            DnsMessage m = ReadHeader(out int an, out int ns, out int ar);
            for (int i = 0; i < m.QuestionCount; i++)
            {
                string name = ReadName();
                var type = (DnsRecordType)U16();
                ushort cls = U16();
                m.Questions.Add(new DnsQuestion(name, type, cls));
            }
            for (int i = 0; i < an; i++) m.Answers.Add(ReadRecord());
            for (int i = 0; i < ns; i++) m.Authority.Add(ReadRecord());
            for (int i = 0; i < ar; i++) m.Additional.Add(ReadRecord());
            return m;
        }

        private DnsRecord ReadRecord()
        {
            string name = ReadName();
            var type = (DnsRecordType)U16();
            U16(); // class
            uint ttl = U32();
            if (ttl > int.MaxValue) ttl = 0; // RFC 2181 section 8: treat as zero
            int rdLength = U16();
            int start = _pos;
            int end = start + rdLength;
            if (end > _length) throw Malformed($"the {type} record for '{name}' says its data is {rdLength} bytes but only " +
                $"{_length - start} remain");
            DnsRecord record;
            switch (type)
            {
                case DnsRecordType.A:
                case DnsRecordType.AAAA:
                    int expected = type == DnsRecordType.A ? 4 : 16;
                    if (rdLength != expected) throw Malformed($"the {type} record for '{name}' has {rdLength} bytes of data instead of " +
                        $"{expected}");
                    var addr = new byte[expected];
                    Buffer.BlockCopy(_data, start, addr, 0, expected);
                    record = new AddressRecord(name, type, ttl, new IPAddress(addr));
                    _pos = end;
                    break;
                case DnsRecordType.MX:
                    if (rdLength < 3) throw Malformed($"the MX record for '{name}' is too short ({rdLength} bytes)");
                    ushort pref = U16();
                    string exchange = ReadName();
                    if (_pos != end) throw Malformed($"the MX record for '{name}' has a host name that doesn't match its data length");
                    record = new MxRecord(name, ttl, pref, exchange);
                    break;
                case DnsRecordType.CNAME:
                    string target = ReadName();
                    if (_pos != end) throw Malformed($"the CNAME record for '{name}' has a target that doesn't match its data length");
                    record = new CnameRecord(name, ttl, target);
                    break;
                case DnsRecordType.PTR:
                    string ptr = ReadName();
                    if (_pos != end) throw Malformed($"the PTR record for '{name}' has a target that doesn't match its data length");
                    record = new PtrRecord(name, ttl, ptr);
                    break;
                case DnsRecordType.TXT:
                    var strings = new List<string>();
                    while (_pos < end)
                    {
                        int len = _data[_pos++];
                        if (_pos + len > end) throw Malformed($"a string of the TXT record for '{name}' runs past the end of the record");
                        strings.Add(Encoding.UTF8.GetString(_data, _pos, len));
                        _pos += len;
                    }
                    record = new TxtRecord(name, ttl, strings);
                    break;
                default:
                    var raw = new byte[rdLength];
                    Buffer.BlockCopy(_data, start, raw, 0, rdLength);
                    record = new OtherRecord(name, type, ttl, raw);
                    _pos = end;
                    break;
            }
            return record;
        }

        /// <summary>Reads a possibly compressed name at the current position and moves past it.</summary>
        private string ReadName()
        {
            var sb = new StringBuilder();
            int pos = _pos;
            int lowestVisited = _pos; // a pointer must go below every position read so far: no loop is possible
            int octets = 1;
            int jumps = 0;
            bool jumped = false;
            while (true)
            {
                if (pos >= _length) throw Malformed("a name runs past the end of the message");
                int b = _data[pos];
                int kind = b & 0xC0;
                if (kind == 0xC0)
                {
                    if (pos + 1 >= _length) throw Malformed("a compression pointer is cut off at the end of the message");
                    int target = ((b & 0x3F) << 8) | _data[pos + 1];
                    if (target >= _length) throw Malformed($"a compression pointer points to offset {target}, outside the " +
                        $"{_length}-byte message");
                    if (target >= lowestVisited) throw Malformed($"a compression pointer at offset {pos} points to offset {target}, not " +
                        "to an earlier name (a loop)");
                    if (++jumps > MaxPointerJumps) throw Malformed("a name follows too many compression pointers");
                    if (!jumped) { _pos = pos + 2; jumped = true; }
                    pos = target;
                    lowestVisited = target;
                    continue;
                }
                if (kind != 0) throw Malformed($"a name uses the reserved label type 0x{b:x2} at offset {pos}");
                if (b == 0)
                {
                    if (!jumped) _pos = pos + 1;
                    break;
                }
                if (pos + 1 + b > _length) throw Malformed("a label runs past the end of the message");
                octets += b + 1;
                if (octets > MaxNameOctets) throw Malformed($"a name is longer than {MaxNameOctets} octets");
                if (sb.Length > 0) sb.Append('.');
                for (int i = pos + 1; i <= pos + b; i++)
                {
                    byte c = _data[i];
                    if (c >= 'A' && c <= 'Z') sb.Append((char)(c + 32));
                    else if (c > 0x20 && c < 0x7F && c != '.' && c != '\\') sb.Append((char)c);
                    else sb.Append('\\').Append(((int)c).ToString("000", CultureInfo.InvariantCulture));
                }
                pos += 1 + b;
            }
            return sb.ToString();
        }

        private ushort U16()
        {
            if (_pos + 2 > _length) throw Malformed($"the message ends at offset {_length} in the middle of a field");
            ushort v = (ushort)((_data[_pos] << 8) | _data[_pos + 1]);
            _pos += 2;
            return v;
        }

        private uint U32()
        {
            if (_pos + 4 > _length) throw Malformed($"the message ends at offset {_length} in the middle of a field");
            uint v = ((uint)_data[_pos] << 24) | ((uint)_data[_pos + 1] << 16) | ((uint)_data[_pos + 2] << 8) | _data[_pos + 3];
            _pos += 4;
            return v;
        }

        internal static DnsException Malformed(string detail, Exception? inner = null) =>
            new DnsException(DnsErrorCodes.MalformedResponse, "The DNS answer is malformed: " + detail + ".", inner)
            {
                RecommendedAction = "Try another DNS server with -DnsServer; if it keeps happening with this server, something between " +
                    "you and it is altering DNS traffic.",
            };
    }
}
