using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Persistence.Analyzers.Operations;

namespace Persistence.Analyzers.Transactions;

/// <summary>
/// PST0027 (warning): a collection write without a transaction argument inside the <c>using</c> scope of a read
/// transaction in the same method. The write commits at once in a transaction of its own, which the open snapshot
/// does not see; usually a WriteTransaction was meant. A warning, not an error: reading a snapshot and then writing
/// on purpose outside it is legitimate, if rare.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class WriteBesideReadTransactionAnalyzer : DiagnosticAnalyzer
{
    private static readonly ImmutableHashSet<string> s_collectionWrites =
    [
        "Insert", "InsertMany", "Upsert", "Update", "Delete",
        "InsertAsync", "InsertManyAsync", "UpsertAsync", "UpdateAsync", "DeleteAsync",
    ];

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = [DiagnosticDescriptors.WriteBesideReadTransaction];

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
        if (!IsWriteWithoutTransaction(invocation, symbols) || ReadTransactions.EnclosingScope(invocation, symbols) is not { } scope)
        {
            return;
        }

        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.WriteBesideReadTransaction, invocation.Syntax.GetLocation(), invocation.TargetMethod.Name, scope));
    }

    private static bool IsWriteWithoutTransaction(IInvocationOperation invocation, PersistenceSymbols symbols)
    {
        var method = invocation.TargetMethod;
        if (!Arguments.Has(invocation, Arguments.Transaction) || Arguments.Explicit(invocation, Arguments.Transaction) is not null)
        {
            return false;
        }

        if (SymbolEqualityComparer.Default.Equals(method.ContainingType.OriginalDefinition, symbols.Collection))
        {
            return s_collectionWrites.Contains(method.Name);
        }

        // A query started with a transaction deletes in it (or, for a read transaction, is PST0026's case).
        return method.Name is "Delete" or "DeleteAsync"
            && SymbolEqualityComparer.Default.Equals(method.ContainingType.OriginalDefinition, symbols.Query)
            && invocation.Instance is not null
            && QueryChain.Of(invocation.Instance, symbols) is { } chain
            && Arguments.Explicit(chain.Start, Arguments.Transaction) is null;
    }
}
