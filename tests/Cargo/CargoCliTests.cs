using Crossboard.Tests.Support;

namespace Crossboard.Tests.Cargo;

/// <summary>The cargo stage's tasks as users run them: the built program, its exit code and its words.</summary>
[Tier(TestTier.Unit)]
public sealed class CargoCliTests
{
    [Fact]
    public void ConfigureCargo_without_the_resolved_toolchain_says_which_task_provides_it_and_fails()
    {
        using var app = new TempDir("cli-app");
        app.Write("Cargo.toml", "[package]\nname = \"x\"\nversion = \"0.1.0\"\n");

        var result = BuildCli.Run("--target=ConfigureCargo", "--exclusive", $"--app={app.Path}");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("ConfigureCargo needs the board's C cross toolchain, which the BuildToolchain task resolves", result.All);
        Assert.DoesNotContain("   at ", result.All); // no stack trace
        Assert.False(Directory.Exists(app.Combine(".cargo")), "nothing is written when the stage cannot run");
    }

    [Fact]
    public void CargoBuild_runs_after_ConfigureCargo_and_its_switches_are_known()
    {
        var tree = BuildCli.Run("--target=CargoBuild", "--tree");
        var help = BuildCli.Run("--help");
        var typo = BuildCli.Run("--target=Boards", "--size-profle=false");

        Assert.Matches(@"CargoBuild\r?\n[│ ]*└─ConfigureCargo", tree.Output);
        Assert.Contains("--size-profile=true|false", help.Output);
        Assert.Contains("--rust=PROVIDER", help.Output);
        Assert.Contains("--bin=NAME", help.Output);
        Assert.Contains("Switch --size-profle is not one crossboard knows", typo.All);
        Assert.Contains("Did you mean 'size-profile'?", typo.All);
    }

    [Fact]
    public void A_bad_size_profile_value_is_a_clear_error()
    {
        var result = BuildCli.Run("--target=CargoBuild", "--exclusive", "--size-profile=maybe");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("--size-profile=maybe: use true or false.", result.All);
    }
}
