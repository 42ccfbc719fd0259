using System.Net;
using M365SmtpTools.Engine.Dns;

namespace M365SmtpTools.Engine.Tests.Dns;

/// <summary>Builds DNS messages byte by byte, for crafted-input tests.</summary>
internal sealed class MessageBuilder
{
    private readonly List<byte> _b = new();
    public int Length => _b.Count;
    public MessageBuilder Header(ushort id, ushort flags, int qd, int an, int ns = 0, int ar = 0)
    {
        U16(id); U16(flags); U16(qd); U16(an); U16(ns); U16(ar); return this;
    }
    public MessageBuilder U16(int v) { _b.Add((byte)(v >> 8)); _b.Add((byte)v); return this; }
    public MessageBuilder U32(uint v) { U16((int)(v >> 16)); U16((int)(v & 0xFFFF)); return this; }
    public MessageBuilder Bytes(params byte[] bytes) { _b.AddRange(bytes); return this; }
    public MessageBuilder Name(string name)
    {
        foreach (string label in name.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            _b.Add((byte)label.Length);
            _b.AddRange(System.Text.Encoding.ASCII.GetBytes(label));
        }
        _b.Add(0); return this;
    }
    public MessageBuilder Labels(string name)
    {
        foreach (string label in name.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            _b.Add((byte)label.Length);
            _b.AddRange(System.Text.Encoding.ASCII.GetBytes(label));
        }
        return this;
    }
    public MessageBuilder Pointer(int offset) { _b.Add((byte)(0xC0 | (offset >> 8))); _b.Add((byte)offset); return this; }
    public MessageBuilder Question(string name, DnsRecordType type) { Name(name); U16((int)type); U16(1); return this; }
    public byte[] ToArray() => _b.ToArray();
}

public class DnsMessageParserTests
{
    private static DnsException Malformed(byte[] data)
    {
        var e = Assert.Throws<DnsException>(() => DnsMessageParser.Parse(data, data.Length));
        Assert.Equal(DnsErrorIds.MalformedResponse, e.ErrorId);
        return e;
    }

    private static readonly byte[] OneQuestionHeader = { 0x12, 0x34, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0 };

    [Theory]
    [InlineData("", "the message is 5 bytes long, shorter than the 12-byte header")]
    [InlineData("03 61 62 63", "a name runs past the end of the message")]
    [InlineData("C0", "a compression pointer is cut off at the end of the message")]
    [InlineData("C0 FF", "a compression pointer points to offset 255, outside the 14-byte message")]
    [InlineData("05 61 62", "a label runs past the end of the message")]
    [InlineData("00 00", "the message ends at offset 14 in the middle of a field")]
    [InlineData("C0 0E", "a compression pointer points to offset 14, outside the 14-byte message")] // just outside
    [InlineData("05 61 62 63 64", "a label runs past the end of the message")]                        // one byte short
    public void A_cut_or_broken_answer_says_where_it_broke(string afterHeader, string detail)
    {
        byte[] data = afterHeader.Length == 0
            ? OneQuestionHeader[..5]
            : OneQuestionHeader.Concat(afterHeader.Split(' ').Select(h => Convert.ToByte(h, 16))).ToArray();

        DnsException e = Malformed(data);

        Assert.Equal("The DNS answer is malformed: " + detail + ".", e.Message);
        Assert.Equal("Try another DNS server with -DnsServer; if it keeps happening with this server, something between you and it is "
            + "altering DNS traffic.", e.RecommendedAction);
    }

    private static readonly byte[] OneAnswerHeader = { 0x12, 0x34, 0x81, 0x80, 0, 0, 0, 1, 0, 0, 0, 0 };

    [Theory]
    [InlineData("01 61 00 00 01 00 01 00 00", "the message ends at offset 21 in the middle of a field")] // the TTL cut
    [InlineData("01 61 00 00 01 00 01 00 00 00 3C 00 05 7F 00 00 01 09", "the A record for 'a' has 5 bytes of data instead of 4")]
    [InlineData("01 61 00 00 10 00 01 00 00 00 3C 00 03 05 61 62", "a string of the TXT record for 'a' runs past the end of the record")]
    public void A_broken_answer_record_says_what_is_wrong_with_it(string record, string detail)
    {
        byte[] data = OneAnswerHeader.Concat(record.Split(' ').Select(h => Convert.ToByte(h, 16))).ToArray();
        Assert.Equal("The DNS answer is malformed: " + detail + ".", Malformed(data).Message);
    }

