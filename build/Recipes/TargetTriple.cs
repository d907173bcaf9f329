using System.Reflection;

namespace Crossboard.Recipes;

/// <summary>A Rust target triple, checked against rustc's list of Linux targets.</summary>
public sealed record TargetTriple(string Value)
{
    private static readonly Lazy<string[]> Known = new(LoadKnown);

    public static IReadOnlyList<string> KnownLinuxTargets => Known.Value;

    public static bool IsKnown(string triple) => Array.IndexOf(Known.Value, triple) >= 0;

    /// <summary>The board CPU arch the triple builds for (<see cref="CpuArchitectures"/>), or, for one no board has, its own name (mips64, armeb).</summary>
    public static string? CpuArchOf(string triple)
    {
        if (CpuArchitectures.OfTriple(triple) is { } known)
        {
            return known.Name;
        }

        var arch = triple.Split('-')[0];
        return arch switch
        {
            _ when arch.StartsWith("mipsel") || arch.StartsWith("mipsisa32r6el") => "mipsel",
            _ when arch.StartsWith("mips64") || arch.StartsWith("mipsisa64") => "mips64",
            _ when arch.StartsWith("mips") => "mips",
            _ when arch.StartsWith("arm") || arch.StartsWith("thumb") => arch.StartsWith("armeb") ? "armeb" : "arm",
            "aarch64" => "aarch64",
            _ => arch,
        };
    }

    /// <summary>musl, gnu, uclibc...: the libc part of the environment (gnueabihf -> gnu).</summary>
    public static string LibcOf(string triple)
    {
        var env = triple.Split('-')[^1];
        foreach (var libc in new[] { "musl", "gnu", "uclibc", "ohos" })
        {
            if (env.StartsWith(libc, StringComparison.Ordinal))
            {
                return libc;
            }
        }

        return env;
    }

    /// <summary>CARGO_TARGET_&lt;TRIPLE&gt;_LINKER and friends use the triple upper-cased with underscores.</summary>
    public static string EnvName(string triple) => triple.ToUpperInvariant().Replace('-', '_').Replace('.', '_');

    private static string[] LoadKnown()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Crossboard.Recipes.rust-linux-targets.txt")!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd()
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => !l.StartsWith('#'))
            .ToArray();
    }
}
