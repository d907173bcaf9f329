namespace Crossboard.Toolchains;

/// <summary>The resolved toolchain and whether it was already there (no build, no download).</summary>
public sealed record ToolchainResult(ResolvedToolchain Toolchain, bool Reused, string? StampPath = null);
