using System.Reflection;
using Cake.Frosting;
using Crossboard.Machine;
using Crossboard.Recipes;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Machine;

/// <summary>
/// The host plan: before the first task, everything the run's tasks need on this machine is
/// worked out, shown once with apt's download size, asked for once, and installed in one apt
/// transaction; declined or nobody to ask, the run stops before any work. These run against the
/// real dpkg and apt of the test machine (which has everything the built-in boards need), with a
/// board whose toolchain needs two small Debian packages the machine does not have (hello, sl):
/// nothing here installs anything, so nothing leaves the machine.
/// </summary>
[Tier(TestTier.Integration)]
public sealed class HostPlanTests : IDisposable
{
    private static readonly string[] Absent = ["hello", "sl"];
    private readonly TempDir _recipes = new("plan-recipes");
    private readonly TempDir _work = new("plan-work");

    public HostPlanTests()
    {
        // A copy of the default board whose (Debian) toolchain is made of packages this machine lacks.
        _recipes.Write("malta-fake.toml", File.ReadAllText(Path.Combine(RepoPaths.Recipes, "malta-le.toml"))
            .Replace("name = \"malta-le\"", "name = \"malta-fake\"")
            .Replace("default = \"debian-mipsel\"", "default = \"debian-fake\"")
            .Replace("allowed = [", "allowed = [\"debian-fake\", "));
        _recipes.Write("toolchains/debian-fake.toml", File.ReadAllText(Path.Combine(RepoPaths.Root, "toolchains", "debian-mipsel.toml"))
            .Replace("name = \"debian-mipsel\"", "name = \"debian-fake\"")
            .Replace("packages = [\"gcc-mipsel-linux-gnu\", \"libc6-dev-mipsel-cross\"]", "packages = [\"hello\", \"sl\"]")
            .Replace("prefix = \"mipsel-linux-gnu-\"", "prefix = \"mipsel-fake-linux-gnu-\""));
        foreach (var package in Absent)
        {
            Assert.False(DebianPackages.IsInstalled(package), $"this test needs a machine without the Debian package {package}");
        }
    }

    public void Dispose()
    {
        _recipes.Dispose();
        _work.Dispose();
    }

    private string[] Args(params string[] args) => [.. args, "--board=malta-fake", $"--recipes={_recipes.Path}", $"--work-dir={_work.Path}"];

    [Fact]
    public void Every_prerequisite_names_tasks_that_exist()
    {
        var tasks = typeof(BuildContext).Assembly.GetTypes()
            .Select(t => t.GetCustomAttribute<TaskNameAttribute>()?.Name)
            .OfType<string>()
            .ToHashSet();
        var catalog = RecipeCatalog.Load(RepoPaths.Recipes, RepoPaths.Toolchains);
        var checkedAny = 0;
        foreach (var board in catalog.Boards)
        {
            foreach (var name in board.Toolchain.Allowed)
            {
                var toolchain = catalog.ToolchainFor(board, name);
                foreach (var docker in new[] { false, true })
                {
                    var needs = HostPrerequisites.For(new HostNeedsQuery(board, toolchain, RecipeCatalog.RustTargetFor(board, toolchain), Emulator: board.Emulator, Docker: docker));
                    foreach (var need in needs)
                    {
                        Assert.NotEmpty(need.Tasks);
                        Assert.All(need.Tasks, t => Assert.Contains(t, tasks));
                        checkedAny++;
                    }
                }
            }
        }

        Assert.True(checkedAny > 20, $"only {checkedAny} prerequisites were checked");
    }

