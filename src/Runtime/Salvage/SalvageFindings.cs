namespace Persistence.Salvage;

/// <summary>
/// What a salvage found as it went: a sentence per damaged page, value, meta page or log position (the first
/// <see cref="MaxMessages"/>), and a tally per keyspace of the checkpoint.
/// </summary>
internal sealed class SalvageFindings
{
    /// <summary>The most sentences kept; past it they are only counted (a badly damaged file can fail on every page).</summary>
    public const int MaxMessages = 1000;

    private readonly List<string> _messages = [];
    private long _dropped;

    public void Add(string message)
    {
        if (_messages.Count < MaxMessages)
        {
            _messages.Add(message);
        }
        else
        {
            _dropped++;
        }
    }

    /// <summary>The sentences, plus one that counts those left out.</summary>
    public IReadOnlyList<string> Messages =>
        _dropped == 0 ? [.. _messages] : [.. _messages, $"... and {_dropped} more finding(s) of the kinds above."];
}

/// <summary>What the salvage read of one keyspace of the checkpoint, and what it had to skip.</summary>
/// <param name="expected">The entries the checkpoint's catalog says the keyspace holds (0 for a keyspace the log creates).</param>
internal sealed class KeyspaceTally(string name, long expected)
{
    public string Name => name;

    public long Expected => expected;

    /// <summary>Entries read intact and copied.</summary>
    public long Read { get; set; }

    /// <summary>Tree pages that failed verification; each is skipped with everything under it.</summary>
    public long PagesSkipped { get; set; }

    /// <summary>Entries skipped because their value's overflow pages failed verification.</summary>
    public long ValuesSkipped { get; set; }

    /// <summary>Entries of the checkpoint not copied: under skipped pages, or with a skipped value.</summary>
    public long Lost => Math.Max(0, expected - Read);
}
