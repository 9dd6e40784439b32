using System.Collections.Concurrent;
using System.Numerics;
using Persistence.Diagnostics;

namespace Persistence.Collections;

/// <summary>
/// A collection's hot cache: materialized documents by primary key, bounded by count and bytes, each served only to
/// snapshots that are allowed to see it.
/// </summary>
/// <remarks>
/// <para>Every entry carries the version of the latest committed write of its key that the cache knows of. A reader at
/// snapshot S may use a cached document only if that version is at most S: a newer write would be hidden from S, an
/// older one could not be the value S sees because any later write (visible to S) would have replaced the entry first.
/// That holds because the engine reports each commit's writes (<see cref="Database.ObserveWrites"/>) when the commit is
/// sequenced, before it can become visible; the report replaces the entry by a marker with the new version.</para>
/// <para>A reader that missed fills the entry with what its snapshot read, under the cache's lock, only if the entry's
/// version (or, for an absent key, the <c>baseline</c>) is at most its snapshot. Evicting an entry raises the
/// baseline to the entry's version, so that an absent key is never filled from a snapshot older than its last write.
/// Write transactions never use the cache: they must see their own writes. Hits are lock-free.</para>
/// <para>Eviction is CLOCK (second chance): a hit marks its entry referenced (one plain store, and none when already
/// marked); past a bound the hand sweeps the ring of keys, clearing marks and evicting the first unmarked entry, so
/// a hot set that fits stays cached while keys read once pass through. Markers and expired entries are never
/// referenced.</para>
/// </remarks>
internal sealed class DocumentCache<T>
    where T : class
{
    private readonly ConcurrentDictionary<byte[], Entry> _entries = new(ByteArrayComparer.Instance);
    private readonly ConcurrentDictionary<byte[], Entry>.AlternateLookup<ReadOnlySpan<byte>> _lookup;
    private readonly Lock _lock = new();
    private readonly List<byte[]> _ring = []; // every key of _entries once, in no particular order; under _lock
    private int _hand;
    private readonly int _maxCount;
    private readonly long _maxBytes;
    private readonly TimeSpan? _timeToLive;
    private readonly TimeProvider _time;
    private long _baseline;
    private long _raised; // the newest version an eviction or a drop raised the baseline to; under _lock
    private long _bytes;
    private readonly StripedCounter _hits = new();
    private readonly StripedCounter _misses = new();
    private readonly int[] _doorkeeper; // key hashes of recent misses not admitted, direct-mapped
    private readonly int _doorkeeperShift;

    public DocumentCache(int maxCount, long maxBytes, TimeSpan? timeToLive, TimeProvider time, long baseline)
    {
        _maxCount = maxCount > 0 ? maxCount : int.MaxValue;
        _maxBytes = maxBytes > 0 ? maxBytes : long.MaxValue;
        _timeToLive = timeToLive;
        _time = time;
        _baseline = baseline;
        _lookup = _entries.GetAlternateLookup<ReadOnlySpan<byte>>();
        var expected = _maxCount != int.MaxValue ? _maxCount : (int)Math.Min(_maxBytes / 256, 1 << 21);
        var slots = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Clamp(2L * expected, 1024, 1 << 22));
        _doorkeeper = new int[slots];
        _doorkeeperShift = 32 - BitOperations.Log2((uint)slots);
    }

    public long Hits => _hits.Value;

    /// <summary>
    /// Sets the baseline once registration is done: an absent key's latest write is at most this version, or the newest
    /// version an eviction or a drop reported since raised it to (a commit sequenced after <paramref name="version"/> was
    /// read may have reported a key, and its marker been evicted, before this call).
    /// </summary>
    public DocumentCache<T> WithBaseline(long version)
    {
        lock (_lock)
        {
            _baseline = Math.Max(version, _raised);
        }

        return this;
    }

    public long Misses => _misses.Value;

    public int Count => _ring.Count;

    /// <summary>The encoded size of the documents cached, which <c>maxBytes</c> bounds.</summary>
    public long Bytes => Volatile.Read(ref _bytes);

    /// <summary>The cached document for <paramref name="key"/> if the snapshot may see it.</summary>
    public bool TryGet(ReadOnlySpan<byte> key, long snapshot, out T document, out Entry? observed)
    {
        observed = _lookup.TryGetValue(key, out var entry) ? entry : null;
        if (entry is { Document: { } cached } && entry.Version <= snapshot && !Stale(entry))
        {
            _hits.Increment();
            if (!entry.Referenced)
            {
                entry.Referenced = true;
            }

            document = cached;
            return true;
        }

        _misses.Increment();
        document = null!;
        return false;
    }

    /// <summary>Fills the entry with what a snapshot read, if the snapshot sees the key's latest write.</summary>
    /// <remarks>
    /// Once the cache is full, a key it does not hold is admitted only on its second miss in a while (a doorkeeper, as
    /// in TinyLFU): keys read once, like the cold tail of a skewed workload, would otherwise each pay a fill and evict
    /// a hot entry. Keys with a marker (written lately) or a stale entry are refilled at once.
    /// </remarks>
    public void Fill(ReadOnlySpan<byte> key, long snapshot, T document, int size)
    {
        if ((_ring.Count >= _maxCount || Volatile.Read(ref _bytes) >= _maxBytes) && !_lookup.ContainsKey(key) && !SeenBefore(key))
        {
            return;
        }

        lock (_lock)
        {
            var current = _lookup.TryGetValue(key, out var entry) ? entry : null;
            var version = current?.Version ?? _baseline;
            if (version > snapshot || (current is { Document: not null } && !Stale(current)))
            {
                return;
            }

            Store(key, current, new Entry(document, version, size, _time.GetTimestamp()) { Referenced = true }); // admitted: one round of grace
            _bytes += size - (current?.Size ?? 0);
            EvictIfOver();
        }
    }

    /// <summary>
    /// Drops the cached instance of <paramref name="key"/> if it is <paramref name="document"/>, which a write is about to
    /// write: the caller changed the instance every reader shares, and whether or not the write succeeds, readers must
    /// not keep getting it. The entry becomes a marker of the same version, so that the next reader refills it from
    /// the store (a commit of the write then replaces the marker, as for any write).
    /// </summary>
    public void Release(ReadOnlySpan<byte> key, T document)
    {
        if (!_lookup.TryGetValue(key, out var entry) || !ReferenceEquals(entry.Document, document))
        {
            return;
        }

        lock (_lock)
        {
            if (_lookup.TryGetValue(key, out entry) && ReferenceEquals(entry.Document, document))
            {
                Store(key, entry, new Entry(null, entry.Version, 0, 0));
                _bytes -= entry.Size;
            }
        }
    }

    /// <summary>A commit at <paramref name="version"/> wrote <paramref name="key"/> (empty: every key).</summary>
    public void Written(ReadOnlyMemory<byte> key, long version)
    {
        lock (_lock)
        {
            if (key.IsEmpty)
            {
                _entries.Clear();
                _ring.Clear();
                _bytes = 0;
                _baseline = Math.Max(_baseline, version);
                _raised = Math.Max(_raised, version);
                return;
            }

            var previous = _lookup.TryGetValue(key.Span, out var entry) ? entry : null;
            Store(key.Span, previous, new Entry(null, version, 0, 0));
            _bytes -= previous?.Size ?? 0;
            EvictIfOver();
        }
    }

    private bool Stale(Entry entry) => _timeToLive is { } ttl && _time.GetElapsedTime(entry.LoadedAt) > ttl;

    /// <summary>True when <paramref name="key"/> missed lately; otherwise remembers this miss (racy by design: a lost update only delays an admission).</summary>
    private bool SeenBefore(ReadOnlySpan<byte> key)
    {
        var hash = ByteArrayComparer.Instance.GetHashCode(key);
        ref var slot = ref _doorkeeper[(int)(((uint)hash * 0x9E3779B9u) >> _doorkeeperShift)];
        if (Volatile.Read(ref slot) == hash)
        {
            return true;
        }

        Volatile.Write(ref slot, hash);
        return false;
    }

    /// <summary>Puts <paramref name="entry"/> under <paramref name="key"/>, whose entry was <paramref name="current"/>; a new key joins the ring. Under the lock.</summary>
    private void Store(ReadOnlySpan<byte> key, Entry? current, Entry entry)
    {
        if (current is not null)
        {
            _lookup[key] = entry; // the key is in the dictionary and the ring already
            return;
        }

        var array = key.ToArray();
        _entries[array] = entry;
        _ring.Add(array);
    }

    /// <summary>Sweeps the CLOCK hand until both bounds hold, evicting unreferenced entries and raising the baseline. Under the lock.</summary>
    private void EvictIfOver()
    {
        // The ring's count, not the dictionary's: ConcurrentDictionary.Count takes every one of its locks (up to 1,024).
        while ((_ring.Count > _maxCount || _bytes > _maxBytes) && _ring.Count > 0)
        {
            if (_hand >= _ring.Count)
            {
                _hand = 0;
            }

            var key = _ring[_hand];
            var entry = _entries[key];
            if (entry is { Referenced: true, Document: not null } && !Stale(entry))
            {
                entry.Referenced = false; // a second chance
                _hand++;
                continue;
            }

            _entries.TryRemove(key, out _);
            _ring[_hand] = _ring[^1]; // the last key takes the evicted one's slot, and the hand looks at it next
            _ring.RemoveAt(_ring.Count - 1);
            _bytes -= entry.Size;
            _baseline = Math.Max(_baseline, entry.Version);
            _raised = Math.Max(_raised, entry.Version);
        }
    }

    /// <summary>
    /// A cached document (null for a marker of a write not yet read back), the version it reflects, its size and load
    /// time; <see cref="Referenced"/> is CLOCK's mark, set by hits without the lock.
    /// </summary>
    internal sealed record Entry(T? Document, long Version, int Size, long LoadedAt)
    {
        public bool Referenced;
    }
}
