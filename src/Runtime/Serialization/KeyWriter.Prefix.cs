namespace Persistence.Serialization;

/// <content>
/// Upper bounds of prefix scans. A range scan over "every key that starts with P" is the half-open range
/// [P, PrefixSuccessor(P)): the engine's range API takes an exclusive upper bound computed this way, or no upper bound
/// when P has no successor.
/// </content>
public ref partial struct KeyWriter
{
    /// <summary>
    /// Returns the smallest byte string greater than every key that starts with <paramref name="prefix"/>: the prefix
    /// with its trailing 0xFF bytes removed and its last remaining byte incremented. Returns <see langword="null"/> when
    /// there is no such string (the prefix is empty or all 0xFF): the scan then has no upper bound.
    /// </summary>
    public static byte[]? PrefixSuccessor(ReadOnlySpan<byte> prefix)
    {
        int last = prefix.LastIndexOfAnyExcept((byte)0xFF);
        if (last < 0)
        {
            return null;
        }

        byte[] successor = prefix[..(last + 1)].ToArray();
        successor[last]++;
        return successor;
    }

    /// <summary>
    /// Replaces the key written so far by its prefix successor (see <see cref="PrefixSuccessor"/>), in place.
    /// Returns false, and leaves the writer empty, when there is none (the scan has no upper bound).
    /// </summary>
    public bool TryConvertToPrefixSuccessor()
    {
        int last = WrittenSpan.LastIndexOfAnyExcept((byte)0xFF);
        if (last < 0)
        {
            _length = 0;
            return false;
        }

        _length = last + 1;
        _buffer[last]++;
        return true;
    }
}
