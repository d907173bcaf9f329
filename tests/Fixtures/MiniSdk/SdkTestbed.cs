using Cake.Git;
using Crossboard.Machine;
using Crossboard.Recipes;
using Crossboard.Sdk;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Fixtures;

/// <summary>
/// A mini SDK, a fresh work dir, the repository's recipes (plus any a test writes) and a
/// recording log: the SDK stage's services wired as the tasks wire them.
/// </summary>
public sealed class SdkTestbed : IDisposable
{
    public const string ToolchainName = "openwrt-24.10";

    private readonly TempDir _recipes = new("recipes");

    public SdkTestbed()
    {
        try
        {
            Sdk = MiniSdk.Create();
        }
        catch
        {
            _recipes.Dispose(); // no Dispose() call follows a throwing constructor
            throw;
        }

        Work = new TempDir("work");
        Runner = Sdk.Runner;
    }

    public MiniSdk Sdk { get; }
    public TempDir Work { get; }
    public RecordingBuildLog Log { get; } = new();
    public SdkLayout Layout => new(Work.Path, ToolchainName);
    /// <summary>Where the stage's commands run: this machine by default; a test may put them in a container.</summary>
    public ICommandRunner Runner { get; set; } = null!;

    public RecipeCatalog Catalog => RecipeCatalog.Load(RepoPaths.Recipes, RepoPaths.Toolchains, _recipes.Path);

    public Board Board(string name) => Catalog.GetBoard(name);

    public ToolchainDefinition Toolchain => Catalog.GetToolchain(ToolchainName);

    /// <summary>A recipe of the test's own: a copy of <paramref name="from"/> under another name with some text replaced.</summary>
    public Board BoardLike(string from, string name, string find, string replace)
    {
        var text = File.ReadAllText(Path.Combine(RepoPaths.Recipes, from + ".toml"))
            .Replace($"name = \"{from}\"", $"name = \"{name}\"");
        Assert.Contains(find, text);
        File.WriteAllText(Path.Combine(_recipes.Path, name + ".toml"), text.Replace(find, replace));
        return Board(name);
    }

    public SdkWorkspace Open(TimeSpan? wait = null) => SdkWorkspace.Open(Layout, Log, wait);

    public SdkCheckout Clone(string reference = MiniSdk.Tag)
    {
        using var workspace = Open();
        return new SdkCloner(new GitClient(Runner), Log).Ensure(workspace, new SdkSource(Sdk.RepoPath, reference), Cancel);
    }

    /// <summary>The running test's cancellation (the runner's timeout or Ctrl+C).</summary>
    public static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public SeedResult Seed(Board board, string? commit = null)
    {
        using var workspace = Open();
        return new ConfigSeeder(Runner, Log).Seed(workspace, board, Toolchain, commit ?? new GitClient(Runner).Head(Layout.TreeDir)!, Cancel);
    }

    public void Dispose()
    {
        Sdk.Dispose();
        Work.Dispose();
        _recipes.Dispose();
    }
}
