using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Persistence.Generators.Parsing.Model;

namespace Persistence.Generators.Parsing;

/// <content>Secondary indexes: class-level composite declarations first, then member-level ones in member order.</content>
internal sealed partial class TypeParser
{
    private List<IndexModel> ParseIndexes(KeyModel? key)
    {
        var declared = new List<(IndexModel Index, Location? Location)>();
        foreach (var attribute in _type.Named(AttributeNames.Index))
        {
            var members = attribute.ConstructorArguments.FirstOrDefault() is { Kind: TypedConstantKind.Array } array
                ? array.Values.Select(v => v.Value as string ?? "").ToList()
                : [];
            if (members.Count == 0)
            {
                Report(ProblemCatalog.InvalidIndexDeclaration, AttributeLocation(attribute), _type.Name,
                    "a class-level [Index] needs the names of the members it indexes, for example [Index(nameof(LastName), nameof(FirstName))]");
                continue;
            }

            if (Declare(attribute, members) is { } index)
            {
                declared.Add((index, AttributeLocation(attribute)));
            }
        }

        foreach (var member in _members)
        {
            foreach (var attribute in member.Symbol.Named(AttributeNames.Index))
            {
                if (attribute.ConstructorArguments.FirstOrDefault() is { Kind: TypedConstantKind.Array } array && array.Values.Length > 0)
                {
                    Report(ProblemCatalog.InvalidIndexDeclaration, AttributeLocation(attribute), member.Name,
                        "a member-level [Index] indexes its own member and takes no member names");
                    continue;
                }

                if (Declare(attribute, [member.Name]) is { } index)
                {
                    declared.Add((index, AttributeLocation(attribute)));
                }
            }
        }

        CheckDuplicates(declared, key);
        return declared.Select(d => d.Index).ToList();
    }

    /// <summary>Validates one declaration's members and name; null when it cannot become an index.</summary>
    private IndexModel? Declare(AttributeData attribute, List<string> members)
    {
        var name = attribute.NamedArgument<string?>("Name", null) ?? string.Concat(members);
        var location = AttributeLocation(attribute);
        var valid = true;
        if (!SyntaxFacts.IsValidIdentifier(name))
        {
            Report(ProblemCatalog.InvalidIndexName, location, name);
            valid = false;
        }

        foreach (var duplicate in members.GroupBy(m => m).Where(g => g.Count() > 1))
        {
            Report(ProblemCatalog.InvalidIndexDeclaration, location, name, $"'{duplicate.Key}' appears more than once");
            valid = false;
        }

        foreach (var memberName in members.Distinct())
        {
            if (_ignored.ContainsKey(memberName))
            {
                Report(ProblemCatalog.IgnoredMemberUsed, location, memberName, $"index '{name}'");
                valid = false;
            }
            else if (Find(memberName) is { } member)
            {
                if (!ShapeResolver.IsKeyEncodable(member.Shape!))
                {
                    Report(ProblemCatalog.IndexMemberUnsupported, location, name, memberName, member.Type.ToDisplayString());
                    valid = false;
                }
            }
            else if (!_unsupported.ContainsKey(memberName))
            {
                Report(ProblemCatalog.IndexMemberMissing, location, name, memberName);
                valid = false;
            }
            else
            {
                valid = false; // its type was reported already
            }
        }

        return valid ? new IndexModel(name, attribute.NamedArgument("Unique", false), members.ToEquatableArray()) : null;
    }

    private void CheckDuplicates(List<(IndexModel Index, Location? Location)> declared, KeyModel? key)
    {
        for (var i = 0; i < declared.Count; i++)
        {
            var (index, location) = declared[i];
            for (var j = 0; j < i; j++)
            {
                var earlier = declared[j].Index;
                if (earlier.Name == index.Name)
                {
                    Report(ProblemCatalog.DuplicateIndexName, location, index.Name);
                }
                else if (earlier.Members == index.Members && earlier.Unique == index.Unique)
                {
                    Report(ProblemCatalog.DuplicateIndex, location, index.Name, earlier.Name);
                }
            }

            if (key is not null && index.Members.Count <= key.Members.Count && index.Members.SequenceEqual(key.Members.Take(index.Members.Count)))
            {
                Report(ProblemCatalog.IndexIsKeyPrefix, location, index.Name);
            }
        }

        // A duplicate name would give two keyspaces the same name: keep only the first declaration.
        var seen = new HashSet<string>();
        declared.RemoveAll(d => !seen.Add(d.Index.Name));
    }
}
