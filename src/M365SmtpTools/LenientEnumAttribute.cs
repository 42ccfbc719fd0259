using System;
using System.Management.Automation;

namespace M365SmtpTools
{
    /// <summary>
    /// Binds a pipeline value of an enum parameter without failing: blank (an empty CSV cell) binds as null, a name binds
    /// as its value, and anything else binds as an undefined value that the cmdlet reports as this input's error. PowerShell
    /// would otherwise skip the row without the cmdlet ever seeing it, so it would get no result.
    /// </summary>
    public sealed class LenientEnumAttribute : ArgumentTransformationAttribute
    {
        /// <summary>The value a name that isn't one of the enum's binds as: never a defined value.</summary>
        public const int Unreadable = -1;

        private readonly Type _enumType;

        /// <summary>Creates the attribute for an enum type.</summary>
        public LenientEnumAttribute(Type enumType) => _enumType = enumType;

        /// <inheritdoc />
        public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
        {
            object? value = inputData is PSObject pso ? pso.BaseObject : inputData;
            if (value == null || value.GetType() == _enumType) return value;
            string text = value.ToString()?.Trim() ?? "";
            if (text.Length == 0) return null;
            foreach (string name in Enum.GetNames(_enumType))
                if (string.Equals(name, text, StringComparison.OrdinalIgnoreCase)) return Enum.Parse(_enumType, name);
            return Enum.ToObject(_enumType, Unreadable);
        }
    }
}
