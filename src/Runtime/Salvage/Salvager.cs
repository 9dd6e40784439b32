using Persistence.Storage;

namespace Persistence.Salvage;

/// <summary>
/// Writes what can be proven intact of a <see cref="DamagedDatabase"/> into a new database: the checkpoint's entries
/// that verify (<see cref="TreeSalvage"/>), then the log's intact commits after it (<see cref="LogSalvage"/>), and
/// reports what it recovered and what it lost.
/// </summary>
/// <param name="transactionBytes">How many bytes of keys and values one transaction of the checkpoint's copy holds before it commits.</param>
/// <param name="maxHeldLogBytes">See <see cref="LogSalvage.Replay"/>.</param>
internal sealed class Salvager(DamagedDatabase source, SalvageFindings findings, long transactionBytes, long maxHeldLogBytes, CancellationToken cancellationToken)
{
    private readonly List<KeyspaceTally> _tallies = [];
    private readonly Dictionary<int, LiveKeyspace> _keyspaces = [];
    private bool _keyspaceSkipped;

    public SalvageReport Run(Database target)
    {
        CopyCheckpoint(target);
        var log = LogSalvage.Replay(source, target, _keyspaces, findings, maxHeldLogBytes, cancellationToken);
        return Report(target, log);
    }

    private void CopyCheckpoint(Database target)
    {
        var trees = new TreeSalvage(source.Store, source.Meta.PageCount, findings);
        var transaction = target.BeginWrite();
        try
        {
            long bytes = 0;
            foreach (var record in source.Catalog)
            {
                var tally = new KeyspaceTally(record.Name, record.Count);
                _tallies.Add(tally);
                if (Refuse(transaction, record) is { } problem)
                {
                    findings.Add($"The catalog's keyspace '{record.Name}' (id {record.Id}) is skipped with its {record.Count} entries: {problem}.");
                    _keyspaceSkipped = true;
                    continue;
                }

                var keyspace = transaction.CreateKeyspace(record.Name);
                _keyspaces[record.Id] = new LiveKeyspace(keyspace, tally);
                trees.Walk(record, tally, (key, value) =>
                {
                    transaction.Put(keyspace, key, value);
                    bytes += key.Length + value.Length;
                    if (bytes >= transactionBytes)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        transaction.Commit();
                        transaction.Dispose();
                        transaction = target.BeginWrite();
                        bytes = 0;
                    }
                });
            }

            cancellationToken.ThrowIfCancellationRequested();
            transaction.Commit();
        }
        finally
        {
            transaction.Dispose();
        }
    }

    /// <summary>Why a catalog entry cannot become a keyspace of the new database (a name no keyspace may have, or a second entry of one id or name), or null.</summary>
    private string? Refuse(WriteTransaction transaction, CatalogRecord record)
    {
        try
        {
            Keyspace.ValidateName(record.Name);
        }
        catch (KeyspaceException ex)
        {
            return ex.Message.TrimEnd('.');
        }

        return _keyspaces.ContainsKey(record.Id) || transaction.TryGetKeyspace(record.Name, out _)
            ? "the catalog lists its id or name twice"
            : null;
    }

    private SalvageReport Report(Database target, LogOutcome log)
    {
        using var read = target.BeginRead();
        var keyspaces = _keyspaces.Values
            .OrderBy(k => k.Tally.Name, StringComparer.Ordinal)
            .Select(k => new SalvagedKeyspace(k.Tally.Name, read.Count(k.Target), k.Tally.Lost, k.Tally.PagesSkipped, k.Tally.ValuesSkipped))
            .ToList();
        var rebuild = CollectionsToRebuild(keyspaces);
        var pagesSkipped = _tallies.Sum(t => t.PagesSkipped);
        var valuesSkipped = _tallies.Sum(t => t.ValuesSkipped);
        var complete = pagesSkipped == 0 && valuesSkipped == 0 && log.DamageLsn is null && !_keyspaceSkipped;
        return new SalvageReport(
            source.Meta.Sequence,
            source.Meta.CheckpointVersion,
            source.UsedOlderMetaPage,
            log.Commits,
            log.LastVersion,
            log.EndLsn,
            log.DamageLsn,
            keyspaces,
            pagesSkipped,
            valuesSkipped,
            rebuild,
            findings.Messages,
            complete);
    }

    /// <summary>
    /// The typed collections (a documents keyspace <c>name</c> and its index keyspaces <c>name#index</c>) of which some
    /// keyspace lost entries: documents and index entries no longer agree, whichever side lost them.
    /// </summary>
    private List<string> CollectionsToRebuild(List<SalvagedKeyspace> keyspaces)
    {
        var collections = new List<string>();
        foreach (var group in keyspaces.GroupBy(k => CollectionOf(k.Name), StringComparer.Ordinal))
        {
            if (group.Count() < 2 || !group.Any(k => k.KeysLost > 0))
            {
                continue;
            }

            collections.Add(group.Key);
            var losses = string.Join(", ", group.Select(k => $"'{k.Name}' lost {k.KeysLost}"));
            findings.Add(
                $"Collection '{group.Key}': {losses} of the checkpoint's entries, so its documents and its index entries may no longer agree "
                + $"(its CheckConsistency() lists where). Index entries are derived from the documents by the collection's generated code: "
                + $"open the salvaged database in the application and call RepairIndexes() on the collection '{group.Key}'.");
        }

        return collections;
    }

    private static string CollectionOf(string keyspace)
    {
        var hash = keyspace.IndexOf('#', StringComparison.Ordinal);
        return hash < 0 ? keyspace : keyspace[..hash];
    }
}
