using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Persistence.Generators.Parsing;

namespace Persistence.Analyzers.Queries;

/// <summary>
/// The members of each document type that the planner can search by: the first member of the primary key and of
/// every index, read from the type's attributes by the generator's own parser (the same model the generated Fields
/// are emitted from). One instance per compilation.
/// </summary>
internal sealed class IndexedMembers
{
    private readonly ConcurrentDictionary<INamedTypeSymbol, HashSet<string>?> _byType = new(SymbolEqualityComparer.Default);

    /// <summary>The searchable members of <paramref name="document"/>, or null when it is not a valid collection type.</summary>
    public HashSet<string>? Of(INamedTypeSymbol document, CancellationToken cancellationToken) =>
        _byType.GetOrAdd(document, type =>
        {
            var collection = TypeParser.Parse(type, DocumentKind.Collection, cancellationToken).Model?.Collection;
            return collection is null
                ? null
                : [collection.Key.Members[0], .. collection.Indexes.Select(i => i.Members[0])];
        });
}
