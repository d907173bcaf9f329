using System.Globalization;
using System.Text.RegularExpressions;
using Crossboard.Machine;

namespace Crossboard.Cargo;

/// <summary>--compile-cache: what rustc runs through so that a crate compiled once is not compiled again.</summary>
public enum CompileCache
{
    /// <summary>None of crossboard's; a RUSTC_WRAPPER in the environment is honoured as cargo honours it.</summary>
    None,

    /// <summary>
    /// sccache (Debian's package): a local disk cache by default; S3, Redis, GCS, ... through
    /// sccache's own configuration (SCCACHE_* variables, ~/.config/sccache/config), so that CI
    /// runners and a team share compiled crates.
    /// </summary>
    Sccache,
}

/// <summary>How a <see cref="CompileCache"/> is used: the wrapper cargo gets for one build, and what the cache served.</summary>
public static partial class CompileCaches
{
    public const string Sccache = "sccache";

    /// <summary>The RUSTC_WRAPPER for <paramref name="cache"/>; null for none (the environment's stays).</summary>
    public static string? Wrapper(CompileCache cache, ICommandRunner runner)
    {
        if (cache == CompileCache.None)
        {
            return null;
        }

        if (runner is not LocalCommandRunner)
        {
            throw new CrossboardException(
                "--compile-cache=sccache runs with this machine's cargo; the --docker builder image has no sccache yet. Leave out --docker or --compile-cache.");
        }

        return ProcessRunner.Which(Sccache) ?? throw new CrossboardException(
            $"--compile-cache=sccache: sccache is not installed. Install: {DebianPackages.SudoPrefix}apt-get install -y sccache (a run asks to, before its first task), or see https://github.com/mozilla/sccache.");
    }

    /// <summary>sccache's counts of cache hits and misses since its server started; null when it does not answer.</summary>
    public static (long Hits, long Misses)? Counts(ICommandRunner runner, string sccache)
    {
        var result = runner.Run(new ProcessSpec(sccache, "--show-stats"));
        if (!result.Succeeded)
        {
            return null;
        }

        long Count(Regex pattern) => pattern.Match(result.StandardOutput) is { Success: true } m ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        return (Count(Hits()), Count(Misses()));
    }

    [GeneratedRegex(@"^Cache hits\s+(\d+)\s*$", RegexOptions.Multiline)]
    private static partial Regex Hits();

    [GeneratedRegex(@"^Cache misses\s+(\d+)\s*$", RegexOptions.Multiline)]
    private static partial Regex Misses();
}
