using Persistence.BTree;
using Persistence.Transactions;

namespace Persistence;

public sealed partial class Database
{
    /// <summary>
    /// Returns free space at the end of the data file to the operating system, online: readers and writers continue.
    /// Live pages near the end are rewritten lower in the file (their keys are re-put unchanged), a checkpoint makes the
    /// move durable, and once no snapshot can reach the old pages the file is truncated. Reads every page; run it in a
    /// maintenance window for large databases. Returns the number of bytes the file shrank by: 0 for in-memory databases
    /// or when there was too little to gain, and less than it could when long-lived snapshots still reach pages near the
    /// end (they stay until those snapshots are disposed; call it again later).
    /// </summary>
    public long Shrink()
    {
        ThrowIfDisposed();
        ThrowIfReadOnly();
        if (_checkpointer is not { } checkpointer || _freeSpace is not { } freeSpace)
        {
            return 0;
        }

        var before = _store!.FileLength;
        checkpointer.Run();
        checkpointer.Run(force: true); // a second pass lets pages freed by the first be reclaimed
        checkpointer.TryTruncate();

        // Moving a page also rewrites its ancestors, so leave some slack below the target and repeat while it helps.
        for (var round = 0; round < 4; round++)
        {
            var used = freeSpace.UsedPages;
            var limit = used + 2 + Math.Max(16, used / 16);
            var start = freeSpace.PageCount;
            if (start - limit < Math.Max(64, start / 10))
            {
                break; // too little to gain: moving pages rewrites their ancestors too
            }

            Relocate(limit);
            checkpointer.Run();
            checkpointer.Run(force: true);
            checkpointer.TryTruncate();
            if (freeSpace.PageCount >= start)
            {
                break;
            }
        }

        var shrunk = Math.Max(0, before - _store.FileLength);
        if (shrunk > 0)
        {
            Diagnostics.Log.Shrank(Logger, Path!, shrunk);
        }

        return shrunk;
    }

    /// <summary>Re-puts the keys whose pages lie at or above <paramref name="limit"/> as a structural version (no log record: nothing changes logically).</summary>
    private void Relocate(long limit)
    {
        using var snapshot = BeginRead();
        var moves = Relocation.KeysToMove(snapshot.Snapshot, Source, limit);
        if (moves.Count == 0)
        {
            return;
        }

        Sequencer.CommitStructural((roots, writer) =>
        {
            foreach (var (keyspace, keys) in moves)
            {
                foreach (var key in keys)
                {
                    if (TreeReader.TryFind(roots[keyspace].Root, key, Source, out var leaf, out var slot))
                    {
                        var value = TreeReader.Value(leaf, slot, Source).ToArray();
                        writer.Put(ref roots[keyspace], key, value);
                    }
                }
            }
        });
    }
}
