using System.Net;
using M365SmtpTools.Engine.Dns;
using M365SmtpTools.Engine.Dns.Spf;

namespace M365SmtpTools.Engine.Tests.Dns;

/// <summary>
/// SPF evaluation (RFC 7208 check_host) against zones held in a table, for the cases the nsd zone doesn't have:
/// ptr, MX limits and null MX, CIDR edges, the reason and trace a user reads, DNS failures, long macro expansions.
/// </summary>
public sealed class SpfEvaluatorTableTests
{
    /// <summary>Records by (name, type); a name with no records at all is NXDOMAIN; failures by name.</summary>
    private sealed class Zone : IDnsResolver
    {
        private readonly Dictionary<(string, DnsRecordType), List<DnsRecord>> _records = new();
        private readonly Dictionary<string, DnsException> _failures = new(StringComparer.OrdinalIgnoreCase);
        public List<string> Asked { get; } = new();

        public Zone Txt(string name, params string[] texts)
        {
            foreach (string t in texts) Add(name, DnsRecordType.TXT, new TxtRecord(name, 60, new[] { t }));
            return this;
        }

        public Zone A(string name, params string[] ips)
        {
            foreach (string ip in ips)
            {
                IPAddress a = IPAddress.Parse(ip);
                DnsRecordType t = a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? DnsRecordType.AAAA : DnsRecordType.A;
                Add(name, t, new AddressRecord(name, t, 60, a));
            }
            return this;
        }

        public Zone Mx(string name, params string[] exchanges)
        {
            for (int i = 0; i < exchanges.Length; i++) Add(name, DnsRecordType.MX, new MxRecord(name, 60, (ushort)(10 * i), exchanges[i]));
            return this;
        }

        public Zone Ptr(string name, params string[] targets)
        {
            foreach (string t in targets) Add(name, DnsRecordType.PTR, new PtrRecord(name, 60, t));
            return this;
        }

        public Zone Fails(string name, ErrorCode code)
        {
            _failures[name] = new DnsException(code, ErrorKind.OperationTimeout, $"no answer for {name}");
            return this;
        }

        private void Add(string name, DnsRecordType type, DnsRecord r)
        {
            if (!_records.TryGetValue((name, type), out var list)) _records[(name, type)] = list = new List<DnsRecord>();
            list.Add(r);
        }

        public Task<DnsAnswer> QueryAsync(string name, DnsRecordType type, CancellationToken cancellationToken = default)
        {
            Asked.Add($"{name} {type}");
            if (_failures.TryGetValue(name, out DnsException? e)) throw e;
            bool exists = _records.Keys.Any(k => k.Item1 == name);
            IReadOnlyList<DnsRecord> records = _records.TryGetValue((name, type), out var list) ? list : Array.Empty<DnsRecord>();
            return Task.FromResult(new DnsAnswer(name, type, exists ? DnsResponseCode.NoError : DnsResponseCode.NameError, records,
                "table", false));
        }
    }

    private static Task<SpfEvaluation> Check(Zone zone, string ip, string domain, string? sender = null) =>
        new SpfEvaluator(zone).CheckHostAsync(IPAddress.Parse(ip), domain, sender, null, TestContext.Current.CancellationToken);

    // ---- results and the reason a user reads ----

    [Fact]
    public async Task The_reason_names_the_matching_term_its_domain_and_the_result()
    {
        var zone = new Zone().Txt("contoso.test", "v=spf1 ip4:192.0.2.0/24 ~all");
        SpfEvaluation pass = await Check(zone, "192.0.2.9", "contoso.test");
        Assert.Equal(SpfResult.Pass, pass.Result);
        Assert.Equal("192.0.2.9 matched 'ip4:192.0.2.0/24' in the SPF record of contoso.test: Pass.", pass.Reason);
        Assert.Equal("Pass: 192.0.2.9 matched 'ip4:192.0.2.0/24' in the SPF record of contoso.test: Pass.", pass.ToString());
        Assert.Equal(("ip4:192.0.2.0/24", "contoso.test", "v=spf1 ip4:192.0.2.0/24 ~all"),
            (pass.MatchedMechanism, pass.MatchedInDomain, pass.Record));
        Assert.Equal(new[] { "contoso.test: v=spf1 ip4:192.0.2.0/24 ~all", "contoso.test: 'ip4:192.0.2.0/24' matches 192.0.2.9." },
            pass.Trace);

        SpfEvaluation soft = await Check(zone, "198.51.100.1", "contoso.test");
        Assert.Equal(SpfResult.SoftFail, soft.Result);
        Assert.Equal("198.51.100.1 matched '~all' in the SPF record of contoso.test: SoftFail.", soft.Reason);
    }

