using static Persistence.Tests.TestDatabases;

namespace Persistence.Tests.Transactions;

/// <summary>First-committer-wins at key granularity, for each way two transactions can touch the same key.</summary>
public sealed class ConflictTests
{
    private readonly Database _db = Database.OpenInMemory();
    private readonly Keyspace _ks;

    public ConflictTests()
    {
        _ks = _db.Write(tx =>
        {
            var ks = tx.CreateKeyspace("k");
            tx.Put(ks, Bytes("existing"), Bytes("0"));
            return ks;
        });
    }

    [Theory]
    [InlineData("update", "update")]
    [InlineData("delete", "update")]
    [InlineData("update", "delete")]
    [InlineData("delete", "delete")]
    [InlineData("insert", "insert")]
    public void Concurrent_writes_to_the_same_key_let_exactly_one_commit(string first, string second)
    {
        var key = first == "insert" ? "new" : "existing";
        using var a = _db.BeginWrite();
        using var b = _db.BeginWrite();
        Apply(a, first, key, "a");
        Apply(b, second, key, "b");
        a.Commit();
        var conflict = Assert.Throws<WriteConflictException>(b.Commit);
        Assert.Equal(ErrorCode.WriteConflict, conflict.Code);
        Assert.Equal("k", conflict.Keyspace);
        Assert.Contains("both wrote the same key in keyspace 'k'.", conflict.Message, StringComparison.Ordinal);
        using var read = _db.BeginRead();
        Assert.Equal(first == "delete" ? null : "a", read.Get(_ks, Bytes(key)) is { } v ? Text(v) : null);
        AssertConsistent(_db);
    }

