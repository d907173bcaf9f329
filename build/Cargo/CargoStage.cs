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
/// <param name="CompileCache">--compile-cache: a compile cache rustc runs through (cargo's RUSTC_WRAPPER).</param>
/// <param name="CargoConfig">--cargo-config: a cargo config file given to every cargo call as --config FILE.</param>
public sealed record CargoBuildOptions(bool? SizeProfile = null, RustProvider? Rust = null, string? Bin = null, CompileCache CompileCache = CompileCache.None,
    string? CargoConfig = null);

/// <summary>
/// The cargo stage: <see cref="Configure"/> keeps the app's .cargo/config.toml in step with the
/// board (ConfigureCargo); <see cref="Build"/> picks a Rust for the target, cross-builds, and
/// checks the binary against the board before anything is deployed (CargoBuild); <see cref="Test"/>
/// builds the app's tests the same way and runs them under the target's runner (CargoTest).
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
        var (request, settings) = Request(inputs, options, "CargoBuild", $"cargo-build-{inputs.Board.Name}.log", cancellation);
        var libraries = request.CLibraries;
        if (request.RustcWrapper is not null && request.Rust.TargetRustflags.Contains("--sysroot"))
        {
            log.Warning($"--compile-cache=sccache: {request.Rust.Description} passes rustc --sysroot (its std for {inputs.Triple} lives in the work dir), " +
                "and sccache does not cache such compilations: this build compiles everything. A rustup Rust (--rust=stable, or nightly for MIPS) is cached.");
        }

        var before = request.RustcWrapper is { } sccache ? CompileCaches.Counts(runner, sccache) : null;
        var built = new CargoBuilder(runner, log).Build(request, cancellation);
        var afterCounts = request.RustcWrapper is { } wrapper ? CompileCaches.Counts(runner, wrapper) : null;
        if (request.RustcWrapper is not null && (before is null || afterCounts is null))
        {
            log.Verbose("sccache did not answer --show-stats (its server may still be starting): what the cache served is not known for this build.");
        }

        if (before is { } b && afterCounts is { } after)
        {
            log.Information($"sccache: {after.Hits - b.Hits} compilation(s) served from the cache, {after.Misses - b.Misses} compiled and stored " +
                "(binaries and build scripts are not cached; the cache is sccache's: SCCACHE_DIR, or a shared backend in its configuration)");
        }

        log.Information($"Built {built.Executable}{(built.Fresh ? " (up to date)" : "")} in {built.Elapsed.TotalSeconds:0.0} s");

        // A build made dynamic for the emulated device is checked against that device.
        var checkedFor = libraries is { EmulatedDeviceOnly: true } && Emulator.EmulatorDevices.DeviceView(inputs.Board) is { } device ? device : inputs.Board;
        var verdict = ArtifactCheck.Require(built.Executable, checkedFor, log);
        log.Information(verdict.Summary);
        if (libraries is { Static: false })
        {
            log.Information($"To run it here: {string.Join(' ', settings.Runner)} {built.Executable} (or cargo run --release --target {inputs.Triple})");
        }

        return BuiltArtifact.Of(built.Executable, built.Name, inputs.Triple, verdict.Summary) with { CheckedFor = checkedFor.Name };
    }

    /// <summary>
    /// The app's tests built for the board as CargoBuild builds the app, and run under the
    /// target's runner (CargoTest).
    /// </summary>
    /// <param name="testArguments">--test-args: for the test binaries (a name filter, --nocapture, ...).</param>
    public CargoTestResult Test(CargoStageInputs inputs, CargoBuildOptions options, IReadOnlyList<string> testArguments, CancellationToken cancellation = default)
    {
        var (request, _) = Request(inputs, options, "CargoTest", $"cargo-test-{inputs.Board.Name}.log", cancellation);
        return new CargoTester(runner, log).Test(request, testArguments, cancellation);
    }

    /// <summary>
    /// The app's tests built for the board as <see cref="Test"/> builds them, each checked to run on
    /// the board (CPU, ISA, float ABI, libc; not the app budget: they run from a scratch folder),
    /// then run by <paramref name="runOnDevice"/> (CargoTest --test-on=device), whose exit codes decide.
    /// </summary>
    /// <param name="runOnDevice">Runs the given test binaries on the device, output to the given line handler (<see cref="Deploy.DeviceTests"/>).</param>
    public CargoTestResult TestOnDevice(CargoStageInputs inputs, CargoBuildOptions options,
        Func<IReadOnlyList<string>, Action<string>, IReadOnlyList<Deploy.DeviceTestRun>> runOnDevice, CancellationToken cancellation = default)
    {
        var (request, _) = Request(inputs, options, "CargoTest", $"cargo-test-{inputs.Board.Name}.log", cancellation);
        var binaries = new CargoTester(runner, log).Build(request, cancellation);
        if (binaries.Count == 0)
        {
            throw new CrossboardException($"cargo built no test binary for {inputs.AppDir}: the package has no tests to run (add #[test] functions or tests/*.rs).");
        }

        foreach (var binary in binaries)
        {
            var verdict = ArtifactCheck.Check(binary.Path,
                request.CLibraries is { EmulatedDeviceOnly: true } && Emulator.EmulatorDevices.DeviceView(inputs.Board) is { } device ? device : inputs.Board, againstBudget: false);
            if (!verdict.Fits)
            {
                throw new CrossboardException(
                    $"The test binary {binary.Path} cannot run on {inputs.Board.Name}:" + Environment.NewLine +
                    string.Join(Environment.NewLine, verdict.Refusals.Select(r => "  - " + r)) + Environment.NewLine + "Nothing was uploaded.");
            }
        }

        var output = new CargoTester.TestOutput(log, inputs.AppDir);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        IReadOnlyList<Deploy.DeviceTestRun> runs;
        try
        {
            runs = runOnDevice(binaries.Select(b => b.Path).ToList(), output.Line);
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C between two binaries or during an upload: the scratch folder is gone already.
            runs = [new Deploy.DeviceTestRun("", new Deploy.RemoteExit(null, null, Stopped: true))];
        }

        if (runs.Any(r => r.Exit.Stopped))
        {
            throw new CrossboardException("CargoTest was stopped (Ctrl+C) while the tests ran on the device; their scratch folder was removed.");
        }

        if (runs.FirstOrDefault(r => r.Exit.ExitStatus != 0) is { } failed)
        {
            throw output.Failure(request, $"./{failed.Binary} on the device", failed.Exit.ExitStatus, $"{failed.Binary} ended with {failed.Exit.Describe}");
        }

        return output.Passed(inputs.Triple, watch.Elapsed);
    }

    /// <summary>
    /// What cargo runs with for <paramref name="task"/>: the app's C libraries provided, the Rust
    /// chosen for the target, the resolved toolchain, the log file; and the target's settings.
    /// </summary>
    private (CargoBuildRequest Request, CargoTargetSettings Settings) Request(CargoStageInputs inputs, CargoBuildOptions options, string task, string logName,
        CancellationToken cancellation)
    {
        var libraries = ProvideCLibraries(inputs, Settings(inputs, task), cancellation);
        var settings = Settings(inputs, task, libraries);
        RequireConfigured(inputs, settings, task);

        var debianStd = new DebianRustStd(packages, runner, inputs.WorkDir, log, ProbeCache.For(runner, inputs.WorkDir));
        var rust = new RustToolchainSelector(runner, debianStd, log).Select(inputs.Triple, inputs.ToolchainDefinition, options.Rust);
        return (new CargoBuildRequest(
            inputs.AppDir,
            inputs.Triple,
            rust,
            inputs.Toolchain!,
            options.SizeProfile ?? inputs.Board.Rust.SizeProfile,
            DebianMultiarch: Toolchains.ToolchainKinds.Of(inputs.ToolchainDefinition).IsDebian,
            options.Bin,
            Path.Combine(inputs.WorkDir, "logs", logName))
        {
            RustcWrapper = CompileCaches.Wrapper(options.CompileCache, runner),
            CargoConfig = options.CargoConfig,
            CLibraries = libraries,
        }, settings);
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
        var provided = kind.ProvideCLibraries(new CLibrariesRequest(inputs.Board, inputs.ToolchainDefinition, inputs.Toolchain!, declared, settings.Static, inputs.WorkDir, log, cancellation, runner));
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

    /// <summary>CargoBuild and CargoTest rely on ConfigureCargo's file (rustflags such as +crt-static, the runner live there): refuse to build without it.</summary>
    private static void RequireConfigured(CargoStageInputs inputs, CargoTargetSettings settings, string task)
    {
        var path = CargoConfigFile.PathIn(inputs.AppDir);
        var text = File.Exists(path) ? File.ReadAllText(path) : "";
        if (CargoConfigFile.Edit(text, path, settings) != text)
        {
            throw new CrossboardException(
                $"{path} does not have {inputs.Board.Name}'s [target.{inputs.Triple}] settings (linker, rustflags, runner), so the build would not fit the board. " +
                $"Run ConfigureCargo first: --target={task} without --exclusive does.");
        }
    }
}
