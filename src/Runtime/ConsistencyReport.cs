namespace Persistence;

/// <summary>The outcome of <see cref="Database.CheckConsistency"/>.</summary>
public sealed class ConsistencyReport
{
    internal ConsistencyReport(IReadOnlyList<string> errors, long pagesChecked, long keysChecked)
    {
        Errors = errors;
        PagesChecked = pagesChecked;
        KeysChecked = keysChecked;
    }

    /// <summary>True when no problem was found.</summary>
    public bool IsConsistent => Errors.Count == 0;

    /// <summary>Every problem found, each a sentence naming the page or keyspace.</summary>
    public IReadOnlyList<string> Errors { get; }

    /// <summary>Pages read and verified from disk.</summary>
    public long PagesChecked { get; }

    /// <summary>Keys visited.</summary>
    public long KeysChecked { get; }

    /// <inheritdoc />
    public override string ToString() =>
        IsConsistent
            ? $"consistent ({PagesChecked} pages, {KeysChecked} keys)"
            : $"{Errors.Count} problem(s): " + string.Join("; ", Errors.Take(10));
}
