using Persistence.BTree;
using Persistence.Storage;

namespace Persistence.Tests.BTree;

public sealed class SlottedPageTests
{
    /// <summary>
    /// Moving cells between two leaves, the way a full leaf evens out with a neighbour: to the front of the right leaf
    /// and to the end of the left one, into a target whose free bytes are partly fragmented (so it compacts first).
    /// Both pages then hold exactly the expected keys in order, and the free bytes of the two together are unchanged.
    /// </summary>
    [Theory]
    [InlineData(true, 1)]
    [InlineData(true, 17)]
    [InlineData(false, 1)]
    [InlineData(false, 17)]
    public void Moved_cells_keep_their_order_and_the_pages_their_free_bytes(bool toRight, int moved)
    {
        var left = NewLeaf(0, 60);
        var right = NewLeaf(100, 60);

        // Fragment the target: remove every other cell, then insert fillers until its contiguous gap is too small for
        // the cells that arrive, though its free bytes are enough.
        var target = toRight ? right : left;
        for (var i = SlottedPage.Count(target) - 1; i >= 0; i--)
        {
            if (i % 2 == 0)
            {
                SlottedPage.Remove(target, i);
            }
        }

        var fillerBase = toRight ? "key00130" : "key00030";
        for (var j = 0; ; j++)
        {
            var key = System.Text.Encoding.ASCII.GetBytes($"{fillerBase}f{j:D3}");
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
        var expected = Keys(left).Concat(Keys(right)).ToList();
        var freeBefore = SlottedPage.FreeSpace(left) + SlottedPage.FreeSpace(right);

        if (toRight)
        {
            var from = SlottedPage.Count(left) - moved;
            SlottedPage.MoveCells(left, from, moved, right, 0);
            Assert.Equal(from, SlottedPage.Count(left));
        }
        else
        {
            var at = SlottedPage.Count(left);
            SlottedPage.MoveCells(right, 0, moved, left, at);
            Assert.Equal(at + moved, SlottedPage.Count(left));
        }

        Assert.Equal(expected, Keys(left).Concat(Keys(right)).ToList());
        Assert.Equal(freeBefore, SlottedPage.FreeSpace(left) + SlottedPage.FreeSpace(right));
        foreach (var page in new[] { left, right })
        {
            for (var i = 0; i < SlottedPage.Count(page); i++)
            {
                Assert.Equal(ValueFor(LeafPage.Key(page, i).ToArray()), LeafPage.InlineValue(page, i).ToArray());
            }

            // The page still compacts to the same contents (its slot offsets and lengths are sound).
            var before = Keys(page);
            SlottedPage.Compact(page);
            Assert.Equal(before, Keys(page));
        }
    }

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
