namespace Persistence.BTree;

/// <summary>The root node of one keyspace's tree (null when empty) and the number of keys in it.</summary>
internal readonly record struct TreeRoot(Node? Root, long Count)
{
    public static readonly TreeRoot Empty = new(null, 0);
}
