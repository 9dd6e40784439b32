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
/// <para>A turn waits without that bound for attempts that are already committing (<see cref="Committing"/>), the turn
/// before it included: a commit
/// runs no caller code, so it finishes by itself, and a turn that went ahead of one (say, while the disk stalls the
/// log write for longer than the bound) would start from a snapshot without it and lose its own conflict check. Before,
/// a disk stall made every turn time out and a writer of a hot key run out of attempts.</para>
/// <para>Transactions begun with <see cref="Database.BeginWrite"/> are not gated: they never block, as documented, and
/// may still make a turn's attempt conflict.</para>
/// </remarks>
internal sealed class WriteTurns
{
    /// <summary>The attempt from which a retried <c>Write</c> runs alone (after two conflicts).</summary>
    public const int TurnFromAttempt = 3;

    /// <summary>The longest any attempt or turn waits for another's work (not for its commit).</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromMilliseconds(100);

    private readonly SemaphoreSlim _turn = new(1, 1);
    private int _wanted; // turns asked for or held
    private int _running; // ordinary attempts under way, running the caller's work
    private int _committing; // ordinary attempts under way, committing
    private int _turnCommits; // 1 while the turn holding the lock commits

    /// <summary>
    /// What <see cref="Enter"/> took, for <see cref="Leave"/>: a turn alone (and whether its lock), or an ordinary attempt
    /// (and whether it reached <see cref="Committing"/>).
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
    public async ValueTask<Entry> EnterAsync(int attempt)
    {
        if (attempt >= TurnFromAttempt)
        {
            return new Entry(true, await BeginTurnAsync().ConfigureAwait(false));
        }

        await BeginAttemptAsync().ConfigureAwait(false);
        return new Entry(false, false);
    }

    /// <summary>
    /// The caller's work of the attempt that <paramref name="entry"/> began has returned and its commit starts: from now
    /// on a turn waits for it to end however long it takes. Returns the entry to pass to <see cref="Leave"/>.
    /// </summary>
    public Entry Committing(Entry entry)
    {
        if (entry.Commits)
        {
            return entry;
        }

        if (entry.Alone)
        {
            if (entry.Taken)
            {
                Volatile.Write(ref _turnCommits, 1); // the next turn waits for this one's lock however long
            }

            return entry with { Commits = true };
        }

        // Counted as committing before it stops counting as running: a turn that has seen no attempt running then sees
        // this one committing.
        Interlocked.Increment(ref _committing);
        Interlocked.Decrement(ref _running);
        return entry with { Commits = true };
    }

    /// <summary>After the attempt that <paramref name="entry"/> began, however it ended.</summary>
    public void Leave(Entry entry)
    {
        if (entry.Alone)
        {
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
    /// Before an ordinary attempt: waits while a turn is wanted or held (at most <see cref="MaxWait"/> in all, then goes
    /// ahead anyway). Pair with <see cref="EndAttempt"/>.
    /// </summary>
    public void BeginAttempt()
    {
        var started = Stopwatch.GetTimestamp();
        while (!TryEnter(started))
        {
            WaitUntil(() => Volatile.Read(ref _wanted) == 0, started);
        }
    }

    /// <inheritdoc cref="BeginAttempt"/>
    public async ValueTask BeginAttemptAsync()
    {
        var started = Stopwatch.GetTimestamp();
        while (!TryEnter(started))
        {
            await WaitUntilAsync(() => Volatile.Read(ref _wanted) == 0, started).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Counts an ordinary attempt unless a turn is wanted (and the wait is not over). Counted first, then checked: a
    /// turn that counts itself first and then checks the attempts under way sees this one, or this one sees the turn
    /// (both are full fences). Called again after every wait, since a new turn may have come in meanwhile.
    /// </summary>
    private bool TryEnter(long started)
    {
        Interlocked.Increment(ref _running);
        if (Volatile.Read(ref _wanted) == 0 || Stopwatch.GetElapsedTime(started) >= MaxWait)
        {
            return true;
        }

        Interlocked.Decrement(ref _running);
        return false;
    }

    public void EndAttempt() => Interlocked.Decrement(ref _running);

    /// <summary>
    /// Takes a turn alone: waits for the turn before it and for the ordinary attempts running their work (each at most
    /// <see cref="MaxWait"/>, unless the turn before it commits), then for the commits under way (however long). Returns whether it holds the turn's lock,
    /// for <see cref="EndTurn"/>.
    /// </summary>
    public bool BeginTurn()
    {
        var taken = _turn.Wait(MaxWait);
        while (!taken && Volatile.Read(ref _turnCommits) == 1)
        {
            taken = _turn.Wait(MaxWait);
        }

        Interlocked.Increment(ref _wanted);
        try
        {
            WaitUntil(() => Volatile.Read(ref _running) == 0, Stopwatch.GetTimestamp());
            WaitForCommits();
        }
        catch
        {
            EndTurn(taken); // interrupted: nothing may stay counted
            throw;
        }

        return taken;
    }

    /// <inheritdoc cref="BeginTurn"/>
    public async ValueTask<bool> BeginTurnAsync()
    {
        var taken = await _turn.WaitAsync(MaxWait).ConfigureAwait(false);
        while (!taken && Volatile.Read(ref _turnCommits) == 1)
        {
            taken = await _turn.WaitAsync(MaxWait).ConfigureAwait(false);
        }

        Interlocked.Increment(ref _wanted);
        try
        {
            await WaitUntilAsync(() => Volatile.Read(ref _running) == 0, Stopwatch.GetTimestamp()).ConfigureAwait(false);
            while (Volatile.Read(ref _committing) != 0)
            {
                await Task.Delay(1).ConfigureAwait(false);
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

    private static void WaitUntil(Func<bool> done, long started)
    {
        var spinner = default(SpinWait);
        while (!done() && Stopwatch.GetElapsedTime(started) < MaxWait)
        {
            spinner.SpinOnce(sleep1Threshold: -1); // a turn lasts microseconds: no 1 ms sleeps
        }
    }

    // Spins while commits usually end (microseconds), then sleeps: a stalled disk can hold them for seconds.
    private void WaitForCommits()
    {
        var spinner = default(SpinWait);
        while (Volatile.Read(ref _committing) != 0)
        {
            spinner.SpinOnce();
        }
    }

    // Polls on the thread pool's timer, so under a starved pool the bound can stretch; an asynchronous caller blocks no
    // thread meanwhile.
    private static async ValueTask WaitUntilAsync(Func<bool> done, long started)
    {
        while (!done() && Stopwatch.GetElapsedTime(started) < MaxWait)
        {
            await Task.Delay(1).ConfigureAwait(false);
        }
    }
}
