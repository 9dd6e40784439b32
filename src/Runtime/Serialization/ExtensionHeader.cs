using System.ComponentModel;

namespace Persistence.Serialization;

/// <summary>
/// The header of a MessagePack extension value: its application-defined type and its payload length.
/// Public for generated code only, and hidden from IntelliSense ([EditorBrowsable(Never)]); not meant for application code.
/// </summary>
/// <param name="TypeCode">The extension type; negative values are reserved by the specification (-1 is timestamp).</param>
/// <param name="Length">The number of payload bytes that follow the header.</param>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly record struct ExtensionHeader(sbyte TypeCode, int Length);
