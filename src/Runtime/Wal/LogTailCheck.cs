using System.Buffers.Binary;
using Persistence.Storage;

namespace Persistence.Wal;

/// <summary>
/// Tells a torn end of the log from damage inside it. Recovery stops at the first frame that does not validate, which
/// is right after a crash: only writes not yet synced can be torn or missing. But a frame damaged after it was synced
/// stops recovery just the same, and every commit after it would be dropped without a word. The writer marks the first
/// frame of each batch written after a sync (<see cref="WalFrame.IsDurableMark"/>); such a frame found intact after the
/// recovered end proves that the log there had been durable, so what ended the replay is damage, not a crash.
/// </summary>
internal static class LogTailCheck
{
    private const int BlockSize = 1 << 20;

    /// <summary>
    /// The LSN of a marked, intact frame after <paramref name="endLsn"/> (its position matches its LSN and its payload
    /// its CRC), or null when there is none. Reads the rest of the log's segment and every later segment file.
    /// </summary>
    public static long? FindDurableFrameAfter(WalSegments segments, long endLsn, int maxPayload)
    {
        var block = new byte[Math.Min(BlockSize, segments.SegmentSize)];
        var step = block.Length - WalFrame.HeaderSize;
        foreach (var index in segments.ExistingFrom(segments.IndexOf(endLsn)))
        {
            if (segments.TryOpen(index) is not { } file)
            {
                continue;
            }

            var segmentStart = index * segments.SegmentSize;
            var from = Math.Max(endLsn + 1, segmentStart) - segmentStart;
            var end = Math.Min(segments.SegmentSize, file.Length); // a segment whose preparation failed may be short
            for (var offset = from; offset + WalFrame.HeaderSize <= end; offset += step)
            {
                var wanted = (int)Math.Min(block.Length, end - offset);
                var read = file.Read(offset, block.AsSpan(0, wanted));
                var span = block.AsSpan(0, read);
                var final = read < block.Length; // the segment's (or a short file's) last block
                if (!span.ContainsAnyExcept((byte)0))
                {
                    if (final)
                    {
                        break;
                    }

                    continue;
                }

                // Each position's header is examined once: the first step of a block, or everything in the last one.
                var last = final ? read - WalFrame.HeaderSize : step - 1;
                for (var at = 0; at <= last; at++)
                {
                    var lsn = segmentStart + offset + at;
                    if (BinaryPrimitives.ReadInt64LittleEndian(span[(at + 8)..]) == lsn
                        && WalFrame.IsDurableMark(span.Slice(at, WalFrame.HeaderSize), lsn, maxPayload, out var info)
                        && PayloadMatches(file, offset + at + WalFrame.HeaderSize, info, end))
                    {
                        return lsn;
                    }
                }

                if (final)
                {
                    break;
                }
            }
        }

        return null;
    }

    private static bool PayloadMatches(IStorageFile file, long offset, FrameInfo info, long end)
    {
        if (offset + info.PayloadLength > end)
        {
            return false;
        }

        var payload = new byte[info.PayloadLength];
        return file.Read(offset, payload) == payload.Length && Checksum.Compute(payload) == info.PayloadCrc;
    }
}
