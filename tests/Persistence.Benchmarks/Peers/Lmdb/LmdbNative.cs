using System.Runtime.InteropServices;

namespace Persistence.Benchmarks.Peers.Lmdb;

/// <summary>
/// The few LMDB calls the benchmark needs (liblmdb.so.0 from Debian's liblmdb0, 0.9.x), declared with
/// <see cref="LibraryImportAttribute"/> so that the marshalling is generated at compile time (AOT-safe). Every handle
/// is a raw pointer; every call that returns an error code goes through <see cref="LmdbException.Check"/> in the
/// callers. This layer lives in the benchmark project only.
/// </summary>
internal static unsafe partial class LmdbNative
{
    /// <summary>The shared library's soname: Debian ships no unversioned liblmdb.so without the -dev package.</summary>
    public const string Library = "liblmdb.so.0";

    public const int NotFound = -30798;
    public const int KeyExists = -30799;

    /// <summary><c>MDB_CORRUPTED</c>: reported when an index entry names a document that is not there.</summary>
    public const int Corrupted = -30796;

    /// <summary>MDB_NOSUBDIR: the path names the data file itself (the lock file is path + "-lock").</summary>
    public const uint NoSubdirectory = 0x4000;

    /// <summary>MDB_NOTLS: read transactions are bound to their handle, not their thread (needed for reset/renew).</summary>
    public const uint NoThreadLocalStorage = 0x200000;

    public const uint ReadOnly = 0x20000;

    /// <summary>MDB_CREATE for <see cref="DbiOpen"/>.</summary>
    public const uint Create = 0x40000;

    /// <summary>MDB_NOOVERWRITE for <see cref="Put"/>: fail with <see cref="KeyExists"/> instead of replacing.</summary>
    public const uint NoOverwrite = 0x10;

    /// <summary>MDB_cursor_op values.</summary>
    public enum CursorOp
    {
        First = 0,
        GetCurrent = 4,
        Next = 8,
        SetRange = 17,
    }

    /// <summary>MDB_val: a length and a pointer, into the memory map for values LMDB returns.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Value
    {
        public nuint Size;
        public byte* Data;

        public readonly ReadOnlySpan<byte> Span => new(Data, checked((int)Size));
    }

    [LibraryImport(Library, EntryPoint = "mdb_env_create")]
    public static partial int EnvCreate(out nint env);

    [LibraryImport(Library, EntryPoint = "mdb_env_set_mapsize")]
    public static partial int EnvSetMapSize(nint env, nuint size);

    [LibraryImport(Library, EntryPoint = "mdb_env_set_maxdbs")]
    public static partial int EnvSetMaxDbs(nint env, uint dbs);

    [LibraryImport(Library, EntryPoint = "mdb_env_open", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int EnvOpen(nint env, string path, uint flags, uint mode);

    [LibraryImport(Library, EntryPoint = "mdb_env_sync")]
    public static partial int EnvSync(nint env, int force);

    [LibraryImport(Library, EntryPoint = "mdb_env_close")]
    public static partial void EnvClose(nint env);

    [LibraryImport(Library, EntryPoint = "mdb_txn_begin")]
    public static partial int TxnBegin(nint env, nint parent, uint flags, out nint txn);

    [LibraryImport(Library, EntryPoint = "mdb_txn_commit")]
    public static partial int TxnCommit(nint txn);

    [LibraryImport(Library, EntryPoint = "mdb_txn_abort")]
    public static partial void TxnAbort(nint txn);

    [LibraryImport(Library, EntryPoint = "mdb_txn_reset")]
    public static partial void TxnReset(nint txn);

    [LibraryImport(Library, EntryPoint = "mdb_txn_renew")]
    public static partial int TxnRenew(nint txn);

    [LibraryImport(Library, EntryPoint = "mdb_dbi_open", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int DbiOpen(nint txn, string name, uint flags, out uint dbi);

    [LibraryImport(Library, EntryPoint = "mdb_put")]
    public static partial int Put(nint txn, uint dbi, Value* key, Value* data, uint flags);

    [LibraryImport(Library, EntryPoint = "mdb_get")]
    public static partial int Get(nint txn, uint dbi, Value* key, Value* data);

    [LibraryImport(Library, EntryPoint = "mdb_cursor_open")]
    public static partial int CursorOpen(nint txn, uint dbi, out nint cursor);

    [LibraryImport(Library, EntryPoint = "mdb_cursor_renew")]
    public static partial int CursorRenew(nint txn, nint cursor);

    [LibraryImport(Library, EntryPoint = "mdb_cursor_get")]
    public static partial int CursorGet(nint cursor, Value* key, Value* data, CursorOp op);

    [LibraryImport(Library, EntryPoint = "mdb_cursor_close")]
    public static partial void CursorClose(nint cursor);

    [LibraryImport(Library, EntryPoint = "mdb_strerror")]
    public static partial nint StrError(int error);

    /// <summary>Null when liblmdb.so.0 loads, else why not and how to install it.</summary>
    public static string? Unavailable()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "the LMDB peer uses Debian's liblmdb0 and runs on Linux only";
        }

        if (!NativeLibrary.TryLoad(Library, typeof(LmdbNative).Assembly, null, out var handle))
        {
            return $"{Library} was not found: install it with 'apt-get install -y liblmdb0'";
        }

        NativeLibrary.Free(handle);
        return null;
    }
}
