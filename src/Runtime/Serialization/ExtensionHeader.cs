namespace Persistence.Serialization;

/// <summary>The header of a MessagePack extension value: its application-defined type and its payload length.</summary>
/// <param name="TypeCode">The extension type; negative values are reserved by the specification (-1 is timestamp).</param>
/// <param name="Length">The number of payload bytes that follow the header.</param>
public readonly record struct ExtensionHeader(sbyte TypeCode, int Length);
