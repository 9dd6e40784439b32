using Persistence.Storage;
using Persistence.Testing;
using static Persistence.Tests.TestDatabases;

namespace Persistence.Tests;

/// <summary>Every misuse and every unusable file gives a typed exception with a code, and loses nothing.</summary>
public sealed class BadInputTests
{
    [Fact]
    public void Empty_and_oversized_keys_are_refused_and_the_transaction_stays_usable()
    {
        var fs = new SimulatedFileSystem();
        using var db = TestDatabases.Open(fs);
        using var tx = db.BeginWrite();
        var ks = tx.CreateKeyspace("k");
        Assert.Equal(ErrorCode.KeyEmpty, Assert.Throws<LimitExceededException>(() => tx.Put(ks, [], Bytes("v"))).Code);
        Assert.Equal(ErrorCode.KeyEmpty, Assert.Throws<LimitExceededException>(() => tx.Get(ks, [])).Code);
        var tooLong = new byte[db.MaxKeySize + 1];
        Assert.Equal(ErrorCode.KeyTooLarge, Assert.Throws<LimitExceededException>(() => tx.Put(ks, tooLong, Bytes("v"))).Code);
        Assert.Equal(ErrorCode.KeyTooLarge, Assert.Throws<LimitExceededException>(() => tx.Delete(ks, tooLong)).Code);
        tx.Put(ks, new byte[db.MaxKeySize], Bytes("longest key"));
        tx.Put(ks, Bytes("ok"), Bytes("still usable"));
        tx.Commit();
        using var read = db.BeginRead();
        Assert.Equal("longest key", Text(read.Get(read.GetKeyspace("k"), new byte[db.MaxKeySize])));
        Assert.Equal("still usable", Text(read.Get(read.GetKeyspace("k"), Bytes("ok"))));
    }

    [Fact]
    public void Values_up_to_the_limit_work_and_larger_ones_are_refused()
    {
        var fs = new SimulatedFileSystem();
        var db = TestDatabases.Open(fs);
        var big = new byte[Database.MaxValueSize];
        new Random(1).NextBytes(big.AsSpan(0, 1 << 20));
        big[^1] = 0xAB;
        db.Write(tx => tx.Put(tx.CreateKeyspace("k"), Bytes("big"), big));
        var error = Assert.Throws<LimitExceededException>(() => db.Write(tx => tx.Put(tx.GetKeyspace("k"), Bytes("bigger"), new byte[Database.MaxValueSize + 1])));
        Assert.Equal(ErrorCode.ValueTooLarge, error.Code);
        db = CloseCheckAndReopen(db, fs);
        using (var read = db.BeginRead())
        {
            Assert.Equal(big, read.Get(read.GetKeyspace("k"), Bytes("big")));
            Assert.False(read.ContainsKey(read.GetKeyspace("k"), Bytes("bigger")));
        }

        db.Dispose();
    }

    [Theory]
    [InlineData("")]
    [InlineData(" padded")]
    [InlineData("tab\there")]
    public void Invalid_keyspace_names_are_refused(string name)
    {
        using var db = Database.OpenInMemory();
        using var tx = db.BeginWrite();
        Assert.Equal(ErrorCode.InvalidKeyspaceName, Assert.Throws<KeyspaceException>(() => tx.CreateKeyspace(name)).Code);
        Assert.Equal(ErrorCode.InvalidKeyspaceName, Assert.Throws<KeyspaceException>(() => tx.CreateKeyspace(new string('x', 256))).Code);
        Assert.Equal(ErrorCode.KeyspaceNotFound, Assert.Throws<KeyspaceException>(() => tx.GetKeyspace("missing")).Code);
        tx.CreateKeyspace("dup");
        Assert.Equal(ErrorCode.KeyspaceExists, Assert.Throws<KeyspaceException>(() => tx.CreateKeyspace("dup")).Code);
    }

