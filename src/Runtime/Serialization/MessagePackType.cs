using System.ComponentModel;

namespace Persistence.Serialization;

/// <summary>
/// The family of a MessagePack value, as returned by <see cref="MessagePackReader.PeekType"/>.
/// Public for generated code only, and hidden from IntelliSense ([EditorBrowsable(Never)]); not meant for application code.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public enum MessagePackType
{
    /// <summary>nil (0xc0).</summary>
    Nil = 1,

    /// <summary>true or false (0xc2, 0xc3).</summary>
    Boolean = 2,

    /// <summary>Any integer format: positive or negative fixint, uint8-64, int8-64.</summary>
    Integer = 3,

    /// <summary>float32 or float64.</summary>
    Float = 4,

    /// <summary>fixstr, str8, str16 or str32.</summary>
    String = 5,

    /// <summary>bin8, bin16 or bin32.</summary>
    Binary = 6,

    /// <summary>fixarray, array16 or array32.</summary>
    Array = 7,

    /// <summary>fixmap, map16 or map32.</summary>
    Map = 8,

    /// <summary>fixext1-16 or ext8-32, including timestamps (extension type -1).</summary>
    Extension = 9,
}
