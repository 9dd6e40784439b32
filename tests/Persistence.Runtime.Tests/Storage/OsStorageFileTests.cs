using Persistence.Storage;
using Persistence.Testing;

namespace Persistence.Tests.Storage;

/// <summary>
/// A use of a real file after it was closed (a read or write racing the database's close) reports the database
/// closed, like every other operation that races the close, where it used to surface the handle's raw
/// <see cref="ObjectDisposedException"/>. A write or resize the operating system refuses for want of permission reports
/// a <see cref="StorageException"/>, as an I/O error does, where it used to surface the raw
/// <see cref="UnauthorizedAccessException"/>, which no caller turns into a read-only database.
/// </summary>
public sealed class OsStorageFileTests
{
    public static TheoryData<string> Uses => ["Read", "Write", "VectoredWrite", "SetLength", "Flush", "Length"];

    [Theory]
    [MemberData(nameof(Uses))]
    public void Every_use_of_a_disposed_file_throws_database_closed(string use)
    {
        using var directory = new TempDirectory();
        var file = new OsStorageFile(directory.File("closed.bin"), create: true);
        file.Write(0, new byte[4096]);
        file.Flush();
        file.Dispose();

        Action action = use switch
        {
            "Read" => () => file.Read(0, new byte[4096]),
            "Write" => () => file.Write(0, new byte[16]),
            "VectoredWrite" => () => file.Write(0, [new byte[16], new byte[16]]),
            "SetLength" => () => file.SetLength(8192),
            "Flush" => file.Flush,
            "Length" => () => _ = file.Length,
            _ => throw new ArgumentOutOfRangeException(nameof(use)),
        };
        var closed = Assert.Throws<TransactionStateException>(action);
        Assert.Equal(ErrorCode.DatabaseClosed, closed.Code);
        Assert.IsType<ObjectDisposedException>(closed.InnerException);
    }

    public static TheoryData<string> Changes => ["Write", "VectoredWrite", "SetLength"];

    [Theory]
    [MemberData(nameof(Changes))]
    public void A_change_the_handle_may_not_make_throws_a_storage_exception(string change)
    {
        // A handle opened for reading: the refusal comes from the runtime and the operating system, not from a fake,
        // and holds for root too (permission bits on the file would not).
        using var directory = new TempDirectory();
        var path = directory.File("read-only.bin");
        using (var writable = new OsStorageFile(path, create: true))
        {
            writable.Write(0, new byte[4096]);
            writable.Flush();
        }

        using var file = new OsStorageFile(path, create: false, readOnly: true);
        Action action = change switch
        {
            "Write" => () => file.Write(0, new byte[16]),
            "VectoredWrite" => () => file.Write(0, [new byte[16], new byte[16]]),
            "SetLength" => () => file.SetLength(8192),
            _ => throw new ArgumentOutOfRangeException(nameof(change)),
        };
        var refused = Assert.Throws<StorageException>(action);
        Assert.Equal(ErrorCode.IOError, refused.Code);
        Assert.Contains(path, refused.Message, StringComparison.Ordinal);
        Assert.NotNull(refused.InnerException);
        Assert.Equal(4096, file.Length); // nothing changed
    }
}
