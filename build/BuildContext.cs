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
        ("devices", "FILE", "Deploy/Rollback to every device in FILE (one [user@]host[:port] per line, or a .toml with [[device]] tables)."),
        ("parallel", "N", "How many devices of --devices to deploy to at once (default: 4)."),
        ("host-key", "SHA256:...", "The device's host key fingerprint (ssh-keygen -lf); otherwise ~/.ssh/known_hosts decides."),
        ("identity", "FILE", "A private key to log in with, tried before ~/.ssh/config's and the default ones."),
        ("password-env", "VAR", "Log in with the password held in environment variable VAR (never printed)."),
        ("passphrase-env", "VAR", "The passphrase of encrypted keys, from environment variable VAR (else asked on a terminal)."),
        ("install-dir", "DIR", "Where the binary goes on the device (default: the recipe's install-dir)."),
        ("smoke-url", "URL", "Check after deploy: http(s)://{host}:PORT/PATH or tcp://{host}:PORT; 'none' to skip (default: the recipe's)."),
        ("smoke-expect", "TEXT", "Text the smoke check's answer must contain (default: the recipe's)."),
        ("smoke-timeout", "SECONDS", "How long the smoke check may take (default: 30)."),
        ("compress", "auto|yes|no", "Send the binary gzip-compressed: auto measures the link and the device (default: auto)."),
        ("artifact", "FILE", "Deploy this file instead of the cargo stage's output (a binary built elsewhere)."),
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

    /// <summary>The device(s) Deploy talks to (resolved from --device, an ssh alias, or the emulator).</summary>
    public Deploy.DeviceTarget? DeviceTarget { get; set; }

    /// <summary>
    /// Resolves --device=emulator (and no --device): set by the emulator stage, which boots the
    /// device, pins its host key and forwards its ports. Null when that stage is not in the build.
    /// </summary>
    public Func<Deploy.DeviceTarget>? EmulatorDevice { get; set; }

    /// <summary>What Deploy or Rollback did, one entry per device.</summary>
    public IReadOnlyList<Deploy.DeviceResult>? DeployResults { get; set; }

    /// <summary>A log the stage services (which know nothing of Cake) write to.</summary>
    public Host.IBuildLog BuildLog => _buildLog ??= new Tasks.CakeBuildLog(Log);

    private Host.IBuildLog? _buildLog;

    private string? Optional(string name) => this.HasArgument(name) ? this.Argument<string>(name) : null;

    private string? FullPath(string? path) => path is null
        ? null
        : Path.GetFullPath(path.StartsWith("~/") ? Path.Combine(System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile), path[2..]) : path,
            Environment.WorkingDirectory.FullPath);
}
