using Microsoft.CodeAnalysis;

namespace Persistence.Analyzers.Operations;

/// <summary>The runtime types the user-code analyzers look for; null when the compilation does not reference the runtime.</summary>
internal sealed class PersistenceSymbols
{
    private PersistenceSymbols(Compilation compilation)
    {
        Database = compilation.GetTypeByMetadataName("Persistence.Database")!;
        Transaction = compilation.GetTypeByMetadataName("Persistence.Transaction")!;
        ReadTransaction = compilation.GetTypeByMetadataName("Persistence.ReadTransaction")!;
        WriteTransaction = compilation.GetTypeByMetadataName("Persistence.WriteTransaction")!;
        Collection = compilation.GetTypeByMetadataName("Persistence.Collections.Collection`2")!;
        Query = compilation.GetTypeByMetadataName("Persistence.Query.Query`3")!;
        Condition = compilation.GetTypeByMetadataName("Persistence.Query.Condition`1")!;
        Field = compilation.GetTypeByMetadataName("Persistence.Query.Field`1")!;
    }

    public INamedTypeSymbol Database { get; }

    public INamedTypeSymbol Transaction { get; }

    public INamedTypeSymbol ReadTransaction { get; }

    public INamedTypeSymbol WriteTransaction { get; }

    /// <summary>Collection&lt;T, TKey&gt;, the base of every generated collection.</summary>
    public INamedTypeSymbol Collection { get; }

    /// <summary>Query&lt;T, TKey, TFields&gt;.</summary>
    public INamedTypeSymbol Query { get; }

    /// <summary>Condition&lt;T&gt;.</summary>
    public INamedTypeSymbol Condition { get; }

    /// <summary>Field&lt;T&gt;, the base of every query field.</summary>
    public INamedTypeSymbol Field { get; }

    public static PersistenceSymbols? From(Compilation compilation)
    {
        var symbols = new PersistenceSymbols(compilation);
        return symbols.Database is null || symbols.Transaction is null || symbols.ReadTransaction is null || symbols.WriteTransaction is null
            || symbols.Collection is null || symbols.Query is null || symbols.Condition is null || symbols.Field is null
            ? null
            : symbols;
    }

    public bool IsReadTransaction(ITypeSymbol? type) => SymbolEqualityComparer.Default.Equals(type, ReadTransaction);

    public bool IsWriteTransaction(ITypeSymbol? type) => SymbolEqualityComparer.Default.Equals(type, WriteTransaction);

    /// <summary>True when <paramref name="type"/> is <paramref name="generic"/> (open) or a type derived from a construction of it.</summary>
    public static bool DerivesFrom(ITypeSymbol? type, INamedTypeSymbol generic)
    {
        for (var current = type as INamedTypeSymbol; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current.OriginalDefinition, generic))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The Query&lt;T, TKey, TFields&gt; construction of <paramref name="type"/>, or null.</summary>
    public INamedTypeSymbol? AsQuery(ITypeSymbol? type) =>
        type is INamedTypeSymbol named && SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, Query) ? named : null;
}
