using System.Buffers.Binary;
using Persistence.BTree;
using Persistence.Storage;
using Persistence.Wal;

namespace Persistence.Tests.Storage;

/// <summary>Pins the on-disk formats documented in docs/ARCHITECTURE.md: changing a layout must fail a test.</summary>
public sealed class PageLayoutTests
{
    [Fact]
    public void Crc32c_matches_the_standard_check_value()
    {
        Assert.Equal(0xE3069283u, Checksum.Compute("123456789"u8));
        Assert.Equal(Checksum.Compute("123456789"u8), Checksum.Compute("6789"u8, Checksum.Compute("12345"u8)));
    }

    [Fact]
    public void The_page_header_has_the_documented_offsets()
    {
        var page = new byte[4096];
        PageHeader.Initialize(page, PageType.Leaf, 0);
        PageHeader.SetCount(page, 0x1234);
        PageHeader.Seal(page, new PageId(0x0102030405060708), 0x1112131415161718);
        Assert.Equal((byte)PageType.Leaf, page[4]);
        Assert.Equal(0x1234, BinaryPrimitives.ReadUInt16LittleEndian(page.AsSpan(6)));
        Assert.Equal(0x0102030405060708, BinaryPrimitives.ReadInt64LittleEndian(page.AsSpan(8)));
        Assert.Equal(0x1112131415161718, BinaryPrimitives.ReadInt64LittleEndian(page.AsSpan(16)));
        Assert.Equal(4096, BinaryPrimitives.ReadInt32LittleEndian(page.AsSpan(24)));
        Assert.Equal(Checksum.Compute(page.AsSpan(4)), BinaryPrimitives.ReadUInt32LittleEndian(page));
        PageHeader.Verify(page, new PageId(0x0102030405060708), PageType.Leaf, "test");
        page[100] ^= 1;
        Assert.Equal(ErrorCode.Corruption, Assert.Throws<CorruptionException>(() => PageHeader.Verify(page, new PageId(0x0102030405060708), PageType.Leaf, "test")).Code);
    }

    [Fact]
    public void A_page_at_the_wrong_place_fails_verification()
    {
        var page = new byte[4096];
        PageHeader.Initialize(page, PageType.Branch, 1);
        PageHeader.Seal(page, new PageId(7), 1);
        var error = Assert.Throws<CorruptionException>(() => PageHeader.Verify(page, new PageId(8), PageType.None, "test"));
        Assert.Contains("claims to be page 7", error.Message, StringComparison.Ordinal);
        Assert.Equal(8, error.PageNumber);
    }

