using Persistence.Testing;
using Part = Persistence.Tests.Collections.BulkInsertTests.Part;
using PartCollection = Persistence.Tests.Collections.BulkInsertTests.PartCollection;

namespace Persistence.Tests.Collections;

/// <summary>
/// A power failure anywhere in a workload around a durable transaction whose <c>InsertMany</c> calls go in chunks
/// (Collection.Bulk.cs). A chunk's documents and entries are put in the private tree unlogged; a document refused for a
/// stored unique value in the middle of a chunk makes the chunk take back what it put for the documents from it on (in
/// the documents' tree for the users, whose unique index is their first; in the documents' tree and the tag index for
/// the parts, whose unique index comes after the tags); the settled run is logged afterwards. The log is the redo record
/// the commit writes, so a put the tree kept but the log lacks, or one the log holds but the tree took back, shows only
/// when recovery replays the commit, and BulkInsertTests crash only after a commit. Here each crash point runs the same
/// workload from the start (no background work: a crash point names the same storage operation on every run), reboots
/// the disk in one of the crash modes in turn, and checks that the database holds exactly the state after some prefix of
/// the commits, compared key by key in every keyspace with what the failure-free run read after each commit: no shorter
/// than the commits acknowledged, no longer than those begun (never a part of the bulk one); and that the database's and
/// the collections' consistency checks pass.
/// </summary>
public sealed class BulkInsertCrashTests
{
    private const string Path = "/bulk/crash.db";
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Users in the first batch, committed with the first parts and checkpointed before the bulk transaction.</summary>
    private const int FirstBatch = 600;

    /// <summary>Users the bulk transaction's first <c>InsertMany</c> is handed: chunks of <see cref="Chunk"/>.</summary>
    private const int Bulk = 3_000;

    private const int Chunk = 512;

    /// <summary>
    /// The document of the bulk list whose Email a first-batch user holds, in the middle of the third chunk ([1,024,
    /// 1,536)): that chunk's run ends there, after its documents after it were put, and those are taken back.
    /// </summary>
    private const int Refused = 1_300;

    /// <summary>
    /// Where the bulk transaction's second <c>InsertMany</c> starts: the documents from the refused one up to here were
    /// put and taken back by the first, and never written.
    /// </summary>
    private const int Resumed = 1_400;

    /// <summary>Single inserts after the second <c>InsertMany</c>, in the bulk transaction.</summary>
    private const int Singles = 5;

    /// <summary>The bulk documents' keys start here, apart from the first batch's.</summary>
    private const long FirstId = 100_000;

    /// <summary>Parts in the first batch, and in the bulk transaction's InsertMany of parts (two chunks of 512, the second short).</summary>
    private const int FirstParts = 300;

    private const int BulkParts = 1_000;

    /// <summary>
    /// The part whose code a first-batch part holds, in the middle of the second chunk ([512, 1,000)): the chunk's run
    /// ends at its code's entry, after every document of the run and its tag entry were put, and the documents and tag
    /// entries of the parts from it on are taken back.
    /// </summary>
    private const int RefusedPart = 700;

    /// <summary>Where the second InsertMany of parts starts: the 280 parts from here on go in one chunk.</summary>
    private const int ResumedPart = 720;

    private static readonly CrashMode[] Modes = [CrashMode.DropUnsynced, CrashMode.TornLast, CrashMode.Reorder];

    /// <summary>The workload's commits, in order; the state after each is read, and a crash must recover one of them.</summary>
    private enum Commit
    {
        /// <summary>Nothing committed: a database without keyspaces.</summary>
        None,

        /// <summary>The users' construction: their keyspaces and definitions.</summary>
        UsersConstructed,

        /// <summary>The parts' construction.</summary>
        PartsConstructed,

        /// <summary><see cref="FirstBatch"/> users and <see cref="FirstParts"/> parts in one transaction, then a checkpoint.</summary>
        FirstBatch,

        /// <summary>An update of one of them, left in the log ahead of the bulk commit.</summary>
        Renamed,

        /// <summary>The durable transaction whose InsertMany calls go in chunks, with a refusal in the middle of one for each collection.</summary>
        Bulk,

        /// <summary>A durable commit after it: updates, deletes of bulk documents, and inserts of the refused keys.</summary>
        Second,
    }

    /// <summary>Storage operation counts at points of the failure-free run.</summary>
    private enum Milestone
    {
        /// <summary>The bulk transaction began (every operation from here on is its own or later).</summary>
        BulkBegun,

        /// <summary>Its Commit was called: its leaves were written out early, its log not yet written to the WAL.</summary>
        BulkCommitting,

