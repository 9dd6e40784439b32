using System.Buffers.Binary;

namespace Persistence.Storage;

/// <summary>
/// The 32-byte header at the start of every page except the meta pages' own layout beyond it.
/// </summary>
/// <remarks>
/// <code>
/// offset size field
///      0    4 checksum    CRC-32C of bytes [4, pageSize); verified on every read from disk
///      4    1 type        <see cref="PageType"/>
///      5    1 level       0 for leaves; height above the leaves for branches
///      6    2 count       number of slots (leaf, branch, catalog) or pages in the extent (overflow)
///      8    8 page id     the page's own number: a page written to the wrong place fails verification
///     16    8 generation  the checkpoint that wrote the page (diagnostics)
///     24    4 upper       slotted pages: start of the cell area (cells grow down from the page end)
///     28    4 fragmented  slotted pages: bytes of dead cells, reclaimable by compaction
///     32      slot array (2-byte cell offsets, in key order) or payload
/// </code>
/// All integers are little-endian. The layout is pinned by PageHeaderTests.
/// </remarks>
internal static class PageHeader
{
    public const int ChecksumOffset = 0;
    public const int TypeOffset = 4;
    public const int LevelOffset = 5;
    public const int CountOffset = 6;
    public const int PageIdOffset = 8;
    public const int GenerationOffset = 16;
    public const int UpperOffset = 24;
    public const int FragmentedOffset = 28;
    public const int Size = 32;

    public static PageType GetType(ReadOnlySpan<byte> page) => (PageType)page[TypeOffset];

    public static int GetLevel(ReadOnlySpan<byte> page) => page[LevelOffset];

    public static int GetCount(ReadOnlySpan<byte> page) => BinaryPrimitives.ReadUInt16LittleEndian(page[CountOffset..]);

    public static void SetCount(Span<byte> page, int count) => BinaryPrimitives.WriteUInt16LittleEndian(page[CountOffset..], checked((ushort)count));

    public static PageId GetPageId(ReadOnlySpan<byte> page) => new(BinaryPrimitives.ReadInt64LittleEndian(page[PageIdOffset..]));

    public static long GetGeneration(ReadOnlySpan<byte> page) => BinaryPrimitives.ReadInt64LittleEndian(page[GenerationOffset..]);

    /// <summary>Clears the page and writes a fresh header of the given type and level.</summary>
    public static void Initialize(Span<byte> page, PageType type, int level)
    {
        page.Clear();
        page[TypeOffset] = (byte)type;
        page[LevelOffset] = checked((byte)level);
        BinaryPrimitives.WriteInt32LittleEndian(page[UpperOffset..], page.Length);
    }

    /// <summary>Stamps the page's number and generation and computes its checksum, ready to be written.</summary>
    public static void Seal(Span<byte> page, PageId id, long generation)
    {
        BinaryPrimitives.WriteInt64LittleEndian(page[PageIdOffset..], id.Value);
        BinaryPrimitives.WriteInt64LittleEndian(page[GenerationOffset..], generation);
        BinaryPrimitives.WriteUInt32LittleEndian(page, Checksum.Compute(page[(ChecksumOffset + 4)..]));
    }

    /// <summary>
    /// Verifies a page read from disk: checksum, self-identity and type. Throws <see cref="CorruptionException"/>
    /// and never lets the caller see the bytes of a page that fails.
    /// </summary>
    public static void Verify(ReadOnlySpan<byte> page, PageId expected, PageType expectedType, string path)
    {
        var stored = BinaryPrimitives.ReadUInt32LittleEndian(page);
        var actual = Checksum.Compute(page[(ChecksumOffset + 4)..]);
        if (stored != actual)
        {
            throw Corrupt(path, expected, $"checksum mismatch (stored {stored:x8}, computed {actual:x8})");
        }

        var id = GetPageId(page);
        if (id != expected)
        {
            throw Corrupt(path, expected, $"the page claims to be page {id} (a misdirected or stale write)");
        }

        var type = GetType(page);
        if (type != expectedType && !(expectedType == PageType.None && type is PageType.Leaf or PageType.Branch))
        {
            throw Corrupt(path, expected, $"expected a {expectedType} page but found {type}");
        }
    }

    public static CorruptionException Corrupt(string path, PageId page, string reason) =>
        new(ErrorCode.Corruption, $"Corruption in '{path}' at page {page}: {reason}.")
        {
            FilePath = path,
            PageNumber = page.Value,
        };
}
