using System.Buffers.Binary;
using Persistence.Storage;

namespace Persistence.BTree;

/// <summary>
/// Large values live in extents of consecutive overflow pages. Each page has the common 32-byte header (type
/// <see cref="PageType.Overflow"/>, its own checksum and page number; the count field of the first page holds the
/// extent's page count, modulo 2^16) followed by payload; the value's bytes are the concatenated payloads.
/// </summary>
internal static class Overflow
{
    public static int PayloadPerPage(int pageSize) => pageSize - PageHeader.Size;

    public static int PageCount(int length, int pageSize) => Math.Max(1, (length + PayloadPerPage(pageSize) - 1) / PayloadPerPage(pageSize));

    /// <summary>Lays <paramref name="value"/> out as sealed overflow pages starting at <paramref name="first"/>.</summary>
    public static byte[] Encode(ReadOnlySpan<byte> value, PageId first, int pageSize, long generation)
    {
        var pages = PageCount(value.Length, pageSize);
        var payload = PayloadPerPage(pageSize);
        var buffer = new byte[pages * pageSize];
        for (var i = 0; i < pages; i++)
        {
            var page = buffer.AsSpan(i * pageSize, pageSize);
            PageHeader.Initialize(page, PageType.Overflow, 0);
            BinaryPrimitives.WriteUInt16LittleEndian(page[PageHeader.CountOffset..], (ushort)(i == 0 ? pages : 0));
            var chunk = value.Slice(i * payload, Math.Min(payload, value.Length - (i * payload)));
            chunk.CopyTo(page[PageHeader.Size..]);
            PageHeader.Seal(page, new PageId(first.Value + i), generation);
        }

        return buffer;
    }

    /// <summary>Verifies every page of an extent read from disk and returns the value.</summary>
    public static byte[] Decode(ReadOnlySpan<byte> extent, PageId first, int length, int pageSize, string path)
    {
        var pages = PageCount(length, pageSize);
        var payload = PayloadPerPage(pageSize);
        var value = new byte[length];
        for (var i = 0; i < pages; i++)
        {
            var page = extent.Slice(i * pageSize, pageSize);
            PageHeader.Verify(page, new PageId(first.Value + i), PageType.Overflow, path);
            var size = Math.Min(payload, length - (i * payload));
            page.Slice(PageHeader.Size, size).CopyTo(value.AsSpan(i * payload));
        }

        return value;
    }
}