    [Fact]
    public void Leaf_and_branch_cells_have_the_documented_layout()
    {
        var leaf = new byte[4096];
        PageHeader.Initialize(leaf, PageType.Leaf, 0);
        LeafPage.InsertInline(leaf, 0, "key"u8, "value"u8);
        var at = SlottedPage.CellOffset(leaf, 0);
        Assert.Equal(4096 - 1 - 3 - 1 - 5, at);
        Assert.Equal([(3 << 2) | 1, .. "key"u8, 5, .. "value"u8], leaf.AsSpan(at, 10).ToArray());

        LeafPage.InsertOverflow(leaf, 1, "z"u8, new OverflowRef(new PageId(99), 123456, 0));
        var overflow = SlottedPage.CellOffset(leaf, 1);
        Assert.Equal((1 << 2) | 2, leaf[overflow]);
        Assert.Equal((byte)'z', leaf[overflow + 1]);
        Assert.Equal(99, BinaryPrimitives.ReadInt64LittleEndian(leaf.AsSpan(overflow + 2)));
        Assert.Equal(123456, BinaryPrimitives.ReadInt32LittleEndian(leaf.AsSpan(overflow + 10)));

        // An empty value takes no bytes; a 40-byte key (head 160) and a 200-byte value take two-byte varints.
        LeafPage.InsertInline(leaf, 2, "zz"u8, []);
        Assert.Equal([2 << 2, .. "zz"u8], leaf.AsSpan(SlottedPage.CellOffset(leaf, 2), 3).ToArray());
        var longKey = Enumerable.Repeat((byte)'k', 40).ToArray();
        LeafPage.InsertInline(leaf, 3, longKey, new byte[200]);
        var wide = SlottedPage.CellOffset(leaf, 3);
        Assert.Equal([0xA1, 0x01], leaf.AsSpan(wide, 2).ToArray());
        Assert.Equal([0xC8, 0x01], leaf.AsSpan(wide + 2 + 40, 2).ToArray());
        Assert.Equal(2 + 40 + 2 + 200, LeafPage.CellLength(leaf, wide));

        var branch = new byte[4096];
        PageHeader.Initialize(branch, PageType.Branch, 1);
        BranchPage.Insert(branch, 0, [], new PageId(5));
        BranchPage.Insert(branch, 1, "m"u8, new PageId(6));
        var cell = SlottedPage.CellOffset(branch, 1);
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(branch.AsSpan(cell)));
        Assert.Equal(6, BinaryPrimitives.ReadInt64LittleEndian(branch.AsSpan(cell + 2)));
        Assert.Equal((byte)'m', branch[cell + 10]);
        Assert.Equal(0, BranchPage.FindChild(branch, "a"u8));
        Assert.Equal(1, BranchPage.FindChild(branch, "m"u8));
    }

    [Fact]
    public void The_meta_page_has_the_documented_offsets_and_round_trips()
    {
        var meta = new MetaPage
        {
            PageSize = 8192,
            Sequence = 3,
            CheckpointVersion = 44,
            WalStartLsn = 5555,
            WalChainSeed = 0xAABBCCDD,
            WalSegmentSize = 1 << 20,
            PageCount = 77,
            CatalogPage = new PageId(9),
            NextKeyspaceId = 6,
            BitmapPages = [new PageId(10), new PageId(11)],
            DatabaseId = 0x123456789,
            CreatedUnixMs = 1_700_000_000_000,
        };
        var page = meta.Encode(new PageId(1));
        Assert.Equal(MetaPage.Magic, BinaryPrimitives.ReadUInt64LittleEndian(page.AsSpan(32)));
        Assert.Equal("PERSISTD"u8.ToArray(), page.AsSpan(32, 8).ToArray());
        Assert.Equal(MetaPage.FormatVersion, BinaryPrimitives.ReadInt32LittleEndian(page.AsSpan(40)));
        Assert.Equal(8192, BinaryPrimitives.ReadInt32LittleEndian(page.AsSpan(44)));
        Assert.Equal(3, BinaryPrimitives.ReadInt64LittleEndian(page.AsSpan(48)));
        Assert.Equal(44, BinaryPrimitives.ReadInt64LittleEndian(page.AsSpan(56)));
        Assert.Equal(5555, BinaryPrimitives.ReadInt64LittleEndian(page.AsSpan(64)));
        Assert.Equal(0xAABBCCDDu, BinaryPrimitives.ReadUInt32LittleEndian(page.AsSpan(72)));
        Assert.Equal(77, BinaryPrimitives.ReadInt64LittleEndian(page.AsSpan(80)));
        Assert.Equal(9, BinaryPrimitives.ReadInt64LittleEndian(page.AsSpan(88)));
        Assert.Equal(2, BinaryPrimitives.ReadInt32LittleEndian(page.AsSpan(100)));
        Assert.Equal(11, BinaryPrimitives.ReadInt64LittleEndian(page.AsSpan(136)));
        var decoded = MetaPage.TryDecode(page, new PageId(1), out var magic);
        Assert.True(magic);
        Assert.Equal(meta with { BitmapPages = decoded!.BitmapPages }, decoded);
        Assert.Equal(meta.BitmapPages, decoded.BitmapPages);
        Assert.Null(MetaPage.TryDecode(page, new PageId(0), out _)); // a meta page copied to the other slot is not valid there
    }

    [Fact]
    public void Wal_frames_have_the_documented_header_and_chain()
    {
        var header = new byte[WalFrame.HeaderSize];
        WalFrame.WriteHeader(header, 0x01020304, 1000, 65536, 42, 0xDEADBEEF, WalFrameKind.CommitEnd);
        Assert.Equal(1000, BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(4)));
        Assert.Equal(65536, BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(8)));
        Assert.Equal(42, BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(16)));
        Assert.Equal(0xDEADBEEFu, BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(24)));
        Assert.Equal((byte)WalFrameKind.CommitEnd, header[28]);
        Assert.True(WalFrame.TryRead(header, 0x01020304, 65536, 1 << 20, out var info));
        Assert.Equal(42, info.Version);
        Assert.False(WalFrame.TryRead(header, 0x01020305, 65536, 1 << 20, out _)); // another predecessor: not valid here
        Assert.False(WalFrame.TryRead(header, 0x01020304, 65536 + 4096, 1 << 20, out _)); // another position: not valid
    }

    [Fact]
    public void Transaction_logs_round_trip_across_chunk_boundaries()
    {
        var log = new TxLog(maxPayload: 4096);
        var big = new byte[20_000];
        new Random(1).NextBytes(big);
        log.CreateKeyspace(3, "users");
        for (var i = 0; i < 500; i++)
        {
            log.Put(3, BitConverter.GetBytes(i), i == 250 ? big : BitConverter.GetBytes(i * 2));
        }

        log.Delete(3, BitConverter.GetBytes(7));
        log.DropKeyspace(3);
        var chunks = log.Seal();
        Assert.True(chunks.Count > 5);
        Assert.All(chunks, c => Assert.Equal(Checksum.Compute(c.Payload.Span), c.PayloadCrc));
        var reader = new TxLogReader(chunks.Select(c => c.Payload).ToList());
        Assert.True(reader.TryRead(out var op));
        Assert.Equal((LogOpKind.CreateKeyspace, 3, "users"), (op.Kind, op.KeyspaceId, System.Text.Encoding.UTF8.GetString(op.Key.Span)));
        for (var i = 0; i < 500; i++)
        {
            Assert.True(reader.TryRead(out op));
            Assert.Equal(LogOpKind.Put, op.Kind);
            Assert.Equal(BitConverter.GetBytes(i), op.Key.ToArray());
            Assert.Equal(i == 250 ? big : BitConverter.GetBytes(i * 2), op.Value.ToArray());
        }

        Assert.True(reader.TryRead(out op));
        Assert.Equal(LogOpKind.Delete, op.Kind);
        Assert.True(reader.TryRead(out op));
        Assert.Equal(LogOpKind.DropKeyspace, op.Kind);
        Assert.False(reader.TryRead(out _));
    }
}
