using Persistence.Storage;
using Persistence.Testing;

namespace Persistence.Tests.Storage;

/// <summary>
/// A use of a real file after it was closed (a read or write racing the database's close) reports the database
/// closed, like every other operation that races the close, where it used to surface the handle's raw
/// <see cref="ObjectDisposedException"/>.
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
}
