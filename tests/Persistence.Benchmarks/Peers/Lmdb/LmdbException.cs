using System.Runtime.InteropServices;

namespace Persistence.Benchmarks.Peers.Lmdb;

/// <summary>An LMDB call returned an error code; the message is LMDB's own (<c>mdb_strerror</c>).</summary>
internal sealed class LmdbException : Exception
{
    public LmdbException(int code, string call)
        : base($"{call} failed: {Marshal.PtrToStringUTF8(LmdbNative.StrError(code))} ({code})")
    {
        Code = code;
    }

    public LmdbException()
    {
    }

    public LmdbException(string message)
        : base(message)
    {
    }

    public LmdbException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>LMDB's error code (negative for LMDB's own, positive for errno).</summary>
    public int Code { get; }

    /// <summary>Throws unless <paramref name="code"/> is 0 (MDB_SUCCESS).</summary>
    public static void Check(int code, string call)
    {
        if (code != 0)
        {
            throw new LmdbException(code, call);
        }
    }
}
