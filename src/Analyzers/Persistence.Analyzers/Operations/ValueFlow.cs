using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Persistence.Analyzers.Operations;

/// <summary>
/// A deliberately small value-flow analysis within one method: where a value can come from, through conversions,
/// parentheses and locals whose every assignment in the method is visible. Anything it cannot follow (parameters,
/// fields, ref and out arguments, deconstruction) makes the answer unknown, so the analyzers built on it report only
/// what they can prove.
/// </summary>
internal static class ValueFlow
{
    /// <summary>The operation without the conversions and parentheses around it.</summary>
    public static IOperation Unwrap(IOperation operation)
    {
        while (true)
        {
            switch (operation)
            {
                case IConversionOperation conversion:
                    operation = conversion.Operand;
                    break;
                case IParenthesizedOperation parenthesized:
                    operation = parenthesized.Operand;
                    break;
                default:
                    return operation;
            }
        }
    }

    /// <summary>
    /// Every expression the value of <paramref name="operation"/> can come from (unwrapped, locals followed), or null
    /// when one of them cannot be seen.
    /// </summary>
    public static List<IOperation>? Sources(IOperation operation)
    {
        var sources = new List<IOperation>();
        return Collect(operation, sources, []) ? sources : null;
    }

    /// <summary>The outermost operation of the method, lambda bodies included.</summary>
    public static IOperation Root(IOperation operation)
    {
        while (operation.Parent is not null)
        {
            operation = operation.Parent;
        }

        return operation;
    }

    /// <summary>Every reference to <paramref name="local"/> in the method.</summary>
    public static IEnumerable<ILocalReferenceOperation> References(IOperation root, ILocalSymbol local) =>
        root.Descendants().OfType<ILocalReferenceOperation>().Where(r => SymbolEqualityComparer.Default.Equals(r.Local, local));

    private static bool Collect(IOperation operation, List<IOperation> sources, HashSet<ILocalSymbol> visited)
    {
        operation = Unwrap(operation);
        if (operation is not ILocalReferenceOperation reference)
        {
            sources.Add(operation);
            return true;
        }

        if (!visited.Add(reference.Local))
        {
            return true;
        }

        var root = Root(operation);
        var assigned = false;
        foreach (var declarator in root.Descendants().OfType<IVariableDeclaratorOperation>().Where(d => SymbolEqualityComparer.Default.Equals(d.Symbol, reference.Local)))
        {
            if (declarator.GetVariableInitializer() is { } initializer)
            {
                assigned = true;
                if (!Collect(initializer.Value, sources, visited))
                {
                    return false;
                }
            }
        }

        foreach (var write in References(root, reference.Local))
        {
            switch (write.Parent)
            {
                case ISimpleAssignmentOperation assignment when assignment.Target == write:
                    assigned = true;
                    if (!Collect(assignment.Value, sources, visited))
                    {
                        return false;
                    }

                    break;
                case IAssignmentOperation assignment when assignment.Target == write:
                    return false; // compound and coalescing assignments
                case IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out }:
                case IDeclarationExpressionOperation:
                case ITupleOperation:
                    return false;
                default:
                    break;
            }
        }

        return assigned;
    }
}
