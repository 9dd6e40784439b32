using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Persistence.Analyzers.Operations;

/// <summary>Finding read transactions in a method: values that come from BeginRead/BeginReadAsync, and the scopes of <c>using</c> on them.</summary>
internal static class ReadTransactions
{
    /// <summary>
    /// True when every value <paramref name="value"/> can have is statically a ReadTransaction (a BeginRead() call, an
    /// awaited BeginReadAsync(), or a local of type ReadTransaction), whatever type it is converted to on the way.
    /// </summary>
    public static bool IsReadTransaction(IOperation value, PersistenceSymbols symbols) =>
        ValueFlow.Sources(value) is { Count: > 0 } sources && sources.All(s => symbols.IsReadTransaction(s.Type));

    /// <summary>
    /// The name of the read transaction whose <c>using</c> scope contains <paramref name="operation"/> in the same
    /// method (lambdas and local functions are boundaries: they may run after the scope ends), or null.
    /// </summary>
    public static string? EnclosingScope(IOperation operation, PersistenceSymbols symbols)
    {
        for (IOperation? child = operation, parent = operation.Parent; parent is not null; child = parent, parent = parent.Parent)
        {
            switch (parent)
            {
                case IAnonymousFunctionOperation or ILocalFunctionOperation:
                    return null;
                case IUsingOperation @using when child == @using.Body && ReadResource(@using.Resources, symbols) is { } name:
                    return name;
                case IBlockOperation block:
                    var index = block.Operations.IndexOf(child);
                    for (var i = 0; i < index; i++)
                    {
                        if (block.Operations[i] is IUsingDeclarationOperation declaration && ReadResource(declaration.DeclarationGroup, symbols) is { } declared)
                        {
                            return declared;
                        }
                    }

                    break;
            }
        }

        return null;
    }

    private static string? ReadResource(IOperation resource, PersistenceSymbols symbols)
    {
        if (resource is IVariableDeclarationGroupOperation group)
        {
            foreach (var declarator in group.Declarations.SelectMany(d => d.Declarators))
            {
                if (declarator.GetVariableInitializer() is { } initializer && IsReadTransaction(initializer.Value, symbols))
                {
                    return declarator.Symbol.Name;
                }
            }

            return null;
        }

        return IsReadTransaction(resource, symbols) ? resource.Syntax.ToString() : null;
    }
}
