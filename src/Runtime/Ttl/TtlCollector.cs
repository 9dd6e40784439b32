using Persistence.Diagnostics;

namespace Persistence.Ttl;

/// <summary>
/// Removes expired documents through each collection's normal delete path, in batches of bounded size, pausing after
/// each batch so that it uses at most a configured share of a thread and never starves foreground commits. Its cost
/// follows the number of expired documents: it walks each collection's expiry index from the oldest entry. Runs on
/// its own background loop, or is driven by a host through <see cref="Database.CollectExpiredAsync"/>.
/// </summary>
/// <remarks>
/// It also owns the access trackers of sliding-expiration collections (<see cref="Accesses"/>), one per documents
/// keyspace and shared by every instance of the collection: the instance registered here flushes the reads made
/// through all of them, and each instance's visibility and this collector's skip see them all.
/// </remarks>
internal sealed class TtlCollector
{
    /// <summary>
    /// The step of a collector's loop (its own or a host's) under way in this asynchronous flow: a pass, a flush between
    /// passes, the logging of a failure (<see cref="IsCollectorFlow"/>). Ended with the step, like a pass's scope.
    /// </summary>
    private static readonly AsyncLocal<FlowScope?> LoopFlow = new();

    /// <summary>
    /// The passes this asynchronous flow runs inside, innermost first, whoever called them (<see cref="IsCollectorFlow"/>):
    /// a pass whose code runs another database's pass is still under way there, and the close of its database waits for it.
    /// </summary>
    private static readonly AsyncLocal<FlowScope?> PassFlow = new();

    /// <summary>
    /// The longest sleep of the loop: intervals are valid at any length, and <c>Task.Delay</c> refuses one past about
    /// 49 days, so a longer one is slept in parts.
    /// </summary>
    private static readonly TimeSpan LongestSleep = TimeSpan.FromDays(1);

    /// <summary>
    /// How long the close waits, on the database's clock, for the loop and a pass under way to stop (<see cref="StopAsync"/>).
    /// A pass stops at its next batch or pause once the close began, and a batch is one transaction of at most
    /// <see cref="TtlOptions.BatchSize"/> deletes: a pass that reaches no such point in this time waits on code outside
    /// the engine, which may be waiting on the disposing thread.
    /// </summary>
    internal static readonly TimeSpan CloseWaitLimit = TimeSpan.FromSeconds(30);

    private readonly Database _database;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, ITtlCollection> _collections = new(StringComparer.Ordinal);
    private readonly Dictionary<int, AccessTracker> _accesses = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _handover = new();
    private bool _hostDriven;

    /// <summary>
    /// Held by whatever writes for the registered collections: a pass, the loop's flush between passes and the close's
    /// flush. Two of them at once began write transactions over the same pending reads, and the one that lost the
    /// conflict check (which a flush takes for "written meanwhile", and keeps its reads for later) dropped what only it
    /// had taken in: at the close there is no later.
    /// </summary>
    private readonly SemaphoreSlim _pass = new(1, 1);
    private Task? _loop;

    /// <summary>The loop a host's service runs (<see cref="RunAsync"/>), the latest one if it ran more than once.</summary>
    private Task? _hosted;
    private long _lastFlush;

    public TtlCollector(Database database)
    {
        _database = database;
        _lastFlush = database.TimeProvider.GetTimestamp();
    }

    public long Collected { get; private set; }

