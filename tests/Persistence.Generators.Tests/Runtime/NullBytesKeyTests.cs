namespace Persistence.Generators.Tests.Runtime;

/// <summary>A collection keyed by a byte array, with a unique and a non-unique byte-array index.</summary>
[Collection("blobs")]
public sealed partial class Blob
{
    /// <summary>The key.</summary>
    [PrimaryKey]
    public byte[] Hash { get; init; } = [];

    /// <summary>A unique index.</summary>
    [Index(Unique = true)]
    public byte[] Code { get; set; } = [];

    /// <summary>A non-unique index.</summary>
    [Index]
    public byte[] Tag { get; set; } = [];
}

/// <summary>A composite key with a byte-array part.</summary>
[Collection("chunks")]
public sealed partial class Chunk
{
    /// <summary>First part.</summary>
    [PrimaryKey(Order = 0)]
    public int File { get; init; }

    /// <summary>Second part.</summary>
    [PrimaryKey(Order = 1)]
    public byte[] Digest { get; init; } = [];
}

/// <summary>
/// A null byte-array key part is refused with a PersistenceSerializationException, as a null string part is, and never
/// taken for the empty array (which a span made from a null array is): not in a stored key, nor in a looked-up one.
/// </summary>
public sealed class NullBytesKeyTests : IDisposable
{
    private readonly Database _db = Database.OpenInMemory();
    private readonly BlobCollection _blobs;
    private readonly ChunkCollection _chunks;

    public NullBytesKeyTests()
    {
        _blobs = new BlobCollection(_db);
        _chunks = new ChunkCollection(_db);
        _blobs.Insert(new Blob { Hash = [], Code = [], Tag = [] });
        _chunks.Insert(new Chunk { File = 1, Digest = [] });
    }

    public void Dispose() => _db.Dispose();

    [Fact]
    public void A_null_key_part_is_not_stored()
    {
        Assert.Throws<PersistenceSerializationException>(() => _blobs.Insert(new Blob { Hash = null!, Code = [1] }));
        Assert.Throws<PersistenceSerializationException>(() => _blobs.Insert(new Blob { Hash = [1], Code = null! }));
        Assert.Throws<PersistenceSerializationException>(() => _chunks.Insert(new Chunk { File = 2, Digest = null! }));
        Assert.Equal(1, _blobs.Count());
        Assert.Equal(1, _chunks.Count());
    }

    [Fact]
    public void A_null_key_part_finds_nothing_rather_than_the_empty_array()
    {
        Assert.Throws<PersistenceSerializationException>(() => _chunks.Delete(1, null!));
        Assert.Throws<PersistenceSerializationException>(() => _blobs.ByCode.Get(null!));
        Assert.Throws<PersistenceSerializationException>(() => _blobs.ByTag.Find(null!).ToList());
        Assert.Equal(1, _chunks.Count());
        Assert.NotNull(_blobs.ByCode.Get([]));
    }
}
