using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace Persistence.Testing;

/// <summary>
/// Runs Debian's python3-msgpack, an implementation independent of ours, exchanging one line per value on stdin and
/// stdout. Modes: "decode" reads hex and prints a description of the unpacked value; "encode" and "encode-single"
/// evaluate a Python expression and print "hex TAB description" of what msgpack packs for it.
/// </summary>
/// <remarks>
/// The tests never skip when Python is missing: interoperability is part of the contract, so a machine without the
/// module fails them with the command that installs it. Set PERSISTENCE_PYTHON to use a specific interpreter.
/// </remarks>
public static class PythonMsgpack
{
    private const string Script = """
        import struct, sys, msgpack

        def describe(o):
            if o is None: return "nil"
            if o is True: return "true"
            if o is False: return "false"
            if isinstance(o, int): return "int:%d" % o
            if isinstance(o, float): return "float:" + struct.pack(">d", o).hex()
            if isinstance(o, str): return "str:" + ",".join("%x" % ord(c) for c in o)
            if isinstance(o, bytes): return "bin:" + o.hex()
            if isinstance(o, list): return "[" + ",".join(describe(x) for x in o) + "]"
            if isinstance(o, dict): return "{" + ",".join(describe(k) + "=" + describe(v) for k, v in o.items()) + "}"
            if isinstance(o, msgpack.Timestamp): return "ts:%d:%d" % (o.seconds, o.nanoseconds)
            if isinstance(o, msgpack.ExtType): return "ext:%d:%s" % (o.code, o.data.hex())
            raise TypeError(type(o))

        mode = sys.argv[1]
        scope = {"Timestamp": msgpack.Timestamp, "ExtType": msgpack.ExtType, "struct": struct}
        for line in sys.stdin:
            line = line.strip()
            if mode == "decode":
                value = msgpack.unpackb(bytes.fromhex(line), raw=False, strict_map_key=False)
                print(describe(value))
            else:
                value = eval(line, scope)
                packed = msgpack.packb(value, use_bin_type=True, use_single_float=(mode == "encode-single"))
                print(packed.hex() + "\t" + describe(msgpack.unpackb(packed, raw=False, strict_map_key=False)))
        """;

    private const string InstallHint =
        "The MessagePack interoperability tests need python3 with the msgpack module (Debian's python3-msgpack). " +
        "Install it with: apt-get update && apt-get install -y python3-msgpack " +
        "(or point PERSISTENCE_PYTHON at an interpreter that has the module).";

    private static readonly Lazy<string> s_interpreter = new(FindInterpreter);

    /// <summary>Runs the script in <paramref name="mode"/> over <paramref name="lines"/> and returns one output line per input line.</summary>
    public static string[] Run(string mode, IReadOnlyList<string> lines)
    {
        var start = new ProcessStartInfo(s_interpreter.Value)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(Script);
        start.ArgumentList.Add(mode);
        start.Environment["PYTHONIOENCODING"] = "utf-8";

        using Process process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start.");
        var errors = new StringBuilder();
        process.ErrorDataReceived += (_, e) => { lock (errors) { errors.AppendLine(e.Data); } };
        process.BeginErrorReadLine();
        var feeder = Task.Run(() =>
        {
            foreach (string line in lines)
            {
                process.StandardInput.WriteLine(line);
            }

            process.StandardInput.Close();
        });
        string output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(120_000))
        {
            process.Kill();
            throw new TimeoutException("python3 msgpack helper timed out.");
        }

        feeder.Wait();
        process.WaitForExit();
        lock (errors)
        {
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"python3 msgpack helper failed ({process.ExitCode}): {errors}");
            }
        }

        string[] result = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return result.Length == lines.Count
            ? result
            : throw new InvalidOperationException($"python3 msgpack helper answered {result.Length} lines for {lines.Count}.");
    }

    private static string FindInterpreter()
    {
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable("PERSISTENCE_PYTHON") is { Length: > 0 } configured)
        {
            candidates.Add(configured);
        }

        // A version manager's python3 on PATH often lacks Debian's module, which lives with /usr/bin/python3.
        candidates.Add("python3");
        candidates.Add("/usr/bin/python3");
        foreach (string candidate in candidates)
        {
            if (HasMsgpack(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"{InstallHint} Tried: {string.Join(", ", candidates)}.");
    }

    private static bool HasMsgpack(string interpreter)
    {
        try
        {
            var start = new ProcessStartInfo(interpreter)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add("import msgpack");
            using Process? process = Process.Start(start);
            if (process is null)
            {
                return false;
            }

            process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            return process.WaitForExit(30_000) && process.ExitCode == 0;
        }
        catch (Win32Exception)
        {
            return false; // not installed at that name
        }
    }
}
