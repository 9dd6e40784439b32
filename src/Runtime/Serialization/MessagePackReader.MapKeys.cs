namespace Persistence.Serialization;

/// <content>Map keys of generated documents: member tags (integers) or member names (strings).</content>
public ref partial struct MessagePackReader
{
    /// <summary>
    /// Reads the next value if it is an integer (any format) whose value fits <see cref="int"/>; otherwise consumes
    /// nothing and returns false. Generated deserializers use it for map keys: a tagged member's key is its tag, so
    /// a key that is not an integer in range is either a member name or unknown, and is handled (or skipped) as such.
    /// </summary>
    /// <exception cref="PersistenceSerializationException">The input is exhausted, or the integer is truncated.</exception>
    public bool TryReadInt32(out int value)
    {
        // Tags below 128 (nearly all) are one positive fixint byte.
        if (_position < _buffer.Length && _buffer[_position] <= MessagePackCode.MaxPositiveFixInt)
        {
            value = _buffer[_position++];
            return true;
        }

        value = 0;
        if (PeekType() != MessagePackType.Integer)
        {
            return false;
        }

        MessagePackReader probe = this;
        long wide;
        if (_buffer[_position] == MessagePackCode.UInt64)
        {
            ulong unsigned = probe.ReadUInt64();
            wide = unsigned <= int.MaxValue ? (long)unsigned : long.MaxValue;
        }
        else
        {
            wide = probe.ReadInt64();
        }

        if (wide is < int.MinValue or > int.MaxValue)
        {
            return false;
        }

        value = (int)wide;
        _position = probe._position;
        return true;
    }
}
