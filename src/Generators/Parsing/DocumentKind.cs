namespace Persistence.Generators.Parsing;

/// <summary>Which attribute made the type a parser input.</summary>
internal enum DocumentKind
{
    /// <summary>[Collection]: a stored document type with a key, indexes and a typed collection.</summary>
    Collection,

    /// <summary>[Embedded]: a type stored inside documents, which only gets a serializer.</summary>
    Embedded,
}
