namespace Persistence.BTree;

/// <summary>An ordered position over keys: the tree's own cursor, or one that merges a write overlay over a tree.</summary>
internal interface IKeyCursor
{
    bool IsValid { get; }

    ReadOnlySpan<byte> Key { get; }

    ReadOnlySpan<byte> Value { get; }

    void Reset(Node? root);

    bool SeekFirst();

    bool SeekLast();

    /// <summary>Positions at the first key ≥ <paramref name="key"/>.</summary>
    bool Seek(ReadOnlySpan<byte> key);

    /// <summary>Positions at the last key ≤ <paramref name="key"/>.</summary>
    bool SeekForPrevious(ReadOnlySpan<byte> key);

    bool Next();

    bool Previous();
}