    [Theory]
    [InlineData("v=spf1 -all", SpfResult.Fail)]
    [InlineData("v=spf1 ~all", SpfResult.SoftFail)]
    [InlineData("v=spf1 ?all", SpfResult.Neutral)]
    [InlineData("v=spf1 +all", SpfResult.Pass)]
    [InlineData("v=spf1 all", SpfResult.Pass)]
    public async Task The_qualifier_of_the_matching_term_is_the_result(string record, SpfResult result) =>
        Assert.Equal(result, (await Check(new Zone().Txt("q.test", record), "192.0.2.1", "q.test")).Result);

    [Fact]
    public async Task No_record_and_no_match_are_told_apart()
    {
        var zone = new Zone().Txt("none.test", "some other text").Txt("open.test", "v=spf1 ip4:192.0.2.1");
        SpfEvaluation none = await Check(zone, "192.0.2.9", "none.test");
        Assert.Equal((SpfResult.None, "none.test publishes no SPF record."), (none.Result, none.Reason));
        Assert.Null(none.Record);
        Assert.Equal(new[] { "none.test: no SPF record." }, none.Trace);

        SpfEvaluation nx = await Check(zone, "192.0.2.9", "nowhere.test");
        Assert.Equal(new[] { "nowhere.test: no SPF record (NXDOMAIN)." }, nx.Trace);

        SpfEvaluation neutral = await Check(zone, "192.0.2.9", "open.test");
        Assert.Equal((SpfResult.Neutral, "No mechanism in the SPF record of open.test matched 192.0.2.9 and there is no 'all': Neutral."),
            (neutral.Result, neutral.Reason));
        Assert.Null(neutral.MatchedMechanism);
        Assert.Equal("v=spf1 ip4:192.0.2.1", neutral.Record);
    }

    [Fact]
    public async Task A_domain_that_is_not_a_name_is_None_with_the_reason()
    {
        SpfEvaluation e = await Check(new Zone(), "192.0.2.1", "bad..name");
        Assert.Equal(SpfResult.None, e.Result);
        Assert.Contains("bad..name", e.Reason);
        await Assert.ThrowsAsync<ArgumentNullException>(() => new SpfEvaluator(new Zone())
            .CheckHostAsync(null!, "contoso.test", cancellationToken: TestContext.Current.CancellationToken));
        Assert.Throws<ArgumentNullException>(() => new SpfEvaluator(null!));
    }

    // ---- records ----

    [Fact]
    public async Task GetRecord_gives_the_one_record_or_null_and_refuses_two()
    {
        var zone = new Zone().Txt("one.test", "google-site-verification=x", "v=spf1 -all").Txt("two.test", "v=spf1 -all", "v=spf1 ~all");
        var spf = new SpfEvaluator(zone);
        Assert.Equal("v=spf1 -all", await spf.GetRecordAsync("one.test", TestContext.Current.CancellationToken));
        Assert.Null(await spf.GetRecordAsync("nowhere.test", TestContext.Current.CancellationToken));
        var ex = await Assert.ThrowsAsync<M365SmtpException>(() => spf.GetRecordAsync("two.test", TestContext.Current.CancellationToken));
        Assert.Equal(("SpfMultipleRecords", ErrorKind.InvalidOperation, "two.test"), (ex.ErrorId, ex.Kind, ex.TargetObject));
        Assert.Equal("two.test publishes 2 SPF records; RFC 7208 allows one, so every receiver reports PermError.", ex.Message);
        Assert.Equal("Merge them into one 'v=spf1 …' TXT record and delete the others.", ex.RecommendedAction);

        SpfEvaluation e = await Check(zone, "192.0.2.1", "two.test");
        Assert.Equal((SpfResult.PermError, "two.test publishes 2 SPF records (\"v=spf1 -all\", \"v=spf1 ~all\"); "
            + "there must be exactly one."), (e.Result, e.Reason));
        Assert.Equal("permerror: " + e.Reason, e.Trace[^1]);
    }

