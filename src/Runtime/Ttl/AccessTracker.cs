using System.Collections.Concurrent;
using Persistence.Collections;

namespace Persistence.Ttl;

/// <summary>
/// The latest read of each recently read document of a sliding-expiration collection, kept in memory and written in
/// batches. Reads consult it, so a document read a moment ago stays visible before its new expiry is written.
/// </summary>
/// <remarks>
/// <para>A read extends the life of the version it read, never of a later one: a committed write of a key (reported when
/// it is sequenced, like the hot cache's reports) moves the key's pending read aside and leaves a marker with the write's
/// version. The read moved aside (<see cref="Access.Before"/>) serves only snapshots older than the write, which still
/// see the version it read, and is never written: a flush writes the reads made from snapshots that see the write or a
/// later one. Without this, a write that shortens a document's expiry, or a delete followed by a new insert, was masked
/// until the older read's extension ran out, and the next flush wrote that extension onto the new version. A marker
/// (with the read it moved aside) goes once no snapshot older than its write is open. A flush forgets those it finds,
/// and so do the writes (<see cref="Written"/>): with no pass ever run (the collector off), the markers of keys nobody
/// reads piled up until the close. A write's look runs under the commit sequencer's lock, which every writer of the
/// database waits for, so it walks a part of the tracker and the next look goes on from there: every
/// <see cref="PruneMinimum"/> writes, at most <see cref="PruneVisits"/> entries. One look over a million unflushed reads
/// stalled every commit of the database behind one. The walk goes round twice as fast as the writes add entries, so the
/// tracker holds what open snapshots and unwritten reads need, and at most about as many entries again.</para>
/// <para>A flushed read stays too, for the snapshots older than the flush's commit (<see cref="Access.DurableFrom"/>),
/// which do not see the expiry it wrote: a snapshot that saw a document alive through the read lost it at the flush,
/// and read it as expired from then on. It goes once no such snapshot is open.</para>
/// <para>A report says that the write may happen, not that it did (<see cref="Database.ObserveWrites"/>): the log can
/// still refuse a commit after it was sequenced, and the database then turns read-only with the write's version never
/// visible. The read moved aside keeps serving every snapshot, all older than the write, and the reads made since count
/// there too. Before, the write dropped the pending read, and reads from then on were ignored: a document read within
/// its lifetime read as expired, from its stored expiry on, for as long as the read-only database stayed open.</para>
/// <para>A commit that deletes the keyspace is a write of every key at its version (<see cref="_droppedAt"/>): the reads
/// stay for the snapshots older than it, and from it on there is nothing to read or to write. Clearing them on the
/// report, and ignoring every read from an older snapshot, cost the same as above when the log refused the drop.</para>
/// </remarks>
internal sealed class AccessTracker
{
    /// <summary>The writes after which a write looks for the entries no snapshot needs any more (<see cref="Written"/>).</summary>
    internal const int PruneMinimum = 256;

    /// <summary>
    /// The most entries a write's look visits (<see cref="Written"/>): two per write since the previous look, so that a
    /// walk of the tracker ends before the writes meanwhile added as many entries as it had at its start.
    /// </summary>
    internal const int PruneVisits = 2 * PruneMinimum;

    /// <summary>The <see cref="Access.Ticks"/> of a marker: no read since the write.</summary>
    private const long NoRead = long.MinValue;

    private readonly ConcurrentDictionary<byte[], Access> _latest = new(ByteArrayComparer.Instance);
    private readonly ConcurrentDictionary<byte[], Access>.AlternateLookup<ReadOnlySpan<byte>> _lookup;
    private long _floor; // reads from snapshots older than this are ignored (every key was written at it, or before)
    private long _droppedAt = long.MaxValue; // the version of a commit that deletes the keyspace: no snapshot from it on has a key
    private readonly Func<long> _oldestSnapshot;
    private int _writesSincePrune; // Written's alone, under the sequencer's lock
    private IEnumerator<KeyValuePair<byte[], Access>>? _walk; // Written's alone: where its next look goes on (null: from the start)
    private long _entries; // the entries created so far (Access.Entry)

