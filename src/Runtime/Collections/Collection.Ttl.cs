using System.Buffers.Binary;
using Persistence.Serialization;
using Persistence.Ttl;

namespace Persistence.Collections;

/// <summary>
/// Expiry. A document expires at its <see cref="ExpiresAtAttribute"/> member's value, or else, when the collection has
/// a default lifetime, that long after it was written (and, with sliding expiration, after it was last read). It is
/// invisible to every read path from the instant its expiry is at or before the reading transaction's snapshot time.
/// </summary>
/// <remarks>
/// Every document with an expiry has an entry in the expiry index <c>name#$expiry</c> (expiry ticks, then the primary
/// key), maintained in the same transaction as the document; the collector walks it from the oldest entry, so its cost
/// follows the number of expired documents. With a default lifetime the expiry itself is stored by primary key in
/// <c>name#$expires</c>, since the document does not carry it.
/// </remarks>
public abstract partial class Collection<T, TKey> : ITtlCollection
{
    private readonly Keyspace? _expiryIndex;
    private readonly Keyspace? _storedExpiry;
    private readonly TimeSpan? _defaultTimeToLive;
    private readonly AccessTracker? _accesses;

    internal bool HasExpiry => _expiryIndex is not null;

    string ITtlCollection.Name => Name;

    int ITtlCollection.CollectExpired(int batchSize, DateTimeOffset now)
    {
        var keys = new List<byte[]>();
        try
        {
            using var tx = Database.BeginWrite(Durability.Buffered);
            using (var cursor = tx.OpenCursor(_expiryIndex!, UpTo(now)))
            {
                for (var ok = cursor.First(); ok && keys.Count < batchSize; ok = cursor.Next())
                {
                    var key = cursor.Key[sizeof(long)..].ToArray();
                    if (ReadSince(tx, key, now))
                    {
                        continue; // read lately: its new expiry is on its way (FlushAccesses)
                    }

                    keys.Add(key);
                }
            }

            // Documents that no longer decode wait for one read of the indexes for all of them, not one each.
            var undecodable = new List<(byte[] Key, PersistenceSerializationException Failure)>();
            foreach (var key in keys)
            {
                DeleteEncoded(tx, key, undecodable);
            }

            DeleteUndecodable(tx, undecodable);
            tx.Commit();
            return keys.Count;
        }
        catch (WriteConflictException)
        {
            return 0; // a writer changed one of these documents meanwhile: the next pass looks again
        }
    }

    int ITtlCollection.FlushAccesses()
    {
        if (_accesses is not { Count: > 0 } accesses)
        {
            return 0;
        }

        var updated = 0;
        List<(byte[] Key, AccessTracker.Access Access)> pending;
        try
        {
            // The transaction begins before the pending reads are taken: a write its snapshot sees was reported before,
            // and replaced the reads of the version it overwrote; a later write conflicts with the expiry put here.
            using var tx = Database.BeginWrite(Durability.Buffered);
            pending = accesses.Snapshot();
            if (pending.Count == 0)
            {
                accesses.Flushed(pending, 0);
                return 0;
            }

            foreach (var (key, access) in pending)
            {
                if (!tx.TryGet(Documents, key, out var bytes))
                {
                    continue;
                }

                var document = Decode(key, bytes);
                var stored = ExpiryOf(tx, key, document);
                var extended = new DateTimeOffset(access.Ticks, TimeSpan.Zero) + _defaultTimeToLive!.Value;
                if (stored is null || extended > stored)
                {
                    SetExpiry(tx, key, stored, extended);
                    updated++;
                }
            }

            tx.Commit();
        }
        catch (WriteConflictException)
        {
            return 0;
        }

        // The latest version, sequenced at or after the commit's: a snapshot older than it may not see what the commit wrote.
        accesses.Flushed(pending, Database.Versions.Latest.Number);
        return updated;
    }

    /// <summary>True for a sliding-expiration collection: a read of a document extends its life.</summary>
    internal bool SlidesOnRead => _accesses is not null;

    /// <summary>
    /// Records a read of a live <paramref name="document"/> at the transaction's snapshot (sliding expiration), for reads
    /// that loaded it without counting it first (a query counts only the documents it returns). Returns the document.
    /// </summary>
    internal T RecordRead(Transaction transaction, T document)
    {
        _accesses?.Record(EncodeKey(Schema.GetKey(document)), transaction.SnapshotTime, transaction.SnapshotVersion);
        return document;
    }

