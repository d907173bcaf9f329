namespace Crossboard.Sdk;

/// <summary>
/// Where the SDK stage keeps its files under the work dir:
/// <code>
/// sdk/                      the case-sensitive area (a mounted volume where the work dir is not)
/// sdk/&lt;toolchain&gt;/          the OpenWrt tree of one toolchain definition (its dl/ links to ../../dl)
/// dl/                       source tarballs, shared by every tree and by prebuilt SDK archives
/// toolchains/&lt;toolchain&gt;/   stamps of built toolchains, one per key (commit, arch, CPU, libc, gcc)
/// toolchains/prebuilt/      unpacked prebuilt SDKs
/// logs/                     the full output of every long step
/// locks/                    one lock per tree, so parallel runs cannot build into the same one
/// </code>
/// </summary>
public sealed record SdkLayout(string WorkDir, string ToolchainName)
{
    public string SdkRoot => Path.Combine(WorkDir, "sdk");
    public string TreeDir => Path.Combine(SdkRoot, ToolchainName);

    /// <summary>A fresh clone is made here and renamed to <see cref="TreeDir"/> only when complete.</summary>
    public string PartialTreeDir => TreeDir + ".partial";

    public string DownloadDir => Path.Combine(WorkDir, "dl");
    public string ToolchainsDir => Path.Combine(WorkDir, "toolchains");
    public string StampDir => Path.Combine(ToolchainsDir, ToolchainName);
    public string PrebuiltDir => Path.Combine(ToolchainsDir, "prebuilt");
    public string LogDir => Path.Combine(WorkDir, "logs");
    public string LockDir => Path.Combine(WorkDir, "locks", "sdk-" + ToolchainName);

    /// <summary>crossboard's notes about the tree (source, seed), inside .git where `git status` never sees them.</summary>
    public string StateDir => Path.Combine(TreeDir, ".git", "crossboard");

    public string DotConfig => Path.Combine(TreeDir, ".config");

    public string Log(string step) => Path.Combine(LogDir, $"{ToolchainName}-{step}.log");
}