    /// <summary>
    /// A null primary key passed to a lookup or a delete is an <see cref="ArgumentNullException"/> naming the argument,
    /// before anything is read or written, as .NET refuses a null key. Encoding it used to report a document member that
    /// "cannot be stored" (<see cref="PersistenceSerializationException"/>), which is wrong for a read.
    /// </summary>
    [Fact]
    public async Task A_null_primary_key_is_refused_as_a_null_argument_by_every_lookup_and_delete()
    {
        using var db = Database.OpenInMemory(Quiet());
        var notes = new Collections.BulkInsertTests.NoteCollection(db);
        notes.Insert(new Collections.BulkInsertTests.Note { Id = "n1" });

        Assert.Equal("key", Assert.Throws<ArgumentNullException>(() => notes.Get(null!)).ParamName);
        Assert.Equal("key", Assert.Throws<ArgumentNullException>(() => notes.TryGet(null!, out _)).ParamName);
        Assert.Equal("key", Assert.Throws<ArgumentNullException>(() => notes.Contains(null!)).ParamName);
        Assert.Equal("from", Assert.Throws<ArgumentNullException>(() => notes.Range(null!, "z")).ParamName);
        Assert.Equal("to", Assert.Throws<ArgumentNullException>(() => notes.Range("a", null!)).ParamName);
        Assert.Equal("key", Assert.Throws<ArgumentNullException>(() => notes.Delete(null!)).ParamName);
        Assert.Equal("key", Assert.Throws<ArgumentNullException>(() => { _ = notes.GetAsync(null!); }).ParamName); // at the call, as DeleteAsync
        Assert.Equal("key", (await Assert.ThrowsAsync<ArgumentNullException>(() => notes.DeleteAsync(null!))).ParamName);
        Assert.Equal("key", Assert.Throws<ArgumentNullException>(() => { _ = notes.ContainsAsync(null!); }).ParamName); // at the call, as DeleteAsync
        Assert.NotNull(notes.Get("n1"));
        Assert.Equal(1, notes.Count());
    }

    [Fact]
    public void Use_after_dispose_or_commit_is_refused()
    {
        var db = Database.OpenInMemory();
        var tx = db.BeginWrite();
        var ks = tx.CreateKeyspace("k");
        tx.Commit();
        Assert.Equal(ErrorCode.TransactionCompleted, Assert.Throws<TransactionStateException>(() => tx.Put(ks, Bytes("a"), Bytes("b"))).Code);
        Assert.Equal(ErrorCode.TransactionCompleted, Assert.Throws<TransactionStateException>(() => tx.Commit()).Code);
        db.Write(tx => tx.Put(ks, Bytes("a"), Bytes("b")));
        var read = db.BeginRead();
        var cursor = read.OpenCursor(ks);
        Assert.True(cursor.First());
        read.Dispose();
        Assert.Equal(ErrorCode.TransactionCompleted, Assert.Throws<TransactionStateException>(() => cursor.Next()).Code);
        Assert.Equal(ErrorCode.TransactionCompleted, Assert.Throws<TransactionStateException>(() => cursor.Previous()).Code);
        Assert.Equal(ErrorCode.TransactionCompleted, Assert.Throws<TransactionStateException>(() => read.Get(ks, Bytes("a"))).Code);
        Assert.Equal(ErrorCode.TransactionCompleted, Assert.Throws<TransactionStateException>(() => cursor.First()).Code);
        db.Dispose();
        Assert.Equal(ErrorCode.DatabaseClosed, Assert.Throws<TransactionStateException>(() => db.BeginRead()).Code);
        Assert.Equal(ErrorCode.DatabaseClosed, Assert.Throws<TransactionStateException>(() => db.BeginWrite()).Code);
    }

    [Fact]
    public void A_read_transaction_has_no_way_to_write()
    {
        // Writing through a read transaction is a compile-time error: the type has no write members at all.
        var writeMembers = new[] { "Put", "Delete", "Commit", "CreateKeyspace", "DeleteKeyspace" };
        Assert.DoesNotContain(typeof(ReadTransaction).GetMethods(), m => writeMembers.Contains(m.Name));
        using var db = Database.OpenInMemory();
        using var read = db.BeginRead();
        Assert.IsNotType<WriteTransaction>(read, exactMatch: false);
    }

    [Fact]
    public void A_handle_from_another_database_is_refused()
    {
        using var a = Database.OpenInMemory();
        using var b = Database.OpenInMemory();
        var foreign = a.Write(tx => tx.CreateKeyspace("k"));
        b.Write(tx => tx.CreateKeyspace("k"));
        using var tx = b.BeginWrite();
        Assert.Equal(ErrorCode.ForeignHandle, Assert.Throws<KeyspaceException>(() => tx.Put(foreign, Bytes("a"), Bytes("b"))).Code);
    }

