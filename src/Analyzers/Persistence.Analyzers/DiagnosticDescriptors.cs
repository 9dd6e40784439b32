using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Persistence.Generators.Parsing;

namespace Persistence.Analyzers;

/// <summary>
/// Every diagnostic the analyzers report, by stable id. PST0001 to PST0024 and PST0030 to PST0035 are the parser's problems: their titles and
/// messages come from <see cref="ProblemCatalog"/> (the generator's source of truth), their severities are repeated
/// here as constants because release tracking (RS2000-RS2008) reads them from this file; a test checks that the two
/// agree. PST0025 to PST0029 are found by the analyzers alone, outside a single type's declaration. Ids are never
/// renumbered or reused; each has a page docs/diagnostics/PSTxxxx.md that <see cref="DiagnosticDescriptor.HelpLinkUri"/>
/// points to.
/// </summary>
internal static class DiagnosticDescriptors
{
    public const string DuplicateCollectionNameId = "PST0025";
    public const string WriteThroughReadTransactionId = "PST0026";
    public const string WriteBesideReadTransactionId = "PST0027";
    public const string UndisposedWriteTransactionId = "PST0028";
    public const string FullScanQueryId = "PST0029";

    /// <summary>The base of every help link; the page is <c>{HelpLinkBase}{id}.md</c>.</summary>
    public const string HelpLinkBase = "https://github.com/persistence-dotnet/persistence/blob/main/docs/diagnostics/";

    private const string Design = "Design";
    private const string Usage = "Usage";
    private const string Performance = "Performance";

