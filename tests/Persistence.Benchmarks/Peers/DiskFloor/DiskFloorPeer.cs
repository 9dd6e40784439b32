using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using Persistence.Benchmarks.Data;
using Persistence.Benchmarks.Measurement;

namespace Persistence.Benchmarks.Peers.DiskFloor;

/// <summary>
/// The disk's own floor for the durable workloads (W2, W3): no database at all, each commit one <c>pwrite</c> of the
/// user's fields (about 100 bytes) at the next offset of a file filled with zeros beforehand, and one
/// <c>fdatasync</c>. That is the least I/O a commit acknowledged after reaching stable storage can do on this disk,
/// and it is what our log does per sync; it runs in the same process run, on the same temporary disk, between the
/// other peers, so that its latency tail shows how much of every system's W2 tail is the device's. Concurrent writers
/// (W3) each sync on their own, without group commit: their floor is the disk's under that many syncs at once.
/// </summary>
internal sealed partial class DiskFloorPeer : IPeer
{
    public const string PeerName = "disk-floor";

    /// <summary>Commits wrap around within this many bytes, so that every write overwrites allocated, zeroed blocks.</summary>
    private const long FileBytes = 64L << 20;

    private readonly string _directory;
    private readonly string _path;
    private readonly SafeFileHandle _file;
    private long _next;

    public DiskFloorPeer(string directory)
    {
        _directory = directory;
        _path = Path.Combine(directory, "floor.log");
        _file = File.OpenHandle(_path, FileMode.CreateNew, FileAccess.ReadWrite);
        var zeros = new byte[1 << 20];
        for (long offset = 0; offset < FileBytes; offset += zeros.Length)
        {
            RandomAccess.Write(_file, zeros, offset);
        }

        RandomAccess.FlushToDisk(_file);
    }

    public static PeerDescriptor Descriptor { get; } = new(PeerName, workload => workload is "W2" or "W3", (directory, _) => new DiskFloorPeer(directory))
    {
        Unavailable = static () => OperatingSystem.IsLinux() ? null : "fdatasync is called through libc, on Linux only",
    };

    public string Name => PeerName;

    public bool NeedsLongWarmup => false;

    public void Load(UserBatches users) => throw new NotSupportedException("The disk floor runs the durable insert workloads only.");

    public void Checkpoint()
    {
    }

    public DiskUsage MeasureDisk() => DiskUsage.Measure(_path, _directory);

    public string Diagnostics() => "one pwrite and one fdatasync per durable commit, no database";

    public IPeerSession OpenSession() => new Session(this);

    public void Dispose() => _file.Dispose();

    private void Append(User user, CommitMode mode, byte[] record)
    {
        var length = Encode(user, record);
        var offset = Interlocked.Add(ref _next, length) - length;
        offset %= FileBytes - record.Length;
        RandomAccess.Write(_file, record.AsSpan(0, length), offset);
        if (mode == CommitMode.Durable && FDataSync(_file) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"fdatasync failed with errno {errno}", errno);
        }
    }

    /// <summary>The user's fields as a commit record would carry them: lengths and bytes, about 100 bytes in all.</summary>
    private static int Encode(User user, byte[] record)
    {
        var span = record.AsSpan();
        BinaryPrimitives.WriteInt64LittleEndian(span, user.Id);
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], user.Age);
        BinaryPrimitives.WriteInt64LittleEndian(span[12..], user.CreatedAt.Ticks);
        var length = 20;
        length += WriteText(user.Email, span[length..]);
        length += WriteText(user.Name, span[length..]);
        foreach (var tag in user.Tags)
        {
            length += WriteText(tag, span[length..]);
        }

        return length;
    }

    private static int WriteText(string text, Span<byte> destination)
    {
        var written = Encoding.UTF8.GetBytes(text, destination[1..]);
        destination[0] = (byte)written;
        return written + 1;
    }

    private static int FDataSync(SafeFileHandle handle)
    {
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            return FDataSync((int)handle.DangerousGetHandle());
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    private static partial int FDataSync(int fd);

    private sealed class Session(DiskFloorPeer peer) : IPeerSession
    {
        private readonly byte[] _record = new byte[512];

        public long Retries => 0;

        public void Insert(User user, CommitMode mode) => peer.Append(user, mode, _record);

        public User? Get(long id) => throw Unsupported();

        public User? GetByEmail(string email) => throw Unsupported();

        public int QueryAge(int age, int limit, List<User> results) => throw Unsupported();

        public bool UpdateName(long id, string name, CommitMode mode) => throw Unsupported();

        public int Scan(long firstId, int count, List<User> results) => throw Unsupported();

        public void Dispose()
        {
        }

        private static NotSupportedException Unsupported() => new("The disk floor stores nothing to read.");
    }
}
