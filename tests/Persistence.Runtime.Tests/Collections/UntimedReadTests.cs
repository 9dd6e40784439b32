using System.Runtime.CompilerServices;

namespace Persistence.Tests.Collections;

/// <summary>
/// A lookup without a transaction (<c>Get</c>, a unique index's <c>Get</c>) reads in a transaction of the library's own,
/// which each thread reuses, and encodes the looked-up value on the stack.
/// </summary>
public sealed class UntimedReadTests
{
    [Fact]
    public void A_lookup_without_a_transaction_allocates_only_the_document()
    {
        using var db = Database.OpenInMemory();
        var users = new UserCollection(db);
        users.Insert(new User { Id = 7, Email = "ada@example.com", Age = 36, Name = "Ada", Tags = ["math", "engines"] });
        using var snapshot = db.BeginRead();

        var document = AllocatedBy(() => users.Get(7, snapshot));
        Assert.Equal(document, AllocatedBy(() => users.Get(7)));
        Assert.Equal(document, AllocatedBy(() => users.ByEmail.Get("ada@example.com", snapshot)));
        Assert.Equal(document, AllocatedBy(() => users.ByEmail.Get("ada@example.com")));
    }

    [Fact]
    public void Each_lookup_reads_the_latest_commit_of_its_own_database()
    {
        using var first = Database.OpenInMemory();
        using var second = Database.OpenInMemory();
        var firstUsers = new UserCollection(first);
        var secondUsers = new UserCollection(second);
        firstUsers.Insert(new User { Id = 1, Email = "first@example.com", Age = 20 });
        secondUsers.Insert(new User { Id = 1, Email = "second@example.com", Age = 30 });

        for (var age = 21; age < 25; age++)
        {
            Assert.Equal("first@example.com", firstUsers.Get(1)!.Email);
            Assert.Equal("second@example.com", secondUsers.Get(1)!.Email);
            Assert.Null(firstUsers.ByEmail.Get("second@example.com"));
            Assert.Equal(30, secondUsers.ByEmail.Get("second@example.com")!.Age);

            firstUsers.Update(new User { Id = 1, Email = "first@example.com", Age = age });
            Assert.Equal(age, firstUsers.Get(1)!.Age);
            Assert.Equal(age, firstUsers.ByEmail.Get("first@example.com")!.Age);
        }
    }

    [Fact]
    public void A_lookup_after_its_database_closed_is_refused()
    {
        var db = Database.OpenInMemory();
        var users = new UserCollection(db);
        users.Insert(new User { Id = 1, Email = "ada@example.com" });
        Assert.NotNull(users.Get(1));
        db.Dispose();

        Assert.Equal(ErrorCode.DatabaseClosed, Assert.Throws<TransactionStateException>(() => users.Get(1)).Code);
        Assert.Equal(ErrorCode.DatabaseClosed, Assert.Throws<TransactionStateException>(() => users.ByEmail.Get("ada@example.com")).Code);
    }

    [Fact]
    public void The_transaction_kept_for_reuse_holds_no_closed_database_alive()
    {
        var database = ReadOnceAndClose();
        for (var i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        Assert.False(database.IsAlive);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference ReadOnceAndClose()
    {
        var db = Database.OpenInMemory();
        var users = new UserCollection(db);
        users.Insert(new User { Id = 1, Email = "ada@example.com" });
        Assert.NotNull(users.Get(1));
        Assert.NotNull(users.ByEmail.Get("ada@example.com"));
        db.Dispose();
        return new WeakReference(db);
    }

    private static long AllocatedBy(Func<User?> lookup)
    {
        for (var i = 0; i < 100; i++)
        {
            Assert.NotNull(lookup()); // past the first calls' one-time work
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        var document = lookup();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.NotNull(document);
        return allocated;
    }
}
