using Crossboard.Tests.Fixtures;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Sdk;

/// <summary>The SDK stage as users run it: the built program, the task graph, its exit code and its words.</summary>
[Tier(TestTier.Integration)]
public sealed class SdkCliTests : IDisposable
{
    private readonly MiniSdk _sdk = MiniSdk.Create();
    private readonly TempDir _work = new("cli-work");

    public void Dispose()
    {
        _sdk.Dispose();
        _work.Dispose();
    }

    private BuildCli.Result Run(params string[] args) =>
        BuildCli.Run([.. args, $"--work-dir={_work.Path}"], new Dictionary<string, string?>(_sdk.Environment));

    [Fact]
    public void BuildToolchain_from_source_runs_the_whole_chain_and_a_second_board_of_the_same_arch_reuses_it()
    {
        var omega2 = Run("--target=BuildToolchain", "--board=omega2", "--toolchain=openwrt-24.10", $"--sdk-source={_sdk.RepoPath}");

        Assert.True(omega2.ExitCode == 0, omega2.All);
        Assert.Contains($"{_work.Combine("sdk")} is case-sensitive; nothing to do.", omega2.Output);
        Assert.Contains($"Cloning {_sdk.RepoPath} at v24.10.8 (shallow)", omega2.Output);
        Assert.Contains("make defconfig kept all 3 seed lines for board omega2", omega2.Output);
        Assert.Contains("Toolchain ready: " + _work.Combine("sdk", "openwrt-24.10", "staging_dir", "toolchain-mipsel_24kc_gcc-12.2.0_musl", "bin", "mipsel-openwrt-linux-musl-gcc"), omega2.Output);
        Assert.Matches(@"PrepareVolume\s+\d\d:\d\d:\d\d\.\d+\s+Succeeded", omega2.Output);
        Assert.Matches(@"BuildToolchain\s+\d\d:\d\d:\d\d\.\d+\s+Succeeded", omega2.Output);

        var malta = Run("--target=BuildToolchain", "--board=malta-le", "--toolchain=openwrt-24.10", $"--sdk-source={_sdk.RepoPath}");

        Assert.True(malta.ExitCode == 0, malta.All);
        Assert.Contains("is at v24.10.8", malta.Output);
        Assert.Contains("make defconfig kept all 3 seed lines for board malta-le", malta.Output);
        Assert.Contains("is already built for this commit and configuration; nothing to do", malta.Output);
        Assert.DoesNotContain("Building the toolchain", malta.Output);
    }

    [Fact]
    public void OpenWrt_s_own_prerequisite_check_failing_says_what_it_wants_not_only_that_make_failed()
    {
        // A umask OpenWrt refuses ("other values produce broken packages"): nothing crossboard
        // installs can fix it, so OpenWrt's own check is what stops the run, and its words are shown.
        var result = BuildCli.Run(["--target=SeedConfig", "--board=omega2", "--toolchain=openwrt-24.10", $"--sdk-source={_sdk.RepoPath}", $"--work-dir={_work.Path}"],
            new Dictionary<string, string?>(_sdk.Environment), umask: "077");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"OpenWrt's own prerequisite check failed in {_work.Combine("sdk", "openwrt-24.10")}", result.All);
        Assert.Contains("  Please build with umask 022 - other values produce broken packages", result.All);
        Assert.Contains("Checks that failed: proper-umask.", result.All);
        Assert.Matches(@"Full log: /\S+defconfig\S*\.log", result.All);
        Assert.Matches(@"SeedConfig\s+\d\d:\d\d:\d\d\.\d+\s+Failed", result.Output);
        Assert.DoesNotContain("   at ", result.All);
    }

    [Fact]
    public void A_misspelt_device_fails_the_run_with_the_recipe_line_and_no_stack_trace()
    {
        using var recipes = new TempDir("cli-recipes");
        recipes.Write("omega2typo.toml", File.ReadAllText(Path.Combine(RepoPaths.Recipes, "omega2p.toml"))
            .Replace("name = \"omega2p\"", "name = \"omega2typo\"").Replace("device = \"onion_omega2p\"", "device = \"onion_omega2pp\""));

        var result = Run("--target=BuildToolchain", "--board=omega2typo", $"--recipes={recipes.Path}", $"--sdk-source={_sdk.RepoPath}");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("dropped: CONFIG_TARGET_ramips_mt76x8_DEVICE_onion_omega2pp=y", result.All);
        Assert.Matches(@"omega2typo\.toml\(\d+,1\): device 'onion_omega2pp' is not a device of ramips/mt76x8\. Did you mean 'onion_omega2p'\?", result.All);
        Assert.DoesNotContain("   at ", result.All);
        Assert.Matches(@"SeedConfig\s+\d\d:\d\d:\d\d\.\d+\s+Failed", result.Output);
        Assert.Empty(Directory.Exists(_work.Combine("toolchains")) ? Directory.GetFiles(_work.Combine("toolchains"), "*.json", SearchOption.AllDirectories) : []);
    }

    [Fact]
    public void Other_toolchain_kinds_skip_the_tree_tasks_in_one_line_each_and_still_resolve()
    {
        var result = Run("--target=BuildToolchain", "--board=malta-le");

        Assert.True(result.ExitCode == 0, result.All);
        foreach (var task in new[] { "PrepareVolume", "CloneSdk", "SeedConfig" })
        {
            Assert.Contains($"{task}: not needed; toolchain debian-mipsel is debian, only openwrt-source toolchains build an SDK tree.", result.Output);
            Assert.Matches($@"{task}\s+-\s+Skipped", result.Output);
        }

        Assert.Contains("Toolchain debian-mipsel: /usr/bin/mipsel-linux-gnu-gcc", result.Output);
        Assert.False(Directory.Exists(_work.Combine("sdk")));
    }
}
