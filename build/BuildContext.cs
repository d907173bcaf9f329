using Cake.Common;
using Cake.Core;
using Cake.Docker;
using Cake.Frosting;
using Crossboard.Container;
using Crossboard.FastPath;
using Crossboard.Machine;
using Crossboard.Recipes;
using Crossboard.Switches;

namespace Crossboard;

/// <summary>
/// The switches, parsed once, and the resolved board and toolchain (filled in by
/// <see cref="BuildLifetime"/>). Tasks read their settings from here, never from raw arguments.
/// </summary>
public sealed class BuildContext : FrostingContext
{
    public BuildContext(ICakeContext context)
        : base(context)
    {
        RepoRoot = CrossboardPaths.RepoRoot();
        // Every switch is read and checked here, once (see BuildSwitches): a bad value stops the
        // run before its first task and names every bad value at once.
        Switches = BuildSwitches.Read(Optional, path => FullPath(path)!);
        Consent = Machine.Consent.FromEnvironment(Switches.Yes);
        FastPath.FastPathSwitch.Set(Switches.FastPath);
        DryRun = this.HasArgument("dryrun");
        UnknownSwitches = Arguments.GetArguments().Keys
            .Where(k => !k.Equals("dryrun", StringComparison.OrdinalIgnoreCase) && !SwitchTable.IsKnown(k))
            .ToList();
    }

    /// <summary>crossboard's switches, as given and checked; the same for the whole run.</summary>
    public BuildSwitches Switches { get; }

    public string RepoRoot { get; }
    public string RecipesDir => Path.Combine(RepoRoot, "recipes");
    public string ToolchainsDir => Path.Combine(RepoRoot, "toolchains");

    /// <summary>The locked OpenWrt tree of this run (CloneSdk opens it, BuildToolchain closes it).</summary>
    public Sdk.SdkWorkspace? SdkWorkspace { get; set; }

    /// <summary>The tree CloneSdk checked out (its commit keys SeedConfig and the toolchain stamp).</summary>
    public Sdk.SdkCheckout? SdkCheckout { get; set; }
    /// <summary>
    /// Whether packages may be installed without asking (--yes, CI), or whom to ask. After the
    /// host plan (Setup), nobody: the run asks at most once, before its first task.
    /// </summary>
    public Consent Consent { get; set; }

    /// <summary>--dryrun: the tasks are listed, not run, and the host plan is shown, not carried out.</summary>
    public bool DryRun { get; }

    /// <summary>What this run installs on the host before its first task (Setup).</summary>
    public HostPlan? HostPlan { get; set; }

    /// <summary>Switches given that no part of crossboard reads (likely typos); warned about in Setup.</summary>
    public IReadOnlyList<string> UnknownSwitches { get; }

    /// <summary>All recipes and toolchain definitions (Setup).</summary>
    public RecipeCatalog Catalog { get; set; } = null!;

    /// <summary>The chosen board (Setup); null only when the recipes are invalid and the run only validates them.</summary>
    public Board Board { get; set; } = null!;

    /// <summary>The board's chosen toolchain definition (Setup).</summary>
    public ToolchainDefinition Toolchain { get; set; } = null!;

    /// <summary>The Rust target triple for the board and toolchain (Setup).</summary>
    public string RustTarget { get; set; } = "";

    /// <summary>The C cross toolchain, resolved by BuildToolchain (whatever its kind); the cargo stage's input.</summary>
    public Toolchains.ResolvedToolchain? ResolvedToolchain { get; set; }

    /// <summary>The built and checked binary (CargoBuild); the deploy stage's input.</summary>
    public Artifacts.BuiltArtifact? Artifact { get; set; }

    /// <summary>The emulated device's image (EmulatorImage): kernel, initramfs, host-key fingerprint.</summary>
    public Emulator.DeviceImage? DeviceImage { get; set; }

    /// <summary>The device(s) Deploy talks to (resolved from --device, an ssh alias, or the emulator).</summary>
    public Deploy.DeviceTarget? DeviceTarget { get; set; }

