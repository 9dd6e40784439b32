namespace Persistence.BTree;

/// <summary>
/// A position in one tree version: the path of (node, slot) pairs from the root to a leaf slot. Trees have no
/// sibling links (they are copy-on-write), so stepping past the end of a leaf climbs the path and descends again.
/// <c>writer</c> is the token of the write transaction that reads its own tree through the cursor (null for a read
/// transaction): nodes it may change are searched in their pages, all others through their key heads.
/// The tree must not change while the cursor is positioned; the public cursor re-seeks when a write
/// transaction changes its own tree.
/// </summary>
internal sealed class TreeCursor(INodeSource source, object? writer) : IKeyCursor
{
    private const int MaxDepth = 40;
    private readonly Node[] _nodes = new Node[MaxDepth];
    private readonly int[] _slots = new int[MaxDepth];
    private int _depth;
    private Node? _root;

    public bool IsValid { get; private set; }

    private Node Leaf => _nodes[_depth - 1];

    private int Slot => _slots[_depth - 1];

    public ReadOnlySpan<byte> Key => LeafPage.Key(Leaf.Page, Slot);

    public ReadOnlySpan<byte> Value => TreeReader.Value(Leaf, Slot, source);

    public void Reset(Node? root)
    {
        _root = root;
        _depth = 0;
        IsValid = false;
    }

    public bool SeekFirst() => DescendFromRoot(toLast: false);

    public bool SeekLast() => DescendFromRoot(toLast: true);

    /// <summary>Positions at the first key ≥ <paramref name="key"/>.</summary>
    public bool Seek(ReadOnlySpan<byte> key)
    {
        if (!DescendTo(key))
        {
            return false;
        }

        var slot = Leaf.FindInLeaf(key, writer, out _);
        if (slot < Leaf.Count)
        {
            _slots[_depth - 1] = slot;
            return IsValid = true;
        }

        _slots[_depth - 1] = Leaf.Count - 1;
        return Next();
    }

    /// <summary>Positions at the last key ≤ <paramref name="key"/>.</summary>
    public bool SeekForPrevious(ReadOnlySpan<byte> key)
    {
        if (!DescendTo(key))
        {
            return false;
        }

        var slot = Leaf.FindInLeaf(key, writer, out var found);
        if (found)
        {
            _slots[_depth - 1] = slot;
            return IsValid = true;
        }

        _slots[_depth - 1] = slot;
        return Previous();
    }

    public bool Next()
    {
        if (_depth == 0)
        {
            return IsValid = false;
        }

        if (_slots[_depth - 1] + 1 < Leaf.Count)
        {
            _slots[_depth - 1]++;
            return IsValid = true;
        }

        var level = _depth - 2;
        while (level >= 0 && _slots[level] + 1 >= _nodes[level].Count)
        {
            level--;
        }

        if (level < 0)
        {
            return IsValid = false;
        }

        _slots[level]++;
        return DescendBelow(level, toLast: false);
    }

    public bool Previous()
    {
        if (_depth == 0)
        {
            return IsValid = false;
        }

        if (_slots[_depth - 1] > 0)
        {
            _slots[_depth - 1]--;
            return IsValid = true;
        }

        var level = _depth - 2;
        while (level >= 0 && _slots[level] == 0)
        {
            level--;
        }

        if (level < 0)
        {
            return IsValid = false;
        }

        _slots[level]--;
        return DescendBelow(level, toLast: true);
    }

    private bool DescendTo(ReadOnlySpan<byte> key)
    {
        _depth = 0;
        IsValid = false;
        if (_root is null)
        {
            return false;
        }

        var node = _root;
        while (true)
        {
            _nodes[_depth] = node;
            if (node.IsLeaf)
            {
                _slots[_depth++] = 0;
                return node.Count > 0;
            }

            var slot = node.FindChild(key, writer);
            _slots[_depth++] = slot;
            node = TreeReader.Child(node, slot, source);
        }
    }

    private bool DescendFromRoot(bool toLast)
    {
        _depth = 0;
        IsValid = false;
        if (_root is null || _root.Count == 0)
        {
            return false;
        }

        _nodes[0] = _root;
        _slots[0] = toLast ? _root.Count - 1 : 0;
        _depth = 1;
        return _root.IsLeaf ? IsValid = true : DescendBelow(0, toLast);
    }

    /// <summary>Descends from the child selected at <paramref name="level"/> to its first (or last) leaf slot.</summary>
    private bool DescendBelow(int level, bool toLast)
    {
        var node = TreeReader.Child(_nodes[level], _slots[level], source);
        _depth = level + 1;
        while (true)
        {
            _nodes[_depth] = node;
            var slot = toLast ? node.Count - 1 : 0;
            _slots[_depth++] = slot;
            if (node.IsLeaf)
            {
                return IsValid = node.Count > 0;
            }

            node = TreeReader.Child(node, slot, source);
        }
    }
}
