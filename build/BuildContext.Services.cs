using Cake.Docker;
using Crossboard.Container;
using Crossboard.Machine;

namespace Crossboard;

/// <summary>The services the stages run on: where commands run, the log, consent, the container engine, the deploy's early connection.</summary>
public sealed partial class BuildContext
{
    private DockerClient? _docker;
    private ContainerCommandRunner? _containerRunner;
    private string? _containerRunnerKey;
    private IBuildLog? _buildLog;

    /// <summary>A log the stage services (which know nothing of Cake) write to.</summary>
    public IBuildLog BuildLog => _buildLog ??= new Tasks.CakeBuildLog(Log);

    /// <summary>
    /// Whether packages may be installed without asking (--yes, CI), or whom to ask. After the
    /// host plan (Setup), nobody: the run asks at most once, before its first task.
    /// </summary>
    public Consent Consent { get; set; }

    /// <summary>
    /// Where the SDK and cargo stages run their commands: in the builder container with --docker,
    /// else on this machine. Stages take it as their <see cref="ICommandRunner"/>.
    /// </summary>
    public ICommandRunner CommandRunner => Switches.Docker ? ContainerRunner : LocalCommandRunner.Instance;

    /// <summary>The docker CLI and engine (DOCKER_HOST) for --docker.</summary>
    public DockerClient Docker => _docker ??= DockerClient.Create(Switches.DockerCli, Environment.GetEnvironmentVariable("DOCKER_HOST"));

    /// <summary>The builder image's definition: docker/builder and the build arguments (its tag is their hash).</summary>
    public BuilderImageDefinition BuilderImageDefinition => new(Path.Combine(RepoRoot, "docker", "builder"), Switches.DockerBase);

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
                Stages.BuilderImageTag ??= BuilderImageService.Ensure(Docker, BuilderImageDefinition, Switches.WorkDir, BuildLog).Tag;
                _containerRunner = ContainerCommandRunner.ForBuild(Docker, Stages.BuilderImageTag, Switches.WorkDir, Switches.App, CargoHome, ExtraContainerMounts);
                _containerRunnerKey = key;
            }

            return _containerRunner;
        }
    }

    /// <summary>
    /// Resolves --device=emulator (and no --device): set in Setup; boots the device when it is not
    /// running, pins its host key and forwards its ports.
    /// </summary>
    public Func<Deploy.DeviceTarget>? EmulatorDevice { get; set; }

    /// <summary>Whether <see cref="Tasks.EarlyWork"/> has started the background work of this run.</summary>
    public bool EarlyWorkStarted { get; set; }

    /// <summary>The deploy target's SSH connection, opened while the build runs (Deploy takes it over).</summary>
    public FastPath.EarlyConnection? EarlyConnection { get; set; }
}