    [Fact]
    public void The_quick_start_on_a_machine_that_has_everything_plans_nothing()
    {
        var catalog = RecipeCatalog.Load(RepoPaths.Recipes, RepoPaths.Toolchains);
        var board = catalog.GetBoard("malta-le");
        var toolchain = catalog.ToolchainFor(board, null);
        var needs = HostPrerequisites.For(new HostNeedsQuery(board, toolchain, RecipeCatalog.RustTargetFor(board, toolchain), Emulator: board.Emulator));

        var plan = HostPlan.Make(needs, ["BuildToolchain", "ConfigureCargo", "CargoBuild", "EmulatorImage", "EmulatorStart", "Deploy"],
            new DebianPackages(new Consent(false, false), _ => { }).Missing);

        // What the quick start needs, each looked at without starting a process.
        Assert.Contains(needs, n => n.Name == "mipsel-linux-gnu-gcc" && n.DebianPackages.SequenceEqual(["gcc-mipsel-linux-gnu", "libc6-dev-mipsel-cross"]));
        Assert.Contains(needs, n => n.Name == "rustc, cargo" && n.Tasks.Contains("CargoBuild"));
        Assert.Contains(needs, n => n.Architecture == "mipsel" && n.Tasks.Contains("EmulatorImage"));
        Assert.Contains(needs, n => n.Name == "ssh-keygen" && n.DebianPackages.SequenceEqual(["openssh-client"]));
        Assert.Contains(needs, n => n.Name == "qemu-system-mipsel" && n.DebianPackages.SequenceEqual(["qemu-system-mips"]));
        // CargoTest runs the tests under qemu-user, with the same Rust as CargoBuild.
        Assert.Contains(needs, n => n.Name == "qemu-mipsel" && n.DebianPackages.SequenceEqual(["qemu-user"]) && n.Tasks.SequenceEqual(["CargoTest"]));
        Assert.Contains(needs, n => n.Name == "rustc, cargo" && n.Tasks.Contains("CargoTest"));
        Assert.DoesNotContain(needs, n => n.Name == "qemu-mipsel" && n.Tasks.Contains("Deploy"));
        Assert.True(plan.NothingToDo, "tests/setup/install-prereqs.sh installs all of it, yet the plan says:\n" + plan.Render());
    }

    [Fact]
    public void An_openwrt_source_toolchain_needs_what_OpenWrt_24_10_checks_before_SeedConfig()
    {
        var catalog = RecipeCatalog.Load(RepoPaths.Recipes, RepoPaths.Toolchains);
        var board = catalog.GetBoard("omega2");
        var toolchain = catalog.ToolchainFor(board, "openwrt-24.10");
        var needs = HostPrerequisites.For(new HostNeedsQuery(board, toolchain, RecipeCatalog.RustTargetFor(board, toolchain), Emulator: null));
        var packages = needs.Where(n => n.Tasks.Contains("SeedConfig")).SelectMany(n => n.DebianPackages).ToHashSet();

        // include/prereq-build.mk of v24.10.8, check by check.
        foreach (var package in new[] { "make", "gcc", "g++", "libncurses-dev", "rsync", "perl", "patch", "gawk", "unzip", "bzip2", "wget", "python3", "file", "libc6-dev", "diffutils", "util-linux", "findutils" })
        {
            Assert.Contains(package, packages);
        }

        Assert.Contains(needs, n => n.Name == "git" && n.Tasks.SequenceEqual(["CloneSdk"]));
        // distutils left Python in 3.12: asked for where Python is older, and never asked for where there is none to install.
        if (DebianRelease.PythonBelow312)
        {
            Assert.Contains("python3-distutils", packages);
        }
        else
        {
            Assert.DoesNotContain("python3-distutils", packages);
        }

        // None of them is needed by a Debian toolchain, nor on the host with --docker.
        var debian = HostPrerequisites.For(new HostNeedsQuery(board, catalog.ToolchainFor(board, "debian-mipsel"), "mipsel-unknown-linux-gnu", Emulator: null));
        var docker = HostPrerequisites.For(new HostNeedsQuery(board, toolchain, RecipeCatalog.RustTargetFor(board, toolchain), Emulator: null, Docker: true));
        Assert.DoesNotContain(debian, n => n.DebianPackages.Contains("gawk"));
        Assert.Equal(["docker or podman"], docker.Select(n => n.Name));
    }