    [Fact]
    public async Task An_invalid_record_is_a_permerror_naming_the_domain()
    {
        SpfEvaluation e = await Check(new Zone().Txt("bad.test", "v=spf1 ip4:300.1.1.1 -all"), "192.0.2.1", "bad.test");
        Assert.Equal(SpfResult.PermError, e.Result);
        Assert.StartsWith("The SPF record of bad.test is invalid: ", e.Reason);
        Assert.Equal("v=spf1 ip4:300.1.1.1 -all", e.Record); // the record is reported even when it is invalid
    }

    // ---- mechanisms ----

    [Theory]
    [InlineData("192.0.2.1", "ip4:192.0.2.0/31", true)]
    [InlineData("192.0.2.2", "ip4:192.0.2.0/31", false)]
    [InlineData("192.0.2.127", "ip4:192.0.2.0/25", true)]
    [InlineData("192.0.2.128", "ip4:192.0.2.0/25", false)]
    [InlineData("10.255.255.255", "ip4:10.0.0.0/8", true)]
    [InlineData("11.0.0.0", "ip4:10.0.0.0/8", false)]
    [InlineData("192.0.2.1", "ip4:192.0.2.1", true)]
    [InlineData("192.0.2.1", "ip4:192.0.2.0", false)]
    [InlineData("203.0.113.5", "ip4:0.0.0.0/0", true)]
    [InlineData("2001:db8::1", "ip4:0.0.0.0/0", false)]
    [InlineData("2001:db8::1", "ip6:2001:db8::/32", true)]
    [InlineData("2001:db9::1", "ip6:2001:db8::/32", false)]
    [InlineData("2001:db8:0:1::1", "ip6:2001:db8::/63", true)]
    [InlineData("2001:db8:0:2::1", "ip6:2001:db8::/63", false)]
    [InlineData("2001:db8::1", "ip6:2001:db8::1", true)]
    [InlineData("2001:db8::2", "ip6:2001:db8::1", false)]
    [InlineData("192.0.2.1", "ip6:::/0", false)]
    public async Task Networks_match_to_the_bit(string ip, string term, bool matches)
    {
        SpfEvaluation e = await Check(new Zone().Txt("n.test", $"v=spf1 {term} -all"), ip, "n.test");
        Assert.Equal(matches ? SpfResult.Pass : SpfResult.Fail, e.Result);
    }

    [Theory]
    [InlineData("192.0.2.10", "a", SpfResult.Pass)]
    [InlineData("192.0.2.11", "a", SpfResult.Fail)]
    [InlineData("192.0.2.11", "a/24", SpfResult.Pass)]
    [InlineData("198.51.100.20", "a:web.a.test", SpfResult.Pass)]
    [InlineData("2001:db8::a", "a", SpfResult.Pass)]
    [InlineData("2001:db8::b", "a//64", SpfResult.Pass)]
    [InlineData("2001:db8:1::b", "a//64", SpfResult.Fail)]
    public async Task The_a_mechanism_compares_the_addresses_of_its_domain(string ip, string term, SpfResult result)
    {
        var zone = new Zone().Txt("a.test", $"v=spf1 {term} -all")
            .A("a.test", "192.0.2.10", "2001:db8::a").A("web.a.test", "198.51.100.20");
        Assert.Equal(result, (await Check(zone, ip, "a.test")).Result);
    }

