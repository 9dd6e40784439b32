using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Persistence.Generators.Parsing;

/// <summary>
/// Every problem the parser reports, by stable id. PROBLEMS.md beside this file is the human-readable table; a test
/// checks that the two agree. Ids are never reused or renumbered; PST0025 to PST0029 belong to the analyzers
/// (src/Analyzers/Persistence.Analyzers/DiagnosticDescriptors.cs), so problems found here after those were taken
/// continue at PST0030, and a new one takes the next id after the last of both.
/// </summary>
internal static class ProblemCatalog
{
    public const string NotPartial = "PST0001";
    public const string ContainingTypeNotPartial = "PST0002";
    public const string Generic = "PST0003";
    public const string NoUsableConstructor = "PST0004";
    public const string NoPrimaryKey = "PST0005";
    public const string UnorderedKeys = "PST0006";
    public const string UnsupportedKeyType = "PST0007";
    public const string MutableKey = "PST0008";
    public const string IndexMemberMissing = "PST0009";
    public const string IndexMemberUnsupported = "PST0010";
    public const string IgnoredMemberUsed = "PST0011";
    public const string DuplicateIndexName = "PST0012";
    public const string DuplicateIndex = "PST0013";
    public const string IndexIsKeyPrefix = "PST0014";
    public const string DuplicateTag = "PST0015";
    public const string TagOutOfRange = "PST0016";
    public const string UnsupportedMemberType = "PST0017";
    public const string ExpiresAtType = "PST0018";
    public const string SeveralExpiresAt = "PST0019";
    public const string InvalidCollectionName = "PST0020";
    public const string InvalidIndexName = "PST0021";
    public const string InvalidIndexDeclaration = "PST0022";
    public const string MemberNotStored = "PST0023";
    public const string NoEffectOnEmbedded = "PST0024";

    // PST0025 to PST0029 are the analyzers' (see the summary).
    public const string AttributeOnUnstoredMember = "PST0030";
    public const string FileLocal = "PST0031";
    public const string MemberNamedLikeGeneratedType = "PST0032";
    public const string GeneratedNameTaken = "PST0033";
    public const string HiddenMemberNotStored = "PST0034";
    public const string DerivesFromDocumentType = "PST0035";

    private static readonly Dictionary<string, ProblemDescriptor> s_byId = All().ToDictionary(d => d.Id, StringComparer.Ordinal);

    public static IEnumerable<ProblemDescriptor> Descriptors => s_byId.Values.OrderBy(d => d.Id, StringComparer.Ordinal);

    public static ProblemDescriptor Get(string id) => s_byId[id];

