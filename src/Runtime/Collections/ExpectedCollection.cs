namespace Persistence.Collections;

/// <summary>
/// What a registration says of the collection its factory constructs (its name, and whether its documents have an
/// [ExpiresAt] member), for the constructor to check before it binds. A mismatch found only once the factory returned
/// came after the bind: keyspaces created, indexes built or dropped, for a collection the application never gets.
/// The description is set on the calling thread while the factory runs (<see cref="Expect"/>), and every collection of
/// the registered type (or a type derived from it) constructed then checks it: a factory that catches the refusal of
/// one construction and constructs the collection again has the next one refused before it binds too. A collection's
/// type fixes its schema, so every construction of the registered type is the collection described or none is.
/// Collections of other types the factory constructs along the way are not held to it, and neither is one an inner
/// registration's factory constructs (its own description, or none, is set while it runs).
/// </summary>
/// <param name="Type">The registered collection type: a collection of it, or of a type derived from it, is checked.</param>
/// <param name="Name">The collection's name, as the registration gives it.</param>
/// <param name="HasExpiresAt">Whether the registration says its documents have an [ExpiresAt] member.</param>
internal sealed record ExpectedCollection(Type Type, string Name, bool HasExpiresAt)
{
    [ThreadStatic]
    private static ExpectedCollection? t_current;

    /// <summary>
    /// Sets <paramref name="expected"/> as the description every construction of its type on this thread is checked
    /// against, until the returned scope ends (which restores the one set before, for a factory that resolves another
    /// registered collection). Null sets none, for the factory of a registration that describes nothing: a collection
    /// it constructs is not held to the description of an outer factory that resolved it.
    /// </summary>
    public static Scope Expect(ExpectedCollection? expected)
    {
        var outer = t_current;
        t_current = expected;
        return new Scope(outer);
    }

    /// <summary>
    /// Called by the constructor of a collection of type <paramref name="type"/> before it binds: refuses it when a
    /// description is set for its type and the schema is not the one described.
    /// </summary>
    /// <exception cref="InvalidOptionsException">The collection is not the one the registration describes.</exception>
    public static void Check<T, TKey>(Type type, DocumentSchema<T, TKey> schema)
        where T : class
    {
        if (t_current is not { } expected || !expected.Type.IsAssignableFrom(type))
        {
            return;
        }

        expected.Verify(type, schema.CollectionName, schema.HasExpiresAt);
    }

    /// <summary>Refuses a collection <paramref name="name"/> (with or without the member) that is not the one described.</summary>
    /// <exception cref="InvalidOptionsException">The collection is not the one the registration describes.</exception>
    public void Verify(Type type, string name, bool hasExpiresAt)
    {
        if (name == Name && hasExpiresAt == HasExpiresAt)
        {
            return;
        }

        throw new InvalidOptionsException(name == Name ? "hasExpiresAt" : "collectionName",
            $"{type.Name} is registered as collection '{Name}' {With(HasExpiresAt)} an [ExpiresAt] member, but it is collection '{name}' "
            + $"{With(hasExpiresAt)} one. Register it with its own name and member, as the generated AddPersistenceCollections() does.");

        static string With(bool member) => member ? "with" : "without";
    }

    /// <summary>Restores the description set before <see cref="Expect"/>.</summary>
    internal readonly struct Scope(ExpectedCollection? outer) : IDisposable
    {
        public void Dispose() => t_current = outer;
    }
}
