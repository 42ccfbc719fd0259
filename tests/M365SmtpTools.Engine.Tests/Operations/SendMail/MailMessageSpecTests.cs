using System.Collections;
using M365SmtpTools.Engine;
using M365SmtpTools.Engine.Mime;
using M365SmtpTools.Engine.Operations;
using M365SmtpTools.Engine.Smtp;

namespace M365SmtpTools.Engine.Tests.Operations.SendMail;

/// <summary>
/// A message's values as the engine takes them: inline images and headers read from the ways users write them, a row
/// mapped to a message, and a message's absent values taken from the defaults (the request's Message).
/// </summary>
public sealed class MailMessageSpecTests
{
    [Fact]
    public void Inline_images_are_read_from_a_map_a_ContentId_and_Path_pair_and_cid_equals_path_text()
    {
        InlineImage[] images = InlineImage.From(new object?[]
        {
            new Hashtable { ["chart"] = "/r/chart.png" },
            new Hashtable { ["contentid"] = "logo", ["PATH"] = "/r/logo.png" },
            null,
            " map = /r/map.png ",
            "eq=/r/a=b.png",
        });
        Assert.Equal(new[] { "chart=/r/chart.png", "logo=/r/logo.png", "map=/r/map.png", "eq=/r/a=b.png" },
            images.Select(i => i.ToString()));
        Assert.Equal(("logo", "/r/logo.png"), (images[1].ContentId, images[1].Path));
        Assert.Empty(InlineImage.From(null));
    }

    [Fact]
    public void A_map_with_other_keys_than_ContentId_and_Path_is_read_as_Content_ID_to_file_pairs()
    {
        // Only one of the two names: not a ContentId/Path pair, so every entry is an image.
        InlineImage[] images = InlineImage.From(new object?[] { new Hashtable { ["ContentId"] = "/r/x.png" } });
        Assert.Equal("ContentId=/r/x.png", Assert.Single(images).ToString());
    }

    [Theory]
    [InlineData("chart")]
    [InlineData("=chart.png")]
    [InlineData(42)]
    public void A_value_that_is_no_Content_ID_to_file_pair_is_InvalidInlineImage_aimed_at_the_parameter(object value)
    {
        var e = Assert.Throws<M365SmtpException>(() => InlineImage.From(new[] { value }));
        Assert.Equal("InvalidInlineImage", e.ErrorId);
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Equal("InlineImage", e.ParameterName);
        Assert.Equal($"The inline image '{value}' is not a Content-ID → file pair.", e.Message);
        Assert.Contains("cid:chart", e.RecommendedAction, StringComparison.Ordinal);
    }

    [Fact]
    public void Headers_from_a_hashtable_are_text_and_their_names_match_without_case()
    {
        IReadOnlyDictionary<string, string> headers = MailMessageSpec.HeadersFrom(new Hashtable
        {
            ["X-Job"] = "nightly", ["X-Run"] = 7, ["X-Empty"] = null
        });
        Assert.Equal("nightly", headers["x-job"]);
        Assert.Equal("7", headers["X-RUN"]);
        Assert.Equal("", headers["X-Empty"]);
        Assert.Equal(3, headers.Count);
    }

    [Fact]
    public void A_row_maps_its_inline_image_and_header_cells_to_typed_values()
    {
        MailMessageSpec spec = MailMessageSpec.FromRow(new Dictionary<string, object?>
        {
            ["inlineimage"] = "chart=/r/chart.png",
            ["Header"] = new Hashtable { ["X-Job"] = "weekly" },
            ["priority"] = "high",
        });
        Assert.Equal("chart=/r/chart.png", Assert.Single(spec.InlineImage!).ToString());
        Assert.Equal("weekly", spec.Header!["X-Job"]);
        Assert.Equal(MessagePriority.High, spec.Priority);
        var e = Assert.Throws<M365SmtpException>(() =>
            MailMessageSpec.FromRow(new Dictionary<string, object?> { ["InlineImage"] = "chart" }));
        Assert.Equal("InvalidInlineImage", e.ErrorId);
    }

    [Fact]
    public void Absent_values_come_from_the_defaults_and_given_ones_are_kept()
    {
        var images = new[] { new InlineImage("chart", "/r/chart.png") };
        var defaults = new MailMessageSpec
        {
            From = "ops@contoso.com", To = new[] { "all@contoso.com" }, Cc = new[] { "cc@contoso.com" }, Bcc = new[] { "bcc@contoso.com" },
            ReplyTo = new[] { "help@contoso.com" }, Subject = "Default", Body = "text", HtmlBody = "<p>html</p>",
            Attachment = new[] { "/r/a.pdf" },
            InlineImage = images, Header = new Dictionary<string, string> { ["X-Job"] = "default" }, Priority = MessagePriority.Low,
            DeliveryNotification = SmtpDsnNotify.Failure,
        };
        var given = new MailMessageSpec
        {
            To = new[] { "ann@contoso.com" }, Subject = "Mine", Priority = MessagePriority.High, Input = "row 1"
        };
        MailMessageSpec m = given.WithDefaults(defaults);
        Assert.Equal(("ops@contoso.com", "ann@contoso.com", "Mine", MessagePriority.High),
            (m.From, Assert.Single(m.To!), m.Subject, m.Priority));
        Assert.Equal(("cc@contoso.com", "bcc@contoso.com", "help@contoso.com"), (m.Cc![0], m.Bcc![0], m.ReplyTo![0]));
        Assert.Equal(("text", "<p>html</p>", "/r/a.pdf"), (m.Body, m.HtmlBody, m.Attachment![0]));
        Assert.Same(images, m.InlineImage);
        Assert.Equal("default", m.Header!["X-Job"]);
        Assert.Equal(SmtpDsnNotify.Failure, m.DeliveryNotification);
        Assert.Equal("row 1", m.Input);
        Assert.Null(given.From);
    }
}