    [Fact]
    public void A_file_that_is_not_a_database_is_refused_and_left_untouched()
    {
        var fs = new SimulatedFileSystem();
        IFileSystem files = fs;
        using (var file = files.OpenFile("/sim/notes.txt", create: true))
        {
            file.Write(0, Bytes(string.Concat(Enumerable.Repeat("just some text, not a database. ", 500))));
            file.Flush();
        }

        var before = fs.ReadAllBytes("/sim/notes.txt");
        var error = Assert.Throws<DatabaseFormatException>(() => Database.Open("/sim/notes.txt", Small(), fs));
        Assert.Equal(ErrorCode.NotADatabase, error.Code);
        Assert.Equal(before, fs.ReadAllBytes("/sim/notes.txt"));
    }

    [Fact]
    public void A_truncated_file_is_refused()
    {
        var fs = new SimulatedFileSystem();
        var db = TestDatabases.Open(fs);
        db.Write(tx =>
        {
            var ks = tx.CreateKeyspace("k");
            for (var i = 0; i < 2000; i++)
            {
                tx.Put(ks, BitConverter.GetBytes(i), new byte[100]);
            }
        });
        db.Dispose();
        fs.Truncate("/sim/test.db", 4096 * 5);
        Assert.Equal(ErrorCode.FileTruncated, Assert.Throws<DatabaseFormatException>(() => TestDatabases.Open(fs)).Code);
    }

