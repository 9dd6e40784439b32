using Persistence.Benchmarks.Peers;

namespace Persistence.Benchmarks.Measurement;

/// <summary>
/// A <see cref="LoopWorker"/> that runs one operation against its own <see cref="IPeerSession"/>. The operation
/// returns its latency category, or -1 for a wrong answer (counted as an error, recorded in category 0).
/// </summary>
internal sealed class SessionWorker : LoopWorker
{
    private readonly IPeerSession _session;
    private readonly Func<IPeerSession, int> _operation;

    public SessionWorker(IPeerSession session, Func<IPeerSession, int> operation)
    {
        _session = session;
        _operation = operation;
    }

    public override long Retries => _session.Retries;

    public override int Execute()
    {
        var category = _operation(_session);
        if (category < 0)
        {
            Errors++;
            return 0;
        }

        return category;
    }

    public override void Dispose() => _session.Dispose();
}
