namespace Crossboard.Toolchains;

/// <summary>
/// Where an OpenWrt toolchain is: staging_dir/toolchain-&lt;arch&gt;_&lt;cpu&gt;_gcc-&lt;v&gt;_&lt;libc&gt;, its
/// tools' triple (mipsel-openwrt-linux-musl) and the STAGING_DIR its tools expect (OpenWrt's gcc
/// and ld warn, and look in the wrong place, without it).
/// </summary>
public sealed record OpenWrtToolchainLocation(string ToolchainDir, string Triple, string StagingDir)
{
    public string BinDir => Path.Combine(ToolchainDir, "bin");
    public string CC => Tool("gcc");

    public string Tool(string name) => Path.Combine(BinDir, $"{Triple}-{name}");

    public ResolvedToolchain ToResolved(string definition, string libc) => new(
        definition,
        libc,
        Triple,
        BinDir,
        CC,
        File.Exists(Tool("ar")) ? Tool("ar") : Tool("gcc-ar"),
        Tool("strip"),
        ToolchainDir,
        new Dictionary<string, string> { ["STAGING_DIR"] = StagingDir },
        []);
}
