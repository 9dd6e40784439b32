using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Persistence.Analyzers.Operations;

namespace Persistence.Analyzers.Transactions;

/// <summary>
/// PST0028 (warning): a write transaction from BeginWrite()/BeginWriteAsync() that is not disposed. Silent whenever
/// the transaction's owner is not visible in the method: a using declaration or statement, a return, a store to a
/// field, property or another variable, an argument to code outside Persistence, a capture by a lambda. Otherwise it
/// reports a transaction that is never disposed, or whose Dispose() calls some normal path to the end of the method
/// does not reach (paths through exceptions are not considered: a Dispose() after the last write counts, as it does
/// for CA2000).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class UndisposedWriteTransactionAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = [DiagnosticDescriptors.UndisposedWriteTransaction];

    private enum Fate
    {
        /// <summary>Disposed, or handed to code that owns it from then on: nothing to report.</summary>
        Handled,

        /// <summary>Used only through its own members and Persistence calls, and never disposed.</summary>
        Leaked,

        /// <summary>Disposed by explicit Dispose() calls only: whether every path reaches one is decided on the control flow graph.</summary>
        DisposedOnSomePaths,
    }

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            if (PersistenceSymbols.From(start.Compilation) is { } symbols)
            {
                start.RegisterOperationAction(c => Analyze(c, symbols), OperationKind.Invocation);
            }
        });
    }

    private static void Analyze(OperationAnalysisContext context, PersistenceSymbols symbols)
    {
        var invocation = (IInvocationOperation)context.Operation;
        var method = invocation.TargetMethod;
        if (method.Name is not ("BeginWrite" or "BeginWriteAsync") || !SymbolEqualityComparer.Default.Equals(method.ContainingType, symbols.Database))
        {
            return;
        }

        if (Transaction(invocation, method.Name == "BeginWriteAsync") is not { } transaction)
        {
            return;
        }

        var disposals = new List<SyntaxNode>();
        var fate = FateOf(transaction, symbols, disposals);
        if (fate == Fate.Handled || (fate == Fate.DisposedOnSomePaths && DisposedOnEveryPath(context, invocation, disposals)))
        {
            return;
        }

        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.UndisposedWriteTransaction, invocation.Syntax.GetLocation(), method.Name + "()"));
    }

    /// <summary>The operation whose value is the transaction (the await of an async call); null when the task itself is passed on.</summary>
    private static IOperation? Transaction(IOperation invocation, bool async)
    {
        var current = invocation;
        while (true)
        {
            switch (current.Parent)
            {
                case IConversionOperation or IParenthesizedOperation:
                    current = current.Parent;
                    break;
                case IInvocationOperation { TargetMethod.Name: "ConfigureAwait" } configure when async && configure.Instance == current:
                    current = configure;
                    break;
                case IAwaitOperation await when async:
                    async = false;
                    current = await;
                    break;
                default:
                    return async ? null : current;
            }
        }
    }

    private static Fate FateOf(IOperation transaction, PersistenceSymbols symbols, List<SyntaxNode> disposals)
    {
        switch (transaction.Parent)
        {
            case IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator }:
                return IsUsing(declarator) ? Fate.Handled : FateOfLocal(declarator.Symbol, transaction, symbols, disposals);
            case ISimpleAssignmentOperation assignment when assignment.Value == transaction:
                return assignment.Target is ILocalReferenceOperation local ? FateOfLocal(local.Local, transaction, symbols, disposals) : Fate.Handled;
            case IExpressionStatementOperation:
                return Fate.Leaked;
            case IArgumentOperation argument:
                return IsPersistenceCall(argument.Parent, symbols) ? Fate.Leaked : Fate.Handled;
            case IInvocationOperation call when call.Instance == transaction:
                return call.TargetMethod.Name == "Dispose" ? Fate.Handled : Fate.Leaked;
            default:
                return Fate.Handled; // using statements, returns, and anything this analysis does not follow
        }
    }

    private static Fate FateOfLocal(ILocalSymbol local, IOperation transaction, PersistenceSymbols symbols, List<SyntaxNode> disposals)
    {
        var root = ValueFlow.Root(transaction);
        var scope = FunctionOf(transaction);
        foreach (var reference in ValueFlow.References(root, local))
        {
            if (FunctionOf(reference) != scope)
            {
                return Fate.Handled; // captured: the lambda or local function may dispose it, later
            }

            IOperation value = reference;
            while (value.Parent is IConversionOperation or IParenthesizedOperation)
            {
                value = value.Parent;
            }

            switch (value.Parent)
            {
                case IInvocationOperation call when call.Instance == value:
                    if (call.TargetMethod.Name == "Dispose")
                    {
                        disposals.Add(call.Syntax);
                    }

                    break;
                case IPropertyReferenceOperation property when property.Instance == value:
                case ISimpleAssignmentOperation assignment when assignment.Target == value:
                    break;
                case IArgumentOperation argument when IsPersistenceCall(argument.Parent, symbols):
                    break;
                default:
                    return Fate.Handled; // returned, stored, passed on, disposed by a using statement or conditionally
            }
        }

        return disposals.Count == 0 ? Fate.Leaked : Fate.DisposedOnSomePaths;
    }

    private static bool IsUsing(IVariableDeclaratorOperation declarator) =>
        declarator.Parent?.Parent is IVariableDeclarationGroupOperation { Parent: IUsingOperation or IUsingDeclarationOperation };

    private static bool IsPersistenceCall(IOperation? call, PersistenceSymbols symbols) =>
        call is IInvocationOperation invocation
        && SymbolEqualityComparer.Default.Equals(invocation.TargetMethod.ContainingAssembly, symbols.Database.ContainingAssembly);

    private static IOperation? FunctionOf(IOperation operation)
    {
        for (var current = operation.Parent; current is not null; current = current.Parent)
        {
            if (current is IAnonymousFunctionOperation or ILocalFunctionOperation)
            {
                return current;
            }
        }

        return null;
    }

    /// <summary>True when every normal path from the transaction's creation to the end of the method passes a Dispose() call.</summary>
    private static bool DisposedOnEveryPath(OperationAnalysisContext context, IOperation creation, List<SyntaxNode> disposals)
    {
        if (FunctionOf(creation) is not null)
        {
            return true; // inside a lambda or local function: only "never disposed" is reported
        }

        var graph = context.GetControlFlowGraph();
        var disposing = new HashSet<int>();
        int? start = null;
        var startIndex = 0;
        foreach (var block in graph.Blocks)
        {
            for (var i = 0; i < block.Operations.Length; i++)
            {
                var nodes = block.Operations[i].DescendantsAndSelf().Select(o => o.Syntax).ToList();
                if (nodes.Contains(creation.Syntax))
                {
                    start = block.Ordinal;
                    startIndex = i;
                }

                if (disposals.Any(nodes.Contains))
                {
                    if (start == block.Ordinal && i >= startIndex)
                    {
                        return true; // disposed later in the block the transaction is created in
                    }

                    disposing.Add(block.Ordinal);
                }
            }
        }

        if (start is null)
        {
            return true;
        }

        var visited = new HashSet<int> { start.Value };
        var pending = new Stack<int>([start.Value]);
        while (pending.Count > 0)
        {
            var block = graph.Blocks[pending.Pop()];
            foreach (var branch in new[] { block.FallThroughSuccessor, block.ConditionalSuccessor })
            {
                if (branch is null || branch.FinallyRegions.Any(r => disposing.Any(d => d >= r.FirstBlockOrdinal && d <= r.LastBlockOrdinal)))
                {
                    continue;
                }

                if (branch.Destination is not { } next || disposing.Contains(next.Ordinal))
                {
                    continue; // a throw or the end of a finally region, or a block that disposes
                }

                if (next.Kind == Microsoft.CodeAnalysis.FlowAnalysis.BasicBlockKind.Exit)
                {
                    return false;
                }

                if (visited.Add(next.Ordinal))
                {
                    pending.Push(next.Ordinal);
                }
            }
        }

        return true;
    }
}