    /// <summary>
    /// True when the document is visible at the transaction's snapshot time. With <paramref name="isRead"/>, a visible
    /// document of a sliding-expiration collection records the read, which extends its life.
    /// </summary>
    internal bool IsLive(Transaction transaction, ReadOnlySpan<byte> key, T document, bool isRead = true)
    {
        if (_expiryIndex is null)
        {
            return true;
        }

        var expiry = ExpiryOf(transaction, key, document);
        if (expiry is null)
        {
            return true;
        }

        if (_accesses?.LatestAccess(key, transaction.SnapshotVersion) is { } read && read + _defaultTimeToLive!.Value > expiry)
        {
            expiry = read + _defaultTimeToLive.Value;
        }

        if (expiry <= transaction.SnapshotTime)
        {
            return false;
        }

        if (isRead)
        {
            _accesses?.Record(key, transaction.SnapshotTime, transaction.SnapshotVersion);
        }

        return true;
    }

    /// <summary>
    /// Documents in the keyspace whose expiry passed but which the collector has not removed yet, read from the expiry
    /// index alone, as <see cref="ExpiredKeys"/> reads it: an entry at or before the snapshot time is a document that is
    /// not live unless a sliding read extended it past that time (<see cref="ReadSince"/>). No document is decoded.
    /// </summary>
    internal long ExpiredNotCollected(Transaction transaction)
    {
        if (_expiryIndex is null)
        {
            return 0;
        }

        long count = 0;
        var now = transaction.SnapshotTime;
        using var cursor = transaction.OpenCursor(_expiryIndex, UpTo(now));
        for (var ok = cursor.First(); ok; ok = cursor.Next())
        {
            if (!ReadSince(transaction, cursor.Key[sizeof(long)..], now))
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>
    /// The primary keys of the documents that are not live at the transaction's snapshot time (as <see cref="IsLive"/>
    /// decides: expired, and with sliding expiration not read since) and that the collector has not removed yet, in
    /// <paramref name="keys"/> (null when there are none); false, with no keys, when there are more than
    /// <paramref name="limit"/> expiry entries at or before that time to walk. Read from the expiry index alone, whose
    /// entries hold each document's expiry beside its key (the consistency check verifies that they agree with the
    /// documents): no document is decoded, and none counts as read. Like <see cref="ExpiredNotCollected"/>, it walks
    /// every entry expired by then, however few of them lie in the range a scan covers, hence the limit.
    /// </summary>
    /// <remarks>
    /// A keyset leaves these out when it gathers its keys rather than when it hands documents out: an insert over an
    /// expired document replaces it as if absent, so a loop may write a live document under such a key, and a scan
    /// handing it out would visit a document the loop inserted. What it hands out is still checked on its own decoded
    /// expiry (<see cref="Load"/>).
    /// </remarks>
    internal bool ExpiredKeys(Transaction transaction, long limit, out HashSet<byte[]>? keys)
    {
        keys = null;
        if (_expiryIndex is null)
        {
            return true;
        }

        var now = transaction.SnapshotTime;
        long walked = 0;
        using var cursor = transaction.OpenCursor(_expiryIndex, UpTo(now));
        for (var ok = cursor.First(); ok; ok = cursor.Next())
        {
            if (++walked > limit)
            {
                keys = null;
                return false;
            }

            var key = cursor.Key[sizeof(long)..];
            if (ReadSince(transaction, key, now))
            {
                continue; // read since it was written: the read extends it past now (IsLive)
            }

            (keys ??= new HashSet<byte[]>(ByteArrayComparer.Instance)).Add(key.ToArray());
        }

        return true;
    }

    /// <summary>
    /// True when a sliding read recorded for <paramref name="key"/> (of the version the transaction sees) keeps the
    /// document alive past <paramref name="time"/>, whatever its expiry entry says: the read's time plus the default
    /// lifetime is later.
    /// </summary>
    private bool ReadSince(Transaction transaction, ReadOnlySpan<byte> key, DateTimeOffset time) =>
        _accesses?.LatestAccess(key, transaction.SnapshotVersion) is { } read && read + _defaultTimeToLive!.Value > time;

    /// <summary>The document's expiry as stored: in the expiry store (default lifetime) or its member.</summary>
    private DateTimeOffset? ExpiryOf(Transaction transaction, ReadOnlySpan<byte> key, T document)
    {
        // A stored expiry is the effective one (member or default lifetime) of every write since the collection had a
        // default lifetime; without one, the document was written with no default in force, and its member decides.
        if (_storedExpiry is not null && transaction.TryGet(_storedExpiry, key, out var ticks))
        {
            return new DateTimeOffset(BinaryPrimitives.ReadInt64BigEndian(ticks), TimeSpan.Zero);
        }

        return Schema.GetExpiresAt(document);
    }

    /// <summary>The expiry a document written now gets: its member's value, or else now plus the default lifetime.</summary>
    private DateTimeOffset? NewExpiry(T document, DateTimeOffset now) =>
        Schema.GetExpiresAt(document) ?? (_defaultTimeToLive is { } lifetime ? now + lifetime : null);

    /// <summary>Moves a document's expiry entry (and stored expiry) from <paramref name="from"/> to <paramref name="to"/>.</summary>
    private void SetExpiry(WriteTransaction transaction, ReadOnlySpan<byte> key, DateTimeOffset? from, DateTimeOffset? to)
    {
        if (_expiryIndex is null)
        {
            return;
        }

        if (from != to)
        {
            if (from is { } previous)
            {
                transaction.Delete(_expiryIndex, ExpiryEntry(previous, key));
            }

            if (to is { } next)
            {
                transaction.Put(_expiryIndex, ExpiryEntry(next, key), []);
            }
        }

        if (_storedExpiry is not null)
        {
            if (to is { } next)
            {
                transaction.Put(_storedExpiry, key, StoredExpiry(next));
            }
            else if (from is not null)
            {
                transaction.Delete(_storedExpiry, key);
            }
        }
    }

    /// <summary>How many bytes a stored expiry's value takes (<see cref="WriteStoredExpiry"/>).</summary>
    private const int StoredExpiryLength = sizeof(long);

    /// <summary>
    /// Writes a stored expiry's value (<c>c#$expires</c>), the instant's <c>UtcTicks</c> big-endian, into the first
    /// <see cref="StoredExpiryLength"/> bytes of <paramref name="destination"/>. The one encoding of it: a single write
    /// and a chunk of <c>InsertMany</c> both write it here.
    /// </summary>
    private static void WriteStoredExpiry(DateTimeOffset expiry, Span<byte> destination) =>
        BinaryPrimitives.WriteInt64BigEndian(destination, expiry.UtcTicks);

    /// <summary>A stored expiry's value as an array (<see cref="WriteStoredExpiry"/>).</summary>
    private static byte[] StoredExpiry(DateTimeOffset expiry)
    {
        var ticks = new byte[StoredExpiryLength];
        WriteStoredExpiry(expiry, ticks);
        return ticks;
    }

    /// <summary>
    /// Writes the part of an expiry-index entry before the primary key: the instant's <c>UtcTicks</c> as a fixed key
    /// part, so that entries order by instant. The one encoding of it: entries (<see cref="ExpiryEntry"/>, a chunk of
    /// <c>InsertMany</c>) and the ranges the collector reads (<see cref="UpTo"/>) write it here.
    /// </summary>
    private static void WriteExpiryInstant(ref KeyWriter writer, DateTimeOffset expiry) => writer.WriteFixedInt64(expiry.UtcTicks);

    /// <summary>An expiry-index entry: the instant (<see cref="WriteExpiryInstant"/>), then the primary key.</summary>
    private static byte[] ExpiryEntry(DateTimeOffset expiry, ReadOnlySpan<byte> key)
    {
        var writer = new KeyWriter(stackalloc byte[64]);
        try
        {
            WriteExpiryInstant(ref writer, expiry);
            writer.WriteRaw(key);
            return writer.ToArray();
        }
        finally
        {
            writer.Dispose();
        }
    }

    /// <summary>Expiry-index entries whose expiry is at or before <paramref name="time"/>.</summary>
    private static KeyRange UpTo(DateTimeOffset time)
    {
        var writer = new KeyWriter(stackalloc byte[16]);
        try
        {
            WriteExpiryInstant(ref writer, time);
            return KeyWriter.PrefixSuccessor(writer.WrittenSpan) is { } after ? KeyRange.To(after) : KeyRange.All;
        }
        finally
        {
            writer.Dispose();
        }
    }
}