    public static readonly DiagnosticDescriptor NotPartial = new(ProblemCatalog.NotPartial, Title(ProblemCatalog.NotPartial), Message(ProblemCatalog.NotPartial), Design, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(ProblemCatalog.NotPartial));
    public static readonly DiagnosticDescriptor ContainingTypeNotPartial = new(ProblemCatalog.ContainingTypeNotPartial, Title(ProblemCatalog.ContainingTypeNotPartial), Message(ProblemCatalog.ContainingTypeNotPartial), Design, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(ProblemCatalog.ContainingTypeNotPartial));
    public static readonly DiagnosticDescriptor Generic = new(ProblemCatalog.Generic, Title(ProblemCatalog.Generic), Message(ProblemCatalog.Generic), Design, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(ProblemCatalog.Generic));
    public static readonly DiagnosticDescriptor NoUsableConstructor = new(ProblemCatalog.NoUsableConstructor, Title(ProblemCatalog.NoUsableConstructor), Message(ProblemCatalog.NoUsableConstructor), Design, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(ProblemCatalog.NoUsableConstructor));
    public static readonly DiagnosticDescriptor NoPrimaryKey = new(ProblemCatalog.NoPrimaryKey, Title(ProblemCatalog.NoPrimaryKey), Message(ProblemCatalog.NoPrimaryKey), Design, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(ProblemCatalog.NoPrimaryKey));
    public static readonly DiagnosticDescriptor UnorderedKeys = new(ProblemCatalog.UnorderedKeys, Title(ProblemCatalog.UnorderedKeys), Message(ProblemCatalog.UnorderedKeys), Design, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(ProblemCatalog.UnorderedKeys));
    public static readonly DiagnosticDescriptor UnsupportedKeyType = new(ProblemCatalog.UnsupportedKeyType, Title(ProblemCatalog.UnsupportedKeyType), Message(ProblemCatalog.UnsupportedKeyType), Design, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(ProblemCatalog.UnsupportedKeyType));
    public static readonly DiagnosticDescriptor MutableKey = new(ProblemCatalog.MutableKey, Title(ProblemCatalog.MutableKey), Message(ProblemCatalog.MutableKey), Design, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: HelpLink(ProblemCatalog.MutableKey));
    public static readonly DiagnosticDescriptor IndexMemberMissing = new(ProblemCatalog.IndexMemberMissing, Title(ProblemCatalog.IndexMemberMissing), Message(ProblemCatalog.IndexMemberMissing), Design, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(ProblemCatalog.IndexMemberMissing));
    public static readonly DiagnosticDescriptor IndexMemberUnsupported = new(ProblemCatalog.IndexMemberUnsupported, Title(ProblemCatalog.IndexMemberUnsupported), Message(ProblemCatalog.IndexMemberUnsupported), Design, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(ProblemCatalog.IndexMemberUnsupported));
    public static readonly DiagnosticDescriptor IgnoredMemberUsed = new(ProblemCatalog.IgnoredMemberUsed, Title(ProblemCatalog.IgnoredMemberUsed), Message(ProblemCatalog.IgnoredMemberUsed), Design, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(ProblemCatalog.IgnoredMemberUsed));
    public static readonly DiagnosticDescriptor DuplicateIndexName = new(ProblemCatalog.DuplicateIndexName, Title(ProblemCatalog.DuplicateIndexName), Message(ProblemCatalog.DuplicateIndexName), Design, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(ProblemCatalog.DuplicateIndexName));
    public static readonly DiagnosticDescriptor DuplicateIndex = new(ProblemCatalog.DuplicateIndex, Title(ProblemCatalog.DuplicateIndex), Message(ProblemCatalog.DuplicateIndex), Design, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: HelpLink(ProblemCatalog.DuplicateIndex));
    public static readonly DiagnosticDescriptor IndexIsKeyPrefix = new(ProblemCatalog.IndexIsKeyPrefix, Title(ProblemCatalog.IndexIsKeyPrefix), Message(ProblemCatalog.IndexIsKeyPrefix), Design, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: HelpLink(ProblemCatalog.IndexIsKeyPrefix));
    public static readonly DiagnosticDescriptor DuplicateTag = new(ProblemCatalog.DuplicateTag, Title(ProblemCatalog.DuplicateTag), Message(ProblemCatalog.DuplicateTag), Design, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(ProblemCatalog.DuplicateTag));
    public static readonly DiagnosticDescriptor TagOutOfRange = new(ProblemCatalog.TagOutOfRange, Title(ProblemCatalog.TagOutOfRange), Message(ProblemCatalog.TagOutOfRange), Design, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(ProblemCatalog.TagOutOfRange));
    public static readonly DiagnosticDescriptor UnsupportedMemberType = new(ProblemCatalog.UnsupportedMemberType, Title(ProblemCatalog.UnsupportedMemberType), Message(ProblemCatalog.UnsupportedMemberType), Design, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(ProblemCatalog.UnsupportedMemberType));
    public static readonly DiagnosticDescriptor ExpiresAtType = new(ProblemCatalog.ExpiresAtType, Title(ProblemCatalog.ExpiresAtType), Message(ProblemCatalog.ExpiresAtType), Design, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(ProblemCatalog.ExpiresAtType));
    public static readonly DiagnosticDescriptor SeveralExpiresAt = new(ProblemCatalog.SeveralExpiresAt, Title(ProblemCatalog.SeveralExpiresAt), Message(ProblemCatalog.SeveralExpiresAt), Design, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(ProblemCatalog.SeveralExpiresAt));
    public static readonly DiagnosticDescriptor InvalidCollectionName = new(ProblemCatalog.InvalidCollectionName, Title(ProblemCatalog.InvalidCollectionName), Message(ProblemCatalog.InvalidCollectionName), Design, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(ProblemCatalog.InvalidCollectionName));
    public static readonly DiagnosticDescriptor InvalidIndexName = new(ProblemCatalog.InvalidIndexName, Title(ProblemCatalog.InvalidIndexName), Message(ProblemCatalog.InvalidIndexName), Design, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(ProblemCatalog.InvalidIndexName));
    public static readonly DiagnosticDescriptor InvalidIndexDeclaration = new(ProblemCatalog.InvalidIndexDeclaration, Title(ProblemCatalog.InvalidIndexDeclaration), Message(ProblemCatalog.InvalidIndexDeclaration), Design, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(ProblemCatalog.InvalidIndexDeclaration));
    public static readonly DiagnosticDescriptor MemberNotStored = new(ProblemCatalog.MemberNotStored, Title(ProblemCatalog.MemberNotStored), Message(ProblemCatalog.MemberNotStored), Design, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: HelpLink(ProblemCatalog.MemberNotStored));
    public static readonly DiagnosticDescriptor NoEffectOnEmbedded = new(ProblemCatalog.NoEffectOnEmbedded, Title(ProblemCatalog.NoEffectOnEmbedded), Message(ProblemCatalog.NoEffectOnEmbedded), Design, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: HelpLink(ProblemCatalog.NoEffectOnEmbedded));
    public static readonly DiagnosticDescriptor AttributeOnUnstoredMember = new(ProblemCatalog.AttributeOnUnstoredMember, Title(ProblemCatalog.AttributeOnUnstoredMember), Message(ProblemCatalog.AttributeOnUnstoredMember), Design, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: HelpLink(ProblemCatalog.AttributeOnUnstoredMember));
    public static readonly DiagnosticDescriptor FileLocal = new(ProblemCatalog.FileLocal, Title(ProblemCatalog.FileLocal), Message(ProblemCatalog.FileLocal), Design, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(ProblemCatalog.FileLocal));
    public static readonly DiagnosticDescriptor GeneratedNameTaken = new(ProblemCatalog.GeneratedNameTaken, Title(ProblemCatalog.GeneratedNameTaken), Message(ProblemCatalog.GeneratedNameTaken), Design, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(ProblemCatalog.GeneratedNameTaken));
    public static readonly DiagnosticDescriptor HiddenMemberNotStored = new(ProblemCatalog.HiddenMemberNotStored, Title(ProblemCatalog.HiddenMemberNotStored), Message(ProblemCatalog.HiddenMemberNotStored), Design, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: HelpLink(ProblemCatalog.HiddenMemberNotStored));
    public static readonly DiagnosticDescriptor DerivesFromDocumentType = new(ProblemCatalog.DerivesFromDocumentType, Title(ProblemCatalog.DerivesFromDocumentType), Message(ProblemCatalog.DerivesFromDocumentType), Design, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: HelpLink(ProblemCatalog.DerivesFromDocumentType));
    public static readonly DiagnosticDescriptor MemberNamedLikeGeneratedType = new(ProblemCatalog.MemberNamedLikeGeneratedType, Title(ProblemCatalog.MemberNamedLikeGeneratedType), Message(ProblemCatalog.MemberNamedLikeGeneratedType), Design, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(ProblemCatalog.MemberNamedLikeGeneratedType));

