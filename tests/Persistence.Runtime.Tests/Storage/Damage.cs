namespace Persistence.Tests.Storage;

/// <summary>The kinds of damage a trial does, one per trial.</summary>
internal enum DamageKind
{
    DataBitFlip,
    DataHeaderBitFlip,
    DataByteRun,
    DataZeroPage,
    DataSwapPages,
    DataTruncate,
    LogBitFlip,
    LogByteRun,
    LogTruncate,
    LogDelete,
}

/// <summary>One damage, chosen from a seed: which file, where, how much.</summary>
internal sealed record Damage(DamageKind Kind, string File, long Offset, int Length, long Other, byte[] Bytes)
{
    public bool LogOnly => Kind >= DamageKind.LogBitFlip;

    public static Damage Plan(CorruptionTemplate template, int seed)
    {
        var random = new Random(seed);
        var kind = (DamageKind)random.Next(Enum.GetValues<DamageKind>().Length);
        var pageSize = template.PageSize;
        var pages = template.DataLength / pageSize;
        if (kind < DamageKind.LogBitFlip)
        {
            var page = random.NextInt64(pages);
            return kind switch
            {
                DamageKind.DataBitFlip => new(kind, "db", random.NextInt64(template.DataLength), 1, 1 << random.Next(8), []),
                DamageKind.DataHeaderBitFlip => new(kind, "db", (page * pageSize) + random.Next(32), 1, 1 << random.Next(8), []),
                DamageKind.DataByteRun => new(kind, "db", random.NextInt64(template.DataLength - 64), 0, 0, RandomBytes(random, random.Next(1, 64))),
                DamageKind.DataZeroPage => new(kind, "db", page * pageSize, pageSize, 0, []),
                DamageKind.DataSwapPages => new(kind, "db", page * pageSize, pageSize, ((page + 1 + random.NextInt64(pages - 1)) % pages) * pageSize, []),
                _ => new(kind, "db", random.NextInt64(1, template.DataLength), 0, 0, []), // never to zero bytes: an empty file is a new database
            };
        }

        var segment = template.Segments[random.Next(template.Segments.Length)];
        var used = UsedLength(Path.Combine(template.Image, "db-wal", segment));
        return kind switch
        {
            DamageKind.LogBitFlip => new(kind, segment, random.NextInt64(used), 1, 1 << random.Next(8), []),
            DamageKind.LogByteRun => new(kind, segment, random.NextInt64(Math.Max(1, used - 64)), 0, 0, RandomBytes(random, random.Next(1, 64))),
            DamageKind.LogTruncate => new(kind, segment, random.NextInt64(used + 1), 0, 0, []),
            _ => new(kind, segment, 0, 0, 0, []),
        };
    }

    public void Apply(string directory)
    {
        var path = File == "db" ? Path.Combine(directory, "db") : Path.Combine(directory, "db-wal", File);
        switch (Kind)
        {
            case DamageKind.LogDelete:
                System.IO.File.Delete(path);
                return;
            case DamageKind.DataTruncate or DamageKind.LogTruncate:
                using (var stream = new FileStream(path, FileMode.Open))
                {
                    stream.SetLength(Offset);
                }

                return;
        }

        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        switch (Kind)
        {
            case DamageKind.DataBitFlip or DamageKind.DataHeaderBitFlip or DamageKind.LogBitFlip:
                file.Position = Offset;
                var b = (byte)file.ReadByte();
                file.Position = Offset;
                file.WriteByte((byte)(b ^ Other));
                break;
            case DamageKind.DataByteRun or DamageKind.LogByteRun:
                file.Position = Offset;
                file.Write(Bytes);
                break;
            case DamageKind.DataZeroPage:
                file.Position = Offset;
                file.Write(new byte[Length]);
                break;
            case DamageKind.DataSwapPages:
                var first = new byte[Length];
                var second = new byte[Length];
                file.Position = Offset;
                file.ReadExactly(first);
                file.Position = Other;
                file.ReadExactly(second);
                file.Position = Offset;
                file.Write(second);
                file.Position = Other;
                file.Write(first);
                break;
        }
    }

    public override string ToString() => Kind switch
    {
        DamageKind.DataSwapPages => $"{Kind} pages {Offset / 4096} and {Other / 4096}",
        DamageKind.DataZeroPage => $"{Kind} page {Offset / 4096}",
        DamageKind.DataByteRun or DamageKind.LogByteRun => $"{Kind} {File} at {Offset} ({Bytes.Length} bytes)",
        DamageKind.DataTruncate or DamageKind.LogTruncate => $"{Kind} {File} to {Offset} bytes",
        DamageKind.LogDelete => $"{Kind} {File}",
        _ => $"{Kind} {File} at {Offset} (page {Offset / 4096}, byte {Offset % 4096}) mask {Other:x2}",
    };

    /// <summary>One past the last non-zero byte: where the frames of a zero-filled segment end.</summary>
    private static long UsedLength(string path)
    {
        var bytes = System.IO.File.ReadAllBytes(path);
        var end = bytes.AsSpan().LastIndexOfAnyExcept((byte)0) + 1;
        return Math.Max(end, 1);
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
