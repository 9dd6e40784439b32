using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Persistence.Analyzers.Operations;

/// <summary>
/// A query as written in one method: the <c>collection.Query(transaction)</c> call that starts it and the builder calls
/// (Where, OrderBy, Skip, ...) applied to it in order, followed through locals when their assignments are visible.
/// </summary>
internal sealed class QueryChain
{
    private QueryChain(IInvocationOperation start, List<IInvocationOperation> steps)
    {
        Start = start;
        Steps = steps;
    }

    /// <summary>The generated collection's <c>Query(transaction)</c> call.</summary>
    public IInvocationOperation Start { get; }

    /// <summary>The builder calls from the first to the last.</summary>
    public IReadOnlyList<IInvocationOperation> Steps { get; }

    /// <summary>The chain that produces <paramref name="query"/>, or null when it does not start with a visible Query() call or has several possible starts.</summary>
    public static QueryChain? Of(IOperation query, PersistenceSymbols symbols)
    {
        var steps = new List<IInvocationOperation>();
        var current = query;
        while (true)
        {
            if (ValueFlow.Sources(current) is not { Count: 1 } sources)
            {
                return null;
            }

            var source = sources[0];

            if (source is not IInvocationOperation invocation || symbols.AsQuery(invocation.Type) is null)
            {
                return null;
            }

            if (IsStart(invocation, symbols))
            {
                steps.Reverse();
                return new QueryChain(invocation, steps);
            }

            if (!IsBuilder(invocation, symbols) || invocation.Instance is null)
            {
                return null;
            }

            steps.Add(invocation);
            current = invocation.Instance;
        }
    }

    /// <summary>True for a Query&lt;T, TKey, TFields&gt; method that returns another query (Where, OrderBy, Skip, ...).</summary>
    public static bool IsBuilder(IInvocationOperation invocation, PersistenceSymbols symbols) =>
        invocation.Instance is not null
        && SymbolEqualityComparer.Default.Equals(invocation.TargetMethod.ContainingType.OriginalDefinition, symbols.Query)
        && symbols.AsQuery(invocation.TargetMethod.ReturnType) is not null;

    /// <summary>True for a generated collection's Query(transaction) method.</summary>
    public static bool IsStart(IInvocationOperation invocation, PersistenceSymbols symbols) =>
        invocation.TargetMethod.Name == "Query"
        && PersistenceSymbols.DerivesFrom(invocation.TargetMethod.ContainingType, symbols.Collection)
        && symbols.AsQuery(invocation.TargetMethod.ReturnType) is not null;
}
