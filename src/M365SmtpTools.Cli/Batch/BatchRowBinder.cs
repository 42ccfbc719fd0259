using System.Reflection;

namespace M365SmtpTools.Cli.Batch;

/// <summary>Sets a request's properties from one batch row (on top of the values the command line gave).</summary>
internal static class BatchRowBinder
{
    /// <summary>
    /// Copies each field of <paramref name="row"/> to the same-named property of <paramref name="request"/>; enum fields
    /// are matched by name, case-insensitively. Throws <see cref="BatchFileException"/> naming the row for a bad value.
    /// </summary>
    public static void Apply(BatchRow row, object request, string path)
    {
        foreach (var (name, value) in row.Fields)
        {
            PropertyInfo property = request.GetType().GetProperty(name, BindingFlags.Public | BindingFlags.Instance)
                ?? throw new BatchFileException(path, row.LineNumber, row.RowNumber, $"{name} is not a field of {request.GetType().Name}.");
            Type type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            object converted = value;
            if (type.IsEnum)
            {
                string text = (string)value;
                string? match = Enum.GetNames(type).FirstOrDefault(n => n.Equals(text.Trim(), StringComparison.OrdinalIgnoreCase));
                if (match == null)
                    throw new BatchFileException(path, row.LineNumber, row.RowNumber, $"{name} '{text}' is not one of {string.Join(", ", Enum.GetNames(type))}.");
                converted = Enum.Parse(type, match);
            }
            property.SetValue(request, converted);
        }
    }
}
