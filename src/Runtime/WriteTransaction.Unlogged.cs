namespace Persistence;

/// <content>Puts a bulk insert logs only once it keeps them (Collection.Bulk.cs).</content>
public sealed partial class WriteTransaction
{
    /// <summary>
    /// <see cref="TryAdd"/> into a large transaction's private tree only, for a bulk insert that may end its run after
    /// later documents were put: the log (the redo record, and the write set a commit checks for conflicts) takes the
    /// put at <see cref="LogAdded"/> once the caller keeps it, and never when <see cref="TakeBackUnlogged"/> removes it
    /// again. The caller does one or the other for every put before it returns; an exception in between fails the
    /// transaction, which then commits nothing.
    /// </summary>
    internal bool TryAddUnlogged(Keyspace keyspace, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        using var use = Use();
        RootOf(keyspace);
        Database.ValidateKey(key);
        Database.ValidateValue(value);
        if (_writer is null)
        {
            throw new InvalidOperationException("Only a transaction with a private tree puts without logging.");
        }

        try
        {
            key = Detached(key, ref _keyCopy);
            value = Detached(value, ref _valueCopy);
            ModCount++; // added or not, the descent may have copied or rebalanced the pages on its path
            if (!_writer.TryAdd(ref _roots[keyspace.Id], key, value, out _, out _))
            {
                return false;
            }

            AfterTreeWrite();
            return true;
        }
        catch (Exception ex)
        {
            Fail(ex);
            throw;
        }
    }

    /// <summary>Fails the transaction with <paramref name="failure"/>: its private tree holds writes its log lacks.</summary>
    internal void Abandon(Exception failure) => Fail(failure);

    /// <summary>Logs a put that <see cref="TryAddUnlogged"/> made, with the same key and value.</summary>
    internal void LogAdded(Keyspace keyspace, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        using var use = Use();
        ThrowIfNotActive();
        try
        {
            _log!.Put(keyspace.Id, key, value);
        }
        catch (Exception ex)
        {
            Fail(ex);
            throw;
        }
    }

    /// <summary>Removes a key that <see cref="TryAddUnlogged"/> put and nobody logged: the log never sees either.</summary>
    internal void TakeBackUnlogged(Keyspace keyspace, ReadOnlySpan<byte> key)
    {
        using var use = Use();
        ThrowIfNotActive();
        try
        {
            key = Detached(key, ref _keyCopy);
            ModCount++;
            if (!_writer!.Delete(ref _roots[keyspace.Id], key))
            {
                throw new System.Diagnostics.UnreachableException("A key put without logging was not in the private tree when taken back.");
            }

            AfterTreeWrite();
        }
        catch (Exception ex)
        {
            Fail(ex);
            throw;
        }
    }
}