    [Fact]
    public async Task The_mx_mechanism_follows_each_exchange_skips_a_null_MX_and_refuses_more_than_10()
    {
        var zone = new Zone().Txt("mx.test", "v=spf1 mx -all").Mx("mx.test", "mx1.mx.test", "mx2.mx.test")
            .A("mx1.mx.test", "192.0.2.1").A("mx2.mx.test", "192.0.2.2");
        Assert.Equal(SpfResult.Pass, (await Check(zone, "192.0.2.2", "mx.test")).Result);
        Assert.Equal(SpfResult.Fail, (await Check(zone, "192.0.2.3", "mx.test")).Result);

        // A null MX (RFC 7505, ".") names no host: nothing is looked up for it.
        zone.Txt("nullmx.test", "v=spf1 mx -all").Mx("nullmx.test", "");
        SpfEvaluation nullMx = await Check(zone, "192.0.2.1", "nullmx.test");
        Assert.Equal(SpfResult.Fail, nullMx.Result);
        Assert.DoesNotContain(" A", zone.Asked);

        string[] ten = Enumerable.Range(1, 10).Select(i => $"mx{i}.ten.test").ToArray();
        zone.Txt("ten.test", "v=spf1 mx -all").Mx("ten.test", ten);
        for (int i = 1; i <= 10; i++) zone.A($"mx{i}.ten.test", i == 10 ? "192.0.2.10" : $"198.51.100.{i}");
        Assert.Equal(SpfResult.Pass, (await Check(zone, "192.0.2.10", "ten.test")).Result);

        string[] eleven = Enumerable.Range(1, 11).Select(i => $"mx{i}.eleven.test").ToArray();
        zone.Txt("eleven.test", "v=spf1 mx -all").Mx("eleven.test", eleven);
        SpfEvaluation tooMany = await Check(zone, "192.0.2.10", "eleven.test");
        Assert.Equal((SpfResult.PermError, "'mx' in the SPF record of eleven.test: eleven.test has 11 MX records, more than 10."),
            (tooMany.Result, tooMany.Reason));
    }

    [Fact]
    public async Task The_ptr_mechanism_needs_a_forward_confirmed_name_in_the_domain()
    {
        var zone = new Zone()
            .Txt("ptr.test", "v=spf1 ptr -all")
            .Txt("other.test", "v=spf1 ptr:mail.ptr.test -all")
            .Ptr("10.2.0.192.in-addr.arpa", "mail.ptr.test")   // confirmed: mail.ptr.test has 192.0.2.10
            .Ptr("11.2.0.192.in-addr.arpa", "liar.ptr.test")   // not confirmed: liar.ptr.test has another address
            .Ptr("12.2.0.192.in-addr.arpa", "host.notptr.test") // confirmed, but notptr.test is not ptr.test
            .Ptr("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa", "v6.ptr.test")
            .A("mail.ptr.test", "192.0.2.10").A("liar.ptr.test", "192.0.2.99")
            .A("host.notptr.test", "192.0.2.12").A("v6.ptr.test", "2001:db8::1");
        SpfEvaluation ok = await Check(zone, "192.0.2.10", "ptr.test");
        Assert.Equal(SpfResult.Pass, ok.Result);
        Assert.Contains("ptr.test: 'ptr' is deprecated (RFC 7208 section 5.5); evaluating it anyway.", ok.Trace);
        Assert.Equal(SpfResult.Fail, (await Check(zone, "192.0.2.11", "ptr.test")).Result);
        Assert.Equal(SpfResult.Fail, (await Check(zone, "192.0.2.12", "ptr.test")).Result);
        Assert.Equal(SpfResult.Pass, (await Check(zone, "2001:db8::1", "ptr.test")).Result);
        Assert.Equal(SpfResult.Pass, (await Check(zone, "192.0.2.10", "other.test")).Result); // the name itself, not only its subdomains
        Assert.Equal(SpfResult.Fail, (await Check(zone, "192.0.2.13", "ptr.test")).Result); // no PTR at all (a void lookup)
    }

    [Fact]
    public async Task Exists_matches_any_A_record_of_the_expanded_name()
    {
        var zone = new Zone().Txt("ex.test", "v=spf1 exists:%{l}.allow.ex.test -all").A("scanner.allow.ex.test", "127.0.0.2");
        Assert.Equal(SpfResult.Pass, (await Check(zone, "192.0.2.1", "ex.test", "scanner@ex.test")).Result);
        Assert.Equal(SpfResult.Fail, (await Check(zone, "192.0.2.1", "ex.test", "printer@ex.test")).Result);
        Assert.Contains("printer.allow.ex.test A", zone.Asked);
        // Without a sender the local part is "postmaster" (RFC 7208 section 4.3).
        Assert.Equal(SpfResult.Fail, (await Check(zone, "192.0.2.1", "ex.test")).Result);
        Assert.Contains("postmaster.allow.ex.test A", zone.Asked);
        // A sender given as a bare domain (the HELO check) is postmaster@ that domain.
        await Check(zone, "192.0.2.1", "ex.test", "helo.ex.test");
        Assert.Equal("postmaster.allow.ex.test A", zone.Asked[^1]);
    }

