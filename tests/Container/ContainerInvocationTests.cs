using Cake.Docker;
using Crossboard.Container;
using Crossboard.Machine;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Container;

/// <summary>How a stage's command becomes a `docker run` of the builder image (no engine needed).</summary>
[Tier(TestTier.Unit)]
public sealed class ContainerInvocationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly DockerClient Docker = new("docker", DockerCliKind.Docker, "unix:///tmp/engine.sock");

    private static ContainerCommandRunner Runner(DockerClient? client = null, HostUser? user = null) =>
        new(client ?? Docker, "crossboard-builder:abc",
            ["/home/me/work dir", "/home/me/work dir/sdk", "/home/me/my app"],
            user ?? new HostUser(1000, 1001),
            "/home/me/work dir/docker/home",
            "/home/me/.cargo");

    [Fact]
    public void Mounts_are_at_the_same_paths_and_nested_ones_are_covered_by_their_parent()
    {
        var runner = Runner();

        Assert.Equal(["/home/me/.cargo", "/home/me/my app", "/home/me/work dir"], runner.Mounts.Order(StringComparer.Ordinal));

        var invocation = runner.Translate(new ProcessSpec("make", "defconfig") { WorkingDirectory = "/home/me/work dir/sdk" }, "c1");

        Assert.All(invocation.Settings.Volume, v => Assert.Equal(v.Source, v.Target));
        Assert.Equal(runner.Mounts.Order(StringComparer.Ordinal), invocation.Settings.Volume.Select(v => v.Source).Order(StringComparer.Ordinal));
        Assert.Contains("--volume", DockerArguments.Run(invocation.Settings, runner.Image));
        Assert.Contains("/home/me/work dir:/home/me/work dir", DockerArguments.Run(invocation.Settings, runner.Image));
    }

    [Fact]
    public void The_command_runs_as_the_caller_in_its_working_directory_with_its_environment()
    {
        var spec = new ProcessSpec("make", "-j2", "toolchain/install")
        {
            WorkingDirectory = "/home/me/work dir/sdk",
            Environment = { ["CURL_OPTIONS"] = "--retry 0", ["STAGING_DIR"] = "/home/me/work dir/sdk/staging_dir" },
        };

        var invocation = Runner().Translate(spec, "crossboard-x");
        var settings = invocation.Settings;

        Assert.Equal("make", invocation.Command);
        Assert.Equal(["-j2", "toolchain/install"], invocation.Arguments);
        Assert.Equal("crossboard-x", settings.Name);
        Assert.True(settings.Rm);
        Assert.False(settings.Interactive);
        Assert.Equal("1000:1001", settings.User);
        Assert.Null(settings.Userns);
        Assert.Equal("/home/me/work dir/sdk", settings.Workdir);
        Assert.Equal("/home/me/work dir/docker/home", settings.Env["HOME"]);
        Assert.Equal("/home/me/.cargo", settings.Env["CARGO_HOME"]);
        Assert.Equal("--retry 0", settings.Env["CURL_OPTIONS"]);
        Assert.Equal("/home/me/work dir/sdk/staging_dir", settings.Env["STAGING_DIR"]);
        Assert.Equal("builder-run", settings.Label["crossboard"]);
    }

    [Fact]
    public void A_variable_the_stage_removes_is_removed_inside_too_with_env_u()
    {
        var spec = new ProcessSpec("cargo", "build") { Environment = { ["RUSTFLAGS"] = null, ["CARGO_TARGET_DIR"] = null } };

        var invocation = Runner().Translate(spec, "c1");

        Assert.Equal("env", invocation.Command);
        Assert.Equal(["-u", "RUSTFLAGS", "-u", "CARGO_TARGET_DIR", "cargo", "build"], invocation.Arguments);
        Assert.False(invocation.Settings.Env.ContainsKey("RUSTFLAGS"));
    }

    [Fact]
    public void Standard_input_keeps_the_container_input_open()
    {
        var invocation = Runner().Translate(new ProcessSpec("sh", "-c", "cat > f") { StandardInput = "data" }, "c1");

        Assert.True(invocation.Settings.Interactive);
    }

    [Fact]
    public void A_working_directory_the_container_does_not_mount_is_a_clear_error()
    {
        var spec = new ProcessSpec("make") { WorkingDirectory = "/opt/elsewhere" };

        var error = Assert.Throws<CrossboardException>(() => Runner().Translate(spec, "c1"));

        Assert.Contains("runs in /opt/elsewhere, which the builder container does not see", error.Message);
        Assert.Contains("/home/me/work dir", error.Message);
    }

    [Fact]
    public void A_mount_that_would_hide_the_images_own_system_is_refused()
    {
        var usr = Assert.Throws<CrossboardException>(() => ContainerCommandRunner.NormalizeMounts(["/usr/local/work"]));
        var root = Assert.Throws<CrossboardException>(() => ContainerCommandRunner.NormalizeMounts(["/"]));

        Assert.Contains("would hide the image's own /usr", usr.Message);
        Assert.Contains("--work-dir", usr.Message);
        Assert.Contains("would hide the image's own /", root.Message);
        Assert.Equal(["/usrx/work"], ContainerCommandRunner.NormalizeMounts(["/usrx/work/"])); // a prefix is not a parent
    }

    [Fact]
    public void Rootless_podman_keeps_the_callers_id_and_a_podman_service_or_root_does_not_need_to()
    {
        var localPodman = new DockerClient("podman", DockerCliKind.Podman);
        var podmanService = new DockerClient("podman", DockerCliKind.Podman, "unix:///tmp/engine.sock");

        Assert.Equal("keep-id", Runner(localPodman).Translate(new ProcessSpec("true"), "c").Settings.Userns);
        Assert.Null(Runner(podmanService).Translate(new ProcessSpec("true"), "c").Settings.Userns);
        Assert.Null(Runner(localPodman, new HostUser(0, 0)).Translate(new ProcessSpec("true"), "c").Settings.Userns);
    }

    [Fact]
    public void The_builds_runner_mounts_the_work_dir_the_app_cargos_home_and_extras_as_the_caller()
    {
        var runner = ContainerCommandRunner.ForBuild(Docker, "crossboard-builder:abc",
            "/home/me/.cache/crossboard", "/home/me/src/my app", "/home/me/.cargo", ["/srv/openwrt-dl"]);

        Assert.Equal(["/home/me/.cache/crossboard", "/home/me/.cargo", "/home/me/src/my app", "/srv/openwrt-dl"], runner.Mounts.Order(StringComparer.Ordinal));
        Assert.Equal("/home/me/.cache/crossboard/docker/home", runner.Home);
        Assert.Equal("/home/me/.cargo", runner.CargoHome);
        Assert.Equal(HostUser.Current, runner.User);
        Assert.Equal("crossboard-builder:abc", runner.Image);
    }

    [Fact]
    public void The_caller_is_the_process_real_user()
    {
        var id = ProcessRunner.RunChecked(new ProcessSpec("id", "-u"), "id -u", Ct).StandardOutput.Trim();
        var gid = ProcessRunner.RunChecked(new ProcessSpec("id", "-g"), "id -g", Ct).StandardOutput.Trim();

        Assert.Equal($"{id}:{gid}", HostUser.Current!.ToString());
    }
}
