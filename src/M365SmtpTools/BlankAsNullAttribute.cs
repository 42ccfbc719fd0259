using System.Management.Automation;

namespace M365SmtpTools
{
    /// <summary>
    /// Binds an empty or blank string (an empty CSV cell) as null, so an optional typed parameter such as -Priority
    /// doesn't fail binding for that row; PowerShell would otherwise skip the row without the cmdlet ever seeing it.
    /// </summary>
    public sealed class BlankAsNullAttribute : ArgumentTransformationAttribute
    {
        /// <inheritdoc />
        public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
        {
            object? value = inputData is PSObject pso ? pso.BaseObject : inputData;
            return value is string s && string.IsNullOrWhiteSpace(s) ? null : inputData;
        }
    }
}
