// The code the source generator emits for User, written by hand: it is the target shape of the generator's output
// and lets the runtime's typed layer be tested on its own.
#nullable enable

namespace Persistence.Tests.Collections
{
    /// <summary>The typed collection of <see cref="User"/> documents.</summary>
    public sealed partial class UserCollection : global::Persistence.Collections.Collection<global::Persistence.Tests.Collections.User, long>
    {
        public UserCollection(global::Persistence.Database database)
            : base(database, UserSchema.Instance)
        {
            ByEmail = new ByEmailIndex(this);
            ByAge = new ByAgeIndex(this);
        }

        /// <summary>Lookups by the unique index on Email.</summary>
        public ByEmailIndex ByEmail { get; }

        /// <summary>Ordered scans of the index on Age.</summary>
        public ByAgeIndex ByAge { get; }

        /// <summary>The queryable members of User.</summary>
        public static UserFields Fields => UserFields.Instance;

        /// <summary>Starts a query; without a transaction each enumeration reads one snapshot.</summary>
        public global::Persistence.Query.Query<global::Persistence.Tests.Collections.User, long, UserFields> Query(global::Persistence.Transaction? transaction = null)
            => new(this, UserFields.Instance, transaction);

        public sealed class ByEmailIndex : global::Persistence.Collections.IndexAccessor<global::Persistence.Tests.Collections.User, long>
        {
            internal ByEmailIndex(UserCollection collection)
                : base(collection, 0)
            {
            }

            /// <summary>The document whose Email is <paramref name="email"/>, or null.</summary>
            public global::Persistence.Tests.Collections.User? Get(string email, global::Persistence.Transaction? transaction = null)
                => GetUnique(email, static (ref global::Persistence.Serialization.KeyWriter w, string v) => w.WriteString(v), transaction);

            /// <summary>True when a document has Email <paramref name="email"/>.</summary>
            public bool Contains(string email, global::Persistence.Transaction? transaction = null) => Get(email, transaction) is not null;
        }

        public sealed class ByAgeIndex : global::Persistence.Collections.IndexAccessor<global::Persistence.Tests.Collections.User, long>
        {
            internal ByAgeIndex(UserCollection collection)
                : base(collection, 1)
            {
            }

            /// <summary>The documents whose Age is <paramref name="age"/>, in primary-key order.</summary>
            public global::System.Collections.Generic.IEnumerable<global::Persistence.Tests.Collections.User> Find(int age, global::Persistence.Transaction? transaction = null)
                => Scan(global::Persistence.KeyRange.Prefix(Key(age)), false, transaction);

            /// <summary>The documents whose Age lies in [<paramref name="from"/>, <paramref name="to"/>), ordered by Age.</summary>
            public global::System.Collections.Generic.IEnumerable<global::Persistence.Tests.Collections.User> Range(int from, int to, bool descending = false, global::Persistence.Transaction? transaction = null)
                => Scan(global::Persistence.KeyRange.Between(Key(from), Key(to)), descending, transaction);

            /// <summary>Every document, ordered by Age.</summary>
            public global::System.Collections.Generic.IEnumerable<global::Persistence.Tests.Collections.User> All(bool descending = false, global::Persistence.Transaction? transaction = null)
                => Scan(global::Persistence.KeyRange.All, descending, transaction);

            /// <summary>The number of documents whose Age is <paramref name="age"/> (counts index entries only).</summary>
            public long Count(int age, global::Persistence.Transaction? transaction = null)
                => CountRange(global::Persistence.KeyRange.Prefix(Key(age)), transaction);

            private static byte[] Key(int age) => Encode(age, static (ref global::Persistence.Serialization.KeyWriter w, int v) => w.WriteInt32(v));
        }
    }

    /// <summary>The queryable members of <see cref="User"/>, for <c>Where</c> and <c>OrderBy</c>.</summary>
    public sealed class UserFields
    {
        internal static readonly UserFields Instance = new();

        private UserFields()
        {
        }

        public global::Persistence.Query.Field<global::Persistence.Tests.Collections.User, long> Id { get; } = new("Id", static d => d.Id,
            static (ref global::Persistence.Serialization.KeyWriter w, long v) => w.WriteInt64(v), global::System.Collections.Generic.Comparer<long>.Default, [], true, false);

        public global::Persistence.Query.StringField<global::Persistence.Tests.Collections.User> Email { get; } = new("Email", static d => d.Email,
            static (ref global::Persistence.Serialization.KeyWriter w, string? v) => w.WriteString(v!), [0], false, false);

        public global::Persistence.Query.Field<global::Persistence.Tests.Collections.User, int> Age { get; } = new("Age", static d => d.Age,
            static (ref global::Persistence.Serialization.KeyWriter w, int v) => w.WriteInt32(v), global::System.Collections.Generic.Comparer<int>.Default, [1], false, false);

        public global::Persistence.Query.StringField<global::Persistence.Tests.Collections.User> Name { get; } = new("Name", static d => d.Name,
            static (ref global::Persistence.Serialization.KeyWriter w, string? v) => w.WriteString(v!), [], false, false);