    private static IEnumerable<ProblemDescriptor> All()
    {
        const DiagnosticSeverity Error = DiagnosticSeverity.Error;
        const DiagnosticSeverity Warning = DiagnosticSeverity.Warning;
        yield return new(NotPartial, Error, "Type must be partial",
            "'{0}' must be declared partial for Persistence to generate its code", 1);
        yield return new(ContainingTypeNotPartial, Error, "Containing type must be partial",
            "'{0}' is nested in '{1}', which must be declared partial for Persistence to generate code inside it", 2);
        yield return new(Generic, Error, "Type must not be generic",
            "'{0}' is generic or nested in a generic type; collections and embedded types must be closed, non-generic types", 1);
        yield return new(NoUsableConstructor, Error, "No usable constructor",
            "'{0}' has no constructor the generated code can call: {1}", 2);
        yield return new(NoPrimaryKey, Error, "No primary key",
            "'{0}' has no primary key: {1}", 2);
        yield return new(UnorderedKeys, Error, "Composite key members are not ordered",
            "Primary key members '{0}' and '{1}' both have Order {2}: give every member of a composite key a distinct Order", 3);
        yield return new(UnsupportedKeyType, Error, "Unsupported primary key type",
            "Primary key member '{0}' has type '{1}', {2}", 3);
        yield return new(MutableKey, Warning, "Primary key member is mutable",
            "Primary key member '{0}' can be set after construction: make it init-only, since changing a key means deleting one document and inserting another", 1);
        yield return new(IndexMemberMissing, Error, "Index member does not exist",
            "Index '{0}' refers to '{1}', which is not a stored member of the type", 2);
        yield return new(IndexMemberUnsupported, Error, "Index member type cannot be indexed",
            "Index '{0}' refers to '{1}' of type '{2}', which cannot be part of a key", 3);
        yield return new(IgnoredMemberUsed, Error, "Ignored member used",
            "'{0}' is marked [Ignore] but is used by {1}", 2);
        yield return new(DuplicateIndexName, Error, "Duplicate index name",
            "Two indexes are named '{0}': give one of them another Name", 1);
        yield return new(DuplicateIndex, Warning, "Duplicate index",
            "Index '{0}' has the same members and uniqueness as index '{1}'", 2);
        yield return new(IndexIsKeyPrefix, Warning, "Index duplicates the primary key",
            "Index '{0}' is a prefix of the primary key, which already orders documents by those members", 1);
        yield return new(DuplicateTag, Error, "Duplicate field tag",
            "[Field({0})] is used by both '{1}' and '{2}': tags must be unique within a type", 3);
        yield return new(TagOutOfRange, Error, "Field tag out of range",
            "[Field({0})] on '{1}' is out of range: tags are from 1 to 65535", 2);
        yield return new(UnsupportedMemberType, Error, "Unsupported member type",
            "Member '{0}' has type '{1}', which Persistence cannot store ({2}): change its type or mark it [Ignore]", 3);
        yield return new(ExpiresAtType, Error, "Wrong [ExpiresAt] type",
            "[ExpiresAt] member '{0}' has type '{1}': it must be DateTime, DateTimeOffset or one of their nullable forms", 2);
        yield return new(SeveralExpiresAt, Error, "Several [ExpiresAt] members",
            "[ExpiresAt] is on both '{0}' and '{1}': a document has one expiry", 2);
        yield return new(InvalidCollectionName, Error, "Invalid collection name",
            "Collection name '{0}' is invalid: use 1 to 200 letters, digits, '_', '-' or '.'", 1);
        yield return new(InvalidIndexName, Error, "Invalid index name",
            "Index name '{0}' is not a valid identifier: it names the typed accessor By{0}", 1);
        yield return new(InvalidIndexDeclaration, Error, "Invalid index declaration",
            "Invalid [Index] on '{0}': {1}", 2);
        yield return new(MemberNotStored, Warning, "Member is not stored",
            "'{0}' is not stored: it has no setter the generated code can use and is not a constructor parameter; add an init accessor, or mark it [Ignore]", 1);
        yield return new(NoEffectOnEmbedded, Warning, "Attribute has no effect on an embedded type",
            "[{0}] on '{1}' has no effect: '{2}' is an embedded type, not a collection", 3);
        yield return new(AttributeOnUnstoredMember, Warning, "Attribute on a member that is not stored",
            "[{0}] on '{1}' has no effect: only public instance properties with a public getter, and public instance fields, are stored", 2);
        yield return new(FileLocal, Error, "Type must not be file-local",
            "'{0}' is file-local or nested in a file-local type, which the generated code, in files of its own, cannot use: remove the 'file' modifier", 1);
        yield return new(MemberNamedLikeGeneratedType, Error, "Member name clashes with a generated type",
            "Member '{0}' gets a property of its name in the generated type '{1}', {2}: rename the member", 3);
        yield return new(GeneratedNameTaken, Error, "Generated type name is taken",
            "The code generated for '{0}' declares a type '{1}' beside it, but a type of that name is already declared there: rename one of the two", 2);
        yield return new(HiddenMemberNotStored, Warning, "Hidden member is not stored",
            "'{0}' hides the member of that name that '{1}' declares, whose value is not stored: a document holds one member of each name; rename one of the two, or mark the hidden one [Ignore]", 2);
        yield return new(DerivesFromDocumentType, Warning, "Type derives from a stored type",
            "'{0}' derives from the [{2}] type '{1}', whose generated code writes and reads the members of '{1}' alone: a '{0}' stored as a '{1}' (in a member of that type, or in its collection) is refused when it is written. Store it as a '{0}', or move the shared members to a base type that is neither [Collection] nor [Embedded]", 3);
    }
}
