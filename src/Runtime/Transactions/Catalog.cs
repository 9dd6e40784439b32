namespace Persistence.Transactions;

/// <summary>The keyspaces of one version: an immutable map by id and by name. Changing it makes a new catalog.</summary>
internal sealed class Catalog
{
    private readonly Keyspace?[] _byId;
    private readonly Dictionary<string, Keyspace> _byName;

    private Catalog(Keyspace?[] byId, Dictionary<string, Keyspace> byName)
    {
        _byId = byId;
        _byName = byName;
    }

    public static Catalog Empty { get; } = new([], new Dictionary<string, Keyspace>(StringComparer.Ordinal));

    public int Count => _byName.Count;

    /// <summary>One more than the largest id in use (the length a roots array needs).</summary>
    public int IdLimit => _byId.Length;

    public IEnumerable<Keyspace> Keyspaces => _byName.Values.OrderBy(k => k.Name, StringComparer.Ordinal);

    public static Catalog From(IEnumerable<Keyspace> keyspaces)
    {
        var catalog = Empty;
        foreach (var keyspace in keyspaces)
        {
            catalog = catalog.With(keyspace);
        }

        return catalog;
    }

    public Keyspace? Get(int id) => (uint)id < (uint)_byId.Length ? _byId[id] : null;

    public bool TryGet(string name, out Keyspace keyspace) => _byName.TryGetValue(name, out keyspace!);

    /// <summary>True when <paramref name="keyspace"/> is exactly the keyspace this catalog holds under its id.</summary>
    public bool Contains(Keyspace keyspace) => ReferenceEquals(Get(keyspace.Id), keyspace);

    public Catalog With(Keyspace keyspace)
    {
        var byId = _byId;
        if (keyspace.Id >= byId.Length)
        {
            Array.Resize(ref byId, keyspace.Id + 1);
        }
        else
        {
            byId = (Keyspace?[])byId.Clone();
        }

        byId[keyspace.Id] = keyspace;
        return new Catalog(byId, new Dictionary<string, Keyspace>(_byName, StringComparer.Ordinal) { [keyspace.Name] = keyspace });
    }

    public Catalog Without(Keyspace keyspace)
    {
        var byId = (Keyspace?[])_byId.Clone();
        byId[keyspace.Id] = null;
        var byName = new Dictionary<string, Keyspace>(_byName, StringComparer.Ordinal);
        byName.Remove(keyspace.Name);
        return new Catalog(byId, byName);
    }
}
