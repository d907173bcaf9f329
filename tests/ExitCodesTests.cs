using Cake.Frosting;
using Crossboard.Deploy;
using Crossboard.Tests.Support;

namespace Crossboard.Tests;

/// <summary>
/// The exit codes a CI branches on (docs/ci.md): 2 for bad input, 3 for a device, 1 for any other
/// failure; run as users run the program, with inputs that need no network, device or root.
/// </summary>
[Tier(TestTier.Unit)]
public sealed class ExitCodesTests : IDisposable
{
    private readonly TempDir _dir = new("exit-codes");

    public void Dispose() => _dir.Dispose();

    private BuildCli.Result Run(params string[] args) =>
        BuildCli.Run(args, new Dictionary<string, string?> { ["HOME"] = _dir.Combine("home"), ["CI"] = null });

    [Fact]
    public void Bad_input_exits_2_whatever_it_is()
    {
        _dir.Write("recipes/typo.toml", "name = \"typo\"\ndescriptoin = \"a misspelt key\"\n");
        var fleetFile = _dir.Write("fleet.toml", "[[device]]\ntraget = \"root@127.0.0.1\"\n");

        var results = new Dictionary<string, BuildCli.Result>
        {
            ["unknown target"] = Run("--target=Bords"),
            ["unexpected argument"] = Run("Boards"),
            ["bad switch value"] = Run("--target=Boards", "--parallel=0"),
            ["unknown board"] = Run("--target=Boards", "--board=omega3"),
            ["bad recipe"] = Run("--target=ValidateRecipes", $"--recipes={_dir.Combine("recipes")}"),
            ["bad fleet file"] = Run("--target=Deploy", "--exclusive", $"--devices={fleetFile}", "--artifact=/bin/true",
                $"--board={Fixtures.Ssh.TestApp.BoardName}", $"--recipes={Fixtures.Ssh.TestApp.RecipesDir}", $"--work-dir={_dir.Combine("work")}"),
            ["artifact for another board"] = Run("--target=Deploy", "--device=root@127.0.0.1:1", "--artifact=/bin/true", $"--work-dir={_dir.Combine("work")}"),
        };

        foreach (var (what, result) in results)
        {
            Assert.True(result.ExitCode == ExitCodes.BadInput, $"{what}: exit code {result.ExitCode}\n{result.All}");
        }
    }

    [Fact]
    public void A_device_that_cannot_be_reached_exits_3_alone_or_in_a_fleet()
    {
        var app = _dir.Combine("myapp");
        File.Copy("/bin/true", app);
        string[] board = [$"--board={Fixtures.Ssh.TestApp.BoardName}", $"--recipes={Fixtures.Ssh.TestApp.RecipesDir}", $"--work-dir={_dir.Combine("work")}", $"--artifact={app}"];
        var fleet = _dir.Write("fleet.txt", "root@127.0.0.1:1\n");

        var single = Run(["--target=Deploy", "--device=root@127.0.0.1:1", $"--host-key=SHA256:{new string('A', 43)}", .. board]);
        var many = Run(["--target=Deploy", $"--devices={fleet}", .. board]);

        Assert.True(single.ExitCode == ExitCodes.DeviceFailed, $"exit code {single.ExitCode}\n{single.All}");
        Assert.Contains("127.0.0.1:1", single.All);
        Assert.True(many.ExitCode == ExitCodes.DeviceFailed, $"exit code {many.ExitCode}\n{many.All}");
        Assert.Contains("1 of 1 device(s) failed", many.All);
    }

    [Fact]
    public void Each_kind_of_failure_has_its_code_and_anything_else_is_Cakes_1()
    {
        Assert.Equal(ExitCodes.BadInput, ExitCodes.For(new InputException("a switch")));
        Assert.Equal(ExitCodes.BadInput, ExitCodes.For(new Crossboard.Recipes.RecipeException([new("recipes/x.toml", 1, 1, "bad")])));
        Assert.Equal(ExitCodes.BadInput, ExitCodes.For(new FrostingException("Unknown target 'X'.")));
        Assert.Equal(ExitCodes.DeviceFailed, ExitCodes.For(new DeployFailedException("reverted", "reverted")));
        Assert.Equal(ExitCodes.DeviceFailed, ExitCodes.For(new FleetFailedException("1 of 2 device(s) failed", [])));
        Assert.Null(ExitCodes.For(new CrossboardException("cargo build failed")));
        Assert.Null(ExitCodes.For(new InvalidOperationException("a bug")));
    }
}