    [Fact]
    public void Query_writer_produces_a_standard_query_with_recursion_desired()
    {
        byte[] q = DnsQueryWriter.Write(0xBEEF, "contoso.com", DnsRecordType.MX);
        Assert.Equal(new byte[] { 0xBE, 0xEF, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
            7, (byte)'c', (byte)'o', (byte)'n', (byte)'t', (byte)'o', (byte)'s', (byte)'o', 3, (byte)'c', (byte)'o', (byte)'m', 0,
            0, 15, 0, 1 }, q);
        DnsMessage parsed = DnsMessageParser.Parse(q, q.Length);
        Assert.Equal(0xBEEF, parsed.Id);
        Assert.False(parsed.IsResponse);
        Assert.True(parsed.RecursionDesired);
        Assert.Equal("contoso.com", Assert.Single(parsed.Questions).Name);
        // A fully qualified name (trailing dot) or a doubled dot adds no empty label: it would end the name early.
        Assert.Equal(q, DnsQueryWriter.Write(0xBEEF, "contoso.com.", DnsRecordType.MX));
        Assert.Equal(q, DnsQueryWriter.Write(0xBEEF, "contoso..com", DnsRecordType.MX));
    }

    [Fact]
    public void Parses_compressed_MX_TXT_A_AAAA_CNAME_answers()
    {
        var m = new MessageBuilder().Header(7, 0x8180, 1, 5);
        int qname = m.Length;
        m.Question("Contoso.COM", DnsRecordType.MX);
        // MX 10 contoso-com.mail.protection.outlook.com, compressed owner
        m.Pointer(qname).U16(15).U16(1).U32(3600);
        var rdata = new MessageBuilder().U16(10).Name("contoso-com.mail.protection.outlook.com").ToArray();
        m.U16(rdata.Length).Bytes(rdata);
        // TXT with two strings
        m.Pointer(qname).U16(16).U16(1).U32(60).U16(1 + 6 + 1 + 4).Bytes(6).Bytes("v=spf1"u8.ToArray()).Bytes(4).Bytes(" -al"u8.ToArray());
        // A
        m.Pointer(qname).U16(1).U16(1).U32(60).U16(4).Bytes(192, 0, 2, 1);
        // AAAA
        m.Pointer(qname).U16(28).U16(1).U32(60).U16(16).Bytes(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);
        // CNAME www -> pointer to qname, owner = "www" + pointer
        int wwwOwner = m.Length;
        m.Labels("www").Pointer(qname).U16(5).U16(1).U32(60).U16(2).Pointer(qname);
        byte[] data = m.ToArray();

        DnsMessage msg = DnsMessageParser.Parse(data, data.Length);
        Assert.Equal(5, msg.Answers.Count);
        var mx = Assert.IsType<MxRecord>(msg.Answers[0]);
        Assert.Equal("contoso.com", mx.Name);
        Assert.Equal(10, mx.Preference);
        Assert.Equal("contoso-com.mail.protection.outlook.com", mx.Exchange);
        Assert.Equal(3600u, mx.TimeToLive);
        var txt = Assert.IsType<TxtRecord>(msg.Answers[1]);
        Assert.Equal(new[] { "v=spf1", " -al" }, txt.Strings);
        Assert.Equal("v=spf1 -al", txt.Text);
        Assert.Equal(IPAddress.Parse("192.0.2.1"), Assert.IsType<AddressRecord>(msg.Answers[2]).Address);
        Assert.Equal(IPAddress.Parse("2001:db8::1"), Assert.IsType<AddressRecord>(msg.Answers[3]).Address);
        var cname = Assert.IsType<CnameRecord>(msg.Answers[4]);
        Assert.Equal("www.contoso.com", cname.Name);
        Assert.Equal("contoso.com", cname.Target);
        Assert.True(wwwOwner > qname);
    }

