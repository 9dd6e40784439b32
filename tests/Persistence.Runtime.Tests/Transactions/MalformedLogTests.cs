using System.Buffers.Binary;
using Persistence.Storage;
using Persistence.Testing;
using Persistence.Wal;
using static Persistence.Tests.CheckedValues;
using static Persistence.Tests.TestDatabases;

namespace Persistence.Tests.Transactions;

/// <summary>
/// A log frame whose checksums all hold but whose operations are malformed (a bug in the writer, or a log changed along
/// with its checksums) makes the open refuse the database with <see cref="CorruptionException"/>, as any log it cannot
/// prove whole does. Recovery used to let the decoder's <see cref="FormatException"/> escape the open, and to replay a
/// write to a keyspace that does not exist into a tree no catalog names. Each test rewrites the last commit's frame with
/// freshly computed checksums; the first shows that the rewriting alone leaves a log that opens.
/// </summary>
public sealed class MalformedLogTests
{
    private const string DataFile = "/sim/malformed.db";

    [Fact]
    public void A_frame_rewritten_unchanged_with_fresh_checksums_replays()
    {
        var fs = Prepare();
        var crashed = Rewrite(fs, _ => { });

        using var db = Database.Open(DataFile, Quiet(), crashed);
        Assert.Equal(2, db.Recovered!.Commits);
        using var tx = db.BeginRead();
        Assert.True(tx.TryGetKeyspace("k", out var ks));
        Assert.True(Value(2, 1).AsSpan().SequenceEqual(tx.Get(ks, Key(2))));
    }

    [Fact]
    public void An_unknown_operation_kind_refuses_the_open_as_corruption()
    {
        var crashed = Rewrite(Prepare(), payload => payload[0] = 129);

        var ex = Assert.Throws<CorruptionException>(() => Database.Open(DataFile, Quiet(), crashed));
        Assert.Equal(ErrorCode.Corruption, ex.Code);
        Assert.Contains("unknown operation kind 129", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_write_to_a_keyspace_the_log_never_created_refuses_the_open_as_corruption()
    {
        var crashed = Rewrite(Prepare(), payload =>
        {
            Assert.True(payload[1] < 0x80, "the keyspace id is a one-byte varint");
            payload[1] = 99;
        });

        var ex = Assert.Throws<CorruptionException>(() => Database.Open(DataFile, Quiet(), crashed));
        Assert.Contains("keyspace id 99, which does not exist", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_that_runs_past_its_frame_refuses_the_open_as_corruption()
    {
        var crashed = Rewrite(Prepare(), payload => payload[2] = 0x7F); // the key's length: past the frame's end

        var ex = Assert.Throws<CorruptionException>(() => Database.Open(DataFile, Quiet(), crashed));
        Assert.Contains("runs past the end", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>A keyspace checkpointed, then two durable commits in the log; the second is the one rewritten.</summary>
    private static SimulatedFileSystem Prepare()
    {
        var fs = new SimulatedFileSystem();
        using var db = Open(fs, Quiet(), DataFile);
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        db.Checkpoint();
        db.Write(tx => tx.Put(ks, Key(1), Value(1, 1)));
        db.Write(tx => tx.Put(ks, Key(2), Value(2, 1)));
        return fs.AfterProcessCrash();
    }

    /// <summary>
    /// Finds the log's last commit frame, lets <paramref name="change"/> edit its payload (a copy), and writes the frame
    /// back with its payload CRC and its chained frame checksum computed afresh, so that only the content is wrong.
    /// </summary>
    private static SimulatedFileSystem Rewrite(SimulatedFileSystem fs, Action<byte[]> change)
    {
        Frame? last = null;
        Frame? before = null;
        foreach (var path in fs.AllFiles().Where(f => f.EndsWith(".wal", StringComparison.Ordinal)))
        {
            var bytes = fs.ReadAllBytes(path);
            Frame? previous = null;
            for (var offset = 0; offset + WalFrame.HeaderSize <= bytes.Length;)
            {
                var header = bytes.AsSpan(offset, WalFrame.HeaderSize);
                var length = BinaryPrimitives.ReadInt32LittleEndian(header[4..]);
                var kind = (WalFrameKind)header[28];
                if (kind is < WalFrameKind.Data or > WalFrameKind.SegmentEnd || length < 0 || offset + WalFrame.HeaderSize + length > bytes.Length)
                {
                    break;
                }

                var frame = new Frame(path, offset, header.ToArray(), bytes.AsSpan(offset + WalFrame.HeaderSize, length).ToArray());
                if (kind == WalFrameKind.CommitEnd && (last is null || frame.Version > last.Version))
                {
                    (last, before) = (frame, previous);
                }

                previous = frame;
                offset += WalFrame.HeaderSize + length;
            }
        }

        Assert.NotNull(last);
        Assert.NotNull(before); // the frame before it in the same segment seeds its checksum
        Assert.Equal(Checksum.Compute(last.Payload), BinaryPrimitives.ReadUInt32LittleEndian(last.Header.AsSpan(24)));

        var payload = (byte[])last.Payload.Clone();
        change(payload);
        var header2 = new byte[WalFrame.HeaderSize];
        WalFrame.WriteHeader(header2, WalFrame.FrameChecksum(before.Header), payload.Length,
            BinaryPrimitives.ReadInt64LittleEndian(last.Header.AsSpan(8)), last.Version, Checksum.Compute(payload),
            WalFrameKind.CommitEnd, durableBefore: last.Header[29] == 1);
        fs.Corrupt(last.Path, last.Offset, header2);
        fs.Corrupt(last.Path, last.Offset + WalFrame.HeaderSize, payload);
        return fs;
    }

    private sealed record Frame(string Path, int Offset, byte[] Header, byte[] Payload)
    {
        public long Version => BinaryPrimitives.ReadInt64LittleEndian(Header.AsSpan(16));
    }
}