    /// <summary>Registers a collection (once per name) and starts the background loop on first use when configured to.</summary>
    public void Register(ITtlCollection collection)
    {
        lock (_lock)
        {
            _collections.TryAdd(collection.Name, collection);
            if (_loop is null && _database.Options.Ttl.RunCollectorInBackground && !_hostDriven && !_stop.IsCancellationRequested)
            {
                _loop = Task.Run(async () =>
                {
                    using var stop = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, _handover.Token);
                    await LoopAsync(stop.Token).ConfigureAwait(false);
                });
            }
        }
    }

    /// <summary>
    /// The access tracker of the sliding-expiration collection stored in <paramref name="documents"/>, created on first
    /// use and then shared by every instance of the collection for the database's lifetime.
    /// </summary>
    /// <remarks>
    /// Only the first instance of a collection is registered for collection (<see cref="Register"/>), so a tracker per
    /// instance left the reads of every other instance unflushed: the documents they kept reading expired on disk and
    /// were collected. Sharing the tracker rather than registering each instance also keeps the database from holding
    /// instances the application dropped. It is keyed by keyspace id, which a dropped and recreated keyspace does not reuse.
    /// </remarks>
    public AccessTracker Accesses(Keyspace documents)
    {
        AccessTracker? created = null;
        AccessTracker? tracker;
        lock (_lock)
        {
            if (!_accesses.TryGetValue(documents.Id, out tracker))
            {
                // Observed before the floor is read: every write sequenced after it is reported, and drops the reads of
                // the version it replaced. A commit that read the observers before (and so never reports to this
                // tracker) links its version only after its reports, both under the sequencer's lock: the floor is read
                // under that lock, so that a read of what such a commit replaced is never taken for a read of what it
                // wrote. The floor is set before any other instance can record a read into it (FloorGate).
                tracker = created = new AccessTracker(OldestSnapshot);
                created.FloorGate.Enter();
                _database.ObserveWrites(documents, created.Written);
                _accesses[documents.Id] = created;
            }
        }

        if (created is not null)
        {
            // Read without _lock: a thread that holds the sequencer's lock may be waiting for _lock (the application's
            // logger runs under it when a commit fails, and may construct the collection), and this read waits for it.
            try
            {
                return created.WithFloor(_database.Sequencer.LatestSequenced());
            }
            finally
            {
                created.FloorGate.Exit();
            }
        }

        // Created by another thread, which may still be reading the floor: wait for it, unless this thread holds the
        // sequencer's lock, which that read waits for. Reads made there before the floor is set are ignored.
        if (!_database.Sequencer.SyncRoot.IsHeldByCurrentThread)
        {
            tracker.FloorGate.Enter();
            tracker.FloorGate.Exit();
        }

        return tracker;
    }

    /// <summary>The oldest snapshot a reader may still hold: reads from older ones can no longer come in.</summary>
    /// <remarks>
    /// The oldest version the chain holds: every older one is retired, and a retired version can never be pinned again,
    /// so no reader can hold or take a snapshot older than it. The visible version and the oldest pinned one missed a
    /// reader that had taken the visible version and not pinned it yet: once a later version was visible and the other
    /// pins of its version were released, neither counted it, a write forgot the entries of the snapshot it then pinned
    /// (the read moved aside for it), and it saw a document read within its lifetime as expired. Read without the chain's
    /// reclamation lock and without a walk, under the commit sequencer's lock that a write's look runs under.
    /// </remarks>
    private long OldestSnapshot() => _database.Versions.Oldest.Number;

    /// <summary>
    /// True inside the collector's loop, its own or a host's (its logging, its deletes' commits), or inside a pass
    /// whoever runs it (a host's <see cref="Database.CollectExpiredAsync"/>, with the documents' code it calls), also
    /// from inside another database's pass that this one's code runs, which <see cref="StopAsync"/> waits for: a
    /// disposal from there must not wait for the close.
    /// </summary>
    public bool IsCollectorFlow => (LoopFlow.Value?.Includes(this) ?? false) || (PassFlow.Value?.Includes(this) ?? false);

    /// <summary>True once a collection with expiring documents is bound: only then does the snapshot clock hide anything.</summary>
    public bool HasCollections
    {
        get
        {
            lock (_lock)
            {
                return _collections.Count > 0;
            }
        }
    }

    /// <summary>
    /// One pass: every expired document of every registered collection, and pending sliding accesses. Once the close
    /// began (<see cref="StopAsync"/>), a pass under way stops collecting at its next batch or pause, so that the close,
    /// which waits for it, waits for no backlog and no pause; it still writes the pending reads of the collections it has
    /// not visited, and then fails with <see cref="ErrorCode.DatabaseClosed"/>, as a pass that begins once the close
    /// began does: its caller must not take the batches it did for all there was. The expired documents it leaves stay
    /// invisible, and the next open's passes collect them.
    /// </summary>
    public async Task<int> CollectAsync(CancellationToken cancellationToken)
    {
        await _pass.WaitAsync(cancellationToken).ConfigureAwait(false);
        var scope = new FlowScope(this, PassFlow.Value);
        PassFlow.Value = scope; // restored for the caller when this method returns or first yields
        try
        {
            if (_stop.IsCancellationRequested)
            {
                throw TransactionStateException.DatabaseClosed(); // after the close's flush: _stop may be disposed
            }

            var options = _database.Options.Ttl;
            var total = 0;
            var cutShort = false;
            foreach (var collection in Registered())
            {
                collection.FlushAccesses();
                while (!cancellationToken.IsCancellationRequested)
                {
                    if (_stop.IsCancellationRequested)
                    {
                        cutShort = true;
                        break;
                    }

                    // Measured and paused on the same clock, so a test's frozen fake clock means no pause at all.
                    var time = _database.TimeProvider;
                    var started = time.GetTimestamp();
                    var removed = collection.CollectExpired(options.BatchSize, _database.SnapshotClock());
                    total += removed;
                    Collected += removed;
                    if (removed > 0)
                    {
                        _database.Metrics.Expired(removed);
                        Log.ExpiredCollected(_database.Logger, collection.Name, removed, (long)time.GetElapsedTime(started).TotalMilliseconds);
                    }

                    if (removed < options.BatchSize)
                    {
                        break;
                    }

                    // Busy at most MaxCollectorShare of the time: pause in proportion to the batch just done.
                    var pause = time.GetElapsedTime(started) * ((1 / options.MaxCollectorShare) - 1);
                    if (pause > TimeSpan.Zero && !await PauseAsync(pause, cancellationToken).ConfigureAwait(false))
                    {
                        cutShort = true;
                        break;
                    }
                }
            }

            _lastFlush = _database.TimeProvider.GetTimestamp();
            return cutShort ? throw TransactionStateException.DatabaseClosed() : total;
        }
        finally
        {
            scope.End();
            _pass.Release();
        }
    }

    /// <summary>
    /// The pause after a batch, on the database's clock: false when the close cut it short. A pass the application
    /// runs pauses with its caller's token alone, and the close, which waits for the pass, waited for the whole pause
    /// (on a clock that does not move, a test's fake one, for ever).
    /// </summary>
    private async Task<bool> PauseAsync(TimeSpan pause, CancellationToken cancellationToken)
    {
        using var stopOrCancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token); // not disposed while a pass holds _pass
        try
        {
            await Task.Delay(pause, _database.TimeProvider, stopOrCancel.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>
    /// Writes pending sliding accesses if the flush interval has passed (called by the loop between passes), after a
    /// host's pass under way (<see cref="_pass"/>).
    /// </summary>
    private async Task FlushAccessesIfDueAsync(CancellationToken cancellationToken)
    {
        if (_database.TimeProvider.GetElapsedTime(_lastFlush) < _database.Options.Ttl.SlidingFlushInterval)
        {
            return;
        }

        await _pass.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var collection in Registered())
            {
                collection.FlushAccesses();
            }

            _lastFlush = _database.TimeProvider.GetTimestamp();
        }
        finally
        {
            _pass.Release();
        }
    }

    /// <summary>
    /// A pass under way in a flow, inside the passes of <see cref="Outer"/> (<see cref="PassFlow"/>); or a step of the
    /// collector's loop, with no outer one (<see cref="LoopFlow"/>).
    /// </summary>
    /// <remarks>
    /// The flow reaches the work the pass's or step's code starts (a task it runs and does not wait for), which may
    /// outlive it: once it ended, such work is no longer inside it (<see cref="End"/>). Counted inside, a Dispose from it
    /// (the application's shutdown, say) started the close elsewhere and returned at once, with the files still open.
    /// </remarks>
    private sealed record FlowScope(TtlCollector Collector, FlowScope? Outer)
    {
        private volatile bool _ended;

        /// <summary>The pass or step is over: the flows it reached are no longer inside it.</summary>
        public void End() => _ended = true;

        public bool Includes(TtlCollector collector)
        {
            for (var scope = this; scope is not null; scope = scope.Outer)
            {
                if (scope.Collector == collector && !scope._ended)
                {
                    return true;
                }
            }

            return false;
        }
    }

    private ITtlCollection[] Registered()
    {
        lock (_lock)
        {
            return [.. _collections.Values];
        }
    }

    /// <summary>
    /// The collector's loop, run by a host's service until cancelled or the database closes, in place of the
    /// database's own: that one stops first (its pass under way done), and does not start again. A second host's loop
    /// waits for the first to end, so that one loop at most runs; on a database closed or closing it ends at once.
    /// </summary>
    /// <remarks>
    /// The container opens its databases with their own loop on, and the host's service takes it over when the host
    /// starts. A database resolved from a host that is built and never run (a tool that uses the host for its
    /// configuration and services only) had its own loop turned off for a service that never ran: nothing collected
    /// expired documents or wrote sliding-expiration reads, which piled up in memory. The close (<see cref="StopAsync"/>)
    /// ends this loop as it ends the own one, and waits for its pass under way.
    /// </remarks>
    public Task RunAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_stop.IsCancellationRequested)
            {
                return Task.CompletedTask; // closed or closing: nothing is left to collect
            }

            _hostDriven = true; // Register starts no loop from now on
            var previous = _hosted ?? _loop;
            var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
            _hosted = Task.Run(() => RunHostedAsync(previous, stop));
            return _hosted;
        }
    }

    private async Task RunHostedAsync(Task? previous, CancellationTokenSource stop)
    {
        using (stop)
        {
            await _handover.CancelAsync().ConfigureAwait(false);
            if (previous is not null)
            {
                await previous.ConfigureAwait(false); // ends quietly: a loop returns when cancelled
            }

            await LoopAsync(stop.Token).ConfigureAwait(false);
        }
    }

    /// <summary>True once a host's service runs the loop (<see cref="RunAsync"/>), and the database's own loop has ended.</summary>
    internal bool IsHostDriven
    {
        get
        {
            lock (_lock)
            {
                return _hostDriven && (_loop?.IsCompleted ?? true);
            }
        }
    }

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        var options = _database.Options.Ttl;
        var lastPass = _database.TimeProvider.GetTimestamp();
        while (!cancellationToken.IsCancellationRequested)
        {
            // A disposal from the step must not wait for the close, which waits for the loop; work the step started and
            // did not wait for is outside the loop once the step ended (FlowScope).
            var step = new FlowScope(this, null);
            LoopFlow.Value = step;
            try
            {
                // Sleep until the pass is due (or the next sliding-expiry flush, if sooner), at most LongestSleep. A
                // timer that fires a little early only costs another short sleep for the remainder, never a whole interval.
                var untilPass = options.CollectorInterval - _database.TimeProvider.GetElapsedTime(lastPass);
                var delay = options.SlidingFlushInterval < untilPass ? options.SlidingFlushInterval : untilPass;
                if (delay > LongestSleep)
                {
                    delay = LongestSleep;
                }

                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, _database.TimeProvider, cancellationToken).ConfigureAwait(false);
                }

                if (_database.TimeProvider.GetElapsedTime(lastPass) >= options.CollectorInterval)
                {
                    try
                    {
                        await CollectAsync(cancellationToken).ConfigureAwait(false);
                    }
                    finally
                    {
                        // A failed pass counts too: retried at once, it failed again at once (a read-only database
                        // refuses every pass), and the loop kept a core busy.
                        lastPass = _database.TimeProvider.GetTimestamp();
                    }
                }
                else
                {
                    await FlushAccessesIfDueAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return; // stopped; a cancellation it did not ask for (a document's code throwing one) is a failed pass
            }
            catch (TransactionStateException ex) when (ex.Code == ErrorCode.DatabaseClosed)
            {
                // Closed: nothing is left to collect. Under a host the loop runs until the application stops, and the
                // application may dispose the database before that.
                return;
            }
            catch (DatabaseReadOnlyException)
            {
                // The engine logged the failure that made it read-only; the next open collects what expired meanwhile,
                // and expired documents stay invisible until then.
            }
            catch (Exception ex)
            {
                // Anything else (a stored document that no longer decodes, a document type whose members throw while
                // it is read back, say) is logged, and must neither stop the collector for good nor surface later from
                // Dispose, which would then leave the files open.
                Log.CollectorFailed(_database.Logger, _database.Path ?? ":memory:", ex);
            }
            finally
            {
                step.End();
            }
        }
    }

    /// <summary>
    /// Stops the background loop (the own one or a host's) and waits for its pass under way (whose last batch commits):
    /// blocking when <paramref name="synchronous"/> (the task is then complete), else awaiting it; then, once a pass
    /// that a host runs itself (<see cref="Database.CollectExpiredAsync"/>) is done, writes the sliding-expiration reads
    /// not flushed yet. Called once, by the database's close.
    /// </summary>
    /// <remarks>
    /// It waits at most <see cref="CloseWaitLimit"/> for the loop and the pass: a pass stops at its next batch or pause
    /// once the close began, so one that does not stop by then waits on code outside the engine, such as a document's
    /// code blocked on a lock the disposing thread holds, or a chain of calls through another database that waits for
    /// this close. Waiting on, the close would never end, and nothing would say why. It logs the wait (event 19) and goes
    /// on without the pass, as it goes on past a transaction the application left open: the pass fails with
    /// <see cref="ErrorCode.DatabaseClosed"/> at its next call into the database once it resumes, and the close's
    /// flush runs without the pass lock. A flush of the pass that was under way can still commit if it resumes before
    /// the database is marked closed (a slow but healthy batch, say), beside the close's own; once the database is
    /// marked closed it fails with <see cref="ErrorCode.DatabaseClosed"/>. A commit the pass made before is in flight,
    /// and the close waits for it as for any other.
    /// </remarks>
    public async ValueTask StopAsync(bool synchronous)
    {
        if (synchronous)
        {
            _stop.Cancel();
        }
        else
        {
            await _stop.CancelAsync().ConfigureAwait(false);
        }

        Task? loop;
        lock (_lock)
        {
            // None starts from now on: Register and RunAsync see the cancellation under the lock. A host's loop awaits
            // the own one (and an earlier host's) before it runs, so waiting for it waits for them all.
            loop = _hosted ?? _loop;
        }

        using var limit = new CancellationTokenSource(CloseWaitLimit, _database.TimeProvider);

        // After a pass under way that no loop ran (a host's CollectExpiredAsync), which stops at its next batch: begun
        // before it committed, the flush lost its conflict check to it, and the reads taken in meanwhile with it.
        var held = (loop is null || await EndsAsync(loop, synchronous, limit.Token).ConfigureAwait(false))
            && await TakePassAsync(synchronous, limit.Token).ConfigureAwait(false);
        if (!held)
        {
            Log.CloseLeftCollectorPass(_database.Logger, _database.Path ?? ":memory:", (long)CloseWaitLimit.TotalSeconds);
        }

        try
        {
            FlushAccessesAtClose();
        }
        finally
        {
            if (held)
            {
                _pass.Release();
                _stop.Dispose(); // else a pass the close left still reads it
            }
        }
    }

    /// <summary>True once <paramref name="task"/> ended, however it ended; false when <paramref name="limit"/> came first.</summary>
    private static async ValueTask<bool> EndsAsync(Task task, bool synchronous, CancellationToken limit)
    {
        try
        {
            if (synchronous)
            {
                Task.WaitAny([task], limit);
            }
            else
            {
                await Task.WhenAny(task).WaitAsync(limit).ConfigureAwait(false);
            }

            return true;
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested)
        {
            return task.IsCompleted;
        }
    }

    /// <summary>Takes <see cref="_pass"/>: true once held, false when <paramref name="limit"/> came first.</summary>
    private async ValueTask<bool> TakePassAsync(bool synchronous, CancellationToken limit)
    {
        try
        {
            if (synchronous)
            {
                _pass.Wait(limit);
            }
            else
            {
                await _pass.WaitAsync(limit).ConfigureAwait(false);
            }

            return true;
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>
    /// Writes the sliding-expiration reads not flushed yet, as the close's first write: the flush interval bounds what a
    /// crash loses of them, and a clean close loses none. A read-only database keeps its stored expiries. Called with
    /// <see cref="_pass"/> held.
    /// </summary>
    private void FlushAccessesAtClose()
    {
        if (_database.IsReadOnly)
        {
            return;
        }

        foreach (var collection in Registered())
        {
            try
            {
                collection.FlushAccesses();
            }
            catch (DatabaseReadOnlyException)
            {
                return; // turned read-only meanwhile: the engine logged why
            }
            catch (Exception ex)
            {
                // The close goes on: at worst these documents expire up to a flush interval early, as after a crash.
                Log.CollectorFailed(_database.Logger, _database.Path ?? ":memory:", ex);
            }
        }
    }
}
