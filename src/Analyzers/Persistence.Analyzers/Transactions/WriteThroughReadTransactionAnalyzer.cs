using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Persistence.Analyzers.Operations;

namespace Persistence.Analyzers.Transactions;

/// <summary>
/// PST0026: a read transaction used as a write transaction. The API makes most such writes compile errors (writes take
/// a WriteTransaction); this finds the ones that compile: an explicit cast or <c>as</c> to WriteTransaction of a value
/// that is a read transaction, and Delete() or DeleteAsync() on a query started with a read transaction (it refuses to
/// delete at run time).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class WriteThroughReadTransactionAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = [DiagnosticDescriptors.WriteThroughReadTransaction];

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            if (PersistenceSymbols.From(start.Compilation) is not { } symbols)
            {
                return;
            }

            start.RegisterOperationAction(c => AnalyzeConversion(c, symbols), OperationKind.Conversion);
            start.RegisterOperationAction(c => AnalyzeQueryDelete(c, symbols), OperationKind.Invocation);
        });
    }

    private static void AnalyzeConversion(OperationAnalysisContext context, PersistenceSymbols symbols)
    {
        var conversion = (IConversionOperation)context.Operation;
        if (conversion.IsImplicit || !symbols.IsWriteTransaction(conversion.Type) || !ReadTransactions.IsReadTransaction(conversion.Operand, symbols))
        {
            return;
        }

        var consequence = conversion.IsTryCast
            ? "'as' always yields null here, and a write given a null transaction commits in a transaction of its own"
            : "the cast always throws InvalidCastException";
        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.WriteThroughReadTransaction, conversion.Syntax.GetLocation(),
            conversion.Syntax.ToString(), ValueFlow.Unwrap(conversion.Operand).Syntax.ToString(), consequence));
    }

    private static void AnalyzeQueryDelete(OperationAnalysisContext context, PersistenceSymbols symbols)
    {
        var invocation = (IInvocationOperation)context.Operation;
        if (invocation.TargetMethod.Name is not ("Delete" or "DeleteAsync")
            || !SymbolEqualityComparer.Default.Equals(invocation.TargetMethod.ContainingType.OriginalDefinition, symbols.Query)
            || invocation.Instance is null
            || Arguments.Explicit(invocation, Arguments.Transaction) is not null
            || QueryChain.Of(invocation.Instance, symbols) is not { } chain
            || Arguments.Explicit(chain.Start, Arguments.Transaction) is not { } transaction
            || !ReadTransactions.IsReadTransaction(transaction, symbols))
        {
            return;
        }

        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.WriteThroughReadTransaction, invocation.Syntax.GetLocation(),
            invocation.Syntax.ToString(), transaction.Syntax.ToString(),
            $"the query was started with a read transaction, so {invocation.TargetMethod.Name}() refuses to delete (TransactionStateException, ReadOnlyTransaction); pass a WriteTransaction to Query() or {invocation.TargetMethod.Name}()"));
    }
}
