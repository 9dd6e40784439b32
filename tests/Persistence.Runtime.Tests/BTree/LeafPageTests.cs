using Persistence.BTree;
using Persistence.Storage;

namespace Persistence.Tests.BTree;

/// <summary>Leaf cells round-trip whatever the lengths of their key and value, across every varint size of the header.</summary>
public sealed class LeafPageTests
{
    public static TheoryData<int, int> Lengths => new()
    {
        { 0, 0 }, { 1, 0 }, { 31, 0 }, { 32, 0 }, { 1, 1 }, { 31, 127 }, { 32, 128 }, { 200, 2000 },
        { 4095, 1 }, { 4096, 16383 }, { 4096, 16384 }, { 8192, 16000 },
    };

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Cells_round_trip_and_take_the_size_they_announce(int keyLength, int valueLength)
    {
        var page = new byte[MetaPage.MaxPageSize];
        PageHeader.Initialize(page, PageType.Leaf, 0);
        var random = new Random(keyLength * 31 + valueLength);
        var key = new byte[keyLength];
        var value = new byte[valueLength];
        random.NextBytes(key);
        random.NextBytes(value);
        var free = SlottedPage.FreeSpace(page);

        LeafPage.InsertInline(page, 0, key, value);
        LeafPage.InsertOverflow(page, 1, key, new OverflowRef(new PageId(77), 5_000_000, 3));

        Assert.Equal(key, LeafPage.Key(page, 0).ToArray());
        Assert.Equal(value, LeafPage.InlineValue(page, 0).ToArray());
        Assert.False(LeafPage.IsOverflow(page, 0));
        Assert.Equal(key, LeafPage.Key(page, 1).ToArray());
        Assert.True(LeafPage.IsOverflow(page, 1));
        Assert.Equal(new OverflowRef(new PageId(77), 5_000_000, 3), LeafPage.Overflow(page, 1));
        Assert.Equal(LeafPage.CellSize(keyLength, valueLength), LeafPage.CellLength(page, SlottedPage.CellOffset(page, 0)));
        Assert.Equal(LeafPage.OverflowCellSize(keyLength), LeafPage.CellLength(page, SlottedPage.CellOffset(page, 1)));
        Assert.Equal(
            free - (2 * SlottedPage.SlotSize) - LeafPage.CellSize(keyLength, valueLength) - LeafPage.OverflowCellSize(keyLength),
            SlottedPage.FreeSpace(page));
        var headAndKey = LeafPage.VarIntSize(keyLength << 2) + keyLength;
        Assert.Equal(valueLength == 0 ? headAndKey : headAndKey + LeafPage.VarIntSize(valueLength) + valueLength, LeafPage.CellSize(keyLength, valueLength));

        LeafPage.SetOverflowPage(page, 1, new PageId(1234));
        Assert.Equal(new PageId(1234), LeafPage.Overflow(page, 1).FirstPage);
        SlottedPage.Remove(page, 0);
        SlottedPage.Compact(page);
        Assert.Equal(key, LeafPage.Key(page, 0).ToArray());
        Assert.Equal(new OverflowRef(new PageId(1234), 5_000_000, 3), LeafPage.Overflow(page, 0));
    }

    [Fact]
    public void A_cell_header_of_an_unknown_kind_is_reported_as_corruption()
    {
        var page = new byte[4096];
        PageHeader.Initialize(page, PageType.Leaf, 0);
        LeafPage.InsertInline(page, 0, "key"u8, "value"u8);
        page[SlottedPage.CellOffset(page, 0)] |= 3;
        Assert.Equal(ErrorCode.Corruption, Assert.Throws<CorruptionException>(() => LeafPage.InlineValue(page, 0)).Code);
        Assert.Equal(ErrorCode.Corruption, Assert.Throws<CorruptionException>(() => LeafPage.CellLength(page, SlottedPage.CellOffset(page, 0))).Code);
    }
}