    [Fact]
    public async Task An_include_that_does_not_pass_is_no_match_and_the_outer_term_decides()
    {
        var zone = new Zone().Txt("outer.test", "v=spf1 include:inner.test ?all").Txt("inner.test", "v=spf1 ip4:192.0.2.1 -all");
        SpfEvaluation e = await Check(zone, "192.0.2.2", "outer.test");
        Assert.Equal(SpfResult.Neutral, e.Result);
        Assert.Equal(("?all", "outer.test"), (e.MatchedMechanism, e.MatchedInDomain));
        Assert.Contains("outer.test: 'include:inner.test' gave Fail, no match.", e.Trace);
        SpfEvaluation pass = await Check(zone, "192.0.2.1", "outer.test");
        Assert.Equal(("include:inner.test", "outer.test"), (pass.MatchedMechanism, pass.MatchedInDomain));
        Assert.Equal(1, pass.DnsLookups); // the include is the one lookup
    }

    [Fact]
    public async Task A_redirect_applies_only_without_all_and_its_result_is_the_result()
    {
        var zone = new Zone()
            .Txt("r.test", "v=spf1 ip4:192.0.2.1 redirect=target.test")
            .Txt("both.test", "v=spf1 ip4:192.0.2.1 ?all redirect=target.test")
            .Txt("target.test", "v=spf1 ip4:192.0.2.2 -all");
        SpfEvaluation viaRedirect = await Check(zone, "192.0.2.2", "r.test");
        Assert.Equal(SpfResult.Pass, viaRedirect.Result);
        Assert.Equal(("ip4:192.0.2.2", "target.test"), (viaRedirect.MatchedMechanism, viaRedirect.MatchedInDomain));
        Assert.Contains("r.test: redirect to target.test.", viaRedirect.Trace);
        Assert.Equal(1, viaRedirect.DnsLookups);
        Assert.Equal("v=spf1 ip4:192.0.2.1 redirect=target.test", viaRedirect.Record); // the top record, not the target's

        SpfEvaluation ignored = await Check(zone, "192.0.2.2", "both.test");
        Assert.Equal(SpfResult.Neutral, ignored.Result);
        Assert.Equal(0, ignored.DnsLookups);
    }

    [Fact]
    public async Task The_eleventh_lookup_is_named_in_the_permerror()
    {
        var zone = new Zone().Txt("many.test",
            "v=spf1 " + string.Join(" ", Enumerable.Range(1, 11).Select(i => $"a:h{i}.many.test")) + " -all");
        for (int i = 1; i <= 11; i++) zone.A($"h{i}.many.test", "198.51.100.1");
        SpfEvaluation e = await Check(zone, "192.0.2.1", "many.test");
        Assert.Equal(SpfResult.PermError, e.Result);
        Assert.Equal("More than 10 DNS lookups: 'a:h11.many.test' in the SPF record of many.test is lookup number 11.", e.Reason);
        Assert.Equal(11, e.DnsLookups);
    }

    [Fact]
    public async Task Void_lookups_are_counted_and_the_third_is_a_permerror()
    {
        var zone = new Zone().Txt("v.test", "v=spf1 a:v1.v.test a:v2.v.test a:v3.v.test -all").A("v2.v.test", "2001:db8::5");
        SpfEvaluation e = await Check(zone, "192.0.2.1", "v.test");
        Assert.Equal(SpfResult.PermError, e.Result);
        Assert.Equal("More than 2 void lookups: v3.v.test (A) is the 3rd lookup that found nothing.", e.Reason);
        Assert.Equal(3, e.VoidLookups);
        Assert.Contains("void lookup 1: v1.v.test A (NXDOMAIN).", e.Trace);
        Assert.Contains("void lookup 2: v2.v.test A (no records).", e.Trace); // the name exists, with no A record
    }

    [Fact]
    public async Task A_DNS_failure_is_a_temperror_and_an_invalid_name_a_permerror()
    {
        var zone = new Zone().Txt("t.test", "v=spf1 include:down.test -all").Fails("down.test", DnsErrorCodes.Timeout)
            .Txt("i.test", "v=spf1 a:weird.test -all").Fails("weird.test", DnsErrorCodes.InvalidDomainName);
        SpfEvaluation temp = await Check(zone, "192.0.2.1", "t.test");
        Assert.Equal((SpfResult.TempError, "DNS lookup of down.test (TXT) failed: no answer for down.test"), (temp.Result, temp.Reason));
        Assert.Equal("temperror: " + temp.Reason, temp.Trace[^1]);
        SpfEvaluation perm = await Check(zone, "192.0.2.1", "i.test");
        Assert.Equal((SpfResult.PermError, "'weird.test' is not a valid domain name."), (perm.Result, perm.Reason));
    }