    [Fact]
    public void A_pointer_to_itself_is_a_loop()
    {
        var m = new MessageBuilder().Header(1, 0x8180, 1, 0);
        int at = m.Length;
        m.Pointer(at).U16(15).U16(1);
        Assert.Equal($"The DNS answer is malformed: a compression pointer at offset {at} points to offset {at}, not to an earlier " +
            "name (a loop).", Malformed(m.ToArray()).Message);
    }

    [Fact]
    public void Two_pointers_pointing_at_each_other_are_a_loop()
    {
        // question name at 12: label "a" then pointer to 17; at 17: label "b" then pointer back to 12.
        var m = new MessageBuilder().Header(1, 0x8180, 1, 0);
        m.Bytes(1, (byte)'a').Pointer(17).Bytes(1, (byte)'b').Pointer(12).U16(15).U16(1);
        Malformed(m.ToArray());
    }

    [Fact]
    public void A_pointer_forward_is_refused()
    {
        var m = new MessageBuilder().Header(1, 0x8180, 1, 0);
        m.Pointer(20).U16(15).U16(1).Bytes(0, 0, 0, 0).Name("x");
        Malformed(m.ToArray());
    }

    [Fact]
    public void A_pointer_outside_the_message_is_refused()
    {
        var m = new MessageBuilder().Header(1, 0x8180, 1, 0);
        m.Pointer(0x3FFF).U16(15).U16(1);
        Assert.Contains("outside", Malformed(m.ToArray()).Message);
    }

    [Fact]
    public void A_label_running_past_the_end_is_refused()
    {
        var m = new MessageBuilder().Header(1, 0x8180, 1, 0).Bytes(40, (byte)'a', (byte)'b');
        Malformed(m.ToArray());
    }

    [Fact]
    public void Reserved_label_types_are_refused()
    {
        var m = new MessageBuilder().Header(1, 0x8180, 1, 0).Bytes(0x41, 0).U16(15).U16(1);
        Assert.Contains("reserved", Malformed(m.ToArray()).Message);
    }

    [Fact]
    public void A_name_over_255_octets_is_refused()
    {
        var m = new MessageBuilder().Header(1, 0x8180, 1, 0);
        for (int i = 0; i < 5; i++) m.Labels(new string('a', 63));
        m.Bytes(0).U16(15).U16(1);
        Malformed(m.ToArray());
    }

    [Fact]
    public void A_short_header_is_refused()
    {
        Malformed(new byte[] { 0, 1, 0x81, 0x80, 0, 1 });
    }

    [Fact]
    public void Truncated_records_are_refused()
    {
        var full = new MessageBuilder().Header(1, 0x8180, 1, 1).Question("a.test", DnsRecordType.A)
            .Pointer(12).U16(1).U16(1).U32(60).U16(4).Bytes(192, 0, 2, 1).ToArray();
        Assert.Single(DnsMessageParser.Parse(full, full.Length).Answers);
        for (int cut = 12; cut < full.Length; cut++)
            Malformed(full[..cut]);
    }

    [Fact]
    public void An_rdlength_beyond_the_message_is_refused()
    {
        var m = new MessageBuilder().Header(1, 0x8180, 1, 1).Question("a.test", DnsRecordType.TXT)
            .Pointer(12).U16(16).U16(1).U32(60).U16(200).Bytes(3, (byte)'a', (byte)'b', (byte)'c');
        Malformed(m.ToArray());
    }

    [Fact]
    public void A_TXT_string_longer_than_its_record_is_refused()
    {
        var m = new MessageBuilder().Header(1, 0x8180, 1, 1).Question("a.test", DnsRecordType.TXT)
            .Pointer(12).U16(16).U16(1).U32(60).U16(3).Bytes(9, (byte)'a', (byte)'b').Bytes(0, 0, 0, 0, 0, 0, 0, 0);
        Malformed(m.ToArray());
    }

    [Fact]
    public void An_A_record_of_the_wrong_size_is_refused()
    {
        var m = new MessageBuilder().Header(1, 0x8180, 1, 1).Question("a.test", DnsRecordType.A)
            .Pointer(12).U16(1).U16(1).U32(60).U16(5).Bytes(192, 0, 2, 1, 9);
        Malformed(m.ToArray());
    }