    [Theory]
    [InlineData(MetaPage.FormatVersion + 1, "Upgrade Persistence")]
    [InlineData(MetaPage.OldestReadableVersion - 1, "pre-release format")]
    public void A_file_from_a_format_version_this_one_cannot_read_is_refused(int version, string advice)
    {
        var fs = new SimulatedFileSystem();
        TestDatabases.Open(fs).Dispose();
        foreach (var slot in new[] { 0, 1 })
        {
            var page = fs.ReadAllBytes("/sim/test.db").AsSpan(slot * 4096, 4096).ToArray();
            if (MetaPage.TryDecode(page, new PageId(slot), out _) is { } meta)
            {
                var encoded = meta.Encode(new PageId(slot));
                System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(encoded.AsSpan(40), version);
                PageHeader.Seal(encoded, new PageId(slot), meta.Sequence);
                fs.Corrupt("/sim/test.db", slot * 4096, encoded);
            }
        }

        var error = Assert.Throws<DatabaseFormatException>(() => TestDatabases.Open(fs));
        Assert.Equal(ErrorCode.UnsupportedFormatVersion, error.Code);
        Assert.Contains($"format version {version}", error.Message, StringComparison.Ordinal);
        Assert.Contains(advice, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_second_opener_gets_a_locked_error()
    {
        using var dir = new TempDirectory();
        using var first = Database.Open(dir.File());
        var error = Assert.Throws<StorageException>(() => Database.Open(dir.File()));
        Assert.Equal(ErrorCode.DatabaseLocked, error.Code);
        first.Dispose();
        using var again = Database.Open(dir.File());
        AssertConsistent(again);
    }

    [Fact]
    public void Invalid_options_name_the_option()
    {
        using var dir = new TempDirectory();
        var error = Assert.Throws<InvalidOptionsException>(() => Database.Open(dir.File(), new DatabaseOptions { PageSize = 5000 }));
        Assert.Equal(nameof(DatabaseOptions.PageSize), error.Option);
        Assert.Equal(ErrorCode.InvalidOptions, error.Code);
        Assert.Throws<InvalidOptionsException>(() => Database.Open(dir.File(), new DatabaseOptions { PageCacheBytes = 1 }));
    }

    /// <summary>
    /// A path ending in a folder separator failed deep in the open with "Could not rename '.../data/-creating'",
    /// which names neither the argument nor the fix.
    /// </summary>
    [Fact]
    public void A_path_that_names_a_folder_is_refused_naming_the_path_and_a_file_name()
    {
        using var dir = new TempDirectory();
        var folder = dir.File("data") + System.IO.Path.DirectorySeparatorChar;
        Directory.CreateDirectory(folder);
        var error = Assert.Throws<InvalidOptionsException>(() => Database.Open(folder));
        Assert.Equal(ErrorCode.InvalidOptions, error.Code);
        Assert.Equal("path", error.Option);
        Assert.Contains($"'{folder}'", error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{folder}app.db'", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder));
        Assert.Equal(["data"], Directory.EnumerateFileSystemEntries(dir.Path).Select(System.IO.Path.GetFileName));

        var fs = new SimulatedFileSystem();
        Assert.Equal("path", Assert.Throws<InvalidOptionsException>(() => Database.Open("/sim/data/", Small(), fs)).Option);
    }

    /// <summary>
    /// "." and ".." (alone or as the last segment) name a folder as surely as a trailing separator does, but were opened:
    /// the path became the folder's own (full) path, and the database's files were created beside that folder, named
    /// after it ("data-lock", "data-wal/"), where nobody looks for them. Refused before the file system is touched.
    /// </summary>
    [Theory]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("/sim/data/..")]
    [InlineData("/sim/data/.")]
    [InlineData("data/..")]
    public void A_path_whose_last_segment_is_a_dot_or_two_is_refused_as_a_folder_before_anything_is_created(string path)
    {
        var fs = new SimulatedFileSystem();
        var error = Assert.Throws<InvalidOptionsException>(() => Database.Open(path, Small(), fs));
        Assert.Equal(ErrorCode.InvalidOptions, error.Code);
        Assert.Equal("path", error.Option);
        Assert.Contains($"'{path}' names a folder", error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{System.IO.Path.Join(path, "app.db")}'", error.Message, StringComparison.Ordinal);
        Assert.Empty(fs.AllFiles());
        Assert.Equal(0, fs.Operations);
    }

    /// <summary>A segment of dots that is not the last, or a name that only starts or ends with dots, names a file.</summary>
    [Theory]
    [InlineData("/sim/../sim/app.db")]
    [InlineData("/sim/./app.db")]
    [InlineData("/sim/...")]
    [InlineData("/sim/.app")]
    [InlineData("/sim/app.")]
    public void A_path_with_dots_elsewhere_opens(string path)
    {
        var fs = new SimulatedFileSystem();
        using var db = Database.Open(path, Small(), fs);
        db.Write(tx => tx.CreateKeyspace("k"));
    }

    /// <summary>
    /// A lifetime past what a date can hold was accepted, and then every write of the collection threw an
    /// ArgumentOutOfRangeException computing the document's expiry.
    /// </summary>
    [Fact]
    public void A_default_time_to_live_longer_than_a_date_can_hold_is_refused_at_open()
    {
        var options = new DatabaseOptions();
        options.Collections["users"] = new CollectionOptions { DefaultTimeToLive = TimeSpan.MaxValue };
        var error = Assert.Throws<InvalidOptionsException>(() => Database.OpenInMemory(options));
        Assert.Equal("Collections[users].DefaultTimeToLive", error.Option);
        Assert.Contains("at most 36500 days", error.Message, StringComparison.Ordinal);

        options.Collections["users"].DefaultTimeToLive = TimeSpan.FromDays(36_500);
        using var db = Database.OpenInMemory(options);
        new Collections.UserCollection(db).Insert(new Collections.User { Id = 1, Email = "a@example.com" });
    }

    [Theory]
    [InlineData(2)]
    [InlineData(12)]
    [InlineData(40)]
    public void Retry_delays_saturate_at_the_maximum_instead_of_overflowing(int attempt)
    {
        // 20 minutes shifted left by 30 bits (from attempt 32 on) exceeds a long: the ceiling went negative and the sleep threw.
        var policy = new RetryPolicy { BaseDelay = TimeSpan.FromMinutes(20), MaxDelay = TimeSpan.FromHours(2) };
        for (var i = 0; i < 200; i++)
        {
            var delay = policy.DelayBefore(attempt);
            Assert.InRange(delay, TimeSpan.Zero, attempt == 2 ? policy.BaseDelay : policy.MaxDelay);
        }
    }

    [Fact]
    public void Retry_delays_longer_than_a_day_are_refused()
    {
        using var db = Database.OpenInMemory();
        var policy = new RetryPolicy { MaxDelay = TimeSpan.FromDays(2) };

        var error = Assert.Throws<InvalidOptionsException>(() => db.Write(_ => 0, policy));

        Assert.Equal(ErrorCode.InvalidOptions, error.Code);
    }
}
