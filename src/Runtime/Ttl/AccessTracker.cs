using System.Collections.Concurrent;
using Persistence.Collections;

namespace Persistence.Ttl;

/// <summary>
/// The latest read of each recently read document of a sliding-expiration collection, kept in memory and written in
/// batches. Reads consult it, so a document read a moment ago stays visible before its new expiry is written.
/// </summary>
internal sealed class AccessTracker
{
    private readonly ConcurrentDictionary<byte[], long> _latest = new(ByteArrayComparer.Instance);
    private readonly ConcurrentDictionary<byte[], long>.AlternateLookup<ReadOnlySpan<byte>> _lookup;

    public AccessTracker() => _lookup = _latest.GetAlternateLookup<ReadOnlySpan<byte>>();

    public int Count => _latest.Count;

    public void Record(ReadOnlySpan<byte> key, DateTimeOffset at)
    {
        var ticks = at.UtcTicks;
        _latest.AddOrUpdate(key.ToArray(), ticks, (_, previous) => Math.Max(previous, ticks));
    }

    public DateTimeOffset? LatestAccess(ReadOnlySpan<byte> key) =>
        _lookup.TryGetValue(key, out var ticks) ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    public List<(byte[] Key, long Ticks)> Snapshot() => [.. _latest.Select(p => (p.Key, p.Value))];

    /// <summary>Forgets an access once written, unless a later read came in meanwhile.</summary>
    public void Written(byte[] key, long ticks) => _latest.TryRemove(new KeyValuePair<byte[], long>(key, ticks));
}
