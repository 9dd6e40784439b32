using System.Diagnostics;

namespace Persistence.Transactions;

/// <summary>
/// Fairness for <see cref="Database.Write{T}(Func{WriteTransaction, T}, RetryPolicy?, Durability?)"/>. Concurrency
/// control is optimistic: a transaction that keeps losing its conflict check to a stream of other commits (a hot key)
/// would fail with <see cref="ErrorCode.RetryLimitExceeded"/> whatever its backoff, because the winners never slow
/// down. So from its <see cref="TurnFromAttempt"/>th attempt a retried <c>Write</c> takes a turn alone: the attempts of
/// other <c>Write</c> calls already under way finish, new ones wait until it is done, and it runs on a snapshot that
/// no other <c>Write</c> changes. Turns are taken one at a time.
/// </summary>
/// <remarks>
/// <para>Every wait on a caller's code is bounded by <see cref="MaxWait"/>: a <c>Write</c> nested in a turn's work, or
/// a lock that a caller holds around <c>Write</c> while a turn's work wants it, delays a turn or an attempt by at most
/// that, and never deadlocks it. The bound is real time (a safety limit, not a clock the database reports).</para>
/// <para>Waits on commits have no bound: a commit runs no caller code, so it ends by itself. A turn waits for the
/// attempts already committing (<see cref="Committing"/>), and for the turn before it while that one commits; and while
/// a turn waits for commits or commits itself, new attempts wait for it however long that takes. Before, a disk stall
/// longer than the bound made every turn go ahead of the commit it waited for, read a snapshot without it and lose its
/// own conflict check, so a writer of a hot key ran out of attempts; and new attempts that went ahead of a turn after
/// the bound kept it waiting for their commits.</para>
/// <para>Transactions begun with <see cref="Database.BeginWrite"/> are not gated: they never block, as documented, and
/// may still make a turn's attempt conflict.</para>
/// </remarks>
internal sealed class WriteTurns
{
    /// <summary>The attempt from which a retried <c>Write</c> runs alone (after two conflicts).</summary>
    public const int TurnFromAttempt = 3;

    /// <summary>The longest any attempt or turn waits for another's work (not for a commit).</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromMilliseconds(100);

    private readonly SemaphoreSlim _turn = new(1, 1);
    private int _wanted; // turns asked for or held
    private int _running; // ordinary attempts under way, running the caller's work
    private int _committing; // ordinary attempts under way, committing
    private int _turnCommits; // 1 while the turn holding the lock commits
    private int _onCommits; // turns waiting for commits or committing: new attempts wait for them without a bound

    /// <summary>
    /// What <see cref="Enter"/> took, for <see cref="Leave"/>: a turn alone (and whether its lock), or an ordinary attempt;
    /// and whether it reached <see cref="Committing"/>.
    /// </summary>
    public readonly record struct Entry(bool Alone, bool Taken, bool Commits = false);

    /// <summary>Before attempt <paramref name="attempt"/> of a <c>Write</c>: a turn alone from <see cref="TurnFromAttempt"/> on, else an ordinary attempt.</summary>
    public Entry Enter(int attempt)
    {
        if (attempt >= TurnFromAttempt)
        {
            return new Entry(true, BeginTurn());
        }

        BeginAttempt();
        return new Entry(false, false);
    }

    /// <inheritdoc cref="Enter"/>
    public async ValueTask<Entry> EnterAsync(int attempt, CancellationToken cancellationToken = default)
    {
        if (attempt >= TurnFromAttempt)
        {
            return new Entry(true, await BeginTurnAsync(cancellationToken).ConfigureAwait(false));
        }

        await BeginAttemptAsync(cancellationToken).ConfigureAwait(false);
        return new Entry(false, false);
    }

    /// <summary>
    /// The caller's work of the attempt that <paramref name="entry"/> began has returned and its commit starts: from now
    /// on turns (and, for a turn, new attempts) wait for it however long it takes. Returns the entry to pass to
    /// <see cref="Leave"/>.
    /// </summary>
    public Entry Committing(Entry entry)
    {
        if (entry.Commits)
        {
            return entry;
        }

        if (entry.Alone)
        {
            Interlocked.Increment(ref _onCommits);
            if (entry.Taken)
            {
                Volatile.Write(ref _turnCommits, 1); // the next turn waits for this one's lock however long
            }
        }
        else
        {
            // Counted as committing before it stops counting as running: a turn that has seen no attempt running then
            // sees this one committing.
            Interlocked.Increment(ref _committing);
            Interlocked.Decrement(ref _running);
        }

        return entry with { Commits = true };
    }

    /// <summary>After the attempt that <paramref name="entry"/> began, however it ended.</summary>
    public void Leave(Entry entry)
    {
        if (entry.Alone)
        {
            if (entry.Commits)
            {
                Interlocked.Decrement(ref _onCommits);
            }

            EndTurn(entry.Taken);
        }
        else if (entry.Commits)
        {
            Interlocked.Decrement(ref _committing);
        }
        else
        {
            EndAttempt();
        }
    }

    /// <summary>
    /// Before an ordinary attempt: waits while a turn is wanted or held, at most <see cref="MaxWait"/> of the turn's work
    /// (then goes ahead anyway) and however long its waits for commits and its own commit last. Pair with
    /// <see cref="EndAttempt"/>.
    /// </summary>
    public void BeginAttempt()
    {
        var started = Stopwatch.GetTimestamp();
        while (!TryEnter(ref started))
        {
            WaitUntil(() => Volatile.Read(ref _wanted) == 0, started);
        }
    }

