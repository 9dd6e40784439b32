using Persistence.Testing;
using static Persistence.Tests.TestDatabases;

namespace Persistence.Tests;

/// <summary>Review findings on the public API's lifecycle and misuse: disposal, options and handles.</summary>
public sealed class LifecycleReviewTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_dispose_racing_another_returns_only_once_the_files_are_closed(bool asynchronously)
    {
        var fs = new SimulatedFileSystem();
        var db = Open(fs);
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        db.Write(tx => tx.Put(ks, Bytes("a"), Bytes("b")));
        using var inFinalCheckpoint = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var block = 1;
        fs.Fault = point =>
        {
            // The first flush of the data file is the final checkpoint's: hold the first Dispose there.
            if (point.Kind == FaultKind.Flush && point.Path == db.Path && Interlocked.Exchange(ref block, 0) == 1)
            {
                inFinalCheckpoint.Set();
                release.Wait();
            }

            return null;
        };

        var first = Dedicated(db.Dispose);
        inFinalCheckpoint.Wait();
        var second = Task.Run(async () =>
        {
            if (asynchronously)
            {
                await db.DisposeAsync();
            }
            else
            {
                db.Dispose();
            }

            // The caller of a Dispose that returned may reopen at once: the lock must be released by then.
            using var reopened = Open(fs);
            using var read = reopened.BeginRead();
            return read.Get(read.GetKeyspace("k"), Bytes("a"));
        });

        // Before the fix the second call returned at once, with the first still holding the files and the lock. It now
        // waits for the first; the pause only gives a wrong early return the chance to show.
        await Task.WhenAny(second, Task.Delay(TimeSpan.FromMilliseconds(300)));
        release.Set();
        await first;
        Assert.Equal(Bytes("b"), await second);
        db.Dispose(); // and again, once closed: nothing happens
        await db.DisposeAsync();
    }

    [Fact]
    public void An_undefined_durability_is_refused_rather_than_acknowledged_without_a_sync()
    {
        using var db = Open(new SimulatedFileSystem());
        var ex = Assert.Throws<InvalidOptionsException>(() => db.BeginWrite((Durability)7));
        Assert.Equal(ErrorCode.InvalidOptions, ex.Code);
        Assert.Equal("durability", ex.Option);
        db.Write(tx => tx.CreateKeyspace("k")); // still usable
    }

    [Fact]
    public void Null_expiry_or_collection_settings_are_invalid_options_not_a_null_reference()
    {
        var noTtl = new DatabaseOptions { Ttl = null! };
        Assert.Equal("Ttl", Assert.Throws<InvalidOptionsException>(() => Database.OpenInMemory(noTtl)).Option);
        Assert.Equal("Ttl", Assert.Throws<InvalidOptionsException>(() => Open(new SimulatedFileSystem(), noTtl)).Option);

        var noCollection = new DatabaseOptions();
        noCollection.Collections["users"] = null!;
        Assert.Equal("Collections[users]", Assert.Throws<InvalidOptionsException>(() => Database.OpenInMemory(noCollection)).Option);
        Assert.Equal("Collections[users]", Assert.Throws<InvalidOptionsException>(noCollection.Validate).Option);
    }

    [Fact]
    public void A_disposed_cursor_refuses_its_key_and_value()
    {
        using var db = Database.OpenInMemory();
        var ks = db.Write(tx =>
        {
            var keyspace = tx.CreateKeyspace("k");
            tx.Put(keyspace, Bytes("a"), Bytes("b"));
            return keyspace;
        });
        using var read = db.BeginRead();
        var cursor = read.OpenCursor(ks);
        Assert.True(cursor.First());
        cursor.Dispose();
        Assert.Equal(ErrorCode.CursorClosed, Assert.Throws<TransactionStateException>(() => cursor.Key.ToArray()).Code);
        Assert.Equal(ErrorCode.CursorClosed, Assert.Throws<TransactionStateException>(() => cursor.Value.ToArray()).Code);
        Assert.Equal(ErrorCode.CursorClosed, Assert.Throws<TransactionStateException>(() => cursor.Next()).Code);
    }
}