    [Fact]
    public void An_MX_whose_name_overruns_its_rdlength_is_refused()
    {
        var m = new MessageBuilder().Header(1, 0x8180, 1, 1).Question("a.test", DnsRecordType.MX)
            .Pointer(12).U16(15).U16(1).U32(60).U16(4).U16(10).Name("mail.a.test");
        Malformed(m.ToArray());
    }

    [Fact]
    public void The_header_of_a_truncated_answer_can_be_read_alone()
    {
        var m = new MessageBuilder().Header(0x1234, 0x8380, 1, 3).Question("big.test", DnsRecordType.MX);
        byte[] data = m.ToArray();
        DnsMessage h = DnsMessageParser.ParseHeader(data, data.Length);
        Assert.True(h.Truncated);
        Assert.Equal(0x1234, h.Id);
        Malformed(data); // the full parse sees the 3 missing answers
    }

    [Fact]
    public void Odd_bytes_in_labels_are_escaped_not_passed_through()
    {
        var m = new MessageBuilder().Header(1, 0x8180, 1, 0).Bytes(3, (byte)'a', (byte)'.', 0x07, 0).U16(1).U16(1);
        byte[] data = m.ToArray();
        Assert.Equal("a\\046\\007", DnsMessageParser.Parse(data, data.Length).Questions[0].Name);
    }

    [Fact]
    public void Label_bytes_are_lower_cased_kept_or_escaped_at_the_edges_of_each_range()
    {
        // 'A' and 'Z' are lower-cased, '@' and '[' (just outside A-Z) and '!' and '~' (the printable ends) are kept,
        // space, DEL and the backslash are escaped as \DDD.
        var m = new MessageBuilder().Header(1, 0x8180, 1, 0)
            .Bytes(9, (byte)'A', (byte)'Z', (byte)'@', (byte)'[', (byte)'!', (byte)'~', 0x20, 0x7F, (byte)'\\', 0).U16(1).U16(1);
        byte[] data = m.ToArray();
        Assert.Equal("az@[!~\\032\\127\\092", DnsMessageParser.Parse(data, data.Length).Questions[0].Name);
    }

    [Fact]
    public void Only_the_received_bytes_are_parsed_not_the_rest_of_the_buffer()
    {
        // A UDP answer is received into a larger buffer: what lies past the received length is not part of it.
        byte[] answer = new MessageBuilder().Header(1, 0x8180, 1, 1).Question("a.test", DnsRecordType.A)
            .Pointer(12).U16(1).U16(1).U32(60).U16(4).Bytes(192, 0, 2, 1).ToArray();
        byte[] buffer = new byte[512];
        answer.CopyTo(buffer, 0);
        Assert.Equal(IPAddress.Parse("192.0.2.1"),
            Assert.IsType<AddressRecord>(Assert.Single(DnsMessageParser.Parse(buffer, answer.Length).Answers)).Address);
        // Received 4 bytes short: the address is cut, though the buffer holds it.
        Assert.Contains("says its data is 4 bytes but only 0 remain",
            Assert.Throws<DnsException>(() => DnsMessageParser.Parse(buffer, answer.Length - 4)).Message);
        // A length past the buffer is the buffer.
        Assert.Single(DnsMessageParser.Parse(answer, answer.Length + 100).Answers);
        // The header alone is read within the received length too.
        Assert.Throws<DnsException>(() => DnsMessageParser.ParseHeader(buffer, 11));
        Assert.Equal(1, DnsMessageParser.ParseHeader(buffer, 12).Id);
    }

