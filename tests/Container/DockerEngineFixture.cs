using Cake.Docker;
using Crossboard.Container;
using Crossboard.Machine;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Container;

[CollectionDefinition(Name)]
public sealed class DockerEngineCollection : ICollectionFixture<DockerEngineFixture>
{
    public const string Name = "Docker engine";
}

/// <summary>
/// A real container engine for the Docker tests: podman serving the docker API on a private socket
/// with a local Debian base image (tests/setup/podman-engine.sh, idempotent), and the builder image
/// built from the repository's definition (once; later runs find it by its tag). Where no engine
/// can be started the tests skip with the script's reason. CROSSBOARD_TEST_DOCKER_HOST and
/// CROSSBOARD_TEST_BASE_IMAGE point them at another engine (e.g. a real Docker daemon) instead.
/// </summary>
public sealed class DockerEngineFixture : IDisposable
{
    private readonly TempDir _workDir = new("docker-fixture");
    private readonly Exception? _buildError;

    public DockerEngineFixture()
    {
        if (Environment.GetEnvironmentVariable("CROSSBOARD_TEST_DOCKER_HOST") is { Length: > 0 } host)
        {
            DockerHost = host;
            BaseImage = Environment.GetEnvironmentVariable("CROSSBOARD_TEST_BASE_IMAGE") ?? BuilderImageDefinition.DefaultBaseImage;
        }
        else
        {
            var script = Path.Combine(RepoPaths.Root, "tests", "setup", "podman-engine.sh");
            var setup = ProcessRunner.Run(new ProcessSpec("bash", script) { Timeout = TimeSpan.FromMinutes(15) });
            string? Value(string key) => setup.StandardOutput.Split('\n')
                .Where(l => l.StartsWith(key + "=", StringComparison.Ordinal)).Select(l => l[(key.Length + 1)..].Trim()).LastOrDefault();
            DockerHost = Value("DOCKER_HOST");
            BaseImage = Value("BASE_IMAGE") ?? "";
            if (!setup.Succeeded || DockerHost is null)
            {
                SkipReason = $"no container engine could be started here (tests/setup/podman-engine.sh, exit code {setup.ExitCode}): " +
                             ProcessRunner.TailOf(setup.StandardError, 5);
                return;
            }
        }

        Client = DockerClient.Create(null, DockerHost);
        try
        {
            Client.EnsureEngine();
        }
        catch (CrossboardException ex)
        {
            SkipReason = ex.Message;
            return;
        }

        // From here on a failure is the code's, not the machine's: the tests fail with it.
        try
        {
            Definition = new BuilderImageDefinition(Path.Combine(RepoPaths.Root, "docker", "builder"), BaseImage);
            FirstEnsure = BuilderImageService.Ensure(Client, Definition, _workDir.Path, BuildLog);
            ImageTag = FirstEnsure.Tag;
        }
        catch (Exception ex)
        {
            _buildError = ex;
        }
    }

    public string? SkipReason { get; }
    public string? DockerHost { get; }
    public string BaseImage { get; } = "";
    public DockerClient Client { get; } = null!;
    public BuilderImageDefinition Definition { get; } = null!;
    public BuilderImageResult FirstEnsure { get; } = null!;
    public string ImageTag { get; } = "";
    public RecordingBuildLog BuildLog { get; } = new();

    /// <summary>Skips the calling test when no engine could be started; fails it when the builder image could not be built.</summary>
    public void Require()
    {
        if (SkipReason is not null)
        {
            Assert.Skip(SkipReason);
        }

        if (_buildError is not null)
        {
            throw new InvalidOperationException("Building the builder image failed: " + _buildError.Message, _buildError);
        }
    }

    /// <summary>Runs the CLI against the fixture's engine (for checks outside the code under test).</summary>
    public ProcessResult Cli(params string[] args) => ProcessRunner.Run(Client.Spec(args));

    public void Dispose() => _workDir.Dispose();
}
