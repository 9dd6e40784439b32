namespace Persistence.Benchmarks.Measurement;

/// <summary>A <see cref="LoopWorker"/> running one operation that returns false for a wrong answer, and owning what it disposes.</summary>
internal sealed class FuncWorker(Func<bool> operation, IDisposable? owned = null) : LoopWorker
{
    public override int Execute()
    {
        if (!operation())
        {
            Errors++;
        }

        return 0;
    }

    public override void Dispose() => owned?.Dispose();
}
