using Persistence.BTree;

namespace Persistence;

/// <summary>
/// Moves over the keys of one keyspace within a <see cref="KeyRange"/>, in either direction, in a transaction's
/// snapshot. In a write transaction the cursor also sees the transaction's own writes, including writes made while it
/// is open (it repositions itself by key). <see cref="Key"/> and <see cref="Value"/> are valid until the next move or
/// write, and never after the transaction ends (their bytes may then belong to another page); they may be given to that
/// write (a put or delete copies what it is given before it changes a page). A cursor of a write transaction takes its
/// in-use guard for each move and each read of <see cref="Key"/> or <see cref="Value"/>, as the transaction's own calls
/// do. A cursor is one thread's at a time: threads that read one read transaction at once each open their own.
/// </summary>
public sealed class Cursor : IDisposable
{
    private readonly Transaction _transaction;
    private readonly Keyspace _keyspace;
    private readonly KeyRange _range;
    private IKeyCursor _tree;
    private long _modCount;
    private byte[]? _position;
    private bool _disposed;

    internal Cursor(Transaction transaction, Keyspace keyspace, KeyRange range)
    {
        _transaction = transaction;
        _keyspace = keyspace;
        _range = range;
        _tree = transaction.OpenKeyCursor(keyspace);
        if (transaction is WriteTransaction write)
        {
            _modCount = write.ModCount;
        }
    }

    /// <summary>True when the cursor is on a key inside its range.</summary>
    public bool IsValid { get; private set; }

    /// <summary>The current key.</summary>
    public ReadOnlySpan<byte> Key
    {
        get
        {
            using var use = _transaction.Use();
            EnsureCurrent();
            return _tree.Key;
        }
    }

    /// <summary>The current value.</summary>
    public ReadOnlySpan<byte> Value
    {
        get
        {
            using var use = _transaction.Use();
            EnsureCurrent();
            return _tree.Value;
        }
    }

    /// <summary>Moves to the first key of the range.</summary>
    public bool First()
    {
        using var use = _transaction.Use();
        Prepare();
        if (!_range.HasLower)
        {
            return Settle(_tree.SeekFirst());
        }

        var found = _tree.Seek(_range.Lower);
        if (found && !_range.LowerInclusive && _tree.Key.SequenceEqual(_range.Lower))
        {
            found = _tree.Next();
        }

        return Settle(found);
    }

    /// <summary>Moves to the last key of the range.</summary>
    public bool Last()
    {
        using var use = _transaction.Use();
        Prepare();
        if (!_range.HasUpper)
        {
            return Settle(_tree.SeekLast());
        }

        var found = _tree.SeekForPrevious(_range.Upper);
        if (found && !_range.UpperInclusive && _tree.Key.SequenceEqual(_range.Upper))
        {
            found = _tree.Previous();
        }

        return Settle(found);
    }

    /// <summary>Moves to the first key ≥ <paramref name="key"/> in the range.</summary>
    public bool Seek(ReadOnlySpan<byte> key)
    {
        using var use = _transaction.Use();
        if (!_range.AboveLower(key))
        {
            return First();
        }

        Prepare();
        return Settle(_tree.Seek(key));
    }

    /// <summary>Moves to the last key ≤ <paramref name="key"/> in the range.</summary>
    public bool SeekAtOrBefore(ReadOnlySpan<byte> key)
    {
        using var use = _transaction.Use();
        if (!_range.BelowUpper(key))
        {
            return Last();
        }

        Prepare();
        return Settle(_tree.SeekForPrevious(key));
    }

    /// <summary>Moves to the next key; false (and invalid) past the end of the range.</summary>
    public bool Next()
    {
        using var use = _transaction.Use();
        ThrowIfClosed();
        if (!IsValid)
        {
            return false;
        }

        if (Stale())
        {
            var key = _position!;
            Prepare();
            var found = _tree.Seek(key);
            if (found && _tree.Key.SequenceEqual(key))
            {
                found = _tree.Next();
            }

            return Settle(found);
        }

        return Settle(_tree.Next());
    }

    /// <summary>Moves to the previous key; false (and invalid) before the start of the range.</summary>
    public bool Previous()
    {
        using var use = _transaction.Use();
        ThrowIfClosed();
        if (!IsValid)
        {
            return false;
        }

        if (Stale())
        {
            var key = _position!;
            Prepare();
            var found = _tree.SeekForPrevious(key);
            if (found && _tree.Key.SequenceEqual(key))
            {
                found = _tree.Previous();
            }

            return Settle(found);
        }

        return Settle(_tree.Previous());
    }

    /// <summary>Copies of the current key and value, taken in one use of the transaction.</summary>
    internal KeyValuePair<byte[], byte[]> Copy()
    {
        using var use = _transaction.Use();
        return new KeyValuePair<byte[], byte[]>(Key.ToArray(), Value.ToArray());
    }

    /// <summary>Releases the cursor. Cursors hold no locks; disposing is optional but makes later use an error.</summary>
    public void Dispose() => _disposed = true;

    private void ThrowIfClosed()
    {
        if (_disposed)
        {
            throw new TransactionStateException(ErrorCode.CursorClosed, "The cursor was disposed.");
        }

        _transaction.ThrowIfNotActive(); // the nodes it holds may belong to a version that is gone
    }

    private bool Stale() => _transaction is WriteTransaction write && write.ModCount != _modCount;

    private void Prepare()
    {
        ThrowIfClosed();
        if (Stale())
        {
            Reload();
        }
    }

    private void Reload()
    {
        _transaction.RootOf(_keyspace);
        _tree = _transaction.OpenKeyCursor(_keyspace);
        if (_transaction is WriteTransaction write)
        {
            _modCount = write.ModCount;
        }
    }

    private bool Settle(bool found)
    {
        IsValid = found && _range.Contains(_tree.Key);
        _position = IsValid && _transaction is WriteTransaction ? _tree.Key.ToArray() : null;
        return IsValid;
    }

    private void EnsureCurrent()
    {
        ThrowIfClosed();
        if (!IsValid)
        {
            throw new TransactionStateException(ErrorCode.CursorClosed, "The cursor is not positioned on a key.");
        }

        if (Stale())
        {
            var key = _position!;
            Prepare();
            if (!Settle(_tree.Seek(key)) || !_tree.Key.SequenceEqual(key))
            {
                IsValid = false;
                throw new TransactionStateException(ErrorCode.CursorClosed, "The cursor's key was deleted by a write in the same transaction.");
            }
        }
    }
}
