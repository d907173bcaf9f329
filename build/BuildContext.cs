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
    public const string DefaultBoard = "malta-le";

    /// <summary>crossboard's own switches: the help text and the unknown-switch warning both come from this list.</summary>
    public static readonly IReadOnlyList<(string Name, string Value, string Help)> Switches =
    [
        ("board", "NAME", $"The board to build for (default: {DefaultBoard}, the emulated device). See --target=Boards."),
        ("toolchain", "NAME", "A toolchain definition the board allows, instead of its default."),
        ("recipes", "DIR", "An extra folder of board recipes (DIR/*.toml) and toolchains (DIR/toolchains/*.toml)."),
        ("work-dir", "DIR", "Where SDKs, toolchains and caches live (default: ~/.cache/crossboard)."),
        ("app", "DIR", "The Rust project to build and deploy (default: samples/hello)."),
        ("device", "TARGET", "[user@]host[:port], an ~/.ssh/config Host alias, or 'emulator'."),
        ("yes", "true", "Install missing host packages without asking (implied when CI is set)."),
        ("size-profile", "true|false", "Build for size (strip, LTO, codegen-units=1, opt-level=z, panic=abort); default: the board's rust.size-profile."),
        ("rust", "PROVIDER", "Which Rust builds the app: auto (default), stable (rustup, prebuilt std), nightly (rustup, -Zbuild-std), debian (Debian's rustc, offline std)."),
        ("bin", "NAME", "The cargo binary to build and deploy, when the package has several."),
        ("sdk-source", "URL|PATH", "Clone the OpenWrt source from this mirror or local copy instead of the toolchain's git URL (openwrt-source toolchains)."),
        ("sdk-volume-size", "GB", $"Size of the sparse case-sensitive image made when the work dir is case-insensitive (default: {Volume.SdkVolume.DefaultSizeGb})."),
        ("docker", "true", "Run CloneSdk, SeedConfig, BuildToolchain and CargoBuild in the builder container (docker/builder); deploy runs here."),
        ("docker-cli", "docker|podman", "The container CLI for --docker (default: docker, else podman); DOCKER_HOST picks the engine."),
        ("docker-base", "IMAGE", $"The builder image's base (default {BuilderImageDefinition.DefaultBaseImage}), e.g. a local image where no registry is reachable."),
        ("emulator-ssh-port", "PORT", "127.0.0.1 port for the emulated device's SSH (default: a free one)."),
        ("emulator-app-port", "PORT", "127.0.0.1 port for the emulated device's port 8000, the app (default: a free one)."),
        ("devices", "FILE", "Deploy/Rollback to every device in FILE (one [user@]host[:port] per line, or a .toml with [[device]] tables)."),
        ("parallel", "N", "How many devices of --devices to deploy to at once (default: 4)."),
        ("host-key", "SHA256:...", "The device's host key fingerprint (ssh-keygen -lf); otherwise ~/.ssh/known_hosts decides."),
        ("identity", "FILE", "A private key to log in with, tried before ~/.ssh/config's and the default ones."),
        ("password-env", "VAR", "Log in with the password held in environment variable VAR (never printed)."),
        ("passphrase-env", "VAR", "The passphrase of encrypted keys, from environment variable VAR (else asked on a terminal)."),
        ("install-dir", "DIR", "Where the binary goes on the device (default: the recipe's install-dir)."),
        ("smoke-url", "URL", "Check after deploy: http(s)://{host}:PORT/PATH or tcp://{host}:PORT; 'none' to skip (default: the recipe's)."),
        ("smoke-expect", "TEXT", "Text the smoke check's answer must contain (default: the recipe's)."),
        ("smoke-timeout", "SECONDS", "How long the smoke check may take (default: 30)."),
        ("compress", "auto|yes|no", "Send the binary gzip-compressed: auto measures the link and the device (default: auto)."),
        ("artifact", "FILE", "Deploy this file instead of the cargo stage's output (a binary built elsewhere)."),
        ("transfer", "auto|exec|sftp|scp", "How Deploy sends the binary: auto (default: an exec channel of the deploy's own connection, else SFTP, else SCP), or that one."),
        ("force", "true", "Deploy over a file crossboard did not install (a system binary, a package's file), keeping it as <file>.bak; never over the SSH server, busybox, the shell, init, procd/ubus or opkg."),
        ("keep-failed", "true", "Leave a build that fails to start or fails the smoke check installed, for debugging (default: put the previous build back)."),
    ];

    public static string HelpText =>
        "crossboard switches:" + System.Environment.NewLine +
        string.Join(System.Environment.NewLine, Switches.Select(s => $"  {"--" + s.Name + "=" + s.Value,-30} {s.Help}"));

    public BuildContext(ICakeContext context)
        : base(context)
    {
        // Every switch is read and checked here, once: a bad value stops the run before its
        // first task (and names every bad value at once), so a typo costs no build and no boot.
        var read = new SwitchReader(Optional, path => FullPath(path)!);
        RepoRoot = CrossboardPaths.RepoRoot();
        BoardName = read.Text("board") ?? DefaultBoard;
        ToolchainName = read.Text("toolchain");
        ExtraRecipes = read.ExistingDirectory("recipes");
        WorkDir = read.Path("work-dir") ?? CrossboardPaths.DefaultWorkDir();
        if (File.Exists(WorkDir))
        {
            read.Problem($"--work-dir={Optional("work-dir")}: {WorkDir} is a file; give a directory (made if missing).");
        }

        AppDir = read.ExistingDirectory("app") ?? Path.Combine(RepoRoot, "samples", "hello");
        Device = read.Parsed("device", CheckDevice);
        SizeProfile = read.Bool("size-profile");
        RustProvider = read.Parsed("rust", rust =>
        {
            Cargo.RustToolchain.Parse(rust);
            return rust;
        });
        BinName = read.Text("bin");
        EmulatorSshPort = read.Port("emulator-ssh-port");
        EmulatorAppPort = read.Port("emulator-app-port");
        Consent = Machine.Consent.FromEnvironment(read.Flag("yes"));
        SdkSource = read.Parsed("sdk-source", source => GitLocalPath(source) ? CheckLocalSource(source, FullPath(source)!) : source);
        SdkVolumeSizeGb = read.Number("sdk-volume-size", 1, 65536, "a size in GB from 1 to 65536") ?? Volume.SdkVolume.DefaultSizeGb;
        UseDocker = read.Flag("docker");
        DockerCli = read.Parsed("docker-cli", cli =>
        {
            DockerClient.ValidateChoice(cli);
            return cli;
        });
        DockerBaseImage = read.Text("docker-base") ?? BuilderImageDefinition.DefaultBaseImage;
        DeploySwitches = Deploy.DeploySwitches.Read(read);
        if (Device is not null && DeploySwitches.DevicesFile is not null)
        {
            read.Problem("Give either --device (one device) or --devices=FILE (a fleet), not both.");
        }

        DryRun = this.HasArgument("dryrun");
        UnknownSwitches = Arguments.GetArguments().Keys
            .Where(k => !k.Equals("dryrun", StringComparison.OrdinalIgnoreCase) && !Switches.Any(s => s.Name.Equals(k, StringComparison.OrdinalIgnoreCase)))
            .ToList();
        read.ThrowIfAny();
    }

    /// <summary>--sdk-source as a local copy: it must be there.</summary>
    private static string CheckLocalSource(string given, string full) => Directory.Exists(full) || File.Exists(full)
        ? full
        : throw new CrossboardException($"--sdk-source={given}: no such local copy ({full}). Give a URL or the path of an OpenWrt git checkout.");

    /// <summary>--device: "emulator", an ~/.ssh/config alias, or [user@]host[:port] whose port is a port.</summary>
    private static string CheckDevice(string device)
    {
        if (!device.Equals(Deploy.DeviceResolver.Emulator, StringComparison.OrdinalIgnoreCase))
        {
            Deploy.DeviceResolver.Parse(device);
        }

        return device;
    }

    public string RepoRoot { get; }
    public string RecipesDir => Path.Combine(RepoRoot, "recipes");
    public string ToolchainsDir => Path.Combine(RepoRoot, "toolchains");
    public string BoardName { get; }
    public string? ToolchainName { get; }
    public string? ExtraRecipes { get; }
    public string WorkDir { get; }
    public string AppDir { get; }
    public string? Device { get; }

    /// <summary>The deploy switches as given (checked by the deploy tasks).</summary>
    public Deploy.DeploySwitches DeploySwitches { get; }

    /// <summary>--size-profile: null means the board's rust.size-profile decides.</summary>
    public bool? SizeProfile { get; }

    /// <summary>--rust: auto (null), stable, nightly or debian.</summary>
    public string? RustProvider { get; }

    /// <summary>--bin: the cargo binary target, when the package has several.</summary>
    public string? BinName { get; }

    /// <summary>--sdk-source: a mirror URL or a local path (made absolute) that replaces the toolchain definition's git URL.</summary>
    public string? SdkSource { get; }

    /// <summary>--sdk-volume-size: GB of the case-sensitive image PrepareVolume makes when it has to.</summary>
    public int SdkVolumeSizeGb { get; }

    /// <summary>The locked OpenWrt tree of this run (CloneSdk opens it, BuildToolchain closes it).</summary>
    public Sdk.SdkWorkspace? SdkWorkspace { get; set; }

    /// <summary>The tree CloneSdk checked out (its commit keys SeedConfig and the toolchain stamp).</summary>
    public Sdk.SdkCheckout? SdkCheckout { get; set; }
    /// <summary>--emulator-ssh-port / --emulator-app-port: fixed 127.0.0.1 ports for the emulator (null: free ones).</summary>
    public int? EmulatorSshPort { get; }
    public int? EmulatorAppPort { get; }

    /// <summary>--artifact: a binary built elsewhere, deployed as it is (the SDK and cargo stages then have nothing to do).</summary>
    public string? ArtifactFile => DeploySwitches.ArtifactFile;

    /// <summary>No --device nor --devices, or --device=emulator: the emulated device is the target (the quick start's).</summary>
    public bool DeploysToEmulator => Device is null
        ? DeploySwitches.DevicesFile is null
        : Device.Equals(Deploy.DeviceResolver.Emulator, StringComparison.OrdinalIgnoreCase);

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

    /// <summary>--docker: the SDK and cargo stages run their commands in the builder container (see <see cref="CommandRunner"/>).</summary>
    public bool UseDocker { get; }

    /// <summary>--docker-cli: docker or podman; null picks docker if it is on PATH, else podman.</summary>
    public string? DockerCli { get; }

    /// <summary>--docker-base: the image the builder image is built on.</summary>
    public string DockerBaseImage { get; }

    /// <summary>The docker CLI and engine (DOCKER_HOST) for --docker.</summary>
    public DockerClient Docker => _docker ??= DockerClient.Create(DockerCli, Environment.GetEnvironmentVariable("DOCKER_HOST"));

    /// <summary>The builder image's definition: docker/builder and the build arguments (its tag is their hash).</summary>
    public BuilderImageDefinition BuilderImageDefinition => new(Path.Combine(RepoRoot, "docker", "builder"), DockerBaseImage);

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
    public ICommandRunner CommandRunner => UseDocker ? ContainerRunner : LocalCommandRunner.Instance;

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
                BuilderImageTag ??= BuilderImageService.Ensure(Docker, BuilderImageDefinition, WorkDir, BuildLog).Tag;
                _containerRunner = ContainerCommandRunner.ForBuild(Docker, BuilderImageTag, WorkDir, AppDir, CargoHome, ExtraContainerMounts);
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

    private static bool GitLocalPath(string source) => Cake.Git.GitClient.IsLocalPath(source);

    private string? Optional(string name) => this.HasArgument(name) ? this.Argument<string>(name) : null;

    private string? FullPath(string? path) => path is null
        ? null
        : Path.GetFullPath(path.StartsWith("~/") ? Path.Combine(System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile), path[2..]) : path,
            Environment.WorkingDirectory.FullPath);
}