        /// <summary>Its Commit returned.</summary>
        BulkCommitted,
    }

    [Fact]
    public void A_power_failure_anywhere_around_a_transaction_that_inserts_in_chunks_recovers_the_state_before_or_after_it_whole()
    {
        var clean = Run(long.MaxValue);
        Assert.Null(clean.Error);
        Assert.False(clean.Crashed);
        Assert.Equal(Commit.Second, clean.Acknowledged);
        var states = clean.States;
        var (bulkBegun, committing, committed) = (clean.Milestones[Milestone.BulkBegun], clean.Milestones[Milestone.BulkCommitting],
            clean.Milestones[Milestone.BulkCommitted]);

        // The bulk path ran, and its commit is large enough to test: it wrote leaves out early, spilled its log to the
        // scratch file, and took several WAL writes. The first InsertMany went in bulk up to the refused document, the
        // second in three chunks, its remainder of 64 one by one (the transaction's tree is private from its first
        // write, a keyspace's creation).
        Assert.Equal(Refused + 3 * Chunk, clean.BulkInserted);
        Assert.Equal(RefusedPart + (BulkParts - ResumedPart), clean.PartsInserted);
        Assert.True(clean.SpilledLeaves > 0, "the bulk transaction wrote no leaf out early");
        Assert.True(committing - bulkBegun >= 20, $"the bulk transaction performed only {committing - bulkBegun} storage operations before its commit");
        Assert.True(committed - committing >= 10, $"the bulk commit took only {committed - committing} storage operations");

        // The bulk commit holds the run before the refused document, the documents from the resumed InsertMany on and
        // the single inserts; not the refused one, nor those the first InsertMany put and took back.
        Assert.Equal(FirstBatch + Refused + (Bulk - Resumed) + Singles, clean.Facts.Count);
        Assert.Equal((true, false, false, true), (clean.Facts.BeforeRefused, clean.Facts.RefusedStored, clean.Facts.TakenBackStored, clean.Facts.ResumedStored));
        Assert.Equal(FirstParts + RefusedPart + (BulkParts - ResumedPart), clean.PartFacts.Count);
        Assert.Equal((true, false, false, true), (clean.PartFacts.BeforeRefused, clean.PartFacts.RefusedStored, clean.PartFacts.TakenBackStored, clean.PartFacts.ResumedStored));
        for (var c = Commit.UsersConstructed; c <= Commit.Second; c++)
        {
            Assert.NotEqual(states[(int)c - 1], states[(int)c]);
        }

        // The crash points: every operation of the setup, one in three of the bulk transaction's before its commit (its
        // leaves and log chunks written out early), at a place drawn in each three; each in one crash mode, in turn.
        // From the commit's first log write on, where the outcome turns on the log, every operation in every mode.
        var points = new List<(long At, CrashMode Mode)>();
        var random = new Random(64);
        for (var at = 0L; at < committing; at += at < bulkBegun ? 1 : 3)
        {
            var point = at < bulkBegun ? at : Math.Min(at + random.Next(3), committing - 1);
            points.Add((point, Modes[points.Count % Modes.Length]));
        }

        for (var at = committing; at < clean.Operations; at++)
        {
            points.AddRange(Modes.Select(mode => (at, mode)));
        }

        var failures = new List<string>();
        var recovered = new int[states.Length];
        var (beforeBulk, partly, fromLog) = (0, 0, 0);
        foreach (var (at, mode) in points)
        {
            var run = Run(at);
            // The power failure surfaces from the workload's calls as a storage failure; the close does not throw.
            if (run.Error is null ? run.Acknowledged != Commit.Second : run.Error is not (PersistenceException or IOException))
            {
                failures.Add($"crash at {at}: the workload failed with {run.Error?.GetType().Name ?? "nothing"}, not the power failure: {run.Error?.Message}");
                continue;
            }

            if (!run.Crashed)
            {
                failures.Add($"crash at {at}: the run did not reach the crash point ({run.Operations} operations)");
                continue;
            }

            // The same workload up to the crash: the crash points name the same operations as in the failure-free run.
            if (Enumerable.Range(0, (int)run.Acknowledged + 1).FirstOrDefault(c => run.States[c] is { } read && !read.SequenceEqual(states[c]), -1) is var differs and >= 0)
            {
                failures.Add($"crash at {at}: the run read another state after {(Commit)differs} than the failure-free run");
                continue;
            }

            var image = run.FileSystem.AfterCrash(mode, new Random(unchecked((int)at * 31 + (int)mode)));
            var problem = Verify(image, run, states, checkpoint: at >= committing, out var matched, out var replayed);
            if (problem is not null)
            {
                failures.Add($"crash at {at} ({mode}; acknowledged {run.Acknowledged}, begun {run.Attempted}): {problem}");
                continue;
            }

            recovered[(int)matched]++;
            beforeBulk += at >= bulkBegun && matched == Commit.Renamed ? 1 : 0;
            partly += at >= committing && at < committed && matched == Commit.Renamed ? 1 : 0; // its log part written
            fromLog += matched >= Commit.Bulk && replayed >= matched - Commit.Renamed ? 1 : 0; // from the first checkpoint on, by the log
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {points.Count} crash points failed:{Environment.NewLine}{string.Join(Environment.NewLine, failures)}");

        // The points reached both sides of the bulk commit, and some of them recovered it from the log alone.
        Assert.True(beforeBulk > 10, $"only {beforeBulk} crash points in the bulk transaction recovered the state before it");
        Assert.True(partly > 0, "no crash point in the bulk commit's log writes recovered the state before it");
        Assert.True(fromLog >= 3, $"only {fromLog} crash points recovered the bulk commit by replaying the log");
        Assert.True(recovered[(int)Commit.Second] > 0, "no crash point recovered the commit after the bulk one");
    }

    /// <summary>
    /// Reopens the crash image: the state must be that after a prefix of the commits no shorter than the acknowledged
    /// ones and no longer than those begun, and pass both consistency checks; with <paramref name="checkpoint"/>, stay
    /// the same after a checkpoint of the recovered database and a reopen (which reads the leaves recovery wrote out
    /// early from the data file), and pass the checks again. Returns the problem, or null.
    /// </summary>
    private static string? Verify(SimulatedFileSystem image, WorkloadRun run, List<string>[] states, bool checkpoint, out Commit matched, out int replayed)
    {
        matched = Commit.None;
        replayed = 0;
        try
        {
            var db = Database.Open(Path, Options(), image);
            try
            {
                replayed = db.Recovered?.Commits ?? 0;
                var state = State(db);
                var found = Array.FindLastIndex(states, (int)run.Attempted, (int)run.Attempted + 1, s => state.SequenceEqual(s));
                if (found < 0)
                {
                    var later = Array.FindLastIndex(states, s => state.SequenceEqual(s));
                    return later >= 0
                        ? $"the state after {(Commit)later} was recovered, a commit not begun"
                        : $"the recovered state matches no commit (a part of one?): {Difference(state, states, run)}";
                }

                matched = (Commit)found;
                if (matched < run.Acknowledged)
                {
                    return $"the state after {matched} was recovered: the acknowledged {run.Acknowledged} was lost";
                }

                var problems = Problems(db);
                if (problems is not null || !checkpoint)
                {
                    return problems;
                }

                db.Checkpoint();
            }
            finally
            {
                db.Dispose();
            }

            using var reopened = Database.Open(Path, Options(), image);
            return !State(reopened).SequenceEqual(states[(int)matched]) ? "after a checkpoint of the recovered database and a reopen, the state changed"
                : Problems(reopened) is { } again ? $"after a checkpoint and a reopen: {again}"
                : null;
        }
        catch (Exception ex)
        {
            return $"the reopen or the checks failed: {ex}";
        }
    }

    /// <summary>The findings of the database's and the collections' consistency checks, or null.</summary>
    private static string? Problems(Database db)
    {
        var report = db.CheckConsistency();
        if (!report.IsConsistent)
        {
            return $"the consistency check failed: {report}";
        }

        bool users, parts;
        using (var read = db.BeginRead())
        {
            (users, parts) = (read.TryGetKeyspace("users", out _), read.TryGetKeyspace("parts", out _));
        }

        // A collection is checked once its construction committed (constructing it before would write).
        var problems = (users ? new UserCollection(db).CheckConsistency() : []).Concat(parts ? new PartCollection(db).CheckConsistency() : []).ToList();
        return problems.Count > 0 ? $"the collections' checks found: {string.Join("; ", problems.Take(3))}" : null;
    }

    /// <summary>How the recovered state differs from the nearest of the states the run allowed.</summary>
    private static string Difference(List<string> recovered, List<string>[] states, WorkloadRun run)
    {
        var (nearest, missing, extra) = Enumerable.Range((int)run.Acknowledged, run.Attempted - run.Acknowledged + 1)
            .Select(c => ((Commit)c, states[c].Except(recovered).ToList(), recovered.Except(states[c]).ToList()))
            .MinBy(d => d.Item2.Count + d.Item3.Count);
        return $"against the state after {nearest}, {missing.Count} entries missing ({string.Join(", ", missing.Take(2))}), {extra.Count} more ({string.Join(", ", extra.Take(2))})";
    }

    private sealed record WorkloadRun(
        SimulatedFileSystem FileSystem,
        Commit Acknowledged,
        Commit Attempted,
        List<string>[] States,
        Dictionary<Milestone, long> Milestones,
        long Operations,
        bool Crashed,
        long BulkInserted,
        long SpilledLeaves,
        BulkFacts Facts,
        long PartsInserted,
        BulkFacts PartFacts,
        Exception? Error);

    /// <summary>What a collection reads after the bulk commit: its count, and which documents around the refused one it holds.</summary>
    private readonly record struct BulkFacts(long Count, bool BeforeRefused, bool RefusedStored, bool TakenBackStored, bool ResumedStored);

    /// <summary>
    /// The workload, with power failing at storage operation <paramref name="crashAt"/>. <c>Acknowledged</c> is the last
    /// commit whose Commit returned (every one is durable), <c>Attempted</c> the last one begun. The state after each
    /// commit is read in every run, so that every run performs the same storage operations up to its crash.
    /// </summary>
    private static WorkloadRun Run(long crashAt)
    {
        var fs = new SimulatedFileSystem { CrashAtOperation = crashAt };
        var states = new List<string>[(int)Commit.Second + 1];
        var milestones = new Dictionary<Milestone, long>();
        var acknowledged = Commit.None;
        var attempted = Commit.None;
        long bulkInserted = 0;
        long spilled = 0;
        var facts = default(BulkFacts);
        long partsInserted = 0;
        var partFacts = default(BulkFacts);
        Exception? error = null;
        Database? db = null;

        void Committed(Commit commit)
        {
            acknowledged = commit;
            states[(int)commit] = State(db!);
        }

        try
        {
            db = Database.Open(Path, Options(), fs);
            states[(int)Commit.None] = State(db);

            attempted = Commit.UsersConstructed;
            var users = new UserCollection(db) { BulkChunk = Chunk };
            Committed(Commit.UsersConstructed);
            attempted = Commit.PartsConstructed;
            var parts = new PartCollection(db) { BulkChunk = Chunk };
            Committed(Commit.PartsConstructed);

            attempted = Commit.FirstBatch;
            using (var tx = db.BeginWrite(Durability.Durable))
            {
                users.InsertMany(Enumerable.Range(0, FirstBatch).Select(i => NewUser(i)).ToList(), tx);
                parts.InsertMany(Enumerable.Range(0, FirstParts).Select(i => NewPart(i)).ToList(), tx);
                tx.Commit();
            }

            Committed(Commit.FirstBatch);
            db.Checkpoint();

            attempted = Commit.Renamed;
            users.Update(NewUser(7, "renamed "));
            Committed(Commit.Renamed);

            milestones[Milestone.BulkBegun] = fs.Operations;
            var (bulkBefore, partsBefore) = (users.BulkInserted, parts.BulkInserted);
            attempted = Commit.Bulk;
            using (var tx = db.BeginWrite(Durability.Durable))
            {
                tx.Put(tx.CreateKeyspace("imports"), "bulk"u8, "1"u8); // a keyspace change: a private tree from the start
                var documents = Enumerable.Range(0, Bulk).Select(i => NewUser(FirstId + i)).ToList();
                documents[Refused].Email = "u300@x"; // a first-batch user holds it
                try
                {
                    users.InsertMany(documents, tx);
                    throw new InvalidOperationException($"The user at {Refused} was not refused.");
                }
                catch (UniqueConstraintException refusal) when (refusal.Index == "Email")
                {
                    // The caller keeps the documents before the refused one, and goes on.
                }

                users.InsertMany(documents[Resumed..], tx);
                for (var i = 0; i < Singles; i++)
                {
                    users.Insert(NewUser(FirstId + Bulk + i), tx);
                }

                var items = Enumerable.Range(0, BulkParts).Select(i => NewPart(FirstId + i)).ToList();
                items[RefusedPart].Code = "c250"; // a first-batch part holds it
                try
                {
                    parts.InsertMany(items, tx);
                    throw new InvalidOperationException($"The part at {RefusedPart} was not refused.");
                }
                catch (UniqueConstraintException refusal) when (refusal.Index == "Code")
                {
                    // Its run ended at the code's entry, after its tag entries were put: those of the parts from the
                    // refused one on were taken back.
                }

                parts.InsertMany(items[ResumedPart..], tx);

                milestones[Milestone.BulkCommitting] = fs.Operations;
                tx.Commit();
            }

            milestones[Milestone.BulkCommitted] = fs.Operations;
            Committed(Commit.Bulk);
            bulkInserted = users.BulkInserted - bulkBefore;
            spilled = db.Checkpointer?.PagesSpilled ?? 0;
            facts = new BulkFacts(
                users.Count(),
                users.Get(FirstId + Refused - 1) is not null,
                users.Get(FirstId + Refused) is not null,
                users.Get(FirstId + Refused + 1) is not null || users.ByEmail.Get($"u{FirstId + Resumed - 1}@x") is not null,
                users.Get(FirstId + Resumed) is not null);
            partsInserted = parts.BulkInserted - partsBefore;
            partFacts = new BulkFacts(
                parts.Count(),
                parts.Get(FirstId + RefusedPart - 1) is not null,
                parts.Get(FirstId + RefusedPart) is not null,
                parts.Get(FirstId + RefusedPart + 1) is not null || parts.TagEntries() != parts.Count(),
                parts.Get(FirstId + ResumedPart) is not null);

            attempted = Commit.Second;
            using (var tx = db.BeginWrite(Durability.Durable))
            {
                users.Update(NewUser(FirstId + 10, "again "), tx);
                users.Delete(FirstId + 20, tx);
                users.Delete(FirstId + Resumed + 3, tx);
                users.Insert(NewUser(FirstId + Refused), tx); // the refused key, with an Email of its own this time
                parts.Update(NewPart(FirstId + 5, "t9"), tx);
                parts.Delete(FirstId + ResumedPart + 1, tx);
                parts.Insert(NewPart(FirstId + RefusedPart + 1), tx); // a key taken back, with its tag entry
                tx.Commit();
            }

            Committed(Commit.Second);
        }
        catch (Exception ex)
        {
            error = ex;
        }
        finally
        {
            try
            {
                db?.Dispose(); // a clean close checkpoints; a crash in it loses nothing acknowledged
            }
            catch (Exception ex)
            {
                error ??= ex;
            }
        }

        return new WorkloadRun(fs, acknowledged, attempted, states, milestones, fs.Operations, fs.Crashed, bulkInserted, spilled, facts, partsInserted, partFacts, error);
    }

    /// <summary>
    /// Small pages and cache, no checkpoint but the ones asked for, large transactions and recovery's replay writing
    /// leaves out after a few nodes, every finished log chunk of a large transaction moved to the scratch file, and the
    /// bulk commit replayed from a second read of its frames: the same operations in the same order on every run.
    /// </summary>
    private static DatabaseOptions Options()
    {
        var options = new DatabaseOptions
        {
            PageSize = 4096,
            PageCacheBytes = 64 * 4096,
            WalSegmentBytes = 64 << 10,
            CheckpointWalBytes = 1L << 40,
            CheckpointInterval = TimeSpan.FromDays(1),
            TimeProvider = new FakeTimeProvider(Start),
            LogSpillBytes = 1,
            SpillLeavesAfter = 16,
            RecoveryHeldLogBytes = 4096,
            BackgroundWork = false,
        };
        options.Ttl.RunCollectorInBackground = false;
        return options;
    }

    /// <summary>A user whose expiry (on one in three) lies days after <see cref="Start"/>, which the clock never reaches.</summary>
    private static User NewUser(long id, string name = "") => new()
    {
        Id = id,
        Email = $"u{id}@x",
        Age = (int)(id % 50),
        Name = name + "n" + id,
        ExpiresAt = id % 3 == 0 ? Start + TimeSpan.FromDays(1 + (id % 40)) : null,
    };

    /// <summary>A part whose expiry (on even keys) lies days after <see cref="Start"/>.</summary>
    private static Part NewPart(long id, string? tag = null) => new()
    {
        Id = id,
        Code = $"c{id}",
        Tag = tag ?? $"t{id % 7}",
        ExpiresAt = id % 2 == 0 ? Start + TimeSpan.FromDays(2) : null,
    };

    /// <summary>Every key and value of every keyspace, one line each, in keyspace-name and key order.</summary>
    private static List<string> State(Database database)
    {
        using var read = database.BeginRead();
        return
        [
            .. read.GetKeyspaces()
                .OrderBy(k => k.Name, StringComparer.Ordinal)
                .SelectMany(k => read.Scan(k).Select(e => $"{k.Name} {Convert.ToHexString(e.Key)} {Convert.ToHexString(e.Value)}")),
        ];
    }
}