    public static readonly DiagnosticDescriptor DuplicateCollectionName = new(
        DuplicateCollectionNameId,
        "Collection name used by two types",
        "Collection name '{0}' is also used by '{1}': two document types would share one keyspace and read each other's documents",
        Design,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Every [Collection] type in a compilation needs its own collection name.",
        helpLinkUri: HelpLink(DuplicateCollectionNameId),
        customTags: WellKnownDiagnosticTags.CompilationEnd);

    public static readonly DiagnosticDescriptor WriteThroughReadTransaction = new(
        WriteThroughReadTransactionId,
        "Write through a read-only transaction",
        "'{0}' treats the read transaction '{1}' as a write transaction: {2}",
        Usage,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "A read transaction cannot write: converting it to WriteTransaction fails or yields null, and a write given null runs in a transaction of its own.",
        helpLinkUri: HelpLink(WriteThroughReadTransactionId));

    public static readonly DiagnosticDescriptor WriteBesideReadTransaction = new(
        WriteBesideReadTransactionId,
        "Write outside the open read transaction",
        "'{0}' is called without a transaction while the read transaction '{1}' is open: it commits in a transaction of its own, which the snapshot of '{1}' does not see",
        Usage,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A collection write without a transaction argument commits on its own; inside the scope of a read transaction that is rarely what was meant.",
        helpLinkUri: HelpLink(WriteBesideReadTransactionId));

    public static readonly DiagnosticDescriptor UndisposedWriteTransaction = new(
        UndisposedWriteTransactionId,
        "Write transaction is not disposed",
        "The write transaction from '{0}' is not disposed on every path: declare it with 'using', or an exception leaves it open, holding its snapshot",
        Usage,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A write transaction pins its snapshot until it is committed, rolled back or disposed; 'using' disposes it on every path, including exceptions.",
        helpLinkUri: HelpLink(UndisposedWriteTransactionId));

    public static readonly DiagnosticDescriptor FullScanQuery = new(
        FullScanQueryId,
        "Query reads every document",
        "This query on '{0}' reads every document: {1}",
        Performance,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A filter or ordering on members that lead no index can only run as a scan of the whole collection.",
        helpLinkUri: HelpLink(FullScanQueryId));

    /// <summary>The descriptors of the parser's problems, by id.</summary>
    public static readonly ImmutableDictionary<string, DiagnosticDescriptor> Problems = new[]
    {
        NotPartial, ContainingTypeNotPartial, Generic, NoUsableConstructor, NoPrimaryKey, UnorderedKeys, UnsupportedKeyType,
        MutableKey, IndexMemberMissing, IndexMemberUnsupported, IgnoredMemberUsed, DuplicateIndexName, DuplicateIndex,
        IndexIsKeyPrefix, DuplicateTag, TagOutOfRange, UnsupportedMemberType, ExpiresAtType, SeveralExpiresAt,
        InvalidCollectionName, InvalidIndexName, InvalidIndexDeclaration, MemberNotStored, NoEffectOnEmbedded, AttributeOnUnstoredMember,
        FileLocal, MemberNamedLikeGeneratedType, GeneratedNameTaken, HiddenMemberNotStored, DerivesFromDocumentType,
    }.ToImmutableDictionary(d => d.Id);

    /// <summary>Every descriptor, ordered by id.</summary>
    public static IEnumerable<DiagnosticDescriptor> All =>
        Problems.Values
            .Concat([DuplicateCollectionName, WriteThroughReadTransaction, WriteBesideReadTransaction, UndisposedWriteTransaction, FullScanQuery])
            .OrderBy(d => d.Id, System.StringComparer.Ordinal);

    public static string HelpLink(string id) => HelpLinkBase + id + ".md";

    private static string Title(string id) => ProblemCatalog.Get(id).Title;

    private static string Message(string id) => ProblemCatalog.Get(id).MessageFormat;
}
