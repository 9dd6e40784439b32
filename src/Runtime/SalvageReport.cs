namespace Persistence;

/// <summary>
/// The outcome of <see cref="Database.Salvage(string, string, DatabaseOptions?, CancellationToken)"/>: which checkpoint and which commits of the log the salvaged database
/// holds, and what was found damaged and left out.
/// </summary>
public sealed class SalvageReport
{
    internal SalvageReport(long checkpointSequence, long checkpointVersion, bool usedOlderMetaPage, int commitsRecovered, long lastCommitVersion,
        long logEndLsn, long? logDamageLsn, IReadOnlyList<SalvagedKeyspace> keyspaces, long pagesSkipped, long valuesSkipped,
        IReadOnlyList<string> collectionsToRebuild, IReadOnlyList<string> findings, bool isComplete)
    {
        CheckpointSequence = checkpointSequence;
        CheckpointVersion = checkpointVersion;
        UsedOlderMetaPage = usedOlderMetaPage;
        CommitsRecovered = commitsRecovered;
        LastCommitVersion = lastCommitVersion;
        LogEndLsn = logEndLsn;
        LogDamageLsn = logDamageLsn;
        Keyspaces = keyspaces;
        PagesSkipped = pagesSkipped;
        ValuesSkipped = valuesSkipped;
        CollectionsToRebuild = collectionsToRebuild;
        Findings = findings;
        IsComplete = isComplete;
    }

    /// <summary>The sequence number of the checkpoint the salvage started from.</summary>
    public long CheckpointSequence { get; }

    /// <summary>The version of the last commit that checkpoint holds.</summary>
    public long CheckpointVersion { get; }

    /// <summary>
    /// True when the salvage did not start from the newest checkpoint the file may hold: the other meta page failed
    /// verification (damaged, or torn by a crash during a checkpoint), or held a newer checkpoint whose catalog did.
    /// What that checkpoint held is recovered from the log when the log since the older one is whole; otherwise
    /// <see cref="LogDamageLsn"/> says where it breaks.
    /// </summary>
    public bool UsedOlderMetaPage { get; }

    /// <summary>The commits recovered from the log after the checkpoint, each whole and in order.</summary>
    public int CommitsRecovered { get; }

    /// <summary>The version of the last commit recovered: <see cref="CheckpointVersion"/> when the log added none.</summary>
    public long LastCommitVersion { get; }

    /// <summary>The log position just after the last commit recovered (the checkpoint's start of the log when none was).</summary>
    public long LogEndLsn { get; }

    /// <summary>
    /// Where the log was found damaged: the position of the first frame that failed (or of the segment missing), past
    /// which acknowledged commits are lost; null when the log ends as a crash leaves it (nothing after its end was
    /// ever durable).
    /// </summary>
    public long? LogDamageLsn { get; }

    /// <summary>Every keyspace of the salvaged database, by name, with the keys it holds and what it lost.</summary>
    public IReadOnlyList<SalvagedKeyspace> Keyspaces { get; }

    /// <summary>Tree pages of the checkpoint that failed verification, each skipped with every entry under it.</summary>
    public long PagesSkipped { get; }

    /// <summary>Entries of the checkpoint skipped because their value's overflow pages failed verification.</summary>
    public long ValuesSkipped { get; }

    /// <summary>
    /// Typed collections (a keyspace <c>name</c> and its index keyspaces <c>name#index</c>) of which some keyspace lost
    /// entries, so that documents and index entries may disagree (the collection's <c>CheckConsistency()</c> lists
    /// where). Only the generated collection code derives index entries from documents: open the salvaged database in
    /// the application and call the collection's <c>RepairIndexes()</c>.
    /// </summary>
    public IReadOnlyList<string> CollectionsToRebuild { get; }

    /// <summary>What the salvage found, a sentence each: every page, value, meta page and log position it could not use, and why.</summary>
    public IReadOnlyList<string> Findings { get; }

    /// <summary>
    /// True when nothing was found lost: every page the checkpoint used verified, and the log ends as a crash leaves
    /// it. The salvaged database then holds what opening the database would have given.
    /// </summary>
    public bool IsComplete { get; }

    /// <inheritdoc />
    public override string ToString()
    {
        var summary = $"checkpoint {CheckpointSequence} (version {CheckpointVersion}) and {CommitsRecovered} commit(s) of the log, to version {LastCommitVersion}: "
            + string.Join(", ", Keyspaces);
        return IsComplete
            ? summary + "; nothing lost"
            : summary + $"; {PagesSkipped} page(s) and {ValuesSkipped} value(s) skipped"
                + (LogDamageLsn is { } damage ? $", log damaged at LSN {damage}" : "")
                + ": " + string.Join(" ", Findings.Take(10));
    }
}
