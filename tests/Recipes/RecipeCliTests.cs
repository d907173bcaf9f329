using Crossboard.Tests.Support;

namespace Crossboard.Tests.Recipes;

/// <summary>The recipe tasks as users run them: the built program, its exit code and its words.</summary>
[Tier(TestTier.Unit)]
public sealed class RecipeCliTests : IDisposable
{
    private readonly TempDir _dir = new("cli");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Boards_lists_every_board_with_its_facts_and_ends_with_the_task_report()
    {
        var result = BuildCli.Run("--target=Boards");

        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"omega2p\s+MIPS 24KEc\s+mipsel_24kc\s+128 MB / 32 MB\s+mipsel-unknown-linux-musl\s+openwrt-24.10", result.Output);
        Assert.Matches(@"rpi-zero\s+ARM1176JZF-S\s+arm_arm1176jzf-s_vfp\s+512 MB / SD card\s+arm-unknown-linux-musleabihf", result.Output);
        Assert.Matches(@"malta-le \*", result.Output);
        Assert.Matches(@"Boards\s+\d\d:\d\d:\d\d\.\d+\s+Succeeded", result.Output);
    }

    [Fact]
    public void ValidateRecipes_passes_on_the_built_in_files()
    {
        var result = BuildCli.Run("--target=ValidateRecipes");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("11 files valid: 6 boards (malta-le, omega2, omega2p, rpi-zero, rpi2, rpi3), 5 toolchains", result.Output);
    }

    [Fact]
    public void ValidateRecipes_reports_every_problem_with_its_position_and_fails()
    {
        _dir.Write("typo.toml", RecipeCatalogTests.ValidBoard.Replace("name = \"testboard\"", "name = \"typo\"").Replace("ram-mb = 64", "ram-mbb = 64"));
        _dir.Write("broken.toml", "name = \"broken\"\ndescription = \n");

        var result = BuildCli.Run("--target=ValidateRecipes", $"--recipes={_dir.Path}");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"{_dir.Combine("typo.toml")}(11,1): unknown key 'ram-mbb' in [memory]. Did you mean 'ram-mb'?", result.All);
        Assert.Contains($"{_dir.Combine("typo.toml")}(10,1): missing required key 'ram-mb' in [memory]", result.All);
        Assert.Contains($"{_dir.Combine("broken.toml")}(2,15): Unexpected token end-of-line found while expecting a value", result.All);
        Assert.DoesNotContain("   at ", result.All); // no stack trace
        Assert.Matches(@"ValidateRecipes\s+\d\d:\d\d:\d\d\.\d+\s+Failed", result.Output);
    }

    [Fact]
    public void Any_other_task_refuses_to_run_on_invalid_recipes()
    {
        _dir.Write("bad.toml", "name = 5\n");

        var result = BuildCli.Run("--target=Boards", $"--recipes={_dir.Path}");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"{_dir.Combine("bad.toml")}(1,1): 'name' must be a string, not an integer.", result.All);
    }

    [Fact]
    public void Unknown_board_and_unknown_target_are_clear_errors()
    {
        var board = BuildCli.Run("--target=Boards", "--board=omega3");
        Assert.NotEqual(0, board.ExitCode);
        Assert.Contains("Unknown board 'omega3'. Did you mean 'omega2'? Valid boards: malta-le, omega2, omega2p, rpi-zero, rpi2, rpi3.", board.All);

        var target = BuildCli.Run("--target=Bords");
        Assert.NotEqual(0, target.ExitCode);
        Assert.Contains("Unknown target 'Bords'. Valid targets: Boards,", target.All);
    }

    [Fact]
    public void A_mistyped_switch_is_warned_about()
    {
        var result = BuildCli.Run("--target=Boards", "--bord=omega2");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Switch --bord is not one crossboard knows; it is ignored. Did you mean 'board'?", result.All);
    }

    [Fact]
    public void Doctor_lists_what_a_board_needs()
    {
        // The test machine has Debian's armhf cross toolchain (tests/setup/install-prereqs.sh).
        var result = BuildCli.Run("--target=Doctor", "--board=rpi2");

        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"ok\s+arm-linux-gnueabihf-gcc\s+BuildToolchain\s+Debian's armhf cross compiler", result.Output);
        Assert.Contains("Everything the board needs is here.", result.Output);
    }

    [Fact]
    public void Doctor_names_what_is_missing_and_how_to_install_it()
    {
        // A PATH without the cross compiler: Doctor must say so and give the install command.
        var result = BuildCli.Run(["--target=Doctor", "--board=rpi3"], new Dictionary<string, string?> { ["PATH"] = _dir.Path });

        Assert.NotEqual(0, result.ExitCode);
        Assert.Matches(@"MISSING\s+aarch64-linux-gnu-gcc", result.Output);
        Assert.Contains("sudo apt-get install -y gcc-aarch64-linux-gnu libc6-dev-arm64-cross", result.All);
        // Debian's Rust is run by its absolute path (/usr/bin/cargo), whatever PATH holds.
        Assert.Matches(@"ok\s+rustc, cargo\s+CargoBuild", result.Output);
    }
}
