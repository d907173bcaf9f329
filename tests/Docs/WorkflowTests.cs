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

    /// <summary>Cake's own switches, which the switch table does not hold.</summary>
    private static readonly string[] CakeSwitches = ["target", "t", "verbosity", "v", "dryrun", "whatif", "exclusive", "e", "tree", "description", "help"];

    private static List<string> BuildShLines() =>
        File.ReadAllLines(Workflow).Select(l => l.Trim()).Where(l => l.Contains("./build.sh", StringComparison.Ordinal)).ToList();

    [Fact]
    public void Every_build_sh_line_runs_a_real_task_with_real_switches()
    {
        var tasks = typeof(BuildContext).Assembly.GetTypes()
            .Select(t => t.GetCustomAttribute<TaskNameAttribute>()?.Name).OfType<string>().ToHashSet();
        var lines = BuildShLines();

        Assert.True(lines.Count >= 5, $"{Workflow} has only {lines.Count} ./build.sh lines");
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

        Assert.Contains(File.ReadAllLines(Workflow), l => l.Trim() == "run: tests/run.sh");
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

    [GeneratedRegex(@"--target=([A-Za-z]+)")]
    private static partial Regex TargetSwitch();

    [GeneratedRegex(@"(?<=\s)--([a-z][a-z0-9-]*)")]
    private static partial Regex SwitchName();

    [GeneratedRegex(@"-\s*\{\s*board:\s*(?<board>[\w.-]+),\s*toolchain:\s*(?<toolchain>[\w.-]+),\s*rust:\s*(?<rust>[\w]+),\s*cache:\s*(?<cache>[\w]+),\s*test:\s*(?<test>true|false)\s*\}")]
    private static partial Regex MatrixEntry();
}
