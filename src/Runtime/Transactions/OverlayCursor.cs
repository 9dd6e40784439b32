using Persistence.BTree;

namespace Persistence.Transactions;

/// <summary>
/// A cursor over a snapshot tree with a transaction's pending writes laid over it: where both hold a key the overlay
/// wins, and an overlay deletion hides the tree's key. Moving on continues in the same direction from the sources
/// that produced the current key; changing direction re-seeks around it.
/// </summary>
internal sealed class OverlayCursor(TreeCursor tree, List<WriteOverlay.Entry> overlay) : IKeyCursor
{
    private int _index;
    private bool _forward = true;
    private bool _fromOverlay;
    private bool _treeAtCurrent;

    public bool IsValid { get; private set; }

    public ReadOnlySpan<byte> Key => _fromOverlay ? overlay[_index].Key : tree.Key;

    public ReadOnlySpan<byte> Value => _fromOverlay ? overlay[_index].Value : tree.Value;

    public void Reset(Node? root)
    {
        tree.Reset(root);
        IsValid = false;
    }

    public bool SeekFirst()
    {
        tree.SeekFirst();
        _index = 0;
        return Settle(forward: true);
    }

    public bool SeekLast()
    {
        tree.SeekLast();
        _index = overlay.Count - 1;
        return Settle(forward: false);
    }

    public bool Seek(ReadOnlySpan<byte> key)
    {
        tree.Seek(key);
        _index = WriteOverlay.Find(overlay, key, out _);
        return Settle(forward: true);
    }

    public bool SeekForPrevious(ReadOnlySpan<byte> key)
    {
        tree.SeekForPrevious(key);
        var index = WriteOverlay.Find(overlay, key, out var found);
        _index = found ? index : index - 1;
        return Settle(forward: false);
    }

    public bool Next()
    {
        if (!IsValid)
        {
            return false;
        }

        if (!_forward)
        {
            var key = Key.ToArray();
            return Seek(key) && Key.SequenceEqual(key) ? Next() : IsValid;
        }

        Step(forward: true);
        return Settle(forward: true);
    }

    public bool Previous()
    {
        if (!IsValid)
        {
            return false;
        }

        if (_forward)
        {
            var key = Key.ToArray();
            return SeekForPrevious(key) && Key.SequenceEqual(key) ? Previous() : IsValid;
        }

        Step(forward: false);
        return Settle(forward: false);
    }

    /// <summary>Moves past the current key in every source that is at it.</summary>
    private void Step(bool forward)
    {
        if (_fromOverlay)
        {
            _index += forward ? 1 : -1;
        }

        if (_treeAtCurrent)
        {
            _ = forward ? tree.Next() : tree.Previous();
        }
    }

    /// <summary>Chooses the current key from the two sources, skipping overlay deletions and the tree keys they hide.</summary>
    private bool Settle(bool forward)
    {
        _forward = forward;
        while (true)
        {
            var hasOverlay = _index >= 0 && _index < overlay.Count;
            if (!hasOverlay && !tree.IsValid)
            {
                return IsValid = false;
            }

            var cmp = !hasOverlay ? 1 : !tree.IsValid ? -1 : overlay[_index].Key.AsSpan().SequenceCompareTo(tree.Key);
            if (!forward && hasOverlay && tree.IsValid)
            {
                cmp = -cmp;
            }

            _fromOverlay = cmp <= 0;
            _treeAtCurrent = cmp >= 0;
            if (_fromOverlay && overlay[_index].Value is null)
            {
                Step(forward); // a deletion: it hides the tree's key, if equal, and is itself invisible
                continue;
            }

            return IsValid = true;
        }
    }
}
