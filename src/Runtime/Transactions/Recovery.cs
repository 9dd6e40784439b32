using System.Text;
using Persistence.BTree;
using Persistence.Wal;

namespace Persistence.Transactions;

/// <summary>
/// Replays the log after the durable checkpoint: every commit whose frames all validate, in order, is applied to the
/// checkpointed trees. A commit whose last frame is missing or invalid (a torn write, a crash before fsync) is dropped
/// with everything after it, and the log continues from the end of the last complete commit.
/// </summary>
internal static class Recovery
{
    /// <param name="spill">Writes leaves out while a large replay goes on (null: the replay keeps every node in memory).</param>
    /// <param name="maxHeldBytes">
    /// The most payload bytes of one commit held while its frames are validated; a larger commit is read a second time,
    /// frame by frame, as the replay reaches them (<see cref="StreamedFrames"/>).
    /// </param>
    public static RecoveryResult Replay(Database database, WalSegments segments, DbVersion checkpointed, int maxPayload,
        RecoverySpill? spill = null, long maxHeldBytes = long.MaxValue)
    {
        var reader = new WalReader(segments, checkpointed.EndLsn, checkpointed.EndChain, maxPayload);
        var owner = new object();
        var writer = new TreeWriter(owner, database.Source, new FreedSet());
        var roots = checkpointed.Roots;
        var catalog = checkpointed.Catalog;
        var version = checkpointed.Number;
        var endLsn = checkpointed.EndLsn;
        var endChain = checkpointed.EndChain;
        var maxKeyspaceId = -1;
        var commits = 0;
        var commit = new CommitFrames(segments, maxPayload, maxHeldBytes);
        while (reader.TryReadFrame(out var frame, out var payload))
        {
            if (commit.OutOfOrder(frame, version))
            {
                throw new CorruptionException(
                    ErrorCode.Corruption,
                    $"The write-ahead log in '{segments.Directory}' is inconsistent: a valid frame of commit {frame.Version} follows commit {commit.Preceding(version)}.")
                {
                    FilePath = segments.Directory,
                };
            }

            if (!commit.Add(frame, payload))
            {
                continue;
            }

            var (payloads, streamed) = commit.Payloads(endLsn, endChain);
            roots = (TreeRoot[])roots.Clone();
            try
            {
                Apply(database, writer, payloads, streamed, ref roots, ref catalog, ref maxKeyspaceId,
                    spill is null ? null : r => spill.AfterWrite(writer, r, owner, database.Source.Pages));
            }
            catch (FormatException ex)
            {
                throw Malformed(segments, frame.Version, ex.Message);
            }
            commit.Next(streamed);
            version = frame.Version;
            endLsn = reader.Position;
            endChain = reader.Chain;
            commits++;
        }

        DbVersion? replayed = null;
        if (commits > 0)
        {
            spill?.Adopt();
            replayed = new DbVersion(version, roots, catalog, database.TimeProvider.GetTimestamp())
            {
                EndLsn = endLsn,
                EndChain = endChain,
                Freed = writer.Freed.IsEmpty ? null : writer.Freed,
            };
        }

        return new RecoveryResult(replayed, endLsn, endChain, commits, endLsn - checkpointed.EndLsn, maxKeyspaceId + 1, spill?.LeavesWritten ?? 0)
        {
            MostFramesHeld = commit.MostHeld,
        };
    }

    /// <summary>
    /// The most keyspace ids a log may allocate past the largest one its checkpoint knew (ids taken by creations that
    /// rolled back leave gaps): a larger id in a valid frame is damage, not a keyspace, and would size the roots array.
    /// </summary>
    internal const int MaxKeyspaceIdGap = 1 << 20;

