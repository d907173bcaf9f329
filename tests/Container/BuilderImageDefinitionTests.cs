using Cake.Docker;
using Crossboard.Container;
using Crossboard.Machine;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Container;

/// <summary>The builder image's tag is a hash of its definition: same definition, same tag; any change, a new one.</summary>
[Tier(TestTier.Unit)]
public sealed class BuilderImageDefinitionTests : IDisposable
{
    private readonly TempDir _dir = new("builder-def");

    public void Dispose() => _dir.Dispose();

    private static string RepoDefinition => Path.Combine(RepoPaths.Root, "docker", "builder");

    private string CopyOfRepoDefinition()
    {
        var copy = _dir.Combine("builder");
        Directory.CreateDirectory(copy);
        foreach (var file in Directory.EnumerateFiles(RepoDefinition))
        {
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        }

        return copy;
    }

    [Fact]
    public void The_tag_depends_on_the_content_not_on_where_the_folder_is()
    {
        var tag = new BuilderImageDefinition(RepoDefinition).Tag;

        Assert.Matches("^crossboard-builder:[0-9a-f]{16}$", tag);
        Assert.Equal(tag, new BuilderImageDefinition(CopyOfRepoDefinition()).Tag);
    }

    [Fact]
    public void Editing_adding_a_file_or_changing_a_build_argument_changes_the_tag()
    {
        var copy = CopyOfRepoDefinition();
        var original = new BuilderImageDefinition(copy).Tag;

        File.AppendAllText(Path.Combine(copy, "Dockerfile"), "\n# a comment is a change too\n");
        var edited = new BuilderImageDefinition(copy).Tag;
        File.WriteAllText(Path.Combine(copy, "extra.conf"), "x");
        var added = new BuilderImageDefinition(copy).Tag;

        Assert.Equal(5, new[]
        {
            original, edited, added,
            new BuilderImageDefinition(copy, BaseImage: "local/bookworm").Tag,
            new BuilderImageDefinition(copy, RustFrom: "rustup").Tag,
        }.Distinct().Count());
    }

    [Fact]
    public void A_missing_Dockerfile_says_how_to_restore_it()
    {
        var error = Assert.Throws<CrossboardException>(() => new BuilderImageDefinition(_dir.Combine("nothing")).Tag);

        Assert.Contains("Dockerfile is missing", error.Message);
        Assert.Contains("git checkout -- docker/builder", error.Message);
    }

    [Fact]
    public void The_repos_Dockerfile_needs_no_BuildKit_so_podman_and_the_legacy_builder_can_build_it()
    {
        var lines = File.ReadAllLines(Path.Combine(RepoDefinition, "Dockerfile"));

        Assert.DoesNotContain(lines, l => l.TrimStart().StartsWith("# syntax=", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\s*(RUN|COPY|ADD)\s+--(mount|link|chmod|exclude|parents)"));
        Assert.DoesNotContain(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\s*(RUN|COPY)\b.*<<-?\s*['""]?[A-Z]+"));
        Assert.Contains(lines, l => l.StartsWith("ARG BASE_IMAGE=", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("ARG RUST_FROM=", StringComparison.Ordinal));
    }
}
