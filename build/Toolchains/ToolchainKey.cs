using System.Security.Cryptography;
using System.Text;
using Crossboard.Sdk;

namespace Crossboard.Toolchains;

/// <summary>
/// What determines a built OpenWrt toolchain: the SDK commit and the toolchain's symbols in the
/// resolved .config (arch, CPU, libc, gcc and binutils versions, toolchain options, the kernel
/// whose headers it carries). Boards whose .config agree on these (omega2, omega2p and malta-le:
/// mipsel_24kc, musl, the same gcc) share one toolchain; the target, subtarget and device do
/// not enter.
/// </summary>
public sealed record ToolchainKey(string Commit, IReadOnlyList<KeyValuePair<string, string>> Symbols)
{
    private static readonly string[] Exact =
    [
        "CONFIG_ARCH", "CONFIG_CPU_TYPE", "CONFIG_TARGET_ARCH_PACKAGES", "CONFIG_LIBC", "CONFIG_TARGET_SUFFIX",
        "CONFIG_GCC_VERSION", "CONFIG_BINUTILS_VERSION", "CONFIG_SOFT_FLOAT", "CONFIG_USE_MUSL", "CONFIG_USE_GLIBC",
        "CONFIG_TOOLCHAINOPTS", "CONFIG_EXTERNAL_TOOLCHAIN", "CONFIG_EXTRA_GCC_CONFIG_OPTIONS", "CONFIG_GDB", "CONFIG_SSP_SUPPORT",
        "CONFIG_MIPS64_ABI",
    ];

    private static readonly string[] Prefixes = ["CONFIG_GCC_USE_", "CONFIG_BINUTILS_USE_", "CONFIG_LIBC_USE_", "CONFIG_MUSL_", "CONFIG_GLIBC_", "CONFIG_LINUX_"];

    public static ToolchainKey From(string commit, DotConfig config) => new(commit,
        config.Values
            .Where(kv => Exact.Contains(kv.Key) || Prefixes.Any(p => kv.Key.StartsWith(p, StringComparison.Ordinal)))
            .OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .ToList());

    public string? Value(string symbol) => Symbols.FirstOrDefault(kv => kv.Key == symbol).Value?.Trim('"');

    /// <summary>The key as text: the commit, then one "SYMBOL=value" line per symbol.</summary>
    public string Text => Commit + "\n" + string.Join("\n", Symbols.Select(kv => $"{kv.Key}={kv.Value}")) + "\n";

    public string Hash => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Text)))[..16];

    /// <summary>A readable stamp name, e.g. mipsel_24kc_gcc-13.3.0_musl-1a2b3c4d5e6f7a8b.</summary>
    public string Name =>
        $"{Value("CONFIG_TARGET_ARCH_PACKAGES") ?? Value("CONFIG_ARCH") ?? "unknown"}_gcc-{Value("CONFIG_GCC_VERSION") ?? "unknown"}_{Value("CONFIG_LIBC") ?? "unknown"}-{Hash}";
}
