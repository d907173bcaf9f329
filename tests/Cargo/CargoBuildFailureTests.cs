using Crossboard.Cargo;
using Crossboard.Machine;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Cargo;

/// <summary>
/// When cargo fails the user learns where (the compiler's file and line), sees the output's tail,
/// gets the log's path, and, when the cause is the choice of Rust rather than the code, what to do.
/// </summary>
[Tier(TestTier.Slow)]
public sealed class CargoBuildFailureTests(CrossBuilds builds) : IDisposable
{
    private readonly TempDir _dir = new("cargo-fail");
    private readonly RecordingBuildLog _log = new();

    public void Dispose() => _dir.Dispose();

    private (CargoStage Stage, CargoStageInputs Inputs) Prepare(string name, Action<string> breakIt)
    {
        var app = _dir.Combine(name);
        CrossBuilds.CopyTree(Path.Combine(RepoPaths.Root, "samples", "hello"), app);
        breakIt(app);
        var stage = new CargoStage(LocalCommandRunner.Instance, new DebianPackages(CrossBuilds.Yes, _log.Information), _log);
        var inputs = builds.Inputs(app, builds.Board("rpi3")) with { WorkDir = builds.WorkDir };
        stage.Configure(inputs);
        return (stage, inputs);
    }

    [Fact]
    public void A_compile_error_names_the_file_and_line_and_the_log()
    {
        var (stage, inputs) = Prepare("compile-error", app =>
            File.AppendAllText(Path.Combine(app, "src", "main.rs"), "\nfn broken() -> u32 { \"not a number\" }\n"));

        var error = Assert.Throws<CrossboardException>(() => stage.Build(inputs, new CargoBuildOptions(), TestContext.Current.CancellationToken));

        Assert.Contains("cargo build for aarch64-unknown-linux-gnu failed (exit code 101).", error.Message);
        Assert.Matches(@"src/main\.rs:\d+:\d+", error.Message);
        Assert.Contains("mismatched types", error.Message);
        Assert.Equal(Path.Combine(builds.WorkDir, "logs", "cargo-build-rpi3.log"), error.LogPath);
        Assert.Contains("mismatched types", File.ReadAllText(error.LogPath!));
        Assert.Contains("error[E0308]", _log.Text); // streamed live as well
        var problem = Assert.Single(error.Problems); // for a CI's annotation
        Assert.Equal((Path.Combine(inputs.AppDir, "src", "main.rs"), "error[E0308]: mismatched types"), (problem.File, problem.Message));
    }

    [Fact]
    public void A_lock_file_from_a_newer_cargo_gets_the_advice_to_use_a_newer_Rust()
    {
        var (stage, inputs) = Prepare("lock-v4", app =>
            File.WriteAllText(Path.Combine(app, "Cargo.lock"), "version = 4\n\n[[package]]\nname = \"hello\"\nversion = \"0.1.0\"\n"));

        var error = Assert.Throws<CrossboardException>(() => stage.Build(inputs, new CargoBuildOptions(), TestContext.Current.CancellationToken));

        Assert.Contains("lock file version `4` was found", error.Message);
        Assert.Contains("What to do: Cargo.lock was written by a newer cargo than this build's (Debian rustc 1.63", error.Message);
    }

    [Fact]
    public void Building_without_ConfigureCargo_is_refused_before_cargo_runs()
    {
        var app = _dir.Combine("unconfigured");
        CrossBuilds.CopyTree(Path.Combine(RepoPaths.Root, "samples", "hello"), app);
        var stage = new CargoStage(LocalCommandRunner.Instance, new DebianPackages(CrossBuilds.Yes, _log.Information), _log);

        var error = Assert.Throws<CrossboardException>(() => stage.Build(builds.Inputs(app, builds.Board("malta-le")), new CargoBuildOptions(), TestContext.Current.CancellationToken));

        Assert.Contains("does not have malta-le's [target.mipsel-unknown-linux-gnu] settings", error.Message);
        Assert.Contains("Run ConfigureCargo first", error.Message);
        Assert.False(Directory.Exists(Path.Combine(app, "target")), "cargo did not run");
    }

    [Fact]
    public void Build_rustflags_that_the_boards_target_rustflags_would_hide_are_warned_about()
    {
        var app = _dir.Combine("build-rustflags");
        CrossBuilds.CopyTree(Path.Combine(RepoPaths.Root, "samples", "hello"), app);
        Directory.CreateDirectory(Path.Combine(app, ".cargo"));
        File.WriteAllText(CargoConfigFile.PathIn(app), "[build]\nrustflags = [\"--cfg\", \"mine\"]\n");
        var stage = new CargoStage(LocalCommandRunner.Instance, new DebianPackages(CrossBuilds.Yes, _log.Information), _log);

        stage.Configure(builds.Inputs(app, builds.Board("malta-le")));

        Assert.Contains("[warning]", _log.Text);
        Assert.Contains("sets [build] rustflags, which cargo ignores for mipsel-unknown-linux-gnu", _log.Text);
    }
}