    [Fact]
    public async Task A_macro_expanding_past_253_characters_loses_labels_from_the_left()
    {
        // %{l} is a 63-character label, repeated by the record into a name longer than 253 characters.
        string label = new string('x', 63);
        var zone = new Zone().Txt("long.test", "v=spf1 exists:%{l}.%{l}.%{l}.%{l}.long.test -all");
        await Check(zone, "192.0.2.1", "long.test", label + "@long.test");
        string asked = zone.Asked[^1];
        Assert.Equal($"{label}.{label}.{label}.long.test A", asked); // 4 × 64 + 9 = 265 > 253: the first label dropped
    }

    [Fact]
    public async Task A_term_expanding_to_an_invalid_name_is_a_permerror_naming_the_term()
    {
        var zone = new Zone().Txt("m.test", "v=spf1 a:%{l}..m.test -all");
        SpfEvaluation e = await Check(zone, "192.0.2.1", "m.test", "user@m.test");
        Assert.Equal(SpfResult.PermError, e.Result);
        Assert.StartsWith("'%{l}..m.test' in the SPF record of m.test expands to an invalid domain: ", e.Reason);
    }

    [Fact]
    public async Task An_IPv4_mapped_IPv6_client_is_evaluated_as_IPv4()
    {
        var zone = new Zone().Txt("m4.test", "v=spf1 ip4:192.0.2.1 -all");
        Assert.Equal(SpfResult.Pass, (await Check(zone, "::ffff:192.0.2.1", "m4.test")).Result);
    }

    // ---- the edges each rule has ----

    [Fact]
    public async Task A_sender_without_a_local_part_is_postmaster_at_its_domain()
    {
        var zone = new Zone().Txt("lp.test", "v=spf1 exists:%{l}.%{o}.check.test -all")
            .A("postmaster.contoso.test.check.test", "127.0.0.2");
        SpfEvaluation e = await Check(zone, "192.0.2.1", "lp.test", "@contoso.test");
        Assert.Equal(SpfResult.Pass, e.Result);
        Assert.Equal("postmaster.contoso.test.check.test A", zone.Asked[^1]);
    }

    [Fact]
    public async Task A_domain_with_an_underscore_label_is_checked()
    {
        var zone = new Zone().Txt("_spf.contoso.test", "v=spf1 ip4:192.0.2.1 -all");
        Assert.Equal(SpfResult.Pass, (await Check(zone, "192.0.2.1", "_spf.contoso.test")).Result);
    }