    [Fact]
    public void A_dry_run_shows_the_plan_with_apt_s_download_size_and_the_commands_and_installs_nothing()
    {
        var result = BuildCli.Run(Args("--target=Deploy", "--dryrun"));

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains("--target=Deploy for board malta-fake (toolchain debian-fake) needs these on this machine first:", result.Output);
        Assert.Matches(@"BuildToolchain\s+mipsel-fake-linux-gnu-gcc\s+hello sl\s+Debian's mipsel cross compiler", result.Output);
        Assert.Matches(@"apt will download \d+ kB \(2 packages, with what they depend on\)\.", result.Output);
        Assert.Contains("apt-get install -y --no-install-recommends hello sl", result.Output);
        Assert.Contains("Dry run: nothing was installed.", result.Output);
        Assert.Contains("This was a dry run.", result.Output);
        Assert.DoesNotContain(Terminal.QuestionMark, result.All);
        Assert.All(Absent, p => Assert.False(DebianPackages.IsInstalled(p)));
    }

    [Fact]
    public void Without_a_terminal_or_yes_the_run_stops_before_its_first_task_with_the_commands()
    {
        var result = BuildCli.Run(Args("--target=CargoBuild"), new Dictionary<string, string?> { ["CI"] = null });

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("there is no terminal to ask on, and neither --yes nor CI said yes; no task ran.", result.All);
        // As the user runs it: root gets the command itself, anyone else it under sudo.
        Assert.Contains($"  {DebianPackages.SudoPrefix}apt-get install -y --no-install-recommends hello sl", result.All);
        Assert.Contains("or run again with --yes", result.All);
        Assert.DoesNotMatch(@"BuildToolchain\s+\d\d:\d\d", result.Output);
        Assert.DoesNotContain("   at ", result.All);
        Assert.False(Directory.Exists(_work.Combine("logs")), "nothing was done, not even a log");
    }

    [Fact]
    public void On_a_terminal_it_asks_once_and_a_no_installs_nothing_and_runs_no_task()
    {
        var transcript = Terminal.Run(BuildCli.CommandLine(Args("--target=Deploy")), ["n"],
            new Dictionary<string, string?> { ["CI"] = null, ["NO_COLOR"] = "1", ["CROSSBOARD_ROOT"] = RepoPaths.Root });

        Assert.Equal(1, transcript.Questions);
        Assert.Contains($"{HostSetup.Question} {Terminal.QuestionMark}", transcript.Output);
        Assert.NotEqual(0, transcript.ExitCode);
        Assert.Contains("Not installed (you said no); no task ran.", transcript.Output);
        Assert.DoesNotMatch(@"BuildToolchain\s+\d\d:\d\d", transcript.Output);
        Assert.All(Absent, p => Assert.False(DebianPackages.IsInstalled(p)));
    }

    [Fact]
    public void A_need_whose_package_is_installed_but_cannot_be_found_is_named_not_installed_again()
    {
        // A PATH without /usr/bin: dpkg and apt are reachable, the cross compiler and qemu are not.
        using var bin = new TempDir("plan-path");
        foreach (var tool in new[] { "dpkg-query", "dpkg", "apt-get" })
        {
            File.CreateSymbolicLink(bin.Combine(tool), Path.Combine("/usr/bin", tool));
        }

        var result = BuildCli.Run(["--target=Deploy", "--dryrun", $"--work-dir={_work.Path}"], new Dictionary<string, string?> { ["PATH"] = bin.Path });

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Matches(@"BuildToolchain\s+mipsel-linux-gnu-gcc\s+\(cannot: see below\)", result.Output);
        Assert.Contains("mipsel-linux-gnu-gcc (BuildToolchain): its Debian packages (gcc-mipsel-linux-gnu, libc6-dev-mipsel-cross) are installed, yet it is not found: is PATH missing /usr/bin?", result.All);
        Assert.Contains("qemu-system-mipsel (EmulatorStart): its Debian package (qemu-system-mips) is installed, yet it is not found", result.All);
        Assert.DoesNotContain("apt-get install -y --no-install-recommends gcc-mipsel-linux-gnu", result.All);
    }
}
