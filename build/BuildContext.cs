using Cake.Common;
using Cake.Core;
using Cake.Frosting;
using Crossboard.Host;
using Crossboard.Recipes;

namespace Crossboard;

/// <summary>
/// The switches, parsed once, and the resolved board and toolchain (filled in by
/// <see cref="BuildLifetime"/>). Tasks read their settings from here, never from raw arguments.
/// </summary>
public sealed class BuildContext : FrostingContext
{
    public const string DefaultBoard = "malta-le";

    /// <summary>crossboard's own switches: the help text and the unknown-switch warning both come from this list.</summary>
    public static readonly IReadOnlyList<(string Name, string Value, string Help)> Switches =
    [
        ("board", "NAME", $"The board to build for (default: {DefaultBoard}, the emulated device). See --target=Boards."),
        ("toolchain", "NAME", "A toolchain definition the board allows, instead of its default."),
        ("recipes", "DIR", "An extra folder of board recipes (DIR/*.toml) and toolchains (DIR/toolchains/*.toml)."),
        ("work-dir", "DIR", "Where SDKs, toolchains and caches live (default: ~/.cache/crossboard)."),
        ("app", "DIR", "The Rust project to build and deploy (default: samples/hello)."),
        ("device", "TARGET", "[user@]host[:port], an ~/.ssh/config Host alias, or 'emulator'."),
        ("yes", "true", "Install missing host packages without asking (implied when CI is set)."),
        ("emulator-ssh-port", "PORT", "127.0.0.1 port for the emulated device's SSH (default: a free one)."),
        ("emulator-app-port", "PORT", "127.0.0.1 port for the emulated device's port 8000, the app (default: a free one)."),
    ];

    public static string HelpText =>
        "crossboard switches:" + System.Environment.NewLine +
        string.Join(System.Environment.NewLine, Switches.Select(s => $"  {"--" + s.Name + "=" + s.Value,-30} {s.Help}"));

    public BuildContext(ICakeContext context)
        : base(context)
    {
        RepoRoot = CrossboardPaths.RepoRoot();
        BoardName = Optional("board") ?? DefaultBoard;
        ToolchainName = Optional("toolchain");
        ExtraRecipes = FullPath(Optional("recipes"));
        WorkDir = FullPath(Optional("work-dir")) ?? CrossboardPaths.DefaultWorkDir();
        AppDir = FullPath(Optional("app")) ?? Path.Combine(RepoRoot, "samples", "hello");
        Device = Optional("device");
        EmulatorSshPort = Port("emulator-ssh-port");
        EmulatorAppPort = Port("emulator-app-port");
        Consent = Host.Consent.FromEnvironment(this.HasArgument("yes") && this.Argument("yes", true));
        UnknownSwitches = Arguments.GetArguments().Keys
            .Where(k => !Switches.Any(s => s.Name.Equals(k, StringComparison.OrdinalIgnoreCase)))
            .ToList();
    }

    public string RepoRoot { get; }
    public string RecipesDir => Path.Combine(RepoRoot, "recipes");
    public string ToolchainsDir => Path.Combine(RepoRoot, "toolchains");
    public string BoardName { get; }
    public string? ToolchainName { get; }
    public string? ExtraRecipes { get; }
    public string WorkDir { get; }
    public string AppDir { get; }
    public string? Device { get; }

    /// <summary>--emulator-ssh-port / --emulator-app-port: fixed 127.0.0.1 ports for the emulator (null: free ones).</summary>
    public int? EmulatorSshPort { get; }
    public int? EmulatorAppPort { get; }

    /// <summary>Whether packages may be installed without asking (--yes, CI), or whom to ask.</summary>
    public Consent Consent { get; }

    /// <summary>Switches given that no part of crossboard reads (likely typos); warned about in Setup.</summary>
    public IReadOnlyList<string> UnknownSwitches { get; }

    /// <summary>All recipes and toolchain definitions (Setup).</summary>
    public RecipeCatalog Catalog { get; set; } = null!;

    /// <summary>The chosen board (Setup); null only when the recipes are invalid and the run only validates them.</summary>
    public Board Board { get; set; } = null!;

    /// <summary>The board's chosen toolchain definition (Setup).</summary>
    public ToolchainDefinition Toolchain { get; set; } = null!;

    /// <summary>The Rust target triple for the board and toolchain (Setup).</summary>
    public string RustTarget { get; set; } = "";

    /// <summary>The C cross toolchain, resolved by BuildToolchain (whatever its kind); the cargo stage's input.</summary>
    public Toolchains.ResolvedToolchain? ResolvedToolchain { get; set; }

    /// <summary>The built and checked binary (CargoBuild); the deploy stage's input.</summary>
    public Artifacts.BuiltArtifact? Artifact { get; set; }

    /// <summary>The emulated device's image (EmulatorImage): kernel, initramfs, host-key fingerprint.</summary>
    public Emulator.DeviceImage? DeviceImage { get; set; }

    /// <summary>The device(s) Deploy talks to (resolved from --device, an ssh alias, or the emulator).</summary>
    public Deploy.DeviceTarget? DeviceTarget { get; set; }

    /// <summary>A log the stage services (which know nothing of Cake) write to.</summary>
    public Host.IBuildLog BuildLog => _buildLog ??= new Tasks.CakeBuildLog(Log);

    private Host.IBuildLog? _buildLog;

    private string? Optional(string name) => this.HasArgument(name) ? this.Argument<string>(name) : null;

    private int? Port(string name) => Optional(name) switch
    {
        null => null,
        var text when int.TryParse(text, out var port) && port is > 0 and < 65536 => port,
        var text => throw new CrossboardException($"--{name}={text}: expected a TCP port number (1-65535)."),
    };

    private string? FullPath(string? path) => path is null
        ? null
        : Path.GetFullPath(path.StartsWith("~/") ? Path.Combine(System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile), path[2..]) : path,
            Environment.WorkingDirectory.FullPath);
}
