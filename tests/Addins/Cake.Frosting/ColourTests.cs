using Crossboard.Tests.Support;

namespace Crossboard.Tests.Addins;

/// <summary>
/// Colour only where someone sees it: on a terminal, or in a CI log that renders it (GitHub
/// Actions, Azure Pipelines, GitLab); never in a pipe or file, never with NO_COLOR. Cake's own
/// console colours a pipe too, which fills CI logs and `| tee` files with escape codes.
/// </summary>
[Tier(TestTier.Unit)]
public sealed class ColourTests
{
    private const char Escape = '\u001b';

    // A colour (SGR) sequence. On a terminal .NET also switches the keypad mode (ESC [?1h ESC =), which is no colour.
    private const string Colour = @"\u001b\[[0-9;]*m";

    // The variables that decide, cleared so the test machine's own do not.
    private static Dictionary<string, string?> Environment(params (string Name, string Value)[] set)
    {
        var environment = new Dictionary<string, string?>
        {
            ["NO_COLOR"] = null, ["FORCE_COLOR"] = null, ["GITHUB_ACTIONS"] = null, ["GITHUB_ACTION"] = null,
            ["TF_BUILD"] = null, ["GITLAB_CI"] = null, ["CI_SERVER"] = null, ["CI"] = null, ["TERM"] = "xterm-256color",
        };
        foreach (var (name, value) in set)
        {
            environment[name] = value;
        }

        return environment;
    }

    [Fact]
    public void Output_to_a_pipe_has_no_colour_codes()
    {
        var result = BuildCli.Run(["--target=Boards"], Environment());

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("malta-le", result.Output);
        Assert.DoesNotContain(Escape, result.All);
    }

    [Theory]
    [InlineData("GITHUB_ACTIONS", "true")]
    [InlineData("TF_BUILD", "True")]
    [InlineData("CI_SERVER", "yes")] // GitLab, as Cake.Common detects it
    [InlineData("FORCE_COLOR", "1")]
    public void A_CI_log_that_renders_colour_gets_it_unless_NO_COLOR_is_set(string variable, string value)
    {
        var coloured = BuildCli.Run(["--target=Boards"], Environment((variable, value)));
        var plain = BuildCli.Run(["--target=Boards"], Environment((variable, value), ("NO_COLOR", "1")));

        Assert.Equal(0, coloured.ExitCode);
        Assert.Matches(Colour, coloured.Output);
        Assert.Equal(0, plain.ExitCode);
        Assert.DoesNotMatch(Colour, plain.All); // GitLab's section markers carry ESC[0K, which is no colour
    }

    [Fact]
    public void A_terminal_gets_colour_and_NO_COLOR_turns_it_off_there_too()
    {
        var environment = Environment(("CROSSBOARD_ROOT", RepoPaths.Root));
        var coloured = Terminal.Run(BuildCli.CommandLine("--target=Boards"), [], environment);
        environment["NO_COLOR"] = "1";
        var plain = Terminal.Run(BuildCli.CommandLine("--target=Boards"), [], environment);

        Assert.Equal(0, coloured.ExitCode);
        Assert.Matches(Colour, coloured.Output);
        Assert.Equal(0, plain.ExitCode);
        Assert.Contains("malta-le", plain.Output);
        Assert.DoesNotMatch(Colour, plain.Output);
    }
}
