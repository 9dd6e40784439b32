using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Globalization;
using Persistence.Benchmarks.Data;

namespace Persistence.Benchmarks.Runner;

/// <summary>
/// What one typed operation allocates, and of which types (<c>alloc [OPERATION] [COUNT]</c>): inserts with each
/// commit's durability (<c>insert-durable</c>, <c>insert-buffered</c>), <c>get</c> by Id, the W7 update
/// (<c>update</c>) and W1's bulk load (<c>insert-many</c>: one operation is one document of <c>InsertMany</c> in
/// batches of 10,000, all in one transaction); one thread, on a file database in the temp folder, after a warm-up. It prints the bytes allocated
/// per operation (<see cref="GC.GetTotalAllocatedBytes"/>, exact) and the types the runtime's allocation ticks name: the
/// runtime raises one tick per 100 KB allocated, naming the object that crossed the mark, so each type's share of the
/// ticks estimates its share of the bytes. Used to find what a commit allocates (W3 with 16 writers is CPU-bound, W9's
/// working set grows with the garbage between collections).
/// </summary>
internal static class AllocationProbe
{
    private static readonly string[] Operations = ["insert-durable", "insert-buffered", "get", "update", "insert-many"];

    /// <summary>W1's batch size (<see cref="UserBatches"/>).</summary>
    private const int BulkBatch = 10_000;

    public static int Run(string[] args)
    {
        var operations = args.Length > 0 && args[0] != "all" ? [args[0]] : Operations;
        var count = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200_000;
        foreach (var operation in operations)
        {
            if (Array.IndexOf(Operations, operation) < 0)
            {
                Console.Error.WriteLine($"alloc: unknown operation '{operation}'; one of {string.Join(", ", Operations)} or all");
                return 2;
            }
        }

        foreach (var operation in operations)
        {
            InTempDatabase((database, users) =>
            {
                if (operation == "insert-many")
                {
                    MeasureInsertMany(database, users, count);
                }
                else
                {
                    Measure(operation, count, database, users);
                }
            });
        }

        return 0;
    }

    private static void Measure(string operation, int count, Database database, UserCollection users)
    {
        var factory = new UserFactory(42);
        var preload = operation is "get" or "update" ? 100_000 : 0;
        if (preload > 0)
        {
            using var load = database.BeginWrite(Durability.Buffered);
            foreach (var batch in new UserBatches(factory, 1, preload))
            {
                users.InsertMany(batch, load);
            }

            load.Commit();
        }

        var next = preload + 1L;
        var warmup = Math.Min(count, 20_000);
        var step = OperationOf(operation, database, users, factory, preload, warmup + count);
        for (var i = 0; i < warmup; i++)
        {
            step(ref next);
        }

        using var ticks = new AllocationTicks();
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            step(ref next);
        }

