namespace Persistence.Storage;

/// <summary>Translates operating-system exceptions into <see cref="StorageException"/>s with a stable code.</summary>
internal static class StorageErrors
{
    // errno values and Windows HRESULTs for "disk full"; .NET surfaces either depending on the platform.
    private const int Enospc = 28;
    private const int Edquot = 122;
    private const int HResultDiskFull = unchecked((int)0x80070070);
    private const int HResultHandleDiskFull = unchecked((int)0x80070027);

    public static StorageException Wrap(Exception exception, string operation, string path)
    {
        if (exception is StorageException storage)
        {
            return storage;
        }

        var code = IsOutOfSpace(exception) ? ErrorCode.OutOfSpace : ErrorCode.IOError;
        var reason = code == ErrorCode.OutOfSpace ? "the disk is full" : exception.Message;
        return new StorageException(code, $"Could not {operation} '{path}': {reason}", exception);
    }

    public static bool IsOutOfSpace(Exception exception) => exception switch
    {
        IOException io => io.HResult is HResultDiskFull or HResultHandleDiskFull or Enospc or Edquot
            || (io.HResult & 0xFFFF) is Enospc or Edquot,
        _ => false,
    };
}
