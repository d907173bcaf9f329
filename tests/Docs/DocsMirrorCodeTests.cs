using System.Reflection;
using System.Text.RegularExpressions;
using Cake.Frosting;
using Crossboard.Recipes;
using Crossboard.Switches;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Docs;

/// <summary>
/// The tables in README.md and docs/ that mirror code (switches, tasks, boards, toolchains) say
/// what the code says, and every relative link leads to a file. docs/switches.md is generated:
/// run these tests with CROSSBOARD_UPDATE_DOCS=1 to rewrite it from the switch table.
/// </summary>
[Tier(TestTier.Unit)]
public sealed partial class DocsMirrorCodeTests
{
    private const string GeneratedMarker = "<!-- Generated from build/Switches/BuildSwitches.cs: edit the switches there, then run the tests with CROSSBOARD_UPDATE_DOCS=1. -->";

    private static string Read(string relative) => File.ReadAllText(Path.Combine(RepoPaths.Root, relative));

    /// <summary>The first cell of each row of the table under <paramref name="heading"/> (a "## " heading).</summary>
    private static List<string[]> TableUnder(string markdown, string heading)
    {
        var lines = markdown.Split('\n');
        var start = Array.FindIndex(lines, l => l.TrimEnd() == heading);
        Assert.True(start >= 0, $"README.md has no '{heading}' heading");
        var rows = new List<string[]>();
        foreach (var line in lines.Skip(start + 1).TakeWhile(l => !l.StartsWith("## ", StringComparison.Ordinal)))
        {
            if (!line.StartsWith('|') || line.StartsWith("|---", StringComparison.Ordinal))
            {
                if (rows.Count > 0 && !line.StartsWith('|'))
                {
                    break; // the first table under the heading only
                }

                continue;
            }

            rows.Add(line.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray());
        }

        Assert.True(rows.Count > 1, $"README.md has no table under '{heading}'");
        return rows.Skip(1).ToList(); // without the header row
    }

    private static string Code(string cell) => cell.Trim().Trim('`').Replace(" (default)", "").Trim('`');

    [Fact]
    public void Docs_switches_md_is_the_switch_table()
    {
        var path = Path.Combine(RepoPaths.Root, "docs", "switches.md");
        var current = File.ReadAllText(path);
        var marker = current.IndexOf(GeneratedMarker, StringComparison.Ordinal);
        Assert.True(marker >= 0, $"{path} lost its line '{GeneratedMarker}'");
        var expected = current[..(marker + GeneratedMarker.Length)] + "\n\n" + SwitchTable.Markdown();

        if (current != expected && Environment.GetEnvironmentVariable("CROSSBOARD_UPDATE_DOCS") == "1")
        {
            File.WriteAllText(path, expected);
            current = expected;
        }

        Assert.True(current == expected,
            $"docs/switches.md differs from build/Switches/BuildSwitches.cs; run the tests with CROSSBOARD_UPDATE_DOCS=1 to rewrite it. Expected:\n{expected}");
    }

    [Fact]
    public void Readme_switches_are_real_switches()
    {
        var rows = TableUnder(Read("README.md"), "## Switches");

        foreach (var row in rows)
        {
            var name = SwitchName().Match(row[0]);
            Assert.True(name.Success, $"README's switch table row '{row[0]}' names no --switch");
            Assert.True(SwitchTable.IsKnown(name.Groups[1].Value), $"README lists --{name.Groups[1].Value}, which build/Switches/BuildSwitches.cs does not declare");
        }
    }

    [Fact]
    public void Readme_task_table_lists_every_task_and_nothing_else()
    {
        var listed = TableUnder(Read("README.md"), "## Tasks").Select(r => Code(r[0])).ToHashSet();
        var tasks = typeof(BuildContext).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && t.GetCustomAttribute<TaskNameAttribute>() is not null)
            .Select(t => t.GetCustomAttribute<TaskNameAttribute>()!.Name)
            .ToHashSet();

        Assert.True(tasks.Count > 10, "found too few tasks in Build.dll to compare");
        Assert.Empty(tasks.Except(listed)); // tasks README does not list
        Assert.Empty(listed.Except(tasks)); // README rows that are no task
    }

    [Fact]
    public void Readme_board_table_says_what_the_recipes_say()
    {
        var catalog = RecipeCatalog.Load(RepoPaths.Recipes, RepoPaths.Toolchains);
        var rows = TableUnder(Read("README.md"), "## Boards");

        Assert.Equal(catalog.Boards.Select(b => b.Name).Order(), rows.Select(r => Code(r[0])).Order());
        foreach (var row in rows)
        {
            var board = catalog.GetBoard(Code(row[0]));
            var toolchain = catalog.ToolchainFor(board, null);
            Assert.Equal(board.Openwrt?.Arch ?? "", Code(row[2]));
            Assert.Equal(RecipeCatalog.RustTargetFor(board, toolchain), Code(row[4]));
            Assert.Equal(board.Toolchain.Default, Code(row[5]));
        }
    }

    [Fact]
    public void Readme_toolchain_table_says_what_the_toolchain_files_say()
    {
        var catalog = RecipeCatalog.Load(RepoPaths.Recipes, RepoPaths.Toolchains);
        var markdown = Read("README.md");
        var table = markdown[markdown.IndexOf("| toolchain | kind |", StringComparison.Ordinal)..];
        var rows = table.Split('\n').Skip(2).TakeWhile(l => l.StartsWith('|'))
            .Select(l => l.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray()).ToList();

        var listed = rows.SelectMany(r => r[0].Split(',').Select(n => (Name: Code(n), Kind: r[1]))).ToList();
        Assert.Equal(catalog.Toolchains.Select(t => t.Name).Order(), listed.Select(l => l.Name).Order());
        foreach (var (name, kind) in listed)
        {
            Assert.Equal(catalog.GetToolchain(name).Kind, kind);
        }
    }

    public static TheoryData<string> Documents() =>
        new(new[] { "README.md", "bench/README.md" }
            .Concat(Directory.GetFiles(Path.Combine(RepoPaths.Root, "docs"), "*.md").Select(f => Path.GetRelativePath(RepoPaths.Root, f)).Order()));

    [Theory]
    [MemberData(nameof(Documents))]
    public void Relative_links_lead_to_files(string document)
    {
        var dir = Path.GetDirectoryName(Path.Combine(RepoPaths.Root, document))!;
        var broken = MarkdownLink().Matches(Read(document))
            .Select(m => m.Groups[1].Value.Split('#')[0])
            .Where(target => target.Length > 0 && !target.Contains("://", StringComparison.Ordinal) && !target.StartsWith("mailto:", StringComparison.Ordinal))
            .Where(target => !File.Exists(Path.Combine(dir, target)) && !Directory.Exists(Path.Combine(dir, target)))
            .ToList();

        Assert.True(broken.Count == 0, $"{document} links to what does not exist: {string.Join(", ", broken)}");
    }

    [GeneratedRegex(@"--([a-z][a-z0-9-]*)")]
    private static partial Regex SwitchName();

    [GeneratedRegex(@"\]\(([^)\s]+)\)")]
    private static partial Regex MarkdownLink();
}
