using System.Reflection;
using M365SmtpTools.Engine.Graph;
using M365SmtpTools.Engine.Smtp;

namespace M365SmtpTools.Engine.Tests;

/// <summary>The error code catalogues and the registry that finds a code by its id.</summary>
public sealed class ErrorCodeRegistryTests
{
    private static readonly Assembly Engine = typeof(ErrorCode).Assembly;

    // Every class of the engine that declares public static ErrorCode fields, found independently of the registry's list.
    private static IEnumerable<Type> CatalogueClasses() =>
        Engine.GetTypes().Where(t => t.GetFields(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .Any(f => f.FieldType == typeof(ErrorCode)));

    private static IEnumerable<(Type Catalogue, FieldInfo Field, ErrorCode Code)> CatalogueFields() =>
        CatalogueClasses().SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .Where(f => f.FieldType == typeof(ErrorCode)).Select(f => (t, f, (ErrorCode)f.GetValue(null)!)));

    [Fact]
    public void Every_catalogue_class_is_in_the_registry()
    {
        Assert.NotEmpty(CatalogueClasses());
        foreach (Type t in CatalogueClasses())
            Assert.True(ErrorCodeRegistry.Catalogues.Contains(t), t.FullName + " has ErrorCode fields but isn't a registered catalogue");
        Assert.Equal(ErrorCodeRegistry.Catalogues.Length, ErrorCodeRegistry.Catalogues.Distinct().Count());
    }

    [Fact]
    public void Every_catalogue_field_is_registered_under_its_id()
    {
        foreach ((Type catalogue, FieldInfo field, ErrorCode code) in CatalogueFields())
        {
            Assert.True(field.IsInitOnly, $"{catalogue.Name}.{field.Name} must be readonly");
            Assert.Same(code, ErrorCodeRegistry.Find(code.Id));
        }
        Assert.Equal(CatalogueFields().Count(), ErrorCodeRegistry.All.Count);
    }

    [Fact]
    public void Ids_are_unique_across_the_catalogues()
    {
        var duplicates = CatalogueFields().GroupBy(x => x.Code.Id, StringComparer.Ordinal).Where(g => g.Count() > 1)
            .Select(g => g.Key + ": " + string.Join(", ", g.Select(x => x.Catalogue.Name + "." + x.Field.Name))).ToList();
        Assert.Empty(duplicates);
        // Scripts compare ids with -eq, which ignores case: two ids differing only in case would be one to them.
        Assert.Equal(ErrorCodeRegistry.All.Count,
            ErrorCodeRegistry.All.Select(c => c.Id).Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }

    [Fact]
    public void Ids_are_plain_names()
    {
        foreach (ErrorCode code in ErrorCodeRegistry.All)
            Assert.Matches("^[A-Z][A-Za-z0-9]+$", code.Id);
    }

    [Fact]
    public void Unknown_ids_find_nothing()
    {
        Assert.Null(ErrorCodeRegistry.Find(null));
        Assert.Null(ErrorCodeRegistry.Find(""));
        Assert.Null(ErrorCodeRegistry.Find("NoSuchError"));
        Assert.Null(ErrorCodeRegistry.Find("smtpauthenticationfailed")); // ids match exactly
        Assert.Same(SmtpErrorCodes.AuthenticationFailed, ErrorCodeRegistry.Find("SmtpAuthenticationFailed"));
    }

    [Fact]
    public void An_exception_takes_its_kind_from_the_code_unless_told_otherwise()
    {
        var plain = new M365SmtpException(SmtpErrorCodes.ConnectTimeout, "m");
        Assert.Equal("SmtpConnectTimeout", plain.ErrorId);
        Assert.Equal(ErrorKind.OperationTimeout, plain.Kind);
        Assert.Same(SmtpErrorCodes.ConnectTimeout, plain.Code);
        var chosen = new M365SmtpException(SmtpErrorCodes.SenderRejected, ErrorKind.PermissionDenied, "m");
        Assert.Equal(ErrorKind.PermissionDenied, chosen.Kind);
        Assert.Equal(FailurePhase.Sender, chosen.Code.Phase);
        Assert.Throws<ArgumentNullException>(() => new M365SmtpException(null!, "m"));
    }

    [Fact]
    public void A_graph_error_code_no_catalogue_explains_keeps_graph_and_its_code_as_id()
    {
        ErrorCode unknown = GraphErrorCodes.ForServerCode("ErrorQuotaExceeded");
        Assert.Equal("GraphErrorQuotaExceeded", unknown.Id);
        Assert.Equal(FailurePhase.Other, unknown.Phase);
        Assert.Null(ErrorCodeRegistry.Find(unknown.Id));
        Assert.Same(GraphErrorCodes.RequestFailed, GraphErrorCodes.ForServerCode(null));
        Assert.Same(GraphErrorCodes.RequestFailed, GraphErrorCodes.ForServerCode(" "));
        // An id a catalogue has is that code (same step), whatever the answer's status.
        Assert.Same(GraphErrorCodes.TokenExpired, GraphErrorCodes.ForServerCode("TokenExpired"));
    }

    [Fact]
    public void Codes_with_one_id_are_equal()
    {
        ErrorCode again = GraphErrorCodes.ForServerCode("ErrorQuotaExceeded");
        Assert.Equal(GraphErrorCodes.ForServerCode("ErrorQuotaExceeded"), again);
        Assert.True(GraphErrorCodes.ForServerCode("ErrorQuotaExceeded") == again);
        Assert.False(SmtpErrorCodes.Timeout == SmtpErrorCodes.ConnectTimeout);
        Assert.Equal("SmtpTimeout", SmtpErrorCodes.Timeout.ToString());
    }
}
