using Crossboard.Machine;
using Crossboard.Tests.Fixtures.Ssh;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.EndToEnd;

/// <summary>
/// build.sh, the README's first command's bootstrap, on a copy of this working tree: it builds
/// the build host when there is none or a source changed, runs the built one otherwise, and
/// says where the log is when the build fails. It builds the quick, framework-dependent host at
/// once; on a terminal outside CI (or when asked) it builds the fast host in the background (the
/// natively compiled one, else the composite) and links it in when it is complete;
/// CROSSBOARD_HOST_BUILD=native or composite builds that one in the foreground. The native host
/// then runs what users run: help, the recipes, bad input, a deploy to a real SSH device and its
/// no-op redeploy. The packs it restores were fetched by tests/setup/warm-caches.sh: no network
/// here. A collection of its own, run alone: the native publish takes two minutes or more of
/// both cores, which the other tests' devices and timeouts should not have to share.
/// </summary>
[Tier(TestTier.Slow)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
[Collection(Name)]
public sealed class BootstrapTests : IDisposable
{
    public const string Name = "build.sh bootstrap (runs alone)";
    private const string Building = "build.sh: building the build host";
    private const string InBackground = "in the background at low priority";
    private readonly TempDir _dir = new("bootstrap");
    private readonly List<string> _repos = [];

    public void Dispose()
    {
        // A background build still running would write into the folder being deleted.
        foreach (var repo in _repos)
        {
            StopBackgroundBuild(repo);
        }

        _dir.Dispose();
    }

    [Fact]
    public void Build_sh_builds_the_host_once_rebuilds_when_a_source_changes_and_reports_a_broken_build()
    {
        var repo = CopyWorkingTree();

        var first = BuildSh(repo, "quick", "--target=Boards");
        Assert.True(first.Succeeded, first.StandardError + first.StandardOutput);
        Assert.Contains(Building, first.StandardError);
        Assert.Contains("malta-le", first.StandardOutput);
        Assert.Matches(@"Boards\s+\d\d:\d\d:\d\d\.\d+\s+Succeeded", first.StandardOutput);

        var second = BuildSh(repo, "quick", "--target=Boards");
        Assert.True(second.Succeeded, second.StandardError + second.StandardOutput);
        Assert.DoesNotContain(Building, second.StandardError);
        Assert.Contains("malta-le", second.StandardOutput);

        // A source changes: built again.
        var program = Path.Combine(repo, "build", "Program.cs");
        File.AppendAllText(program, "\n// changed\n");
        var changed = BuildSh(repo, "quick", "--target=Boards");
        Assert.True(changed.Succeeded, changed.StandardError + changed.StandardOutput);
        Assert.Contains(Building, changed.StandardError);

        // A source that does not compile: the error, the log's path, a non-zero exit; and the
        // next run tries again rather than running a host that no longer matches the sources.
        File.AppendAllText(program, "this is not C#\n");
        var broken = BuildSh(repo, "quick", "--target=Boards");
        Assert.NotEqual(0, broken.ExitCode);
        Assert.Contains("Program.cs", broken.StandardError);
        Assert.Matches(@"building the build host failed; full log: /\S+\.log", broken.StandardError);
        var again = BuildSh(repo, "quick", "--target=Boards");
        Assert.NotEqual(0, again.ExitCode);
        Assert.Contains(Building, again.StandardError);
    }

    [Fact]
    public void Build_sh_on_a_terminal_runs_the_quick_host_at_once_and_links_the_native_host_built_in_the_background_when_complete()
    {
        var repo = CopyWorkingTree();

        // The README's first command, typed on a terminal: the quick host, built and run now.
        var first = BuildSh(repo, null, terminal: true, "--target=Boards");
        Assert.True(first.Succeeded, first.StandardOutput);
        Assert.Contains(Building, first.StandardOutput);
        Assert.Contains(InBackground, first.StandardOutput);
        Assert.Matches(@"Boards\s+\d\d:\d\d:\d\d\.\d+\s+Succeeded", first.StandardOutput);
        var quick = LinkedHost(repo);
        Assert.StartsWith("host-quick.", Path.GetFileName(quick));
        Assert.True(File.Exists(Path.Combine(quick, "Build.dll")));
        Assert.False(File.Exists(Path.Combine(quick, "libcoreclr.so")), "the quick host is framework-dependent");

        // The background build stopped half-way (killed, as by a shutdown): what it leaves is
        // never run, and the next run starts it again (it did not fail).
        Assert.NotNull(RunningBackgroundBuild(repo));
        StopBackgroundBuild(repo);
        var restarted = BuildSh(repo, "background", terminal: false, "--target=Boards");
        Assert.True(restarted.Succeeded, restarted.StandardError + restarted.StandardOutput);
        Assert.DoesNotContain(Building, restarted.StandardError);
        Assert.Contains(InBackground, restarted.StandardError);
        Assert.Equal(quick, LinkedHost(repo));

        // While it builds: runs use the quick host, the folder it builds in is never linked, and
        // a second build.sh does not start a second background build.
        var during = BuildSh(repo, "background", terminal: false, "--target=Boards");
        Assert.True(during.Succeeded, during.StandardError + during.StandardOutput);
        Assert.DoesNotContain(Building, during.StandardError);
        Assert.DoesNotContain(InBackground, during.StandardError);
        Assert.DoesNotContain(".building-", LinkedHost(repo));

        // CROSSBOARD_HOST_BUILD=native (the bench's, a CI image's) waits for the background
        // build rather than building a second one beside it.
        var forced = BuildSh(repo, "native", terminal: false, "--target=Boards");
        Assert.True(forced.Succeeded, forced.StandardError + forced.StandardOutput);
        Assert.DoesNotContain(Building, forced.StandardError);
        var native = LinkedHost(repo);
        Assert.StartsWith("host-native.", Path.GetFileName(native));
        Assert.True(File.Exists(Path.Combine(native, "Build")), "the native program");
        Assert.False(File.Exists(Path.Combine(native, "Build.dll")), "no assembly for a runtime to load");
        Assert.False(File.Exists(Path.Combine(native, "libcoreclr.so")), "no runtime");
        Assert.Contains("the native host; runs use it from now on", File.ReadAllText(Path.Combine(repo, "build", "bin", "fast-host.log")));
        // The quick host, no longer linked and no longer running, is deleted; so is what the
        // stopped build left, and the intermediate files (another ~200 MB).
        Assert.False(Directory.Exists(quick), "the quick host is deleted once replaced");
        Assert.Equal(new[] { Path.GetFileName(native) }, Directory.GetDirectories(Path.Combine(repo, "build", "bin"))
            .Where(d => new DirectoryInfo(d).LinkTarget is null).Select(d => Path.GetFileName(d)));

        // And from then on it is what runs: the only host there is, with nothing to build.
        var after = BuildSh(repo, null, terminal: true, "--target=Boards");
        Assert.True(after.Succeeded, after.StandardOutput);
        Assert.DoesNotContain(Building, after.StandardOutput);
        Assert.DoesNotContain(InBackground, after.StandardOutput);
        Assert.Contains("malta-le", after.StandardOutput);

        NativeHostRunsWhatUsersRun(repo);
    }

    /// <summary>
    /// The natively compiled host does what the others do where it differs from them: reflection
    /// (the tasks, the switches, Tomlyn reading every recipe), JSON, processes, SSH, HTTP.
    /// </summary>
    private void NativeHostRunsWhatUsersRun(string repo)
    {
        var help = BuildSh(repo, null, "--help");
        Assert.True(help.Succeeded, help.StandardError + help.StandardOutput);
        Assert.Contains("--work-dir=DIR", help.StandardOutput);
        Assert.Contains("Deploy", help.StandardOutput);

        var recipes = BuildSh(repo, null, "--target=ValidateRecipes");
        Assert.True(recipes.Succeeded, recipes.StandardError + recipes.StandardOutput);
        Assert.Matches(@"ValidateRecipes\s+\d\d:\d\d:\d\d\.\d+\s+Succeeded", recipes.StandardOutput);

        // Bad input: the clear message and exit code of the other hosts, no stack trace.
        var bad = BuildSh(repo, null, "--target=Boards", "--parallel=zero");
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("--parallel", bad.StandardError + bad.StandardOutput);
        Assert.DoesNotContain("   at ", bad.StandardError + bad.StandardOutput);

        // A deploy to a real device (dropbear, in namespaces of its own), then the no-op redeploy.
        using var kit = new DeployKit("native-host");
        var device = kit.Start(new DeviceServerOptions { Kind = SshServerKind.Dropbear, Password = "native-pw" });
        string[] deploy =
        [
            "--target=Deploy", $"--device=root@{device.Host}:{device.Port}", $"--host-key={device.HostKeyFingerprint}",
            $"--password-env={kit.Secret("native-pw")}", $"--artifact={kit.App("v1").Path}", .. DeployKit.BoardSwitches,
            $"--work-dir={kit.Dir.Combine("work")}", $"--smoke-url=http://{{host}}:{kit.AppPort}/text", "--smoke-expect=hello world v1",
        ];
        var first = BuildSh(repo, null, deploy);
        Assert.True(first.Succeeded, first.StandardError + first.StandardOutput);
        Assert.Contains("Smoke check passed", first.StandardOutput);
        Assert.Equal("v1", kit.VersionOnDevice(device));
        var again = BuildSh(repo, null, deploy);
        Assert.True(again.Succeeded, again.StandardError + again.StandardOutput);
        Assert.Contains("nothing transferred", again.StandardOutput);
    }

    [Fact]
    public void Build_sh_builds_no_fast_host_in_CI_or_off_a_terminal_and_a_failed_background_build_leaves_the_quick_host_running()
    {
        var repo = CopyWorkingTree();
        // A real failed build of the fast host, where the quick one succeeds: an MSBuild error in
        // the native publish and in the composite one it falls back to.
        File.WriteAllText(Path.Combine(repo, "build", "Directory.Build.targets"), """
            <Project>
              <Target Name="RefuseTheFastHost" BeforeTargets="Build" Condition="'$(CrossboardHost)' == 'native' or '$(CrossboardHost)' == 'composite'">
                <Error Text="the $(CrossboardHost) publish refused by BootstrapTests" />
              </Target>
            </Project>
            """);

        // On a terminal in CI, and off a terminal: the quick host only.
        var ci = BuildSh(repo, null, terminal: true, ci: true, "--target=Boards");
        Assert.True(ci.Succeeded, ci.StandardOutput);
        Assert.Contains(Building, ci.StandardOutput);
        Assert.DoesNotContain(InBackground, ci.StandardOutput);
        var quick = LinkedHost(repo);
        Assert.StartsWith("host-quick.", Path.GetFileName(quick));
        var piped = BuildSh(repo, null, terminal: false, "--target=Boards");
        Assert.True(piped.Succeeded, piped.StandardError + piped.StandardOutput);
        Assert.DoesNotContain(Building, piped.StandardError);
        Assert.DoesNotContain(InBackground, piped.StandardError);
        Assert.False(File.Exists(FastHostLock(repo)), "no background build was tried");

        // Asked for, it fails: the quick host stays linked and keeps running.
        var started = BuildSh(repo, "background", terminal: false, "--target=Boards");
        Assert.True(started.Succeeded, started.StandardError + started.StandardOutput);
        Assert.Contains(InBackground, started.StandardError);
        WaitForBackgroundBuild(repo);
        var log = File.ReadAllText(Path.Combine(repo, "build", "bin", "fast-host.log"));
        Assert.Contains("the native publish refused by BootstrapTests", log);
        Assert.Contains("the native host failed to build", log);
        Assert.Contains("the composite publish refused by BootstrapTests", log);
        Assert.Contains("failed", log);
        Assert.Equal(quick, LinkedHost(repo));
        Assert.Empty(Directory.GetDirectories(Path.Combine(repo, "build", "bin"), ".building-*"));

        // The next run says so, once, and does not try again for the same sources.
        var next = BuildSh(repo, "background", terminal: false, "--target=Boards");
        Assert.True(next.Succeeded, next.StandardError + next.StandardOutput);
        Assert.DoesNotContain(Building, next.StandardError);
        Assert.Matches(@"background build of the fast host failed \(log: /\S+/build/bin/fast-host\.log\)", next.StandardError);
        Assert.DoesNotContain(InBackground, next.StandardError);
        Assert.Contains("malta-le", next.StandardOutput);
        var again = BuildSh(repo, "background", terminal: false, "--target=Boards");
        Assert.True(again.Succeeded, again.StandardError + again.StandardOutput);
        Assert.DoesNotContain("failed", again.StandardError);
        Assert.DoesNotContain(InBackground, again.StandardError);

        // Asked for in the foreground, the same failure is an error, with its log; the quick
        // host still runs.
        var forced = BuildSh(repo, "native", terminal: false, "--target=Boards");
        Assert.NotEqual(0, forced.ExitCode);
        Assert.Contains("the native publish refused by BootstrapTests", forced.StandardError);
        Assert.Matches(@"building the build host failed; full log: /\S+\.log", forced.StandardError);
        Assert.Equal(quick, LinkedHost(repo));
        var last = BuildSh(repo, null, terminal: false, "--target=Boards");
        Assert.True(last.Succeeded, last.StandardError + last.StandardOutput);
        Assert.DoesNotContain(Building, last.StandardError);
    }

    private string CopyWorkingTree() => WorkingTree.CopyTo(_dir.Combine("repo"));

    /// <summary>The host folder build/bin/host links to.</summary>
    private static string LinkedHost(string repo)
    {
        var link = new FileInfo(Path.Combine(repo, "build", "bin", "host"));
        Assert.NotNull(link.LinkTarget);
        return Path.GetFullPath(Path.Combine(link.DirectoryName!, link.LinkTarget));
    }

    /// <summary>The lock build.sh's background build holds while it runs (and takes before starting one).</summary>
    private static string FastHostLock(string repo) => Path.Combine(repo, "build", "bin", ".fast-host.lock");

    /// <summary>Waits until no background build holds build/bin/.fast-host.lock (build.sh takes it before starting one).</summary>
    private static void WaitForBackgroundBuild(string repo)
    {
        var result = ProcessRunner.Run(new ProcessSpec("flock", FastHostLock(repo), "true")
        {
            // Only against a hang: the build takes 2-4 minutes alone and over 10 beside another build.
            Timeout = TimeSpan.FromMinutes(30),
        }, TestContext.Current.CancellationToken);
        Assert.True(result.Succeeded, result.StandardError);
    }

    /// <summary>The process group of the background build the log names, while it holds its lock; else null.</summary>
    private static string? RunningBackgroundBuild(string repo)
    {
        var bin = Path.Combine(repo, "build", "bin");
        var log = Path.Combine(bin, "fast-host.log");
        if (!File.Exists(log) || ProcessRunner.Run(new ProcessSpec("flock", "-n", FastHostLock(repo), "true")).Succeeded)
        {
            return null;
        }

        var group = System.Text.RegularExpressions.Regex.Match(File.ReadAllText(log), @"process group: (\d+)");
        return group.Success ? group.Groups[1].Value : null;
    }

    /// <summary>Kills the running background build's process group, and waits for its lock.</summary>
    private static void StopBackgroundBuild(string repo)
    {
        if (RunningBackgroundBuild(repo) is { } group)
        {
            ProcessRunner.Run(new ProcessSpec("kill", "-KILL", "--", "-" + group));
            WaitForBackgroundBuild(repo);
        }
    }

    /// <summary>
    /// build.sh with CROSSBOARD_HOST_BUILD = <paramref name="mode"/> (null: unset). On a
    /// terminal: under script(1), a pseudo-terminal for its standard input and output (which
    /// then carries its standard error too).
    /// </summary>
    private ProcessResult BuildSh(string repo, string? mode, params string[] args) => BuildSh(repo, mode, terminal: false, args);

    private ProcessResult BuildSh(string repo, string? mode, bool terminal, params string[] args) => BuildSh(repo, mode, terminal, ci: false, args);

    private ProcessResult BuildSh(string repo, string? mode, bool terminal, bool ci, params string[] args)
    {
        var buildSh = Path.Combine(repo, "build.sh");
        var spec = terminal
            ? new ProcessSpec("script", "-qec", string.Join(' ', new[] { buildSh }.Concat(args).Select(a => "'" + a.Replace("'", "'\\''") + "'")), "/dev/null")
            : new ProcessSpec(buildSh, args);
        return ProcessRunner.Run(new ProcessSpec(spec.FileName, [.. spec.Arguments])
        {
            WorkingDirectory = repo,
            // The foreground fast host waits for a background one: minutes, more beside other builds.
            Timeout = TimeSpan.FromMinutes(30),
            Environment =
            {
                ["CROSSBOARD_HOST_BUILD"] = mode,
                ["CI"] = ci ? "true" : null,
                ["NO_COLOR"] = "1",
                ["TMPDIR"] = _dir.Path,
                // The dotnet build servers would outlive the test (and hold its folder).
                ["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0",
                ["MSBUILDDISABLENODEREUSE"] = "1",
                ["UseSharedCompilation"] = "false",
            },
        }, TestContext.Current.CancellationToken);
    }
}

[CollectionDefinition(BootstrapTests.Name, DisableParallelization = true)]
public sealed class BootstrapCollection;