    [Theory]
    // Header flag words as servers send them (RFC 1035 4.1.1): QR, OPCODE (4 bits), AA, TC, RD, RA, RCODE (4 bits).
    [InlineData(0x8180, true, 0, false, false, true, true, DnsResponseCode.NoError)]     // a recursive resolver's answer
    [InlineData(0x8583, true, 0, true, false, true, true, DnsResponseCode.NameError)]    // authoritative NXDOMAIN
    [InlineData(0x8402, true, 0, true, false, false, false, DnsResponseCode.ServerFailure)]
    [InlineData(0x8205, true, 0, false, true, false, false, DnsResponseCode.Refused)]
    [InlineData(0x2800, false, 5, false, false, false, false, DnsResponseCode.NoError)]  // an UPDATE request (opcode 5)
    [InlineData(0xF87F, true, 15, false, false, false, false, (DnsResponseCode)15)]       // every opcode and rcode bit, no flag bit
    public void Header_flags_are_decoded_bit_by_bit(int flags, bool response, int opcode, bool aa, bool tc, bool rd, bool ra,
        DnsResponseCode rcode)
    {
        byte[] data = new MessageBuilder().Header(0xA55A, (ushort)flags, 0, 0).ToArray();
        foreach (DnsMessage m in new[] { DnsMessageParser.Parse(data, data.Length), DnsMessageParser.ParseHeader(data, data.Length) })
        {
            Assert.Equal(0xA55A, m.Id);
            Assert.Equal(response, m.IsResponse);
            Assert.Equal(opcode, m.Opcode);
            Assert.Equal(aa, m.Authoritative);
            Assert.Equal(tc, m.Truncated);
            Assert.Equal(rd, m.RecursionDesired);
            Assert.Equal(ra, m.RecursionAvailable);
            Assert.Equal(rcode, m.ResponseCode);
        }
    }

    [Fact]
    public void Answer_authority_and_additional_sections_are_kept_apart()
    {
        // A referral-shaped answer: 1 answer (CNAME), 2 authority (NS, SOA as raw data), 1 additional (A).
        var m = new MessageBuilder().Header(9, 0x8180, 1, 1, 2, 1).Question("www.contoso.test", DnsRecordType.A);
        m.Pointer(12).U16(5).U16(1).U32(300).U16(2).Pointer(16); // www.contoso.test CNAME contoso.test
        m.Pointer(16).U16(2).U16(1).U32(86400).U16(6).Labels("ns1").Pointer(16);
        m.Pointer(16).U16(6).U16(1).U32(86400).U16(3).Bytes(0xDE, 0xAD, 0x01);
        m.Labels("ns1").Pointer(16).U16(1).U16(1).U32(0x80000000).U16(4).Bytes(198, 51, 100, 7);
        byte[] data = m.ToArray();
        DnsMessage msg = DnsMessageParser.Parse(data, data.Length);

        Assert.Equal(1, msg.QuestionCount);
        DnsQuestion q = Assert.Single(msg.Questions);
        Assert.Equal(("www.contoso.test", DnsRecordType.A, (ushort)1), (q.Name, q.Type, q.Class));
        var cname = Assert.IsType<CnameRecord>(Assert.Single(msg.Answers));
        Assert.Equal(("www.contoso.test", "contoso.test", 300u), (cname.Name, cname.Target, cname.TimeToLive));
        Assert.Equal(2, msg.Authority.Count);
        var ns = Assert.IsType<OtherRecord>(msg.Authority[0]);
        Assert.Equal((DnsRecordType.NS, "contoso.test", 86400u), (ns.Type, ns.Name, ns.TimeToLive));
        Assert.Equal(new byte[] { 3, (byte)'n', (byte)'s', (byte)'1', 0xC0, 16 }, ns.Data); // unknown types keep their bytes as sent
        var soa = Assert.IsType<OtherRecord>(msg.Authority[1]);
        Assert.Equal(DnsRecordType.SOA, soa.Type);
        Assert.Equal(new byte[] { 0xDE, 0xAD, 0x01 }, soa.Data);
        var glue = Assert.IsType<AddressRecord>(Assert.Single(msg.Additional));
        Assert.Equal("ns1.contoso.test", glue.Name);
        Assert.Equal(IPAddress.Parse("198.51.100.7"), glue.Address);
        Assert.Equal(0u, glue.TimeToLive); // a TTL with the top bit set is read as zero (RFC 2181 section 8)
    }

    [Theory]
    [InlineData(0x7FFFFFFFu, 0x7FFFFFFFu)]
    [InlineData(0x80000000u, 0u)]
    [InlineData(0xFFFFFFFFu, 0u)]
    [InlineData(0x01020304u, 0x01020304u)]
    public void Ttl_is_read_big_endian_and_capped_by_RFC_2181(uint sent, uint read)
    {
        byte[] data = new MessageBuilder().Header(1, 0x8180, 1, 1).Question("a.test", DnsRecordType.A)
            .Pointer(12).U16(1).U16(1).U32(sent).U16(4).Bytes(192, 0, 2, 1).ToArray();
        Assert.Equal(read, DnsMessageParser.Parse(data, data.Length).Answers[0].TimeToLive);
    }

