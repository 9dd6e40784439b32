using System.Buffers.Binary;

namespace Persistence.Serialization;

/// <content>Skipping values.</content>
public ref partial struct MessagePackReader
{
    /// <summary>
    /// Skips one complete value, including everything nested in it. Used by generated code for members it does not know.
    /// </summary>
    /// <remarks>
    /// Skipping is iterative: it counts the values still to skip instead of recursing, so nesting depth costs no stack
    /// and is limited only by the input's length. Every step consumes at least one byte, so it ends on any input.
    /// Structure is checked (lengths, the reserved byte 0xc1); string contents are not validated as UTF-8.
    /// </remarks>
    public void Skip()
    {
        // Each array element or map key/value adds one; counts are validated against the remaining bytes, so this
        // never exceeds about twice the input length.
        long pending = 1;
        while (pending > 0)
        {
            pending--;
            int start = _position;
            byte code = ReadCode("a value");
            if (code <= MessagePackCode.MaxPositiveFixInt || code >= MessagePackCode.MinNegativeFixInt)
            {
                continue;
            }

            switch (code)
            {
                case <= MessagePackCode.MaxFixMap:
                case MessagePackCode.Map16:
                case MessagePackCode.Map32:
                    _position = start;
                    pending += 2L * ReadMapHeader();
                    break;
                case <= MessagePackCode.MaxFixArray:
                case MessagePackCode.Array16:
                case MessagePackCode.Array32:
                    _position = start;
                    pending += ReadArrayHeader();
                    break;
                case <= MessagePackCode.MaxFixStr:
                    ReadPayload(code & 0x1f, "string", start);
                    break;
                case MessagePackCode.Nil or MessagePackCode.False or MessagePackCode.True:
                    break;
                case MessagePackCode.Bin8 or MessagePackCode.Str8:
                    ReadPayload(ReadPayload(1, "8-bit length", start)[0], "payload", start);
                    break;
                case MessagePackCode.Bin16 or MessagePackCode.Str16:
                    ReadPayload(BinaryPrimitives.ReadUInt16BigEndian(ReadPayload(2, "16-bit length", start)), "payload", start);
                    break;
                case MessagePackCode.Bin32 or MessagePackCode.Str32:
                    ReadPayload(BinaryPrimitives.ReadUInt32BigEndian(ReadPayload(4, "32-bit length", start)), "payload", start);
                    break;
                case MessagePackCode.Ext8 or MessagePackCode.Ext16 or MessagePackCode.Ext32:
                case >= MessagePackCode.FixExt1 and <= MessagePackCode.FixExt16:
                    _position = start;
                    ReadPayload(ReadExtensionHeader().Length, "extension payload", start);
                    break;
                case MessagePackCode.UInt8 or MessagePackCode.Int8:
                    ReadPayload(1, "8-bit integer", start);
                    break;
                case MessagePackCode.UInt16 or MessagePackCode.Int16:
                    ReadPayload(2, "16-bit integer", start);
                    break;
                case MessagePackCode.UInt32 or MessagePackCode.Int32 or MessagePackCode.Float32:
                    ReadPayload(4, "32-bit number", start);
                    break;
                case MessagePackCode.UInt64 or MessagePackCode.Int64 or MessagePackCode.Float64:
                    ReadPayload(8, "64-bit number", start);
                    break;
                default:
                    throw SerializationErrors.Unexpected("a value", start, code);
            }
        }
    }

    /// <summary>
    /// Skips one complete value and returns its bytes (header included); the span points into the input. Used to keep
    /// a value verbatim, for example a member the current type does not know.
    /// </summary>
    public ReadOnlySpan<byte> ReadRawValue()
    {
        int start = _position;
        Skip();
        return _buffer[start.._position];
    }
}
