using System.Text;
using Persistence.Transactions;
using Persistence.Wal;

namespace Persistence.Salvage;

/// <summary>A keyspace of the salvaged state: its handle in the new database, and what salvaging it skipped.</summary>
internal sealed record LiveKeyspace(Keyspace Target, KeyspaceTally Tally);

/// <summary>
/// What the log added to the checkpoint: how many commits, the version of the last, where the log stops after it, and
/// where damage was found (null when the log ends as a crash leaves it).
/// </summary>
internal readonly record struct LogOutcome(int Commits, long LastVersion, long EndLsn, long? DamageLsn);

/// <summary>
/// Replays the log after the salvaged checkpoint into the new database: the longest prefix of commits whose frames
/// all validate as recovery validates them (chained header checksums, LSNs, payload checksums, strictly increasing
/// versions), each commit as one transaction of the new database, in order. A commit whose end frame does not validate,
/// or whose operations cannot be applied as written (a keyspace that does not exist), is left out whole, with
/// everything after it. Where the replay stops, <see cref="LogTailCheck"/> tells damage from the torn end a crash
/// leaves, as the open does; the open refuses the first, the salvage reports it.
/// </summary>
internal static class LogSalvage
{
    /// <param name="keyspaces">The checkpoint's keyspaces by their id in the log; updated as commits create and drop keyspaces.</param>
    /// <param name="maxHeldBytes">The most payload bytes of one commit held while it is validated; a larger commit is read again to be applied (<see cref="StreamedFrames"/>).</param>
    public static LogOutcome Replay(DamagedDatabase source, Database target, Dictionary<int, LiveKeyspace> keyspaces, SalvageFindings findings,
        long maxHeldBytes, CancellationToken cancellationToken)
    {
        var meta = source.Meta;
        var segments = source.Log;
        var maxPayload = Math.Min(1 << 20, (meta.WalSegmentSize / 4) - WalFrame.HeaderSize);
        var reader = new WalReader(segments, meta.WalStartLsn, meta.WalChainSeed, maxPayload);
        var commit = new CommitFrames(segments, maxPayload, maxHeldBytes);
        var version = meta.CheckpointVersion;
        var endLsn = meta.WalStartLsn;
        var endChain = meta.WalChainSeed;
        var commits = 0;
        LogOutcome Outcome(long? damage) => new(commits, version, endLsn, damage);
        while (true)
        {
            FrameInfo frame;
            byte[] payload;
            try
            {
                if (!reader.TryReadFrame(out frame, out payload))
                {
                    break;
                }
            }
            catch (PersistenceException ex) when (ex is CorruptionException or StorageException { Code: ErrorCode.IOError })
            {
                // A segment missing before later ones, or one that cannot be read.
                findings.Add($"The log cannot be read on from LSN {reader.Position}: {ex.Message} The commits after LSN {endLsn} are lost.");
                return Outcome(reader.Position);
            }

            var frameLsn = reader.Position - WalFrame.HeaderSize - payload.Length;
            if (commit.OutOfOrder(frame, version))
            {
                findings.Add($"The log is inconsistent at LSN {frameLsn}: a valid frame of commit {frame.Version} follows commit {commit.Preceding(version)}. The commits after LSN {endLsn} are lost.");
                return Outcome(frameLsn);
            }

            if (!commit.Add(frame, payload))
            {
                continue;
            }

            var (payloads, streamed) = commit.Payloads(endLsn, endChain);
            if (Apply(target, payloads, streamed, keyspaces) is { } problem)
            {
                findings.Add($"Commit {frame.Version} of the log (from LSN {endLsn}) cannot be replayed: {problem.TrimEnd('.')}. It and the commits after it are lost.");
                return Outcome(endLsn);
            }

            commit.Next(streamed);
            version = frame.Version;
            endLsn = reader.Position;
            endChain = reader.Chain;
            commits++;
            cancellationToken.ThrowIfCancellationRequested();
        }

        // The log ends where a frame does not validate: a torn end after a crash, or damage, which a frame written after
        // a sync, found intact further on, proves.
        long? later;
        try
        {
            later = LogTailCheck.FindDurableFrameAfter(segments, endLsn, maxPayload);
        }
        catch (PersistenceException ex) when (ex is CorruptionException or StorageException { Code: ErrorCode.IOError })
        {
            findings.Add($"The log after LSN {endLsn} cannot be read to tell damage from a torn end ({ex.Message}); commits after it may be lost.");
            return Outcome(reader.Position);
        }

        if (later is { } mark)
        {
            findings.Add($"The log is damaged at LSN {reader.Position} (segment {WalSegments.NameOf(segments.IndexOf(reader.Position))}): a frame written at LSN {mark}, once everything before it was durable, follows the damage. The commits after LSN {endLsn} are lost.");
            return Outcome(reader.Position);
        }

        if (reader.Position > endLsn)
        {
            findings.Add($"The log ends with an incomplete commit at LSN {endLsn} (a write a crash cut short, which was never durable); it is left out, as the open leaves it out.");
        }

        return Outcome(null);
    }

    /// <summary>Applies one commit as one transaction of <paramref name="target"/>; the reason it cannot be, or null.</summary>
    private static string? Apply(Database target, IReadOnlyList<ReadOnlyMemory<byte>> payloads, StreamedFrames? streamed, Dictionary<int, LiveKeyspace> keyspaces)
    {
        var live = new Dictionary<int, LiveKeyspace>(keyspaces); // the commit's keyspace changes count only if it does
        using var transaction = target.BeginWrite();
        var reader = new TxLogReader(payloads);
        try
        {
            while (reader.TryRead(out var op))
            {
                streamed?.Release(reader.Segment);
                if (op.Kind == LogOpKind.CreateKeyspace)
                {
                    var name = Encoding.UTF8.GetString(op.Key.Span);
                    if (live.ContainsKey(op.KeyspaceId) || transaction.TryGetKeyspace(name, out _))
                    {
                        return $"it creates keyspace '{name}' (id {op.KeyspaceId}), which exists";
                    }

                    live[op.KeyspaceId] = new LiveKeyspace(transaction.CreateKeyspace(name), new KeyspaceTally(name, 0));
                    continue;
                }

                if (!live.TryGetValue(op.KeyspaceId, out var keyspace))
                {
                    return $"it writes to keyspace id {op.KeyspaceId}, which does not exist";
                }

                switch (op.Kind)
                {
                    case LogOpKind.Put:
                        transaction.Put(keyspace.Target, op.Key.Span, op.Value.Span);
                        break;
                    case LogOpKind.Delete:
                        transaction.Delete(keyspace.Target, op.Key.Span);
                        break;
                    case LogOpKind.DropKeyspace:
                        transaction.DeleteKeyspace(keyspace.Target);
                        live.Remove(op.KeyspaceId);
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is FormatException or CorruptionException or LimitExceededException or KeyspaceException { Code: ErrorCode.InvalidKeyspaceName })
        {
            return ex.Message; // the transaction rolls back as it is disposed
        }

        transaction.Commit();
        keyspaces.Clear();
        foreach (var (id, keyspace) in live)
        {
            keyspaces[id] = keyspace;
        }

        return null;
    }
}