    /// <summary>
    /// A tracker that ignores every read until <see cref="WithFloor"/> (called once its write reports are registered).
    /// <paramref name="oldestSnapshot"/> is the oldest snapshot a reader may still hold: no read from an older one can
    /// come in any more, nor a lookup from one.
    /// </summary>
    public AccessTracker(Func<long> oldestSnapshot)
    {
        _floor = long.MaxValue;
        _oldestSnapshot = oldestSnapshot;
        _lookup = _latest.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    /// <summary>Sets the floor once registration is done: every write sequenced after <paramref name="version"/> is reported.</summary>
    public AccessTracker WithFloor(long version)
    {
        Volatile.Write(ref _floor, version);
        return this;
    }

    /// <summary>Held by the thread that creates the tracker until its floor is set (<see cref="TtlCollector.Accesses"/>).</summary>
    public Lock FloorGate { get; } = new();

    public int Count => _latest.Count;

    /// <summary>The most entries one write's look visited so far (<see cref="PruneVisits"/> at most); for tests.</summary>
    internal int MostVisitedByWrite { get; private set; }

    /// <summary>Records a read at <paramref name="at"/> of what snapshot <paramref name="snapshot"/> sees.</summary>
    public void Record(ReadOnlySpan<byte> key, DateTimeOffset at, long snapshot)
    {
        if (snapshot < Volatile.Read(ref _floor) || snapshot >= Volatile.Read(ref _droppedAt))
        {
            return;
        }

        _latest.AddOrUpdate(key.ToArray(),
            static (_, read) => new Access(read.Ticks, 0, NoRead, 0, 0, read.Tracker.NextEntry()),
            static (_, previous, read) => read.Snapshot >= previous.WrittenAt ? (read.Ticks > previous.Ticks ? previous with { Ticks = read.Ticks, DurableFrom = 0 } : previous)
                : read.Snapshot >= previous.BeforeFrom ? previous with { Before = Math.Max(previous.Before, read.Ticks) }
                : previous, // read a version older than the one the moved-aside reads read: nothing keeps it
            (Ticks: at.UtcTicks, Snapshot: snapshot, Tracker: this));
    }

    /// <summary>The latest read of the version of <paramref name="key"/> that snapshot <paramref name="snapshot"/> sees, if any is known.</summary>
    public DateTimeOffset? LatestAccess(ReadOnlySpan<byte> key, long snapshot)
    {
        if (snapshot >= Volatile.Read(ref _droppedAt) || !_lookup.TryGetValue(key, out var access))
        {
            return null;
        }

        var ticks = snapshot >= access.WrittenAt ? access.Ticks : snapshot >= access.BeforeFrom ? access.Before : NoRead;
        return ticks != NoRead ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;
    }

    /// <summary>
    /// A commit at <paramref name="version"/> wrote <paramref name="key"/> (empty: deleted the keyspace). Called when it
    /// is sequenced, under the sequencer's lock.
    /// </summary>
    public void Written(ReadOnlyMemory<byte> key, long version)
    {
        if (key.IsEmpty)
        {
            // Every entry stays for the snapshots older than the drop, which may be all there ever are (the log may
            // refuse it); they go once none is open (Flushed).
            Volatile.Write(ref _droppedAt, Math.Min(Volatile.Read(ref _droppedAt), version));
            return;
        }

        // The reads since the previous write (or any, with none known) read the version this one replaces. A commit that
        // writes the key more than once reports each write at its version: the marker its first report left stays (no
        // snapshot sees the version yet, so none read it), else the read moved aside was lost, and with it every read
        // from a snapshot older than the commit.
        _latest.AddOrUpdate(key.ToArray(),
            static (_, write) => new Access(NoRead, write.Version, NoRead, 0, 0, write.Tracker.NextEntry()),
            static (_, previous, write) => previous.WrittenAt == write.Version ? previous
                : previous with { Ticks = NoRead, WrittenAt = write.Version, Before = previous.Ticks, BeforeFrom = previous.WrittenAt, DurableFrom = 0 },
            (Version: version, Tracker: this));

        // Without a flush (no pass run, the collector off) nothing else forgets the markers of keys nobody reads. The
        // entry just written is needed (its version is not visible yet); those of earlier writes may not be. Counted
        // here rather than read from the dictionary, whose Count takes every one of its locks.
        if (++_writesSincePrune >= PruneMinimum)
        {
            _writesSincePrune = 0;
            PruneSome(_oldestSnapshot());
        }
    }

    private long NextEntry() => Interlocked.Increment(ref _entries);

    /// <summary>
    /// Walks on from where the previous look stopped, at most <see cref="PruneVisits"/> entries, and forgets those no
    /// snapshot needs (<see cref="ForgetIfUnneeded"/>); at the end of the dictionary, the next look starts over.
    /// Called under the sequencer's lock, by <see cref="Written"/> alone.
    /// </summary>
    /// <remarks>
    /// The dictionary's enumerator may be used while the dictionary changes: it visits every entry there from its start
    /// to its end (an entry added meanwhile, maybe), with the value it then had, and an entry that changed since stays
    /// (<see cref="ForgetIfUnneeded"/> removes it only if it still holds that value). A walk that spans a growth of the
    /// dictionary goes on over the buckets it began with, which stay reachable until it ends.
    /// </remarks>
    private void PruneSome(long oldestSnapshot)
    {
        var walk = _walk ??= _latest.GetEnumerator();
        var droppedAt = Volatile.Read(ref _droppedAt);
        var visited = 0;
        while (visited < PruneVisits)
        {
            if (!walk.MoveNext())
            {
                walk.Dispose();
                _walk = null;
                break;
            }

            visited++;
            ForgetIfUnneeded(walk.Current, oldestSnapshot, droppedAt);
        }

        MostVisitedByWrite = Math.Max(MostVisitedByWrite, visited);
    }

    /// <summary>
    /// Every read not written yet (markers and flushed reads left out); none once a commit deleted the keyspace: a
    /// flush that sees the drop has no document to extend, and if the log refused it, the database is read-only.
    /// </summary>
    public List<(byte[] Key, Access Access)> Snapshot() => Volatile.Read(ref _droppedAt) != long.MaxValue ? []
        : [.. _latest.Where(p => p.Value.Ticks != NoRead && p.Value.DurableFrom == 0).Select(p => (p.Key, p.Value))];

    /// <summary>
    /// Marks reads written by a flush whose commit every snapshot at or after <paramref name="durableFrom"/> sees (unless
    /// a later read or a write came in meanwhile), and forgets the entries no snapshot needs any more (<see cref="Prune"/>).
    /// </summary>
    public void Flushed(List<(byte[] Key, Access Access)> written, long durableFrom)
    {
        foreach (var (key, access) in written)
        {
            _latest.TryUpdate(key, access with { DurableFrom = durableFrom }, access);
        }

        Prune(_oldestSnapshot());
    }

    /// <summary>
    /// Forgets each entry once no snapshot that needs it may still read it (none is older than
    /// <paramref name="oldestSnapshot"/>): none older than the key's last write, nor than the flush that wrote its read,
    /// and a read not written yet is always needed; every entry, once none is older than the keyspace's drop. An entry
    /// changed meanwhile stays.
    /// </summary>
    private void Prune(long oldestSnapshot)
    {
        var droppedAt = Volatile.Read(ref _droppedAt);
        foreach (var entry in _latest)
        {
            ForgetIfUnneeded(entry, oldestSnapshot, droppedAt);
        }
    }

    /// <summary>Forgets <paramref name="entry"/> if no snapshot needs it (<see cref="Prune"/>'s rule) and it was not changed meanwhile.</summary>
    private void ForgetIfUnneeded(KeyValuePair<byte[], Access> entry, long oldestSnapshot, long droppedAt)
    {
        var access = entry.Value;
        var dropped = droppedAt != long.MaxValue && droppedAt <= oldestSnapshot;
        var readNeeded = access.Ticks != NoRead && (access.DurableFrom == 0 || access.DurableFrom > oldestSnapshot);
        if (dropped || (!readNeeded && access.WrittenAt <= oldestSnapshot))
        {
            _latest.TryRemove(entry);
        }
    }

    /// <summary>
    /// The latest read's ticks from a snapshot at or after <see cref="WrittenAt"/>, the version of the key's last write
    /// known (0: none); and the latest read's ticks from a snapshot at or after <see cref="BeforeFrom"/> and before
    /// <see cref="WrittenAt"/>, which read the version that write replaces. Ticks are <see cref="NoRead"/> when there is
    /// no such read. <see cref="DurableFrom"/> is the version from which snapshots see the expiry a flush wrote for
    /// <see cref="Ticks"/> (0: not written yet); older ones still need it here. <see cref="Entry"/> numbers the entry
    /// when it is created and stays with it: a key forgotten and then read again at the same time holds a new entry with
    /// every other field as the forgotten one had them, and the compare-and-swaps that take a value for "unchanged
    /// since" (<see cref="Flushed"/>, <see cref="ForgetIfUnneeded"/>) must not take one for the other.
    /// </summary>
    internal readonly record struct Access(long Ticks, long WrittenAt, long Before, long BeforeFrom, long DurableFrom, long Entry);
}
