using System.Collections.Concurrent;
using Crossboard.Artifacts;
using Crossboard.Cargo;
using Crossboard.Machine;
using Crossboard.Recipes;
using Crossboard.Tests.Support;
using Crossboard.Toolchains;

[assembly: AssemblyFixture(typeof(Crossboard.Tests.Support.CrossBuilds))]

namespace Crossboard.Tests.Support;

/// <summary>
/// Real cross builds, shared by the cargo and artifact tests and made once per test run: a copy of
/// samples/hello (or a test crate) built by the cargo stage exactly as CargoBuild does, with
/// Debian's cross gcc (resolved by the real DebianToolchain) and Debian's Rust with its offline
/// std. One work dir for the run holds the Debian std sysroots, so each is fetched once.
/// </summary>
public sealed class CrossBuilds : IDisposable
{
    private readonly TempDir _dir = new("cargo");
    private readonly ConcurrentDictionary<string, Lazy<Build>> _builds = new();
    private readonly ConcurrentDictionary<string, Lazy<ResolvedToolchain>> _toolchains = new();

    public CrossBuilds()
    {
        // Boards the built-in recipes do not have, for the cases the tests need: a glibc MIPS
        // device (so a dynamic glibc binary is the right build for it), and one with little room.
        var recipes = _dir.Combine("recipes");
        Directory.CreateDirectory(recipes);
        var malta = File.ReadAllText(Path.Combine(RepoPaths.Recipes, "malta-le.toml"));
        File.WriteAllText(Path.Combine(recipes, "malta-gnu.toml"), malta
            .Replace("name = \"malta-le\"", "name = \"malta-gnu\"")
            .Replace("libc = \"musl\"", "libc = \"gnu\"")
            .Replace("interpreter = \"/lib/ld-musl-mipsel-sf.so.1\"", "interpreter = \"/lib/ld.so.1\"")
            .Replace("float-abi = \"soft\"", "float-abi = \"hard\""));
        // A musl MIPS board with no emulated device of its own (a real Omega2-class board that
        // allows Debian's toolchain): what cannot link statically has nowhere to run dynamically.
        File.WriteAllText(Path.Combine(recipes, "malta-real.toml"), malta[..malta.IndexOf("[emulator]", StringComparison.Ordinal)]
            .Replace("name = \"malta-le\"", "name = \"malta-real\""));
        File.WriteAllText(Path.Combine(recipes, "malta-tiny.toml"), malta
            .Replace("name = \"malta-le\"", "name = \"malta-tiny\"")
            .Replace("app-budget-kb = 32768", "app-budget-kb = 256"));
        Catalog = RecipeCatalog.Load(RepoPaths.Recipes, RepoPaths.Toolchains, recipes);
        Catalog.ThrowIfInvalid();
    }

    public sealed record Build(string AppDir, BuiltArtifact Artifact, CargoTargetSettings Settings, Board Board, RecordingBuildLog Log);

    public RecipeCatalog Catalog { get; }

    public string WorkDir => _dir.Combine("work");

    public static readonly Consent Yes = new(AssumeYes: true, CanAsk: false);

    public Board Board(string name) => Catalog.GetBoard(name);

    public ToolchainDefinition ToolchainOf(Board board) => Catalog.ToolchainFor(board, null);

    /// <summary>The board's Debian toolchain, resolved by the real resolver (installs nothing when present).</summary>
    public ResolvedToolchain Resolve(ToolchainDefinition definition) =>
        _toolchains.GetOrAdd(definition.Name, _ => new Lazy<ResolvedToolchain>(() =>
            new DebianToolchain(new DebianPackages(Yes, _ => { }), new RecordingBuildLog()).Resolve(definition))).Value;

    public CargoStageInputs Inputs(string appDir, Board board)
    {
        var definition = ToolchainOf(board);
        return new CargoStageInputs(appDir, WorkDir, board, definition, Resolve(definition), RecipeCatalog.RustTargetFor(board, definition));
    }

    /// <summary>samples/hello built for <paramref name="board"/> (its default toolchain), once per run.</summary>
    public Build Hello(string board, bool? sizeProfile = null) =>
        Crate($"hello-{board}-{sizeProfile}", Path.Combine(RepoPaths.Root, "samples", "hello"), board, new CargoBuildOptions(SizeProfile: sizeProfile));

    /// <summary>A copy of <paramref name="source"/> configured and built like ConfigureCargo + CargoBuild do.</summary>
    public Build Crate(string key, string source, string board, CargoBuildOptions options, Action<string>? prepare = null) =>
        _builds.GetOrAdd(key, _ => new Lazy<Build>(() =>
        {
            var app = _dir.Combine("apps", key);
            CopyTree(source, app);
            prepare?.Invoke(app);
            var log = new RecordingBuildLog();
            var stage = new CargoStage(LocalCommandRunner.Instance, new DebianPackages(Yes, log.Information), log);
            var inputs = Inputs(app, Board(board));
            var (_, settings) = stage.Configure(inputs);
            var artifact = stage.Build(inputs, options);
            return new Build(app, artifact, settings, inputs.Board, log);
        })).Value;

    public static void CopyTree(string from, string to)
    {
        foreach (var dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, dir);
            if (relative == "target" || relative.StartsWith("target/", StringComparison.Ordinal) || relative.StartsWith(".cargo", StringComparison.Ordinal))
            {
                continue;
            }

            Directory.CreateDirectory(Path.Combine(to, relative));
        }

        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            if (relative.StartsWith("target/", StringComparison.Ordinal) || relative.StartsWith(".cargo/", StringComparison.Ordinal))
            {
                continue;
            }

            File.Copy(file, Path.Combine(to, relative), overwrite: true);
        }
    }

    public void Dispose() => _dir.Dispose();
}
