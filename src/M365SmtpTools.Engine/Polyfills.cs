// Compiler support types that netstandard2.0 lacks, so the engine can use init accessors and records.
namespace System.Runtime.CompilerServices
{
    internal static class IsExternalInit { }
}
