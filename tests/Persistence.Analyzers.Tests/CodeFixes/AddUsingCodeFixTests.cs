using Microsoft.CodeAnalysis.CodeFixes;
using Persistence.Analyzers.CodeFixes;
using Persistence.Analyzers.Tests.Infrastructure;

namespace Persistence.Analyzers.Tests.CodeFixes;

public sealed class AddUsingCodeFixTests
{
    private const string Id = DiagnosticDescriptors.UndisposedWriteTransactionId;

    [Fact]
    public Task The_declaration_becomes_a_using_declaration() =>
        CodeFixHarness.VerifyAsync(new AddUsingCodeFix(), Id,
            ["""
            public static class Code
            {
                public static void Run(Database db)
                {
                    // The writes.
                    var tx = db.BeginWrite();
                    tx.Commit();
                }
            }
            """],
            ["""
            public static class Code
            {
                public static void Run(Database db)
                {
                    // The writes.
                    using var tx = db.BeginWrite();
                    tx.Commit();
                }
            }
            """]);

    [Fact]
    public Task Fix_all_in_the_document_fixes_awaited_transactions_too() =>
        CodeFixHarness.VerifyAsync(new AddUsingCodeFix(), Id,
            ["""
            public static class Code
            {
                public static async Task RunAsync(Database db)
                {
                    WriteTransaction tx = await db.BeginWriteAsync();
                    await tx.CommitAsync();
                }

                public static void Run(Database db)
                {
                    var tx = db.BeginWrite();
                    tx.Commit();
                }
            }
            """],
            ["""
            public static class Code
            {
                public static async Task RunAsync(Database db)
                {
                    using WriteTransaction tx = await db.BeginWriteAsync();
                    await tx.CommitAsync();
                }

                public static void Run(Database db)
                {
                    using var tx = db.BeginWrite();
                    tx.Commit();
                }
            }
            """],
            FixAllScope.Document);

    [Fact]
    public async Task No_fix_for_a_variable_assigned_again() =>
        Assert.Empty(await CodeFixHarness.ActionsAsync(new AddUsingCodeFix(), Id, """
            public static class Code
            {
                public static void Run(Database db)
                {
                    var tx = db.BeginWrite();
                    tx.Commit();
                    tx = db.BeginWrite();
                    tx.Commit();
                }
            }
            """));
}
