using Crossboard.Artifacts;
using Crossboard.FastPath;
using Crossboard.Machine;
using Crossboard.Recipes;
using Crossboard.Toolchains;

namespace Crossboard.Cargo;

/// <summary>What the cargo stage works from: the app, the board, and the C toolchain the SDK stage resolved.</summary>
public sealed record CargoStageInputs(
    string AppDir,
    string WorkDir,
    Board Board,
    ToolchainDefinition ToolchainDefinition,
    ResolvedToolchain? Toolchain,
    string Triple);

/// <param name="SizeProfile">--size-profile; null: the board's rust.size-profile.</param>
/// <param name="Rust">--rust; null: automatic.</param>
/// <param name="Bin">--bin; null: the package's only (or same-named) binary.</param>
/// <param name="CargoConfig">--cargo-config: a cargo config file given to every cargo call as --config FILE.</param>
public sealed record CargoBuildOptions(bool? SizeProfile = null, RustProvider? Rust = null, string? Bin = null, string? CargoConfig = null);

/// <summary>
/// The cargo stage: <see cref="Configure"/> keeps the app's .cargo/config.toml in step with the
/// board (ConfigureCargo); <see cref="Build"/> picks a Rust for the target, cross-builds, and
/// checks the binary against the board before anything is deployed (CargoBuild).
/// </summary>
public sealed class CargoStage(ICommandRunner runner, DebianPackages packages, IBuildLog log)
{
    public (CargoConfigChange Change, CargoTargetSettings Settings) Configure(CargoStageInputs inputs, string task = "ConfigureCargo")
    {
        // The app's C libraries first: for a dynamic build their sysroot is the runner's root.
        var libraries = ProvideCLibraries(inputs, Settings(inputs, task));
        var settings = Settings(inputs, task, libraries);
        var change = CargoConfigFile.Apply(inputs.AppDir, settings, log);
        var path = CargoConfigFile.PathIn(inputs.AppDir);
        log.Information(change switch
        {
            CargoConfigChange.Created => $"Wrote [target.{inputs.Triple}] to {path}",
            CargoConfigChange.Updated => $"Updated [target.{inputs.Triple}] in {path} (the rest of the file is as it was)",
            _ => $"{path} already has the board's [target.{inputs.Triple}] settings",
        });
        log.Verbose($"linker = {settings.Linker}; rustflags = [{string.Join(' ', settings.Rustflags)}]; runner = [{string.Join(' ', settings.Runner)}]");
        if (settings.Rustflags.Count > 0 && CargoConfigFile.HasBuildRustflags(inputs.AppDir))
        {
            log.Warning($"{path} sets [build] rustflags, which cargo ignores for {inputs.Triple} now that [target.{inputs.Triple}] has rustflags; " +
                "put flags the board needs in its recipe (rust.rustflags) instead.");
        }

        if (settings.Static)
        {
            log.Information($"Linking statically: {inputs.Board.Name} runs {inputs.Board.System.Libc}, the {inputs.Toolchain!.Definition} toolchain links against {inputs.Toolchain.Libc}");
        }

        return (change, settings);
    }

    public BuiltArtifact Build(CargoStageInputs inputs, CargoBuildOptions options, CancellationToken cancellation = default)
    {
        var libraries = ProvideCLibraries(inputs, Settings(inputs, "CargoBuild"), cancellation);
        var settings = Settings(inputs, "CargoBuild", libraries);
        RequireConfigured(inputs, settings);

        var debianStd = new DebianRustStd(packages, runner, inputs.WorkDir, log, ProbeCache.For(runner, inputs.WorkDir));
        var rust = new RustToolchainSelector(runner, debianStd, log).Select(inputs.Triple, inputs.ToolchainDefinition, options.Rust);
        var sizeProfile = options.SizeProfile ?? inputs.Board.Rust.SizeProfile;
        var request = new CargoBuildRequest(
            inputs.AppDir,
            inputs.Triple,
            rust,
            inputs.Toolchain!,
            sizeProfile,
            DebianMultiarch: ToolchainKinds.Of(inputs.ToolchainDefinition).IsDebian,
            options.Bin,
            Path.Combine(inputs.WorkDir, "logs", $"cargo-build-{inputs.Board.Name}.log"))
        {
            CargoConfig = options.CargoConfig,
            CLibraries = libraries,
        };

        var built = new CargoBuilder(runner, log).Build(request, cancellation);
        log.Information($"Built {built.Executable}{(built.Fresh ? " (up to date)" : "")} in {built.Elapsed.TotalSeconds:0.0} s");

        var verdict = ArtifactCheck.Require(built.Executable, inputs.Board, log);
        log.Information(verdict.Summary);
        if (libraries is { Static: false })
        {
            log.Information($"To run it here: {string.Join(' ', settings.Runner)} {built.Executable} (or cargo run --release --target {inputs.Triple})");
        }

        return BuiltArtifact.Of(built.Executable, built.Name, inputs.Triple, verdict.Summary) with { CheckedFor = inputs.Board.Name };
    }

    /// <summary>
    /// The target C libraries the app's Cargo.toml declares, provided by the toolchain's kind
    /// before cargo runs (null when it declares none); a bad declaration stops here, with its line.
    /// </summary>
    public TargetLibraries? ProvideCLibraries(CargoStageInputs inputs, CargoTargetSettings settings, CancellationToken cancellation = default)
    {
        var declared = AppManifest.CLibrariesOf(inputs.AppDir);
        if (declared.Count == 0)
        {
            return null;
        }

        var kind = ToolchainKinds.Of(inputs.ToolchainDefinition);
        var provided = kind.ProvideCLibraries(new CLibrariesRequest(inputs.Board, inputs.ToolchainDefinition, inputs.Toolchain!, declared, settings.Static, inputs.WorkDir, log, cancellation));
        log.Information($"C libraries for {inputs.Triple}: {string.Join(", ", provided.Libraries.Select(l => l.Name))}, linked {(provided.Static ? "statically" : "dynamically")}, from {provided.Sysroot}{(provided.Reused ? " (ready)" : "")}");
        return provided;
    }

    private static CargoTargetSettings Settings(CargoStageInputs inputs, string task, TargetLibraries? libraries = null)
    {
        if (inputs.Toolchain is null)
        {
            throw new CrossboardException(
                $"{task} needs the board's C cross toolchain, which the BuildToolchain task resolves, and it has not run in this invocation. " +
                $"Run --target={task} without --exclusive, so that BuildToolchain runs first.");
        }

        return CargoTargetSettings.For(inputs.Board, inputs.Toolchain, inputs.Triple, libraries);
    }

    /// <summary>CargoBuild relies on ConfigureCargo's file (rustflags such as +crt-static live there): refuse to build without it.</summary>
    private static void RequireConfigured(CargoStageInputs inputs, CargoTargetSettings settings)
    {
        var path = CargoConfigFile.PathIn(inputs.AppDir);
        var text = File.Exists(path) ? File.ReadAllText(path) : "";
        if (CargoConfigFile.Edit(text, path, settings) != text)
        {
            throw new CrossboardException(
                $"{path} does not have {inputs.Board.Name}'s [target.{inputs.Triple}] settings (linker, rustflags, runner), so the build would not fit the board. " +
                "Run ConfigureCargo first: --target=CargoBuild without --exclusive does.");
        }
    }
}
