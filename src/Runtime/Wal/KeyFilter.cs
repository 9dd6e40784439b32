namespace Persistence.Wal;

/// <summary>
/// A 256-bit summary of the keys a transaction's log puts or deletes: one bit per (keyspace, key), chosen by its hash.
/// Two logs whose filters share no bit wrote no key in common, so the conflict check of a commit skips, without
/// reading it, every later commit's log whose filter misses its own (<see cref="Transactions.ConflictDetector"/>).
/// A shared bit proves nothing: the logs are then compared key by key. With one-document commits (three keys each)
/// two unrelated logs share a bit about one time in thirty; a log of more than <see cref="MostKeys"/> keys sets every bit
/// and is always compared.
/// </summary>
/// <remarks>
/// The bits come from <see cref="HashCode"/>, whose seed changes from process to process: a filter is only ever
/// compared with filters of the same process, and never stored.
/// </remarks>
internal struct KeyFilter
{
    /// <summary>
    /// The most keys a log hashes into its filter (16): past that, the filter would share a bit with most others anyway,
    /// so the log takes <see cref="All"/> and its further operations (a bulk load's million) are not hashed.
    /// </summary>
    public const int MostKeys = 16;

    /// <summary>A filter with every bit set: it overlaps every filter but the empty one.</summary>
    public static KeyFilter All => new() { _bits0 = ulong.MaxValue, _bits1 = ulong.MaxValue, _bits2 = ulong.MaxValue, _bits3 = ulong.MaxValue };

    private ulong _bits0;
    private ulong _bits1;
    private ulong _bits2;
    private ulong _bits3;

    /// <summary>Sets the bit of <paramref name="key"/> in keyspace <paramref name="keyspace"/>.</summary>
    public void Add(int keyspace, ReadOnlySpan<byte> key)
    {
        var hash = new HashCode();
        hash.Add(keyspace);
        hash.AddBytes(key);
        var bit = (uint)hash.ToHashCode() & 255;
        var mask = 1UL << (int)(bit & 63);
        switch (bit >> 6)
        {
            case 0:
                _bits0 |= mask;
                break;
            case 1:
                _bits1 |= mask;
                break;
            case 2:
                _bits2 |= mask;
                break;
            default:
                _bits3 |= mask;
                break;
        }
    }

    /// <summary>False only when no key added to this filter was added to <paramref name="other"/>.</summary>
    public readonly bool Overlaps(in KeyFilter other) =>
        ((_bits0 & other._bits0) | (_bits1 & other._bits1) | (_bits2 & other._bits2) | (_bits3 & other._bits3)) != 0;
}
