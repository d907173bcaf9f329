using Cake.Docker;
using Crossboard.Container;
using Crossboard.Machine;
using Crossboard.Sdk;
using Crossboard.Tests.Fixtures;
using Crossboard.Tests.Support;
using Crossboard.Toolchains;

namespace Crossboard.Tests.Container;

/// <summary>
/// The SDK stage of the miniature OpenWrt SDK (clone, seed, toolchain build) with every git and
/// make command in the real builder container: what --docker does on a macOS host.
/// </summary>
[Tier(TestTier.Slow)]
[Collection(DockerEngineCollection.Name)]
public sealed class SdkStageInContainerTests(DockerEngineFixture engine) : IDisposable
{
    private readonly SdkTestbed _bed = new();

    public void Dispose() => _bed.Dispose();

    [Fact]
    public void Clone_seed_and_toolchain_build_run_in_the_container_write_the_callers_files_and_redo_nothing_the_second_time()
    {
        engine.Require();
        // The host side of the stage (locks, the work dir's folders) runs as this process's user, so
        // the container runs as the same one, as --docker does; ContainerRunnerTests proves that a
        // non-root caller's files stay theirs.
        var caller = HostUser.Current!;
        var sdkRoot = Path.GetDirectoryName(_bed.Sdk.RepoPath)!;
        var container = new ContainerCommandRunner(engine.Client, engine.ImageTag, [_bed.Work.Path, sdkRoot], caller,
            Path.Combine(_bed.Work.Path, "docker", "home"));
        _bed.Runner = new EnvironmentOver(container, _bed.Sdk.Environment);

        var checkout = _bed.Clone();
        var board = _bed.Board("omega2p");
        _bed.Seed(board, checkout.Commit);
        ToolchainResult Build()
        {
            using var workspace = _bed.Open();
            return new OpenWrtSourceToolchain(_bed.Runner, _bed.Log) { Jobs = 2 }.Resolve(workspace, _bed.Toolchain, SdkTestbed.Cancel);
        }

        var first = Build();

        Assert.False(first.Reused);
        var toolchain = first.Toolchain;
        Assert.True(File.Exists(toolchain.CC), $"{toolchain.CC} is at the same path on the host");
        var dotConfig = Path.Combine(_bed.Layout.TreeDir, ".config");
        Assert.Contains("CONFIG_TARGET_ramips_mt76x8_DEVICE_onion_omega2p=y", File.ReadAllText(dotConfig));
        foreach (var file in new[] { toolchain.CC, dotConfig, first.StampPath! })
        {
            Assert.Equal(caller.ToString(), Owner(file));
        }

        // The toolchain the container built compiles in the container (where --docker's cargo stage runs).
        var compile = new ProcessSpec(toolchain.CC, "-dumpmachine");
        foreach (var (key, value) in toolchain.Environment)
        {
            compile.Environment[key] = value;
        }

        Assert.Equal("mipsel-linux-gnu", container.RunChecked(compile, "the built compiler", SdkTestbed.Cancel).StandardOutput.Trim());

        var again = Build();
        Assert.True(again.Reused);
        Assert.Equal(toolchain.CC, again.Toolchain.CC);
    }

    private static string Owner(string path) =>
        ProcessRunner.RunChecked(new ProcessSpec("stat", "-c", "%u:%g", path), "stat").StandardOutput.Trim();

    /// <summary>The mini SDK's environment (its download mirror) on top of another runner, as a user's shell exports it.</summary>
    private sealed class EnvironmentOver(ICommandRunner inner, IReadOnlyDictionary<string, string?> environment) : ICommandRunner
    {
        public Task<ProcessResult> RunAsync(ProcessSpec spec, CancellationToken cancellation = default)
        {
            foreach (var (key, value) in environment)
            {
                spec.Environment.TryAdd(key, value);
            }

            return inner.RunAsync(spec, cancellation);
        }
    }
}
