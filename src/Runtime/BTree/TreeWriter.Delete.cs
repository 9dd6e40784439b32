namespace Persistence.BTree;

internal sealed partial class TreeWriter
{
    /// <summary>Removes <paramref name="key"/>. Returns false (and changes nothing) when it is not present.</summary>
    public bool Delete(ref TreeRoot tree, ReadOnlySpan<byte> key)
    {
        if (!TreeReader.TryFind(tree.Root, key, _source, out _, out _))
        {
            return false;
        }

        Node? root = Writable(tree.Root!);
        DeleteFrom(root, key);
        while (root is { IsLeaf: false, Count: 1 })
        {
            root = TreeReader.Child(root, 0, _source);
            if (root.Owner is SpilledPages || (!root.PageId.IsNone && Freed.Spills is { } spills && spills.InTree.Contains(root.PageId.Value)))
            {
                // A leaf a large transaction wrote out early never becomes a root: only its parent's cell records its
                // page for the next checkpoint, and its buffer is recycled when the cache evicts it while the
                // transaction runs (LeafSpiller). Once evicted, the leaf is read back from its page as an ordinary
                // node: the transaction's page set still knows the page. A copy is an ordinary unwritten root.
                root = Writable(root);
            }
        }

        if (root is { IsLeaf: true, Count: 0 })
        {
            root = null;
        }

        tree = new TreeRoot(root, tree.Count - 1);
        return true;
    }

    /// <summary>Deletes from the writable <paramref name="node"/>'s subtree; returns true when the node is now underfull.</summary>
    private bool DeleteFrom(Node node, ReadOnlySpan<byte> key)
    {
        if (node.IsLeaf)
        {
            var slot = LeafPage.Find(node.Page, key, out _);
            RemoveLeafCell(node, slot);
        }
        else
        {
            var childSlot = BranchPage.FindChild(node.Page, key);
            var child = WritableChild(node, childSlot);
            if (DeleteFrom(child, key))
            {
                Rebalance(node, childSlot);
            }
        }

        return SlottedPage.UsedSpace(node.Page) < Limits.MergeThreshold;
    }

    /// <summary>
    /// Handles an underfull child: an empty child is unlinked; otherwise it is merged with a neighbour when both fit in
    /// one page. Underfull nodes that cannot merge are left as they are (no redistribution), which keeps deletes cheap.
    /// </summary>
    private void Rebalance(Node parent, int slot)
    {
        var child = parent.ChildAt(slot)!;
        if (child.Count == 0)
        {
            RemoveBranchSlot(parent, slot);
            return;
        }

        var left = slot > 0 ? slot - 1 : slot;
        var right = left + 1;
        if (right >= parent.Count)
        {
            return;
        }

        var sibling = TreeReader.Child(parent, left == slot ? right : left, _source);
        var separatorBytes = child.IsLeaf ? 0 : BranchPage.Key(parent.Page, right).Length;
        if (SlottedPage.UsedSpace(child.Page) + SlottedPage.UsedSpace(sibling.Page) + separatorBytes > Limits.Usable)
        {
            return;
        }

        var leftNode = WritableChild(parent, left);
        var rightNode = WritableChild(parent, right);
        var at = leftNode.Count;
        for (var i = 0; i < rightNode.Count; i++)
        {
            if (rightNode.IsLeaf)
            {
                CopyLeafCell(rightNode.Page, rightNode.Large, i, leftNode, at + i);
            }
            else
            {
                var key = i == 0 ? BranchPage.Key(parent.Page, right) : BranchPage.Key(rightNode.Page, i);
                BranchPage.Insert(leftNode.Page, at + i, key, BranchPage.Child(rightNode.Page, i));
                leftNode.InsertChildSlot(at + i, rightNode.ChildAt(i));
            }
        }

        RemoveBranchSlot(parent, right);
    }

    /// <summary>Removes a slot from a writable branch, keeping the first separator empty.</summary>
    private static void RemoveBranchSlot(Node branch, int slot)
    {
        SlottedPage.Remove(branch.Page, slot);
        branch.RemoveChildSlot(slot);
        if (slot == 0 && branch.Count > 0 && BranchPage.Key(branch.Page, 0).Length > 0)
        {
            var childId = BranchPage.Child(branch.Page, 0);
            var child = branch.ChildAt(0);
            SlottedPage.Remove(branch.Page, 0);
            branch.RemoveChildSlot(0);
            BranchPage.Insert(branch.Page, 0, [], childId);
            branch.InsertChildSlot(0, child);
        }
    }

    /// <summary>Frees every page and large value of a tree (dropping a keyspace).</summary>
    public void FreeTree(Node? root)
    {
        if (root is null)
        {
            return;
        }

        if (!ReferenceEquals(root.Owner, Owner))
        {
            Freed.Free(root);
        }

        for (var i = 0; i < root.Count; i++)
        {
            if (root.IsLeaf)
            {
                if (LeafPage.IsOverflow(root.Page, i))
                {
                    Freed.FreeLarge(root, LeafPage.Overflow(root.Page, i), PageSize);
                }
            }
            else
            {
                FreeTree(TreeReader.Child(root, i, _source));
            }
        }
    }
}
