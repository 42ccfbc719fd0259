using System.Collections.ObjectModel;
using System.Reflection;
using System.Runtime.InteropServices;

namespace M365SmtpTools.HelpGen;

/// <summary>
/// Reads cmdlets from a compiled module assembly through MetadataLoadContext and CustomAttributeData: the assembly is
/// never executed, which matters because System.Management.Automation here is a compile-only stub.
/// </summary>
public sealed class CmdletMetadataReader : IDisposable
{
    private const string Sma = "System.Management.Automation.";
    private readonly MetadataLoadContext _context;
    private readonly Lazy<IReadOnlyList<Assembly>> _moduleAssemblies;

    /// <summary>Opens the context with the assembly, the references it was compiled against and the running runtime.</summary>
    public CmdletMetadataReader(string assemblyPath, IEnumerable<string> referencePaths)
    {
        var paths = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string p in Directory.GetFiles(RuntimeEnvironment.GetRuntimeDirectory(), "*.dll")) paths[Path.GetFileName(p)] = p;
        foreach (string p in referencePaths.Where(File.Exists)) paths[Path.GetFileName(p)] = p;
        paths[Path.GetFileName(assemblyPath)] = Path.GetFullPath(assemblyPath);
        _context = new MetadataLoadContext(new PathAssemblyResolver(paths.Values), "netstandard");
        Assembly = _context.LoadFromAssemblyPath(Path.GetFullPath(assemblyPath));
        // Loaded once, on the first shared-text lookup (Assembly itself is among them).
        _moduleAssemblies = new(() => paths.Values.Where(IsModuleAssembly).Select(LoadAssembly).ToList());
    }

    /// <summary>True for the module's own assemblies (M365SmtpTools*): only they carry help text and shared texts.</summary>
    public static bool IsModuleAssembly(string path) =>
        Path.GetFileName(path).StartsWith("M365SmtpTools", StringComparison.OrdinalIgnoreCase);

    /// <summary>The module assembly, loaded for inspection only.</summary>
    public Assembly Assembly { get; }

    /// <summary>Loads another assembly (e.g. the engine) into the same inspection context.</summary>
    public Assembly LoadAssembly(string path) => _context.LoadFromAssemblyPath(Path.GetFullPath(path));

    /// <summary>
    /// The value of the string constant a doc comment's cref names (<c>F:Namespace.Type.Field</c>), looked for in the
    /// module's own assemblies (this one and the M365SmtpTools references, e.g. the engine); null when there is none.
    /// </summary>
    public string? StringConstant(string cref)
    {
        int dot = cref.LastIndexOf('.');
        if (!cref.StartsWith("F:", StringComparison.Ordinal) || dot < 2) return null;
        string typeName = cref[2..dot], fieldName = cref[(dot + 1)..];
        foreach (Assembly assembly in _moduleAssemblies.Value)
        {
            FieldInfo? field = assembly.GetType(typeName)?.GetField(fieldName, BindingFlags.Public | BindingFlags.Static);
            if (field is { IsLiteral: true } && field.GetRawConstantValue() is string value) return value;
        }
        return null;
    }

    /// <summary>Every public cmdlet class in the assembly, ordered by name.</summary>
    public IReadOnlyList<CmdletModel> ReadCmdlets()
    {
        var cmdlets = new List<CmdletModel>();
        foreach (Type type in Assembly.GetExportedTypes())
        {
            CustomAttributeData? cmdlet = Find(type.GetCustomAttributesData(), "CmdletAttribute");
            if (cmdlet == null || type.IsAbstract) continue;
            cmdlets.Add(new CmdletModel(
                (string)cmdlet.ConstructorArguments[0].Value!,
                (string)cmdlet.ConstructorArguments[1].Value!,
                type.FullName!,
                Named<bool>(cmdlet, "SupportsShouldProcess"),
                Named<string>(cmdlet, "DefaultParameterSetName"),
                ReadOutputTypes(type),
                ReadParameters(type)));
        }
        return cmdlets.OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
    }

    private static IReadOnlyList<string> ReadOutputTypes(Type type)
    {
        var result = new List<string>();
        foreach (CustomAttributeData a in type.GetCustomAttributesData()
            .Where(a => a.AttributeType.FullName == Sma + "OutputTypeAttribute"))
            foreach (CustomAttributeTypedArgument arg in a.ConstructorArguments)
                foreach (object? v in Flatten(arg))
                    result.Add(v is Type t ? t.FullName! : v?.ToString() ?? "");
        return result;
    }

    private static IReadOnlyList<ParameterModel> ReadParameters(Type type)
    {
        var result = new List<ParameterModel>();
        IReadOnlyDictionary<PropertyInfo, string> initializers = PropertyInitializers.Read(type);
        foreach (PropertyInfo property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            IList<CustomAttributeData> attributes = property.GetCustomAttributesData();
            var sets = new Dictionary<string, ParameterSetModel>();
            foreach (CustomAttributeData p in attributes.Where(a => a.AttributeType.FullName == Sma + "ParameterAttribute"))
            {
                int position = Named<int?>(p, "Position") ?? int.MinValue;
                sets[Named<string>(p, "ParameterSetName") ?? ParameterModel.AllSets] = new ParameterSetModel(
                    Named<bool>(p, "Mandatory"), position == int.MinValue ? null : position,
                    Named<bool>(p, "ValueFromPipeline"), Named<bool>(p, "ValueFromPipelineByPropertyName"));
            }
            if (sets.Count == 0) continue;
            var aliases = attributes.Where(a => a.AttributeType.FullName == Sma + "AliasAttribute")
                .SelectMany(a => a.ConstructorArguments.SelectMany(Flatten)).Select(v => v!.ToString()!).ToList();
            var allowed = attributes.Where(a => a.AttributeType.FullName == Sma + "ValidateSetAttribute")
                .SelectMany(a => a.ConstructorArguments.SelectMany(Flatten)).Select(v => v!.ToString()!).ToList();
            Type valueType = UnderlyingNullable(property.PropertyType) ?? property.PropertyType;
            if (allowed.Count == 0 && valueType.IsEnum) allowed = valueType.GetEnumNames().ToList();
            bool wildcards = Find(attributes, "SupportsWildcardsAttribute") != null;
            result.Add(new ParameterModel(property.Name, TypeName(property.PropertyType), property.DeclaringType!.FullName!, aliases,
                allowed, sets)
            {
                SupportsWildcards = wildcards,
                IsNullable = UnderlyingNullable(property.PropertyType) != null,
                IsEnum = valueType.IsEnum,
                Initializer = initializers.TryGetValue(property, out string? init) ? init : null,
                EnumZeroName = valueType.IsEnum ? EnumName(valueType, 0) : null,
            });
        }
        return result;
    }

    /// <summary>
    /// The T of a Nullable&lt;T&gt;, or null. Compared by name: a MetadataLoadContext type is never the runtime's
    /// typeof(Nullable&lt;&gt;), so Nullable.GetUnderlyingType always answers null for it.
    /// </summary>
    public static Type? UnderlyingNullable(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition().FullName == "System.Nullable`1" ? type.GetGenericArguments()[0] : null;

    /// <summary>The name of an enum member with this value (the first declared), or null.</summary>
    public static string? EnumName(Type enumType, object value)
    {
        long wanted = Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
        foreach (FieldInfo f in enumType.GetFields(BindingFlags.Public | BindingFlags.Static))
            if (Convert.ToInt64(f.GetRawConstantValue(), System.Globalization.CultureInfo.InvariantCulture) == wanted) return f.Name;
        return null;
    }

    /// <summary>A readable full type name (generic arguments spelled out, nullable unwrapped).</summary>
    public static string TypeName(Type type)
    {
        if (UnderlyingNullable(type) is Type inner) return TypeName(inner);
        if (type.IsArray) return TypeName(type.GetElementType()!) + "[]";
        if (!type.IsGenericType) return type.FullName ?? type.Name;
        string name = type.GetGenericTypeDefinition().FullName!;
        return name[..name.IndexOf('`')] + "[" + string.Join(", ", type.GetGenericArguments().Select(TypeName)) + "]";
    }

    private static CustomAttributeData? Find(IEnumerable<CustomAttributeData> attributes, string name) =>
        attributes.FirstOrDefault(a => a.AttributeType.FullName == Sma + name);

    private static T Named<T>(CustomAttributeData attribute, string name)
    {
        foreach (CustomAttributeNamedArgument arg in attribute.NamedArguments)
            if (arg.MemberName == name) return (T)arg.TypedValue.Value!;
        return default!;
    }

    private static IEnumerable<object?> Flatten(CustomAttributeTypedArgument arg) =>
        arg.Value is ReadOnlyCollection<CustomAttributeTypedArgument> items ? items.Select(i => i.Value) : new[] { arg.Value };

    /// <inheritdoc />
    public void Dispose() => _context.Dispose();
}
