namespace M365SmtpTools.HelpGen;

/// <summary>A cmdlet as its metadata describes it (read without loading the assembly for execution).</summary>
public sealed record CmdletModel(
    string Verb,
    string Noun,
    string TypeFullName,
    bool SupportsShouldProcess,
    string? DefaultParameterSetName,
    IReadOnlyList<string> OutputTypes,
    IReadOnlyList<ParameterModel> Parameters)
{
    /// <summary>Verb-Noun.</summary>
    public string Name => $"{Verb}-{Noun}";

    /// <summary>The parameter set names (the implicit all-sets name when none is declared).</summary>
    public IReadOnlyList<string> ParameterSetNames
    {
        get
        {
            var named = Parameters.SelectMany(p => p.Sets.Keys).Where(s => s != ParameterModel.AllSets).Distinct().ToList();
            if (named.Count == 0) return new[] { ParameterModel.AllSets };
            // PowerShell makes the default set even when no parameter names it (only the all-sets parameters are in it).
            if (DefaultParameterSetName != null) { named.Remove(DefaultParameterSetName); named.Insert(0, DefaultParameterSetName); }
            return named;
        }
    }
}

/// <summary>A parameter: its property, type, aliases and per-set attributes.</summary>
public sealed record ParameterModel(
    string Name,
    string TypeFullName,
    string DeclaringTypeFullName,
    IReadOnlyList<string> Aliases,
    IReadOnlyList<string> AllowedValues,
    IReadOnlyDictionary<string, ParameterSetModel> Sets)
{
    /// <summary>PowerShell's name for "every parameter set".</summary>
    public const string AllSets = "__AllParameterSets";

    /// <summary>The property has [SupportsWildcards]: the cmdlet expands wildcards in its values.</summary>
    public bool SupportsWildcards { get; init; }

    /// <summary>The property's type is Nullable&lt;T&gt; (TypeFullName is T's).</summary>
    public bool IsNullable { get; init; }

    /// <summary>The value type (nullable unwrapped) is an enum; AllowedValues then holds its names.</summary>
    public bool IsEnum { get; init; }

    /// <summary>The constant the property is initialised to (enum values by name), or null when it has none.</summary>
    public string? Initializer { get; init; }

    /// <summary>For an enum: the name of its member with value 0 (what an uninitialised property holds), or null.</summary>
    public string? EnumZeroName { get; init; }

    /// <summary>True for switch parameters.</summary>
    public bool IsSwitch => TypeFullName == "System.Management.Automation.SwitchParameter";

    /// <summary>The attributes that apply in a set, or null when the parameter isn't in it.</summary>
    public ParameterSetModel? InSet(string set) =>
        Sets.TryGetValue(set, out var s) ? s : Sets.TryGetValue(AllSets, out var all) ? all : null;
}

/// <summary>A parameter's attributes in one parameter set.</summary>
public sealed record ParameterSetModel(bool Mandatory, int? Position, bool ValueFromPipeline, bool ValueFromPipelineByPropertyName);