    [Fact]
    public void A_PTR_answer_gives_its_target_name()
    {
        var m = new MessageBuilder().Header(1, 0x8180, 1, 1).Question("1.2.0.192.in-addr.arpa", DnsRecordType.PTR);
        var rdata = new MessageBuilder().Name("mail.contoso.test").ToArray();
        m.Pointer(12).U16(12).U16(1).U32(60).U16(rdata.Length).Bytes(rdata);
        byte[] data = m.ToArray();
        var ptr = Assert.IsType<PtrRecord>(Assert.Single(DnsMessageParser.Parse(data, data.Length).Answers));
        Assert.Equal(("1.2.0.192.in-addr.arpa", "mail.contoso.test"), (ptr.Name, ptr.Target));
    }

    [Theory]
    [InlineData(DnsRecordType.CNAME, "CNAME record for 'a.test' has a target that doesn't match its data length")]
    [InlineData(DnsRecordType.PTR, "PTR record for 'a.test' has a target that doesn't match its data length")]
    [InlineData(DnsRecordType.MX, "MX record for 'a.test' has a host name that doesn't match its data length")]
    public void A_name_shorter_than_its_rdlength_is_refused(DnsRecordType type, string detail)
    {
        // The data is one byte longer than the name in it (plus the preference for MX).
        var rdata = new MessageBuilder();
        if (type == DnsRecordType.MX) rdata.U16(10);
        rdata.Name("x.test").Bytes(0);
        byte[] r = rdata.ToArray();
        byte[] data = new MessageBuilder().Header(1, 0x8180, 1, 1).Question("a.test", type)
            .Pointer(12).U16((int)type).U16(1).U32(60).U16(r.Length).Bytes(r).ToArray();
        Assert.Contains(detail, Malformed(data).Message);
    }

    [Theory]
    [InlineData(2, true)]
    [InlineData(3, false)]
    public void An_MX_needs_at_least_three_bytes(int rdLength, bool refused)
    {
        // 3 bytes is the smallest MX: a preference and the root name.
        byte[] data = new MessageBuilder().Header(1, 0x8180, 1, 1).Question("a.test", DnsRecordType.MX)
            .Pointer(12).U16(15).U16(1).U32(60).U16(rdLength).Bytes(new byte[] { 0, 5, 0 }[..rdLength]).ToArray();
        if (refused)
            Assert.Contains("the MX record for 'a.test' is too short (2 bytes)", Malformed(data).Message);
        else
        {
            var mx = Assert.IsType<MxRecord>(DnsMessageParser.Parse(data, data.Length).Answers[0]);
            Assert.Equal(("", (ushort)5), (mx.Exchange, mx.Preference));
        }
    }

    [Fact]
    public void A_TXT_record_may_end_with_an_empty_string_and_its_strings_fill_it_exactly()
    {
        byte[] data = new MessageBuilder().Header(1, 0x8180, 1, 1).Question("a.test", DnsRecordType.TXT)
            .Pointer(12).U16(16).U16(1).U32(60).U16(4).Bytes(2, (byte)'h', (byte)'i', 0).ToArray();
        Assert.Equal(new[] { "hi", "" }, Assert.IsType<TxtRecord>(DnsMessageParser.Parse(data, data.Length).Answers[0]).Strings);
    }

    [Theory]
    [InlineData(253, false)]
    [InlineData(255, false)] // the longest name (RFC 1035 2.3.4), counted on the wire: length bytes and the root included
    [InlineData(256, true)]
    public void Names_may_be_255_octets_long_and_no_longer(int octets, bool refused)
    {
        // Build a name of the given wire length: labels of 63 octets (64 with the length byte), then one to fill.
        var labels = new List<string>();
        int left = octets - 1; // the root
        while (left > 64) { labels.Add(new string('a', 63)); left -= 64; }
        labels.Add(new string('b', left - 1));
        string name = string.Join('.', labels);
        var m = new MessageBuilder().Header(1, 0x8180, 1, 0);
        m.Labels(name).Bytes(0).U16(1).U16(1);
        byte[] data = m.ToArray();
        if (refused)
            Assert.Contains("a name is longer than 255 octets", Malformed(data).Message);
        else
            Assert.Equal(name, DnsMessageParser.Parse(data, data.Length).Questions[0].Name);
    }

