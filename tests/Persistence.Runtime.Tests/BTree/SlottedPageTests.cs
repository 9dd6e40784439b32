using Persistence.BTree;
using Persistence.Storage;

namespace Persistence.Tests.BTree;

public sealed class SlottedPageTests
{
    /// <summary>
    /// Moving a run of cells from one page to another, from and to the front, the middle and the end, none or all of
    /// them, into a target whose free bytes are partly fragmented (so that it compacts first) and whose gap holds
    /// garbage, as a copied page's may: both pages then hold exactly the cells expected, in order, with their values,
    /// the free bytes of the two together are unchanged, and each page still compacts to the same contents.
    /// </summary>
    [Theory]
    [InlineData("end", "front", 1)]
    [InlineData("end", "front", 17)]
    [InlineData("front", "end", 1)]
    [InlineData("front", "end", 17)]
    [InlineData("middle", "middle", 5)]
    [InlineData("middle", "front", 0)]
    [InlineData("front", "middle", 20)] // every cell of the source
    public void Moved_cells_keep_their_order_and_the_pages_their_free_bytes(string from, string at, int moved)
    {
        var source = NewLeaf(0, 20);
        var target = NewLeaf(100, 60);

        // Fragment the target: remove every other cell, then insert fillers until its contiguous gap is too small for
        // most runs of cells that arrive, though its free bytes are enough; then write garbage over the gap.
        for (var i = SlottedPage.Count(target) - 1; i >= 0; i -= 2)
        {
            SlottedPage.Remove(target, i);
        }

        for (var j = 0; ; j++)
        {
            var key = System.Text.Encoding.ASCII.GetBytes($"key00130f{j:D3}");
            var value = ValueFor(key);
            if (SlottedPage.Upper(target) - SlottedPage.Lower(target) < LeafPage.CellSize(key.Length, value.Length) + SlottedPage.SlotSize)
            {
                break; // one more would compact the page
            }

            var slot = LeafPage.Find(target, key, out var found);
            Assert.False(found);
            LeafPage.InsertInline(target, slot, key, value);
        }

        Assert.True(SlottedPage.Fragmented(target) > 0 && SlottedPage.Upper(target) - SlottedPage.Lower(target) < 60);
        target.AsSpan(SlottedPage.Lower(target), SlottedPage.Upper(target) - SlottedPage.Lower(target)).Fill(0xDB);

        var sourceKeys = Keys(source);
        var targetKeys = Keys(target);
        var first = Position(from, sourceKeys.Count - moved);
        var into = Position(at, targetKeys.Count);
        var freeBefore = SlottedPage.FreeSpace(source) + SlottedPage.FreeSpace(target);

        SlottedPage.MoveCells(source, first, moved, target, into);

        var run = sourceKeys.GetRange(first, moved);
        sourceKeys.RemoveRange(first, moved);
        targetKeys.InsertRange(into, run);
        Assert.Equal(sourceKeys, Keys(source));
        Assert.Equal(targetKeys, Keys(target));
        Assert.Equal(freeBefore, SlottedPage.FreeSpace(source) + SlottedPage.FreeSpace(target));
        foreach (var page in new[] { source, target })
        {
            for (var i = 0; i < SlottedPage.Count(page); i++)
            {
                Assert.Equal(ValueFor(LeafPage.Key(page, i).ToArray()), LeafPage.InlineValue(page, i).ToArray());
            }

            // The page still compacts to the same contents (its slot offsets and lengths are sound).
            var before = Keys(page);
            SlottedPage.Compact(page);
            Assert.Equal(before, Keys(page));
            Assert.Equal(0, SlottedPage.Fragmented(page));
        }

        if (sourceKeys.Count == 0)
        {
            Assert.Equal(source.Length, SlottedPage.Upper(source)); // nothing left: compaction frees the whole page
        }
    }

    private static int Position(string where, int count) => where switch
    {
        "front" => 0,
        "end" => count,
        _ => count / 2,
    };

    private static byte[] NewLeaf(int first, int count)
    {
        var page = new byte[4096];
        PageHeader.Initialize(page, PageType.Leaf, 0);
        for (var i = 0; i < count; i++)
        {
            var key = KeyFor(first + i);
            LeafPage.InsertInline(page, i, key, ValueFor(key));
        }

        return page;
    }

    private static byte[] KeyFor(int i) => System.Text.Encoding.ASCII.GetBytes($"key{i:D5}");

    private static byte[] ValueFor(byte[] key) => [.. key.Reverse(), .. new byte[key[^1] % 23]];

    private static List<string> Keys(byte[] page) =>
        [.. Enumerable.Range(0, SlottedPage.Count(page)).Select(i => System.Text.Encoding.ASCII.GetString(LeafPage.Key(page, i)))];
}
