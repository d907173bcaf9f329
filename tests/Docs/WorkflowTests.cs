using System.Reflection;
using System.Text.RegularExpressions;
using Cake.Frosting;
using Crossboard.Recipes;
using Crossboard.Switches;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Docs;

/// <summary>
/// .github/workflows/crossboard.yml, the workflow users copy, does not rot: every build.sh line
/// names a real task and real switches, and every board and toolchain of its matrix exists and
/// fits.
/// </summary>
[Tier(TestTier.Unit)]
public sealed partial class WorkflowTests
{
    private static readonly string Workflow = Path.Combine(RepoPaths.Root, ".github", "workflows", "crossboard.yml");
    private static readonly string GitLab = Path.Combine(RepoPaths.Root, ".gitlab-ci.yml");

    /// <summary>Cake's own switches, which the switch table does not hold.</summary>
    private static readonly string[] CakeSwitches = ["target", "t", "verbosity", "v", "dryrun", "whatif", "exclusive", "e", "tree", "description", "help"];

    private static List<string> BuildShLines(string file) =>
        File.ReadAllLines(file).Select(l => l.Trim()).Where(l => l.Contains("./build.sh", StringComparison.Ordinal)).ToList();

    public static TheoryData<string> Files() => new(Workflow, GitLab);

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_build_sh_line_runs_a_real_task_with_real_switches(string file)
    {
        var tasks = typeof(BuildContext).Assembly.GetTypes()
            .Select(t => t.GetCustomAttribute<TaskNameAttribute>()?.Name).OfType<string>().ToHashSet();
        var lines = BuildShLines(file);

        Assert.True(lines.Count >= 5, $"{file} has only {lines.Count} ./build.sh lines");
        foreach (var line in lines)
        {
            var target = TargetSwitch().Match(line);
            Assert.True(target.Success, $"'{line}': every step names its task (--target=X), so the workflow reads as README's task table");
            Assert.Contains(target.Groups[1].Value, tasks);
            foreach (Match name in SwitchName().Matches(line[line.IndexOf("./build.sh", StringComparison.Ordinal)..]))
            {
                var switchName = name.Groups[1].Value;
                Assert.True(SwitchTable.IsKnown(switchName) || CakeSwitches.Contains(switchName), $"'{line}': --{switchName} is no switch of crossboard's or Cake's");
            }
        }

        // The tasks the issue's users asked for, each in the workflow.
        foreach (var task in new[] { "ValidateRecipes", "CargoBuild", "CargoTest", "Deploy" })
        {
            Assert.Contains(lines, l => l.Contains($"--target={task} ", StringComparison.Ordinal) || l.EndsWith($"--target={task}", StringComparison.Ordinal));
        }

        Assert.Contains(File.ReadAllLines(file), l => l.Trim() is "run: tests/run.sh" or "- tests/run.sh");
        // Every literal board and toolchain named on a line exists.
        var catalog = RecipeCatalog.Load(RepoPaths.Recipes, RepoPaths.Toolchains);
        foreach (Match board in LiteralBoard().Matches(string.Join('\n', lines)))
        {
            catalog.GetBoard(board.Groups[1].Value);
        }

        foreach (Match toolchain in LiteralToolchain().Matches(string.Join('\n', lines)))
        {
            catalog.GetToolchain(toolchain.Groups[1].Value);
        }
    }

    [Fact]
    public void The_gitlab_matrix_names_real_boards_each_with_a_toolchain_it_allows()
    {
        var catalog = RecipeCatalog.Load(RepoPaths.Recipes, RepoPaths.Toolchains);
        var entries = GitLabMatrixEntry().Matches(File.ReadAllText(GitLab)).ToList();

        Assert.NotEmpty(entries);
        foreach (var entry in entries)
        {
            Assert.Contains(entry.Groups["toolchain"].Value, catalog.GetBoard(entry.Groups["board"].Value).Toolchain.Allowed);
        }
    }

    [Fact]
    public void The_fleet_job_keeps_its_secrets_in_files_and_variables_never_on_the_command_line()
    {
        var text = File.ReadAllText(Workflow);
        var fleet = BuildShLines(Workflow).Single(l => l.Contains("--devices=", StringComparison.Ordinal));

        Assert.Contains("umask 077", text);
        Assert.Contains("--passphrase-env=CROSSBOARD_KEY_PASSPHRASE", fleet); // the variable's name, not its value
        Assert.DoesNotContain("secrets.", fleet);
        Assert.Contains("--identity=", fleet);
    }

    [Fact]
    public void The_matrix_names_real_boards_each_with_a_toolchain_it_allows()
    {
        var catalog = RecipeCatalog.Load(RepoPaths.Recipes, RepoPaths.Toolchains);
        var entries = MatrixEntry().Matches(File.ReadAllText(Workflow)).ToList();

        Assert.Equal(catalog.Boards.Select(b => b.Name).Order(), entries.Select(e => e.Groups["board"].Value).Order());
        foreach (var entry in entries)
        {
            var board = catalog.GetBoard(entry.Groups["board"].Value);
            var toolchain = entry.Groups["toolchain"].Value;
            Assert.Contains(toolchain, board.Toolchain.Allowed);
            // CargoTest runs where a Debian toolchain builds (Debian's Rust and its std for the target).
            Assert.Equal(catalog.GetToolchain(toolchain).Kind == ToolchainDefinition.Debian, entry.Groups["test"].Value == "true");
            // The values the build.sh lines pass on are values the switches take.
            Assert.Contains(entry.Groups["rust"].Value, new[] { "auto", "debian", "stable", "nightly" });
            Assert.Contains(entry.Groups["cache"].Value, new[] { "none", "sccache" });
            // sccache cannot cache Debian's foreign-target Rust (--sysroot): asking for it there would only cost.
            Assert.False(entry.Groups["rust"].Value == "debian" && entry.Groups["cache"].Value == "sccache", $"{entry.Value}: sccache does not cache Debian's Rust for a foreign target");
        }
    }

    [GeneratedRegex(@"--board=([a-z0-9][\w.-]*)")]
    private static partial Regex LiteralBoard();

    [GeneratedRegex(@"--toolchain=([a-z0-9][\w.-]*)")]
    private static partial Regex LiteralToolchain();

    [GeneratedRegex(@"-\s*\{\s*BOARD:\s*(?<board>[\w.-]+),\s*TOOLCHAIN:\s*(?<toolchain>[\w.-]+)\s*\}")]
    private static partial Regex GitLabMatrixEntry();

    [GeneratedRegex(@"--target=([A-Za-z]+)")]
    private static partial Regex TargetSwitch();

    [GeneratedRegex(@"(?<=\s)--([a-z][a-z0-9-]*)")]
    private static partial Regex SwitchName();

    [GeneratedRegex(@"-\s*\{\s*board:\s*(?<board>[\w.-]+),\s*toolchain:\s*(?<toolchain>[\w.-]+),\s*rust:\s*(?<rust>[\w]+),\s*cache:\s*(?<cache>[\w]+),\s*test:\s*(?<test>true|false)\s*\}")]
    private static partial Regex MatrixEntry();
}