    [Theory]
    [InlineData(127, false)]
    [InlineData(128, true)]
    public void A_pointer_chain_of_127_jumps_is_followed_and_128_is_refused(int jumps, bool refused)
    {
        byte[] message = BuildChainMessage(jumps);
        if (refused) Assert.Contains("a name follows too many compression pointers", Malformed(message).Message);
        else Assert.Equal("a.test", DnsMessageParser.Parse(message, message.Length).Answers[1].Name);
    }

    // The question "a.test" at offset 12; answer 1 of an unknown type whose opaque data holds the chain's links (each a
    // pointer to the one before it, the first to 12); answer 2's owner name is a pointer to the last link, so reading
    // it follows exactly `jumps` pointers, each to an earlier offset.
    private static byte[] BuildChainMessage(int jumps)
    {
        var m = new MessageBuilder().Header(1, 0x8180, 1, 2).Question("a.test", DnsRecordType.A);
        // Answer 1: type 99 (opaque), rdata = the links; link k at offset start + 2k points to link k-1 (link 0 to 12).
        int rdataStart = m.Length + 2 + 2 + 2 + 4 + 2; // owner pointer, type, class, ttl, rdlength
        var links = new MessageBuilder();
        for (int k = 0; k < jumps - 1; k++) links.Pointer(k == 0 ? 12 : rdataStart + 2 * (k - 1));
        byte[] l = links.ToArray();
        m.Pointer(12).U16(99).U16(1).U32(60).U16(l.Length).Bytes(l);
        // Answer 2: its owner name is one more pointer, to the last link (or to 12 when there is no link).
        m.Pointer(jumps == 1 ? 12 : rdataStart + 2 * (jumps - 2)).U16(1).U16(1).U32(60).U16(4).Bytes(192, 0, 2, 1);
        return m.ToArray();
    }

    [Fact]
    public void Seeded_fuzz_only_ever_throws_DnsException()
    {
        // Start from a valid answer with compression and mutate bytes, truncate and extend; 20,000 cases, seeded.
        var m = new MessageBuilder().Header(7, 0x8180, 1, 3, 0, 1);
        m.Question("contoso.com", DnsRecordType.MX);
        var rdata = new MessageBuilder().U16(10).Labels("mx").Pointer(12).ToArray();
        m.Pointer(12).U16(15).U16(1).U32(60).U16(rdata.Length).Bytes(rdata);
        m.Pointer(12).U16(16).U16(1).U32(60).U16(5).Bytes(4, (byte)'v', (byte)'=', (byte)'s', (byte)'p');
        m.Labels("www").Pointer(12).U16(5).U16(1).U32(60).U16(2).Pointer(12);
        m.Bytes(0).U16(41).U16(4096).U32(0).U16(0);
        byte[] seed = m.ToArray();
        Assert.Equal(4, DnsMessageParser.Parse(seed, seed.Length).Answers.Count
            + DnsMessageParser.Parse(seed, seed.Length).Additional.Count);

        var rng = new Random(20260101);
        int parsed = 0, refused = 0;
        for (int i = 0; i < 20000; i++)
        {
            byte[] data = (byte[])seed.Clone();
            int mutations = 1 + rng.Next(4);
            for (int k = 0; k < mutations; k++)
            {
                switch (rng.Next(4))
                {
                    case 0: data[rng.Next(data.Length)] = (byte)rng.Next(256); break;
                    case 1: data[rng.Next(data.Length)] ^= (byte)(1 << rng.Next(8)); break;
                    case 2: data = data[..rng.Next(data.Length + 1)]; break;
                    default:
                        var extra = new byte[rng.Next(1, 16)]; rng.NextBytes(extra); data = data.Concat(extra).ToArray(); break;
                }
                if (data.Length == 0) break;
            }
            try
            {
                DnsMessageParser.Parse(data, data.Length);
                parsed++;
            }
            catch (DnsException e)
            {
                Assert.Equal(DnsErrorIds.MalformedResponse, e.ErrorId);
                refused++;
            }
        }
        Assert.True(parsed > 0 && refused > 0, $"parsed {parsed}, refused {refused}");
    }
}
