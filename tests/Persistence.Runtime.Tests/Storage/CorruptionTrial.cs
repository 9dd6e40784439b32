namespace Persistence.Tests.Storage;

/// <summary>One trial: copy the image, damage it, open it, read everything back, write, close.</summary>
internal static class CorruptionTrial
{
    public static string Describe(CorruptionTemplate template, int seed) => Damage.Plan(template, seed).ToString();

    /// <returns>An outcome for the tally, and a failure (null when the promise held).</returns>
    public static (string Outcome, string? Failure) Run(CorruptionTemplate template, string directory, int seed)
    {
        var damage = Damage.Plan(template, seed);
        template.CopyTo(directory);
        damage.Apply(directory);
        Database db;
        try
        {
            db = Database.Open(Path.Combine(directory, "db"), CorruptionTemplate.Options());
        }
        catch (PersistenceException ex)
        {
            // Damage to the log alone may end it early, or be detected (a segment missing before a later one): nothing else.
            return ($"refused-{ex.Code}", damage.LogOnly && ex is not CorruptionException ? $"{damage}: the data file is intact but the open failed: {ex}" : null);
        }
        catch (Exception ex)
        {
            return ("untyped", $"{damage}: the open threw {ex}");
        }

        var failure = Check(db, template, damage);
        try
        {
            db.Dispose();
        }
        catch (Exception ex)
        {
            failure ??= $"{damage}: closing threw {ex}";
        }

        return (failure is not null ? "failed" : db.IsReadOnly ? "detected" : "opened", failure);
    }

    private static string? Check(Database db, CorruptionTemplate template, Damage damage)
    {
        try
        {
            var expected = template.History[^1];
            if (damage.LogOnly)
            {
                // The data file is intact: everything reads, and the state is the checkpoint's plus a prefix of the commits.
                var state = ReadAll(db);
                var prefix = template.History.FindLastIndex(s => s.SameAs(state));
                if (prefix < 0)
                {
                    return $"{damage}: the state read is no prefix of the commits ({Describe(state)})";
                }

                expected = template.History[prefix];
            }

            if (Compare(db, template, expected, typedAllowed: !damage.LogOnly) is { } mismatch)
            {
                return $"{damage}: {mismatch}";
            }

            var report = db.CheckConsistency();
            if (damage.LogOnly && !report.IsConsistent)
            {
                return $"{damage}: the intact data file checks inconsistent: {report}";
            }

            try
            {
                db.Write(tx => tx.Put(tx.GetOrCreateKeyspace("after"), [1], [2]));
                db.Checkpoint();
            }
            catch (PersistenceException) when (!damage.LogOnly)
            {
            }

            return null;
        }
        catch (PersistenceException) when (!damage.LogOnly)
        {
            return null;
        }
        catch (Exception ex)
        {
            return $"{damage}: threw {ex}";
        }
    }

    /// <summary>Point reads of every key ever written, scans both ways and counts: each exactly as committed, or a typed exception.</summary>
    private static string? Compare(Database db, CorruptionTemplate template, StateModel expected, bool typedAllowed)
    {
        using var read = db.BeginRead();
        var names = read.GetKeyspaces().Select(k => k.Name).Order().ToArray();
        if (!names.SequenceEqual(expected.Keyspaces.Keys.Order()))
        {
            return $"keyspaces [{string.Join(", ", names)}], expected [{string.Join(", ", expected.Keyspaces.Keys.Order())}]";
        }

        foreach (var (name, entries) in expected.Keyspaces)
        {
            var keyspace = read.GetKeyspace(name);
            foreach (var key in template.Probes.GetValueOrDefault(name) ?? [])
            {
                try
                {
                    var value = read.Get(keyspace, key);
                    var want = entries.GetValueOrDefault(key);
                    if (!(value is null ? want is null : want is not null && value.AsSpan().SequenceEqual(want)))
                    {
                        return $"Get '{name}' {Hex(key)} returned {(value is null ? "nothing" : $"{value.Length} bytes")}, committed {(want is null ? "nothing" : $"{want.Length} bytes")}";
                    }
                }
                catch (PersistenceException) when (typedAllowed)
                {
                }
            }

            foreach (var reverse in new[] { false, true })
            {
                var want = reverse ? entries.Reverse().ToList() : [.. entries];
                var i = 0;
                try
                {
                    foreach (var (key, value) in read.Scan(keyspace, reverse: reverse))
                    {
                        if (i >= want.Count || !key.AsSpan().SequenceEqual(want[i].Key) || !value.AsSpan().SequenceEqual(want[i].Value))
                        {
                            return $"scan of '{name}' (reverse: {reverse}) entry {i} is {Hex(key)}, expected {(i < want.Count ? Hex(want[i].Key) : "the end")}";
                        }

                        i++;
                    }

                    if (i != want.Count)
                    {
                        return $"scan of '{name}' (reverse: {reverse}) ended after {i} of {want.Count} entries";
                    }
                }
                catch (PersistenceException) when (typedAllowed)
                {
                }
            }

            try
            {
                if (read.Count(keyspace) != entries.Count)
                {
                    return $"Count of '{name}' is {read.Count(keyspace)}, expected {entries.Count}";
                }
            }
            catch (PersistenceException) when (typedAllowed)
            {
            }
        }

        return null;
    }

    private static Dictionary<string, List<KeyValuePair<byte[], byte[]>>> ReadAll(Database db)
    {
        using var read = db.BeginRead();
        return read.GetKeyspaces().ToDictionary(k => k.Name, k => read.Scan(k).ToList());
    }

    private static string Describe(Dictionary<string, List<KeyValuePair<byte[], byte[]>>> state) =>
        string.Join(", ", state.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value.Count}"));

    private static string Hex(byte[] key) => Convert.ToHexString(key.AsSpan(0, Math.Min(key.Length, 16)));
}
