using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Persistence.Analyzers.Operations;

namespace Persistence.Analyzers.Queries;

/// <summary>
/// PST0029 (warning): a query whose filter, or whose ordering when it has no filter, can only run as a scan of the
/// whole collection, because the members it uses lead no index and are not the primary key. It reads the
/// <c>Where(f =&gt; ...)</c> and <c>OrderBy(f =&gt; ...)</c> lambdas of a query written in one chain from
/// <c>collection.Query()</c>, and decides which members are searchable from the document type's attributes. It stays
/// silent when it cannot see the whole query: a condition built elsewhere, or a query returned, stored or extended
/// later.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class FullScanQueryAnalyzer : DiagnosticAnalyzer
{
    private static readonly ImmutableHashSet<string> s_searchable = ["Is", "LessThan", "AtMost", "GreaterThan", "AtLeast", "Between", "In", "StartsWith"];

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = [DiagnosticDescriptors.FullScanQuery];

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            if (PersistenceSymbols.From(start.Compilation) is { } symbols)
            {
                var indexed = new IndexedMembers();
                start.RegisterOperationAction(c => Analyze(c, symbols, indexed), OperationKind.Invocation);
            }
        });
    }

    private static void Analyze(OperationAnalysisContext context, PersistenceSymbols symbols, IndexedMembers indexed)
    {
        var invocation = (IInvocationOperation)context.Operation;
        if (!QueryChain.IsBuilder(invocation, symbols) || !IsComplete(invocation, symbols) || QueryChain.Of(invocation, symbols) is not { } chain)
        {
            return;
        }

        var query = symbols.AsQuery(invocation.Type)!;
        if (query.TypeArguments[0] is not INamedTypeSymbol document || indexed.Of(document, context.CancellationToken) is not { } searchable)
        {
            return;
        }

        FilterShape? filter = null;
        IAnonymousFunctionOperation? ordering = null;
        foreach (var step in chain.Steps)
        {
            switch (step.TargetMethod.Name)
            {
                case "Where":
                    var shape = Lambda(step) is { } where ? Evaluate(Body(where), where.Symbol.Parameters[0], searchable, symbols) : FilterShape.Unknown;
                    filter = filter is null ? shape : FilterShape.And(filter, shape);
                    break;
                case "OrderBy" or "OrderByDescending":
                    ordering = Lambda(step);
                    break;
                default:
                    break;
            }
        }

        if (filter is { Kind: FilterKind.Scan, FirstScan: { } term })
        {
            Report(context, term, document, filter.Reason());
        }
        else if (filter is null && ordering is not null && Member(Body(ordering), ordering.Symbol.Parameters[0]) is { } ordered && !searchable.Contains(ordered))
        {
            Report(context, Body(ordering)!.Syntax, document, $"it is ordered by '{ordered}', which leads no index, so every document is read and sorted; mark '{ordered}' [Index]");
        }
    }

    private static void Report(OperationAnalysisContext context, SyntaxNode node, INamedTypeSymbol document, string reason) =>
        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.FullScanQuery, node.GetLocation(), document.Name, reason));

    /// <summary>
    /// True when <paramref name="top"/> is the last builder call and the query runs as written: it is not extended by
    /// another builder call, returned, stored, or passed on as a query.
    /// </summary>
    private static bool IsComplete(IOperation top, PersistenceSymbols symbols)
    {
        var value = top;
        while (value.Parent is IConversionOperation or IParenthesizedOperation)
        {
            value = value.Parent;
        }

        switch (value.Parent)
        {
            case IInvocationOperation next when next.Instance == value:
                return !QueryChain.IsBuilder(next, symbols);
            case IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator }:
                return IsRunAsIs(declarator.Symbol, value, symbols);
            case ISimpleAssignmentOperation { Target: ILocalReferenceOperation local } assignment when assignment.Value == value:
                return IsRunAsIs(local.Local, value, symbols);
            case IReturnOperation or IAssignmentOperation:
                return false;
            case IArgumentOperation argument:
                return symbols.AsQuery(argument.Parameter?.Type) is null;
            default:
                return true;
        }
    }

    /// <summary>True when a local holding the query is only enumerated or run: never extended, reassigned, returned or passed on as a query.</summary>
    private static bool IsRunAsIs(ILocalSymbol local, IOperation value, PersistenceSymbols symbols)
    {
        foreach (var reference in ValueFlow.References(ValueFlow.Root(value), local))
        {
            switch (reference.Parent)
            {
                case IInvocationOperation next when next.Instance == reference && !QueryChain.IsBuilder(next, symbols):
                case IForEachLoopOperation:
                    break;
                case IArgumentOperation argument when symbols.AsQuery(argument.Parameter?.Type) is null && argument.Parameter?.RefKind == RefKind.None:
                    break;
                case IConversionOperation { Parent: IForEachLoopOperation or IArgumentOperation }:
                    break;
                default:
                    return false;
            }
        }

        return true;
    }

    private static IAnonymousFunctionOperation? Lambda(IInvocationOperation step) =>
        step.Arguments.Length == 1 && ValueFlow.Unwrap(step.Arguments[0].Value) is IDelegateCreationOperation { Target: IAnonymousFunctionOperation lambda }
            && lambda.Symbol.Parameters.Length == 1
            ? lambda
            : null;

    /// <summary>The expression an expression-bodied lambda returns, or null for a block body.</summary>
    private static IOperation? Body(IAnonymousFunctionOperation lambda) =>
        lambda.Body.Operations.Length == 1 && lambda.Body.Operations[0] is IReturnOperation { ReturnedValue: { } returned } ? returned : null;

    /// <summary>The member <c>f.Member</c> names, when <paramref name="operation"/> is a property of the lambda's fields parameter.</summary>
    private static string? Member(IOperation? operation, IParameterSymbol fields) =>
        operation is not null && ValueFlow.Unwrap(operation) is IPropertyReferenceOperation { Instance: IParameterReferenceOperation parameter } property
            && SymbolEqualityComparer.Default.Equals(parameter.Parameter, fields)
            ? property.Property.Name
            : null;

    private static FilterShape Evaluate(IOperation? operation, IParameterSymbol fields, HashSet<string> searchable, PersistenceSymbols symbols)
    {
        if (operation is null)
        {
            return FilterShape.Unknown;
        }

        operation = ValueFlow.Unwrap(operation);
        switch (operation)
        {
            case IBinaryOperation { OperatorMethod: { } method } binary when IsConditionMember(method, symbols):
                var left = Evaluate(binary.LeftOperand, fields, searchable, symbols);
                var right = Evaluate(binary.RightOperand, fields, searchable, symbols);
                return method.Name switch
                {
                    "op_BitwiseAnd" => FilterShape.And(left, right),
                    "op_BitwiseOr" => FilterShape.Or(left, right),
                    _ => FilterShape.Unknown,
                };
            case IUnaryOperation { OperatorMethod: { Name: "op_LogicalNot" } method } when IsConditionMember(method, symbols):
                return FilterShape.Negation(operation.Syntax);
            case IInvocationOperation { Instance: { } instance } call when IsConditionMember(call.TargetMethod, symbols) && call.Arguments.Length == 1:
                var self = Evaluate(instance, fields, searchable, symbols);
                var other = Evaluate(call.Arguments[0].Value, fields, searchable, symbols);
                return call.TargetMethod.Name switch
                {
                    "And" => FilterShape.And(self, other),
                    "Or" => FilterShape.Or(self, other),
                    _ => FilterShape.Unknown,
                };
            case IInvocationOperation { Instance: { } field } call when PersistenceSymbols.DerivesFrom(call.TargetMethod.ContainingType, symbols.Field):
                if (Member(field, fields) is not { } member)
                {
                    return FilterShape.Unknown;
                }

                if (call.TargetMethod.Name == "IsNot")
                {
                    return FilterShape.Negation(operation.Syntax);
                }

                return !s_searchable.Contains(call.TargetMethod.Name) ? FilterShape.Unknown
                    : searchable.Contains(member) ? FilterShape.Indexable
                    : FilterShape.ScanOf(member, operation.Syntax);
            default:
                return FilterShape.Unknown;
        }
    }

    private static bool IsConditionMember(IMethodSymbol method, PersistenceSymbols symbols) =>
        SymbolEqualityComparer.Default.Equals(method.ContainingType.OriginalDefinition, symbols.Condition);
}
