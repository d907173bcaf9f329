namespace Crossboard.Cargo;

/// <summary>Where the Rust compiler and the target's standard library come from.</summary>
public enum RustProvider
{
    /// <summary>rustup's stable toolchain with the target's prebuilt std installed (tier 2 targets).</summary>
    Stable,

    /// <summary>rustup's nightly with rust-src: std is built from source (-Zbuild-std), e.g. for MIPS since Rust 1.72/1.75.</summary>
    Nightly,

    /// <summary>Debian's rustc and cargo with the target's libstd-rust-dev rlibs in a private sysroot (offline).</summary>
    Debian,
}

/// <summary>
/// How cargo is run for one target with the chosen provider: the program and the arguments
/// before <c>build</c>, extra build arguments, rustflags for the target only, and environment.
/// </summary>
/// <param name="Provider">Which provider this is.</param>
/// <param name="Description">For the log: "Debian rustc 1.63.0 (libstd-rust-dev:mipsel in ...)".</param>
/// <param name="Program">rustup, or Debian's /usr/bin/cargo.</param>
/// <param name="PrefixArguments">["run", "stable", "cargo"] for rustup; none for Debian's cargo.</param>
/// <param name="BuildArguments">e.g. -Zbuild-std=std,panic_abort for nightly.</param>
/// <param name="TargetRustflags">Added to the target's rustflags only (so build scripts keep the host's std), e.g. --sysroot.</param>
/// <param name="Environment">Set (or, with null, removed) for cargo.</param>
public sealed record RustToolchain(
    RustProvider Provider,
    string Description,
    string Program,
    IReadOnlyList<string> PrefixArguments,
    IReadOnlyList<string> BuildArguments,
    IReadOnlyList<string> TargetRustflags,
    IReadOnlyDictionary<string, string?> Environment);