    /// <summary>
    /// A commit whose frames all pass their checksums but whose operations do not decode, or that writes to a keyspace
    /// the log never created: the log was written wrong, or changed along with its checksums. The open refuses it,
    /// as it refuses any log it cannot prove whole; salvage can recover the commits before it.
    /// </summary>
    private static CorruptionException Malformed(WalSegments segments, long version, string what) =>
        new(ErrorCode.Corruption, $"The write-ahead log in '{segments.Directory}' holds a commit (version {version}) whose frames pass their checksums but whose operations are malformed: {what}.")
        {
            FilePath = segments.Directory,
        };

    /// <summary>Applies one commit's operations; throws <see cref="FormatException"/> on one that is malformed.</summary>
    private static void Apply(Database database, TreeWriter writer, IReadOnlyList<ReadOnlyMemory<byte>> payloads, StreamedFrames? streamed,
        ref TreeRoot[] roots, ref Catalog catalog, ref int maxKeyspaceId, Action<TreeRoot[]>? afterWrite)
    {
        var reader = new TxLogReader(payloads);
        while (reader.TryRead(out var op))
        {
            streamed?.Release(reader.Segment); // no later operation starts before it (the op's key and value keep theirs alive)
            Validate(op, catalog);
            if (op.KeyspaceId >= roots.Length)
            {
                Array.Resize(ref roots, op.KeyspaceId + 1);
            }

            switch (op.Kind)
            {
                case LogOpKind.Put:
                    writer.Put(ref roots[op.KeyspaceId], op.Key.Span, op.Value.Span);
                    afterWrite?.Invoke(roots);
                    break;
                case LogOpKind.Delete:
                    writer.Delete(ref roots[op.KeyspaceId], op.Key.Span);
                    afterWrite?.Invoke(roots);
                    break;
                case LogOpKind.CreateKeyspace:
                    catalog = catalog.With(new Keyspace(database, op.KeyspaceId, Encoding.UTF8.GetString(op.Key.Span)));
                    maxKeyspaceId = Math.Max(maxKeyspaceId, op.KeyspaceId);
                    break;
                case LogOpKind.DropKeyspace:
                    writer.FreeTree(roots[op.KeyspaceId].Root);
                    roots[op.KeyspaceId] = TreeRoot.Empty;
                    catalog = catalog.Without(catalog.Get(op.KeyspaceId)!);
                    break;
            }
        }
    }

    /// <summary>
    /// Checks an operation against the catalog it applies to: a write or drop names a keyspace that exists, a creation
    /// one that does not, under a name not taken, and no id runs past <see cref="MaxKeyspaceIdGap"/>.
    /// </summary>
    private static void Validate(LogOp op, Catalog catalog)
    {
        if (op.KeyspaceId < 0 || op.KeyspaceId >= catalog.IdLimit + MaxKeyspaceIdGap)
        {
            throw new FormatException($"keyspace id {(uint)op.KeyspaceId} is out of range");
        }

        if (op.Kind == LogOpKind.CreateKeyspace)
        {
            if (catalog.Get(op.KeyspaceId) is not null)
            {
                throw new FormatException($"it creates keyspace id {op.KeyspaceId}, which exists");
            }

            string name;
            try
            {
                name = StrictUtf8.GetString(op.Key.Span);
            }
            catch (DecoderFallbackException)
            {
                throw new FormatException($"the name of keyspace id {op.KeyspaceId} is not UTF-8");
            }

            if (catalog.TryGet(name, out _))
            {
                throw new FormatException($"it creates keyspace '{name}', which exists");
            }
        }
        else if (catalog.Get(op.KeyspaceId) is null)
        {
            throw new FormatException($"it writes to keyspace id {op.KeyspaceId}, which does not exist");
        }
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}

/// <summary>
/// What recovery found: the replayed version (null when nothing was replayed), where the log continues, and how many
/// leaves the replay wrote out early (<see cref="RecoverySpill"/>).
/// </summary>
internal sealed record RecoveryResult(DbVersion? Replayed, long EndLsn, uint EndChain, int Commits, long Bytes, int NextKeyspaceId, long LeavesWritten)
{
    /// <summary>The most frames of one commit held at once, while validating or replaying it (tests).</summary>
    public int MostFramesHeld { get; init; }
}
