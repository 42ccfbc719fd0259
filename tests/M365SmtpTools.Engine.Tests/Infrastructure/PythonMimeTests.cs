using System.Security.Cryptography;
using System.Text;
using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Engine.Tests.Infrastructure;

/// <summary>The independent parser itself (python_mime.py's tree mode via PythonMime) on a hand-written message.</summary>
public sealed class PythonMimeTests
{
    private const string Message =
        "Return-Path: <alice@contoso.test>\r\n" +
        "From: =?utf-8?q?J=C3=BCrgen?= <j@contoso.test>\r\n" +
        "To: a@fabrikam.test, \"Bob, X\" <bob@fabrikam.test>\r\n" +
        "Subject: =?utf-8?b?SMOpbGxv?=\r\n =?utf-8?q?_W=C3=B6rld?=\r\n" +
        "Date: Sun, 22 Nov 2026 05:50:21 +0000\r\n" +
        "Message-ID: <x1@contoso.test>\r\n" +
        "X-Custom: one\r\n" +
        "X-Custom: two\r\n" +
        "MIME-Version: 1.0\r\n" +
        "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n" +
        "preamble text\r\n" +
        "--b1\r\n" +
        "Content-Type: multipart/related; boundary=\"b2\"\r\n\r\n" +
        "--b2\r\n" +
        "Content-Type: text/html; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
        "<p>caf=E9 <img src=3D\"cid:logo@x\"></p>\r\n" +
        "--b2\r\n" +
        "Content-Type: image/png\r\nContent-ID: <logo@x>\r\nContent-Disposition: inline\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
        "iVBORw0KGgo=\r\n" +
        "--b2--\r\n" +
        "--b1\r\n" +
        "Content-Type: application/octet-stream\r\n" +
        "Content-Disposition: attachment; filename*=utf-8''r%C3%A9sum%C3%A9.bin\r\n" +
        "Content-Transfer-Encoding: base64\r\n\r\n" +
        "AAECAw==\r\n" +
        "--b1\r\n" +
        "Content-Type: message/rfc822\r\n\r\n" +
        "Subject: inner\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\ninner body\r\n" +
        "--b1--\r\n";

    [Fact]
    public void Parse_ReadsHeadersAndTheMimeTree()
    {
        ParsedMessage m = PythonMime.Parse(Encoding.ASCII.GetBytes(Message));

        Assert.Equal("Héllo Wörld", m.Subject);
        Assert.Equal("<x1@contoso.test>", m.MessageId);
        Assert.Equal("2026-11-22T05:50:21+00:00", m.Date);
        Assert.Equal(("Jürgen", "j@contoso.test"), (m.From![0].DisplayName, m.From[0].AddrSpec));
        List<ParsedAddress> to = Assert.IsType<List<ParsedAddress>>(m.To);
        Assert.Equal(["a@fabrikam.test", "bob@fabrikam.test"], to.Select(a => a.AddrSpec).ToArray());
        Assert.Equal("Bob, X", to[1].DisplayName);
        Assert.Null(m.Cc);
        Assert.Equal(["one", "two"], m.HeaderValues("X-Custom").Select(v => v ?? "<null>").ToArray());
        Assert.Equal("=?utf-8?b?SMOpbGxv?=\n =?utf-8?q?_W=C3=B6rld?=", m.Headers.Single(h => h.Name == "Subject").Raw);
        Assert.Equal("<alice@contoso.test>", m.Header("return-path"));

        Assert.Equal("multipart/mixed", m.Root.ContentType);
        Assert.Equal("preamble text", m.Root.Preamble);
        Assert.Equal(["multipart/related", "application/octet-stream", "message/rfc822"],
            m.Root.Parts.Select(p => p.ContentType).ToArray());

        ParsedMimePart html = m.Root.Parts[0].Parts[0];
        Assert.Equal(("text/html", "iso-8859-1", "quoted-printable"), (html.ContentType, html.Charset, html.ContentTransferEncoding));
        Assert.Equal("<p>café <img src=\"cid:logo@x\"></p>", html.Text); // the CRLF before a boundary belongs to the boundary

        ParsedMimePart image = m.Root.Parts[0].Parts[1];
        Assert.Equal(("inline", "<logo@x>"), (image.Disposition, image.ContentId));
        byte[] png = Convert.FromBase64String("iVBORw0KGgo=");
        Assert.Equal(png.Length, image.Size);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(png)), image.Sha256);

        ParsedMimePart attachment = m.Root.Parts[1];
        Assert.Equal(("attachment", "résumé.bin", 4L), (attachment.Disposition, attachment.Filename, attachment.Size));

        ParsedMimePart inner = Assert.Single(m.Root.Parts[2].Parts);
        Assert.Equal("inner", inner.Headers.Single(h => h.Name == "Subject").Value);
        Assert.Equal("inner body", inner.Text);

        Assert.Equal(7, m.AllParts().Count());
        Assert.Empty(m.Defects);
    }

    [Fact]
    public void Parse_ReportsDefects()
    {
        // A multipart without its closing boundary: Python flags it, so a test can catch a broken writer.
        byte[] broken = Encoding.ASCII.GetBytes(
            "Subject: broken\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"zz\"\r\n\r\n" +
            "--zz\r\nContent-Type: text/plain\r\n\r\nno end\r\n");
        ParsedMessage m = PythonMime.Parse(broken);
        Assert.Contains(m.AllParts().SelectMany(p => p.Defects).Concat(m.Defects),
            d => d.Contains("CloseBoundaryNotFoundDefect", StringComparison.Ordinal));
    }
}
