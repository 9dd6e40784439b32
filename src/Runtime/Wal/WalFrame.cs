using System.Buffers.Binary;
using Persistence.Storage;

namespace Persistence.Wal;

/// <summary>
/// The header in front of every WAL frame. A commit is one or more data frames, the last marked
/// <see cref="WalFrameKind.CommitEnd"/>; recovery applies a commit only when its end frame is valid.
/// </summary>
/// <remarks>
/// <code>
/// offset size field
///      0    4 frame checksum  CRC-32C of header bytes [4, 32), seeded with the previous frame's frame checksum
///      4    4 payload length
///      8    8 LSN             the frame's own position in the log (segment index × segment size + offset)
///     16    8 version         the commit's version number (0 for segment-end markers)
///     24    4 payload CRC     CRC-32C of the payload
///     28    1 kind            <see cref="WalFrameKind"/>
///     29    1 flags           bit 0: everything in the log before this frame was durable when it was written (set on
///                             the first frame of a batch written after a sync); other bits zero
///     30    2 reserved        zero
/// </code>
/// Chaining the frame checksums means a frame validates only after exactly the frames that preceded it when it was
/// written: a stale frame left in a recycled segment, or a frame that survived a crash after a torn predecessor,
/// can never validate, even if its LSN matches.
/// </remarks>
internal static class WalFrame
{
    public const int HeaderSize = 32;

    /// <summary>The flag bit saying that everything before the frame was durable when it was written.</summary>
    private const byte DurableBefore = 1;

    public static void WriteHeader(Span<byte> header, uint previousChecksum, int payloadLength, long lsn, long version, uint payloadCrc, WalFrameKind kind, bool durableBefore = false)
    {
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], payloadLength);
        BinaryPrimitives.WriteInt64LittleEndian(header[8..], lsn);
        BinaryPrimitives.WriteInt64LittleEndian(header[16..], version);
        BinaryPrimitives.WriteUInt32LittleEndian(header[24..], payloadCrc);
        header[28] = (byte)kind;
        header[29..HeaderSize].Clear();
        header[29] = durableBefore ? DurableBefore : (byte)0;
        BinaryPrimitives.WriteUInt32LittleEndian(header, Checksum.Compute(header[4..HeaderSize], previousChecksum));
    }

    public static uint FrameChecksum(ReadOnlySpan<byte> header) => BinaryPrimitives.ReadUInt32LittleEndian(header);

    /// <summary>
    /// True when <paramref name="header"/>, read at <paramref name="lsn"/>, is a frame written there and marked as written
    /// after everything before it was durable, judged without the chain (the frames before it may be damaged): its LSN
    /// is its own position, and its kind and length are possible. The caller checks the payload against
    /// <paramref name="info"/>'s payload CRC.
    /// </summary>
    public static bool IsDurableMark(ReadOnlySpan<byte> header, long lsn, int maxPayload, out FrameInfo info)
    {
        info = default;
        return BinaryPrimitives.ReadInt64LittleEndian(header[8..]) == lsn
            && header[29] == DurableBefore && header[30] == 0 && header[31] == 0
            && TryDecode(header, maxPayload, out info);
    }

    /// <summary>Validates a header read at <paramref name="lsn"/>; false means "the log ends here".</summary>
    public static bool TryRead(ReadOnlySpan<byte> header, uint previousChecksum, long lsn, int maxPayload, out FrameInfo info)
    {
        info = default;
        return header.Length >= HeaderSize
            && BinaryPrimitives.ReadUInt32LittleEndian(header) == Checksum.Compute(header[4..HeaderSize], previousChecksum)
            && BinaryPrimitives.ReadInt64LittleEndian(header[8..]) == lsn
            && TryDecode(header, maxPayload, out info);
    }

    /// <summary>Reads the fields of a header whose place is checked, if its length and kind are possible.</summary>
    private static bool TryDecode(ReadOnlySpan<byte> header, int maxPayload, out FrameInfo info)
    {
        info = default;
        var length = BinaryPrimitives.ReadInt32LittleEndian(header[4..]);
        var kind = (WalFrameKind)header[28];
        if (length < 0 || length > maxPayload || kind is < WalFrameKind.Data or > WalFrameKind.SegmentEnd)
        {
            return false;
        }

        info = new FrameInfo(length, BinaryPrimitives.ReadInt64LittleEndian(header[16..]),
            BinaryPrimitives.ReadUInt32LittleEndian(header[24..]), kind, FrameChecksum(header));
        return true;
    }
}

/// <summary>What a valid frame header says.</summary>
internal readonly record struct FrameInfo(int PayloadLength, long Version, uint PayloadCrc, WalFrameKind Kind, uint Checksum);

/// <summary>Frame kinds.</summary>
internal enum WalFrameKind : byte
{
    /// <summary>Part of a commit that continues in the next frame.</summary>
    Data = 1,

    /// <summary>The last (or only) frame of a commit.</summary>
    CommitEnd = 2,

    /// <summary>No more frames in this segment; the log continues at the start of the next segment.</summary>
    SegmentEnd = 3,
}