        public global::Persistence.Query.Field<global::Persistence.Tests.Collections.User, global::System.DateTimeOffset?> ExpiresAt { get; } = new("ExpiresAt", static d => d.ExpiresAt,
            static (ref global::Persistence.Serialization.KeyWriter w, global::System.DateTimeOffset? v) => w.WriteNullableDateTimeOffsetInstant(v), global::System.Collections.Generic.Comparer<global::System.DateTimeOffset?>.Default, [], false, true);
    }

    /// <summary>Serializer, key encoder and indexes of <see cref="User"/>.</summary>
    internal sealed class UserSchema : global::Persistence.Collections.DocumentSchema<global::Persistence.Tests.Collections.User, long>
    {
        public static readonly UserSchema Instance = new();

        private UserSchema()
            : base("users", [new EmailIndex(), new AgeIndex()], ["Int64"], "ExpiresAt")
        {
        }

        public override long GetKey(global::Persistence.Tests.Collections.User document) => document.Id;

        public override void WriteKey(ref global::Persistence.Serialization.KeyWriter writer, long key) => writer.WriteInt64(key);

        public override long ReadKey(ref global::Persistence.Serialization.KeyReader reader) => reader.ReadInt64();

        public override bool HasExpiresAt => true;

        public override global::System.DateTimeOffset? GetExpiresAt(global::Persistence.Tests.Collections.User document) => document.ExpiresAt;

        public override void Serialize(ref global::Persistence.Serialization.MessagePackWriter writer, global::Persistence.Tests.Collections.User document)
        {
            writer.WriteMapHeader(5);
            writer.WriteStringUtf8("Email"u8);
            writer.WriteString(document.Email);
            writer.WriteStringUtf8("Age"u8);
            writer.Write(document.Age);
            writer.WriteStringUtf8("Name"u8);
            writer.WriteString(document.Name);
            writer.WriteStringUtf8("Tags"u8);
            if (document.Tags is null)
            {
                writer.WriteNil();
            }
            else
            {
                writer.WriteArrayHeader(document.Tags.Count);
                foreach (var item in document.Tags)
                {
                    writer.WriteString(item);
                }
            }

            writer.WriteStringUtf8("ExpiresAt"u8);
            if (document.ExpiresAt is { } expiresAt)
            {
                writer.Write(expiresAt);
            }
            else
            {
                writer.WriteNil();
            }
        }

        public override global::Persistence.Tests.Collections.User Deserialize(ref global::Persistence.Serialization.MessagePackReader reader, scoped global::System.ReadOnlySpan<byte> primaryKey)
        {
            var keyReader = new global::Persistence.Serialization.KeyReader(primaryKey);
            long id = keyReader.ReadInt64();
            string email = "";
            int age = default;
            string? name = null;
            global::System.Collections.Generic.List<string>? tags = null;
            global::System.DateTimeOffset? expiresAt = default;
            var hasName = false;
            var hasTags = false;
            var count = reader.ReadMapHeader();
            for (var i = 0; i < count; i++)
            {
                var key = reader.ReadStringSpan();
                switch (key.Length)
                {
                    case 5 when key.SequenceEqual("Email"u8):
                        email = reader.ReadNullableString() ?? "";
                        continue;
                    case 3 when key.SequenceEqual("Age"u8):
                        age = reader.ReadInt32();
                        continue;
                    case 4 when key.SequenceEqual("Name"u8):
                        name = reader.ReadNullableString();
                        hasName = true;
                        continue;
                    case 4 when key.SequenceEqual("Tags"u8):
                        hasTags = true;
                        if (reader.TryReadNil())
                        {
                            tags = null;
                            continue;
                        }

                        var tagCount = reader.ReadArrayHeader();
                        tags = new global::System.Collections.Generic.List<string>(tagCount);
                        for (var t = 0; t < tagCount; t++)
                        {
                            tags.Add(reader.ReadNullableString() ?? "");
                        }

                        continue;
                    case 9 when key.SequenceEqual("ExpiresAt"u8):
                        expiresAt = reader.TryReadNil() ? null : reader.ReadDateTimeOffset();
                        continue;
                    default:
                        reader.Skip();
                        continue;
                }
            }

            var document = new global::Persistence.Tests.Collections.User { Id = id, Email = email, Age = age, ExpiresAt = expiresAt };
            if (hasName)
            {
                document.Name = name!;
            }

            if (hasTags)
            {
                document.Tags = tags!;
            }

            return document;
        }

        private sealed class EmailIndex : global::Persistence.Collections.IndexSchema<global::Persistence.Tests.Collections.User>
        {
            public EmailIndex()
                : base("Email", true, ["Email"], ["String"])
            {
            }

            public override bool WriteKey(ref global::Persistence.Serialization.KeyWriter writer, global::Persistence.Tests.Collections.User document)
            {
                writer.WriteString(document.Email);
                return true;
            }

            public override void SkipKey(ref global::Persistence.Serialization.KeyReader reader) => reader.ReadString();
        }

        private sealed class AgeIndex : global::Persistence.Collections.IndexSchema<global::Persistence.Tests.Collections.User>
        {
            public AgeIndex()
                : base("Age", false, ["Age"], ["Int64"])
            {
            }

            public override bool WriteKey(ref global::Persistence.Serialization.KeyWriter writer, global::Persistence.Tests.Collections.User document)
            {
                writer.WriteInt32(document.Age);
                return true;
            }

            public override void SkipKey(ref global::Persistence.Serialization.KeyReader reader) => reader.ReadInt32();
        }
    }
}