    /// <summary>The docker CLI and engine (DOCKER_HOST) for --docker.</summary>
    public DockerClient Docker => _docker ??= DockerClient.Create(Switches.DockerCli, Environment.GetEnvironmentVariable("DOCKER_HOST"));

    /// <summary>The builder image's definition: docker/builder and the build arguments (its tag is their hash).</summary>
    public BuilderImageDefinition BuilderImageDefinition => new(Path.Combine(RepoRoot, "docker", "builder"), Switches.DockerBase);

    /// <summary>The builder image's tag, once BuilderImage made sure it exists.</summary>
    public string? BuilderImageTag { get; set; }

    /// <summary>cargo's home on this machine ($CARGO_HOME, else ~/.cargo): its registry cache is shared with the container.</summary>
    public string CargoHome => Environment.GetEnvironmentVariable("CARGO_HOME") is { Length: > 0 } cargoHome
        ? Path.GetFullPath(cargoHome)
        : Path.Combine(System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile), ".cargo");

    /// <summary>
    /// Folders a stage keeps outside the work dir and the app that its commands need in the
    /// container (e.g. a download cache elsewhere): add them before the stage's first command.
    /// </summary>
    public List<string> ExtraContainerMounts { get; } = new();

    /// <summary>
    /// Where the SDK and cargo stages run their commands: in the builder container with --docker,
    /// else on this machine. Stages take it as their <see cref="ICommandRunner"/>.
    /// </summary>
    public ICommandRunner CommandRunner => Switches.Docker ? ContainerRunner : LocalCommandRunner.Instance;

    /// <summary>
    /// The builder container runner: the work dir, the app, cargo's home and <see cref="ExtraContainerMounts"/>
    /// mounted at the same paths, as the calling user. Makes sure the image exists when BuilderImage
    /// has not run (e.g. --exclusive).
    /// </summary>
    public ContainerCommandRunner ContainerRunner
    {
        get
        {
            var key = string.Join('\n', ExtraContainerMounts);
            if (_containerRunner is null || _containerRunnerKey != key)
            {
                BuilderImageTag ??= BuilderImageService.Ensure(Docker, BuilderImageDefinition, Switches.WorkDir, BuildLog).Tag;
                _containerRunner = ContainerCommandRunner.ForBuild(Docker, BuilderImageTag, Switches.WorkDir, Switches.App, CargoHome, ExtraContainerMounts);
                _containerRunnerKey = key;
            }

            return _containerRunner;
        }
    }

    private DockerClient? _docker;
    private ContainerCommandRunner? _containerRunner;
    private string? _containerRunnerKey;
    /// <summary>
    /// Resolves --device=emulator (and no --device): set by the emulator stage, which boots the
    /// device, pins its host key and forwards its ports. Null when that stage is not in the build.
    /// </summary>
    public Func<Deploy.DeviceTarget>? EmulatorDevice { get; set; }

    /// <summary>The tasks this run executes, in order (Setup).</summary>
    public IReadOnlyList<string> PlannedTasks { get; set; } = [];

    /// <summary>Whether <see cref="Tasks.EarlyWork"/> has started the background work of this run.</summary>
    public bool EarlyWorkStarted { get; set; }

    /// <summary>The deploy target's SSH connection, opened while the build runs (Deploy takes it over).</summary>
    public FastPath.EarlyConnection? EarlyConnection { get; set; }

    /// <summary>What Deploy or Rollback did, one entry per device.</summary>
    public IReadOnlyList<Deploy.DeviceResult>? DeployResults { get; set; }

    /// <summary>A log the stage services (which know nothing of Cake) write to.</summary>
    public IBuildLog BuildLog => _buildLog ??= new Tasks.CakeBuildLog(Log);

    private IBuildLog? _buildLog;

    private string? Optional(string name) => this.HasArgument(name) ? this.Argument<string>(name) : null;

    private string? FullPath(string? path) => path is null ? null : BuildSwitches.FullPath(path, Environment.WorkingDirectory.FullPath);
}
