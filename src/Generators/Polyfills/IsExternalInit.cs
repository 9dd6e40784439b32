namespace System.Runtime.CompilerServices;

/// <summary>
/// Lets netstandard2.0 code declare records and init-only setters: the compiler needs this type to exist; the runtime
/// never looks at it.
/// </summary>
internal static class IsExternalInit
{
}