    /// <inheritdoc cref="BeginAttempt"/>
    public async ValueTask BeginAttemptAsync(CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        while (!TryEnter(ref started))
        {
            await WaitUntilAsync(() => Volatile.Read(ref _wanted) == 0, started, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Counts an ordinary attempt unless a turn is wanted (and the wait is not over). Counted first, then checked: a
    /// turn that counts itself first and then checks the attempts under way sees this one, or this one sees the turn
    /// (both are full fences). Called again after every wait, since a new turn may have come in meanwhile. While a turn
    /// is on commits, the bound starts again.
    /// </summary>
    private bool TryEnter(ref long started)
    {
        Interlocked.Increment(ref _running);
        if (Volatile.Read(ref _wanted) == 0)
        {
            return true;
        }

        if (Volatile.Read(ref _onCommits) > 0)
        {
            started = Stopwatch.GetTimestamp();
        }
        else if (Stopwatch.GetElapsedTime(started) >= MaxWait)
        {
            return true;
        }

        Interlocked.Decrement(ref _running);
        return false;
    }

    public void EndAttempt() => Interlocked.Decrement(ref _running);

    /// <summary>
    /// Takes a turn alone: waits for the turn before it (at most <see cref="MaxWait"/> while that one runs its work,
    /// however long it commits) and for the ordinary attempts running their work (at most <see cref="MaxWait"/>), then
    /// for the commits under way (however long). Returns whether it holds the turn's lock, for <see cref="EndTurn"/>.
    /// </summary>
    public bool BeginTurn()
    {
        var taken = _turn.Wait(MaxWait);
        while (!taken && LockHolderCommits())
        {
            taken = _turn.Wait(MaxWait);
        }

        Interlocked.Increment(ref _wanted);
        try
        {
            WaitUntil(() => Volatile.Read(ref _running) == 0, Stopwatch.GetTimestamp());
            Interlocked.Increment(ref _onCommits);
            try
            {
                WaitForCommits();
            }
            finally
            {
                Interlocked.Decrement(ref _onCommits);
            }
        }
        catch
        {
            EndTurn(taken); // interrupted: nothing may stay counted
            throw;
        }

        return taken;
    }

    /// <inheritdoc cref="BeginTurn"/>
    public async ValueTask<bool> BeginTurnAsync(CancellationToken cancellationToken = default)
    {
        var taken = await _turn.WaitAsync(MaxWait, cancellationToken).ConfigureAwait(false);
        try
        {
            while (!taken && LockHolderCommits())
            {
                taken = await _turn.WaitAsync(MaxWait, cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            if (taken)
            {
                _turn.Release();
            }

            throw;
        }

        Interlocked.Increment(ref _wanted);
        try
        {
            await WaitUntilAsync(() => Volatile.Read(ref _running) == 0, Stopwatch.GetTimestamp(), cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref _onCommits);
            try
            {
                while (Volatile.Read(ref _committing) != 0)
                {
                    await Task.Delay(1, cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                Interlocked.Decrement(ref _onCommits);
            }
        }
        catch
        {
            EndTurn(taken);
            throw;
        }

        return taken;
    }

    /// <summary>Turns wanted or held (tests).</summary>
    internal int Wanted => Volatile.Read(ref _wanted);

    /// <summary>Ordinary attempts under way, running their work (tests).</summary>
    internal int Running => Volatile.Read(ref _running);

    /// <summary>Ordinary attempts under way, committing (tests).</summary>
    internal int Commits => Volatile.Read(ref _committing);

    /// <summary>Turns waiting for commits or committing (tests).</summary>
    internal int OnCommits => Volatile.Read(ref _onCommits);

    /// <summary>Whether a turn's lock is free (tests).</summary>
    internal bool TurnFree => _turn.CurrentCount == 1;

    public void EndTurn(bool taken)
    {
        Interlocked.Decrement(ref _wanted);
        if (taken)
        {
            Volatile.Write(ref _turnCommits, 0);
            _turn.Release();
        }
    }

    // A lock wait that timed out goes on while the holder commits; and when the lock is free again, since the holder may
    // have cleared its flag just before it let go.
    private bool LockHolderCommits() => Volatile.Read(ref _turnCommits) == 1 || _turn.CurrentCount > 0;

    private static void WaitUntil(Func<bool> done, long started)
    {
        var spinner = default(SpinWait);
        var waiting = Stopwatch.GetTimestamp();
        while (!done() && Stopwatch.GetElapsedTime(started) < MaxWait)
        {
            Pause(ref spinner, waiting);
        }
    }

    private void WaitForCommits()
    {
        var spinner = default(SpinWait);
        var waiting = Stopwatch.GetTimestamp();
        while (Volatile.Read(ref _committing) != 0)
        {
            Pause(ref spinner, waiting);
        }
    }

    private static readonly TimeSpan SpinFor = TimeSpan.FromMilliseconds(2);

    // Spins while waits usually end (a turn lasts microseconds: no 1 ms sleeps at first), then sleeps: a stalled disk
    // can hold a commit for seconds.
    private static void Pause(ref SpinWait spinner, long waiting)
    {
        if (Stopwatch.GetElapsedTime(waiting) < SpinFor)
        {
            spinner.SpinOnce(sleep1Threshold: -1);
        }
        else
        {
            Thread.Sleep(1);
        }
    }

    // Polls on the thread pool's timer, so under a starved pool the bound can stretch; an asynchronous caller blocks no
    // thread meanwhile.
    private static async ValueTask WaitUntilAsync(Func<bool> done, long started, CancellationToken cancellationToken)
    {
        while (!done() && Stopwatch.GetElapsedTime(started) < MaxWait)
        {
            await Task.Delay(1, cancellationToken).ConfigureAwait(false);
        }
    }
}