    /// <summary>
    /// One detector serves every check: what an earlier check hashed must be gone before the next, or a key written by
    /// an unrelated earlier transaction would make a later one conflict. Each round's late writer hashes its own keys
    /// (it is the smaller side) and probes with those of the round's first writer, who writes the key the previous
    /// round's late writer wrote. The first round's check can be large (past the sets' kept capacity).
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2000)]
    public void A_check_keeps_nothing_of_the_checks_before_it(int firstSize)
    {
        for (var round = 0; round < 4; round++)
        {
            using var first = _db.BeginWrite();
            using var late = _db.BeginWrite();
            var size = round == 0 ? firstSize : 1;
            first.Put(_ks, Bytes($"key{round}"), Bytes("f"));
            late.Put(_ks, Bytes($"key{round + 1}"), Bytes("l"));
            for (var i = 1; i < size; i++)
            {
                first.Put(_ks, Bytes($"first{round}-{i}"), Bytes("f"));
                late.Put(_ks, Bytes($"late{round}-{i}"), Bytes("l"));
            }

            first.Commit();
            late.Commit(); // no shared key: never a conflict
        }

        AssertConsistent(_db);
    }

    /// <summary>
    /// The check hashes the smaller side (by operations) and probes with the other: a small transaction behind many
    /// commits, and a large one behind a few, both find the one shared key among many that are not, and both commit
    /// when nothing is shared.
    /// </summary>
    [Theory]
    [InlineData(1, 40, true)]
    [InlineData(1, 40, false)]
    [InlineData(500, 2, true)]
    [InlineData(500, 2, false)]
    public void A_shared_key_conflicts_whichever_side_is_larger(int mine, int others, bool share)
    {
        using var late = _db.BeginWrite();
        for (var i = 0; i < mine; i++)
        {
            late.Put(_ks, Bytes($"mine{i}"), Bytes("m"));
        }

        if (share)
        {
            late.Put(_ks, Bytes("shared"), Bytes("m"));
        }

        for (var c = 0; c < others; c++)
        {
            _db.Write(tx =>
            {
                for (var i = 0; i < 3; i++)
                {
                    tx.Put(_ks, Bytes($"other{c}-{i}"), Bytes("o"));
                }

                if (c == others / 2)
                {
                    tx.Put(_ks, Bytes("shared"), Bytes("o"));
                }
            });
        }

        if (share)
        {
            Assert.Equal("k", Assert.Throws<WriteConflictException>(late.Commit).Keyspace);
        }
        else
        {
            late.Commit();
        }

        using var read = _db.BeginRead();
        Assert.Equal("o", Text(read.Get(_ks, Bytes("shared"))));
        Assert.Equal(!share, read.ContainsKey(_ks, Bytes("mine0")));
        AssertConsistent(_db);
    }

    /// <summary>
    /// A check reads only the later logs whose key filters share a bit with its own: a one-key commit behind forty
    /// commits of three other keys each skips almost all of them (a shared bit, about one log in eighty, is read and
    /// found clean), and still commits. The forty commits, made in turn, check against no log.
    /// </summary>
    [Fact]
    public void A_check_skips_the_later_logs_whose_key_filters_share_nothing_with_its_own()
    {
        using var late = _db.BeginWrite();
        late.Put(_ks, Bytes("mine"), Bytes("m"));
        for (var c = 0; c < 40; c++)
        {
            _db.Write(tx =>
            {
                for (var i = 0; i < 3; i++)
                {
                    tx.Put(_ks, Bytes($"other{c}-{i}"), Bytes("o"));
                }
            });
        }

        var before = _db.Sequencer.ConflictLogsSkipped;
        late.Commit();
        Assert.InRange(_db.Sequencer.ConflictLogsSkipped - before, 30, 40);
        using var read = _db.BeginRead();
        Assert.Equal("m", Text(read.Get(_ks, Bytes("mine"))));
        AssertConsistent(_db);
    }

    [Fact]
    public void Concurrent_writes_to_disjoint_keys_both_commit()
    {
        using var a = _db.BeginWrite();
        using var b = _db.BeginWrite();
        a.Put(_ks, Bytes("x"), Bytes("a"));
        b.Put(_ks, Bytes("y"), Bytes("b"));
        b.Delete(_ks, Bytes("existing"));
        a.Commit();
        b.Commit();
        using var read = _db.BeginRead();
        Assert.Equal("a", Text(read.Get(_ks, Bytes("x"))));
        Assert.Equal("b", Text(read.Get(_ks, Bytes("y"))));
        Assert.False(read.ContainsKey(_ks, Bytes("existing")));
        AssertConsistent(_db);
    }

    [Fact]
    public void Creating_the_same_keyspace_concurrently_conflicts_and_dropping_a_written_keyspace_conflicts()
    {
        using (var a = _db.BeginWrite())
        using (var b = _db.BeginWrite())
        {
            a.CreateKeyspace("same");
            b.CreateKeyspace("same");
            a.Commit();
            Assert.Throws<WriteConflictException>(b.Commit);
        }

        using (var writer = _db.BeginWrite())
        using (var dropper = _db.BeginWrite())
        {
            writer.Put(_ks, Bytes("late"), Bytes("1"));
            dropper.DeleteKeyspace(_ks);
            writer.Commit();
            Assert.Throws<WriteConflictException>(dropper.Commit);
        }

        using var read = _db.BeginRead();
        Assert.Equal("1", Text(read.Get(read.GetKeyspace("k"), Bytes("late"))));
        Assert.True(read.TryGetKeyspace("same", out _));
    }

    [Fact]
    public void The_retry_helper_reruns_the_work_on_a_fresh_snapshot()
    {
        var attempts = 0;
        using var interferer = _db.BeginWrite();
        interferer.Put(_ks, Bytes("counter"), Bytes("5"));
        var result = _db.Write(tx =>
        {
            attempts++;
            var current = tx.Get(_ks, Bytes("counter")) is { } v ? int.Parse(Text(v), System.Globalization.CultureInfo.InvariantCulture) : 0;
            if (attempts == 1)
            {
                interferer.Commit(); // someone else commits between our read and our commit
            }

            tx.Put(_ks, Bytes("counter"), Bytes((current + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)));
            return current + 1;
        });
        Assert.Equal(2, attempts);
        Assert.Equal(6, result);
    }

    [Fact]
    public void The_retry_helper_gives_up_after_the_configured_attempts()
    {
        var attempts = 0;
        var error = Assert.Throws<PersistenceException>(() => _db.Write(tx =>
        {
            attempts++;
            tx.Put(_ks, Bytes("hot"), Bytes("mine"));
            _db.Write(other => other.Put(_ks, Bytes("hot"), Bytes("theirs")), durability: null);
        }, new RetryPolicy { MaxAttempts = 3, BaseDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero }));
        Assert.Equal(ErrorCode.RetryLimitExceeded, error.Code);
        Assert.IsType<WriteConflictException>(error.InnerException);
        Assert.Equal(3, attempts);
    }

    [Fact]
    public async Task The_async_retry_helper_takes_work_that_returns_nothing_and_reruns_it_on_a_conflict()
    {
        var attempts = 0;
        using var interferer = _db.BeginWrite();
        interferer.Put(_ks, Bytes("async"), Bytes("theirs"));
        await _db.WriteAsync(async (tx, cancellationToken) =>
        {
            attempts++;
            await Task.Yield();
            var theirs = tx.Get(_ks, Bytes("async")) is { } v ? Text(v) : "none";
            if (attempts == 1)
            {
                interferer.Commit(); // someone else commits between our read and our commit
            }

            tx.Put(_ks, Bytes("async"), Bytes("mine after " + theirs));
        });
        Assert.Equal(2, attempts);
        using var read = _db.BeginRead();
        Assert.Equal("mine after theirs", Text(read.Get(_ks, Bytes("async"))));
        AssertConsistent(_db);
    }

    [Fact]
    public async Task The_async_retry_helper_without_a_result_gives_up_after_the_configured_attempts()
    {
        var attempts = 0;
        var error = await Assert.ThrowsAsync<PersistenceException>(() => _db.WriteAsync((tx, _) =>
        {
            attempts++;
            tx.Put(_ks, Bytes("hot"), Bytes("mine"));
            _db.Write(other => other.Put(_ks, Bytes("hot"), Bytes("theirs")));
            return ValueTask.CompletedTask;
        }, new RetryPolicy { MaxAttempts = 3, BaseDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero }));
        Assert.Equal(ErrorCode.RetryLimitExceeded, error.Code);
        Assert.IsType<WriteConflictException>(error.InnerException);
        Assert.Equal(3, attempts);
    }

    [Fact]
    public async Task The_async_retry_helper_without_a_result_refuses_null_work_and_leaves_value_work_to_the_generic_form()
    {
        await Assert.ThrowsAsync<ArgumentNullException>(() => _db.WriteAsync(null!));

        // Work that returns a value still binds to WriteAsync<T> and gets its result back, in each lambda form.
        Assert.Equal(1, await _db.WriteAsync((tx, _) => ValueTask.FromResult(1)));
        Assert.Equal(2, await _db.WriteAsync(async (tx, _) =>
        {
            await Task.Yield();
            return 2;
        }));
        Assert.Equal(3, await _db.WriteAsync(async (tx, _) => await Task.FromResult(3)));
    }

    private void Apply(WriteTransaction tx, string operation, string key, string value)
    {
        if (operation == "delete")
        {
            Assert.True(tx.Delete(_ks, Bytes(key)));
        }
        else
        {
            tx.Put(_ks, Bytes(key), Bytes(value));
        }
    }
}