    [Fact]
    public async Task Cancellation_stops_the_evaluation_between_terms_even_when_DNS_answers()
    {
        var zone = new Zone().Txt("c.test", "v=spf1 ip4:192.0.2.1 -all");
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new SpfEvaluator(zone)
            .CheckHostAsync(IPAddress.Parse("192.0.2.1"), "c.test", null, null, cts.Token));
    }

    [Fact]
    public async Task The_lookup_limit_names_a_redirect_when_it_is_the_eleventh()
    {
        string tenAs = string.Join(" ", Enumerable.Range(1, 10).Select(i => $"a:h{i}.r.test"));
        var zone = new Zone().Txt("r.test", $"v=spf1 {tenAs} redirect=next.test").Txt("next.test", "v=spf1 -all");
        foreach (int i in Enumerable.Range(1, 10)) zone.A($"h{i}.r.test", "198.51.100.1"); // found, so no void lookups
        SpfEvaluation e = await Check(zone, "192.0.2.1", "r.test");
        Assert.Equal((SpfResult.PermError, "More than 10 DNS lookups: 'redirect=next.test' in the SPF record of r.test "
            + "is lookup number 11."), (e.Result, e.Reason));
    }

    [Fact]
    public async Task A_domain_included_twice_on_different_branches_is_not_a_loop()
    {
        var zone = new Zone().Txt("top.test", "v=spf1 include:b.test include:c.test -all")
            .Txt("b.test", "v=spf1 include:d.test -all")
            .Txt("c.test", "v=spf1 include:d.test ip4:192.0.2.1 -all")
            .Txt("d.test", "v=spf1 -all");
        SpfEvaluation e = await Check(zone, "192.0.2.1", "top.test");
        Assert.Equal(SpfResult.Pass, e.Result);
        Assert.Equal(("include:c.test", "top.test"), (e.MatchedMechanism, e.MatchedInDomain));
    }

    [Fact]
    public async Task Mx_with_a_domain_reads_that_domains_MX()
    {
        var zone = new Zone().Txt("m.test", "v=spf1 mx:mail.other.test -all")
            .Mx("mail.other.test", "mx1.other.test").A("mx1.other.test", "192.0.2.7");
        Assert.Equal(SpfResult.Pass, (await Check(zone, "192.0.2.7", "m.test")).Result);
        Assert.DoesNotContain("m.test MX", zone.Asked);
    }

    [Theory]
    [InlineData("v=spf1 mx:v1.x.test mx:v2.x.test mx:v3.x.test -all", "v3.x.test (MX)")]
    [InlineData("v=spf1 exists:v1.x.test exists:v2.x.test exists:v3.x.test -all", "v3.x.test (A)")]
    [InlineData("v=spf1 ptr:a.x.test ptr:b.x.test ptr:c.x.test -all", "1.2.0.192.in-addr.arpa (PTR)")]
    public async Task Void_MX_exists_and_PTR_lookups_count_toward_the_limit(string record, string third)
    {
        SpfEvaluation e = await Check(new Zone().Txt("x.test", record), "192.0.2.1", "x.test");
        Assert.Equal((SpfResult.PermError, $"More than 2 void lookups: {third} is the 3rd lookup that found nothing."),
            (e.Result, e.Reason));
    }

    [Fact]
    public async Task Ptr_names_that_dont_resolve_back_are_not_void_lookups()
    {
        // Three PTR names, none with an address: checking them back finds nothing, which is no match, not a void lookup.
        var zone = new Zone().Txt("p.test", "v=spf1 ptr -all").Ptr("1.2.0.192.in-addr.arpa", "n1.p.test", "n2.p.test", "n3.p.test");
        SpfEvaluation e = await Check(zone, "192.0.2.1", "p.test");
        Assert.Equal(SpfResult.Fail, e.Result);
        Assert.Equal(0, e.VoidLookups);
    }

    [Fact]
    public async Task A_ptr_name_matches_when_any_of_its_addresses_is_the_client()
    {
        var zone = new Zone().Txt("pa.test", "v=spf1 ptr -all")
            .Ptr("5.2.0.192.in-addr.arpa", "mail.pa.test").A("mail.pa.test", "192.0.2.99", "192.0.2.5");
        Assert.Equal(SpfResult.Pass, (await Check(zone, "192.0.2.5", "pa.test")).Result);
    }

    [Fact]
    public async Task A_macro_expanding_to_exactly_253_characters_keeps_every_label()
    {
        // 62 + 1 + 62 + 1 + 62 + 1 + 57 + 7 (".l.test") = 253.
        string a = new string('a', 62), b = new string('b', 57);
        var zone = new Zone().Txt("l.test", "v=spf1 exists:%{l}.%{l}.%{l}.%{h}.l.test -all");
        await new SpfEvaluator(zone)
            .CheckHostAsync(IPAddress.Parse("192.0.2.1"), "l.test", a + "@l.test", b, TestContext.Current.CancellationToken);
        string name = zone.Asked[^1][..^2];
        Assert.Equal(253, name.Length);
        Assert.StartsWith(a + ".", name);
    }

    [Fact]
    public async Task A_long_expansion_starting_with_a_dot_loses_the_empty_label_first()
    {
        string label = new string('x', 63);
        var zone = new Zone().Txt("dot.test", "v=spf1 exists:.%{l}.%{l}.%{l}.%{l}.dot.test -all");
        SpfEvaluation e = await Check(zone, "192.0.2.1", "dot.test", label + "@dot.test");
        Assert.Equal($"{label}.{label}.{label}.dot.test A", zone.Asked[^1]);
        Assert.Equal(SpfResult.Fail, e.Result);
    }
}
