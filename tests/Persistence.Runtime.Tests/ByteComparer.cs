namespace Persistence.Tests;

/// <summary>Unsigned lexicographic order of byte arrays: the engine's key order.</summary>
public sealed class ByteComparer : IComparer<byte[]>, IEqualityComparer<byte[]>
{
    public static ByteComparer Instance { get; } = new();

    public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);

    public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

    public int GetHashCode(byte[] obj)
    {
        var hash = new HashCode();
        hash.AddBytes(obj);
        return hash.ToHashCode();
    }
}
