namespace Persistence;

/// <summary>When a commit is acknowledged, and so what a crash can take away.</summary>
public enum Durability
{
    /// <summary>
    /// Acknowledged once the commit is on stable storage (fdatasync). A crash never loses it. Its effects become
    /// visible to other transactions only once durable. A transaction that wrote nothing is acknowledged once the
    /// buffered commits its snapshot holds are durable. The default.
    /// </summary>
    Durable = 0,

    /// <summary>
    /// Acknowledged once the commit is written to the operating system. A crash of the process loses nothing; a
    /// power failure may lose the commits of the last <see cref="DatabaseOptions.BufferedFlushDelay"/>, never part of a
    /// commit. Made durable by the next durable commit or by a timer.
    /// </summary>
    Buffered = 1,

    /// <summary>Nothing is written: the mode of in-memory databases, where every commit uses it.</summary>
    None = 2,
}
