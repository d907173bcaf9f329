using Crossboard.Machine;
using Crossboard.Recipes;
using Crossboard.Sdk;

namespace Crossboard.Toolchains;

/// <summary>What resolving a toolchain of any kind is given.</summary>
/// <param name="Workspace">The locked SDK tree, for kinds that build one (opened by the kind when null).</param>
/// <param name="Jobs">make's -j, for kinds that build.</param>
public sealed record ToolchainRequest(
    Board Board,
    ToolchainDefinition Definition,
    string WorkDir,
    ICommandRunner Runner,
    IBuildLog Log,
    Consent Consent,
    SdkWorkspace? Workspace = null,
    HttpClient? Http = null,
    int Jobs = 1,
    CancellationToken Cancellation = default);

/// <summary>
/// One way of getting a C cross toolchain (a toolchain definition's kind): its settings table,
/// its checks of that table and of the boards it serves, what it needs on the host, whether it
/// builds an SDK tree (PrepareVolume, CloneSdk and SeedConfig run only then), how the Rust build
/// relates to it, and how it resolves to one <see cref="ResolvedToolchain"/>. Everything a kind
/// decides is here; nothing else dispatches on the kind's name. A new kind is a class like the
/// ones in Kinds/, a row in <see cref="ToolchainKinds.All"/>, the property that holds its table on
/// <see cref="ToolchainDefinition"/>, and a toolchains/*.toml that uses it.
/// </summary>
public interface IToolchainKind
{
    /// <summary>What a definition's kind says, and the name of its table: kind = "debian" with [debian].</summary>
    string Name { get; }

    /// <summary>The definition's table of this kind; null when it has none.</summary>
    object? TableOf(ToolchainDefinition definition);

    /// <summary>The table's own rules: (key path, what is wrong) for each problem.</summary>
    IEnumerable<(string Key, string Message)> Check(ToolchainDefinition definition);

    /// <summary>Why this definition cannot serve <paramref name="board"/> (reported at the board's toolchain.allowed); none when it can.</summary>
    IEnumerable<string> CheckBoard(Board board, ToolchainDefinition definition);

    /// <summary>Whether it builds an OpenWrt tree, which the SDK stage's first three tasks prepare.</summary>
    bool BuildsSdkTree { get; }

    /// <summary>Whether Debian's Rust comes with it (Debian's rustc first, its multiarch std and libraries).</summary>
    bool IsDebian { get; }

    /// <summary>What it needs on the host, for the tasks that use it.</summary>
    IEnumerable<Prerequisite> HostNeeds(ToolchainDefinition definition);

    ToolchainResult Resolve(ToolchainRequest request);

    /// <summary>
    /// The target C libraries an app declares (Cargo.toml's [package.metadata.crossboard]
    /// c-libraries), provided for the board's target before the build: their headers, libraries
    /// and pkg-config files in a sysroot the build is pointed at. Nothing is installed on the host
    /// for the target. A kind that cannot provide them throws a clear error saying what to do.
    /// </summary>
    TargetLibraries ProvideCLibraries(CLibrariesRequest request);
}

/// <summary>The toolchain kinds crossboard knows.</summary>
public static class ToolchainKinds
{
    public static IReadOnlyList<IToolchainKind> All { get; } = [new OpenWrtSourceKind(), new OpenWrtPrebuiltKind(), new DebianKind()];

    public static IReadOnlyList<string> Names => All.Select(k => k.Name).ToList();

    public static IToolchainKind? Find(string name) => All.FirstOrDefault(k => k.Name == name);

    /// <summary>The kind of a definition the catalog has checked (so its kind is known).</summary>
    public static IToolchainKind Of(ToolchainDefinition definition) => Find(definition.Kind)
        ?? throw new CrossboardException($"{definition.SourceFile}: toolchain kind '{definition.Kind}' is not one crossboard knows ({string.Join(", ", Names)}).");
}
