using Persistence.Generators.Parsing.Model;

namespace Persistence.Generators.Parsing;

/// <summary>The C# spelling of each scalar kind, as the generated code writes it.</summary>
internal static class KindNames
{
    public static string TypeName(ValueKind kind) => kind switch
    {
        ValueKind.Boolean => "bool",
        ValueKind.SByte => "sbyte",
        ValueKind.Byte => "byte",
        ValueKind.Int16 => "short",
        ValueKind.UInt16 => "ushort",
        ValueKind.Int32 => "int",
        ValueKind.UInt32 => "uint",
        ValueKind.Int64 => "long",
        ValueKind.UInt64 => "ulong",
        ValueKind.Single => "float",
        ValueKind.Double => "double",
        ValueKind.Decimal => "decimal",
        ValueKind.Char => "char",
        ValueKind.String => "string",
        ValueKind.Guid => "global::System.Guid",
        ValueKind.DateTime => "global::System.DateTime",
        ValueKind.DateTimeOffset => "global::System.DateTimeOffset",
        ValueKind.TimeSpan => "global::System.TimeSpan",
        ValueKind.DateOnly => "global::System.DateOnly",
        ValueKind.TimeOnly => "global::System.TimeOnly",
        ValueKind.Bytes => "byte[]",
        _ => throw new System.ArgumentOutOfRangeException(nameof(kind), kind, "not a scalar kind"),
    };
}