        clock.Stop();
        Report(operation, GC.GetTotalAllocatedBytes(precise: true) - before, count, clock.Elapsed, ticks.Snapshot());
    }

    /// <summary>
    /// W1's load: <paramref name="count"/> users in batches of 10,000, all in one buffered transaction, after a warm-up
    /// load of its own. The users are made before the measured calls, so their strings and lists are not billed to
    /// <c>InsertMany</c>; the commit is measured apart, after them.
    /// </summary>
    private static void MeasureInsertMany(Database database, UserCollection users, int count)
    {
        var factory = new UserFactory(42);
        var warmup = Math.Min(count, 20_000);
        using (var load = database.BeginWrite(Durability.Buffered))
        {
            foreach (var batch in Batches(factory, 1, warmup))
            {
                users.InsertMany(batch, load);
            }

            load.Commit();
        }

        var batches = Batches(factory, 1 + warmup, count);
        using var ticks = new AllocationTicks();
        using var transaction = database.BeginWrite(Durability.Buffered);
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        foreach (var batch in batches)
        {
            users.InsertMany(batch, transaction);
        }

        clock.Stop();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        var byType = ticks.Snapshot();
        var commitStart = GC.GetTotalAllocatedBytes(precise: true);
        var commitClock = Stopwatch.StartNew();
        transaction.Commit();
        commitClock.Stop();
        var commit = GC.GetTotalAllocatedBytes(precise: true) - commitStart;
        Report("insert-many", allocated, count, clock.Elapsed, byType);
        Console.WriteLine(
            $"  commit: {commit:N0} B allocated ({commit / (double)count:F0} B/document, {commitClock.Elapsed.TotalSeconds:F2} s); {GC.CollectionCount(0)} gen0, {GC.CollectionCount(1)} gen1, {GC.CollectionCount(2)} gen2 collections in the process");
    }

    /// <summary>Users <c>[first, first + count)</c> in lists of W1's batch size, all made now.</summary>
    private static List<List<User>> Batches(UserFactory factory, long first, int count)
    {
        var batches = new List<List<User>>();
        for (var made = 0; made < count; made += BulkBatch)
        {
            var batch = new List<User>(Math.Min(BulkBatch, count - made));
            for (var i = made; i < count && i < made + BulkBatch; i++)
            {
                batch.Add(factory.Create(first + i));
            }

            batches.Add(batch);
        }

        return batches;
    }

    private static void Report(string operation, long allocated, int count, TimeSpan elapsed, Dictionary<string, long> byType)
    {
        var total = byType.Values.Sum();
        Console.WriteLine(
            $"{operation}: {allocated / (double)count:F0} B allocated/op over {count:N0} ops ({elapsed.TotalSeconds:F2} s, {count / elapsed.TotalSeconds:F0} ops/s), {total} allocation ticks");
        foreach (var (type, ticksOfType) in byType.OrderByDescending(pair => pair.Value).Take(20))
        {
            Console.WriteLine($"  {100.0 * ticksOfType / total,5:F1} %  ~{allocated * (double)ticksOfType / total / count,6:F0} B/op  {type}");
        }
    }

    /// <summary>Runs <paramref name="measure"/> on a new file database in the temp folder, deleted afterwards.</summary>
    private static void InTempDatabase(Action<Database, UserCollection> measure)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"persistence-alloc-{Environment.ProcessId}");
        Directory.CreateDirectory(directory);
        try
        {
            using var database = Database.Open(Path.Combine(directory, "users.db"), new DatabaseOptions { PageCacheBytes = 256L << 20 });
            measure(database, new UserCollection(database));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private delegate void Step(ref long next);

    private static Step OperationOf(string operation, Database database, UserCollection users, UserFactory factory, int preload, int operations)
    {
        // Inserts take documents made before the loops, so the factory's strings are not billed to the commits.
        var inserts = operation.StartsWith("insert", StringComparison.Ordinal) ? operations : 0;
        var made = new Queue<User>(inserts);
        for (var id = preload + 1L; made.Count < inserts; id++)
        {
            made.Enqueue(factory.Create(id));
        }

        var random = new SplitMix64(7);
        return operation switch
        {
            "insert-durable" or "insert-buffered" => (ref long next) =>
            {
                next++;
                using var transaction = database.BeginWrite(operation == "insert-durable" ? Durability.Durable : Durability.Buffered);
                users.Insert(made.Dequeue(), transaction);
                transaction.Commit();
            },
            "get" => (ref long _) => users.Get(1 + random.NextInt(preload)),
            _ => (ref long _) =>
            {
                using var transaction = database.BeginWrite(Durability.Buffered);
                var user = users.Get(1 + random.NextInt(preload), transaction)!;
                user.Name = user.Name.Length > 15 ? "Short Name Here" : "A Longer Name Here";
                users.Update(user, transaction);
                transaction.Commit();
            },
        };
    }

    /// <summary>Counts the runtime's GC allocation ticks by the type they name.</summary>
    private sealed class AllocationTicks : EventListener
    {
        private const EventKeywords GcKeyword = (EventKeywords)0x1;
        private readonly Dictionary<string, long> _byType = new(StringComparer.Ordinal);
        private readonly Lock _gate = new();

        public Dictionary<string, long> Snapshot()
        {
            lock (_gate)
            {
                return new Dictionary<string, long>(_byType, StringComparer.Ordinal);
            }
        }

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData)
        {
            if (eventData.EventName is null || !eventData.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) || eventData.PayloadNames is null)
            {
                return;
            }

            var index = eventData.PayloadNames.IndexOf("TypeName");
            var type = index >= 0 ? eventData.Payload?[index] as string ?? "?" : "?";
            lock (_gate)
            {
                _byType[type] = _byType.GetValueOrDefault(type) + 1;
            }
        }
    }
}
