using Crossboard.Artifacts;
using Crossboard.Deploy;
using Crossboard.FastPath;
using Crossboard.Machine;
using Tomlyn.Parsing;
using Tomlyn.Syntax;

namespace Crossboard.Tasks;

/// <summary>Turns the deploy switches (read once by the context: <see cref="BuildContext.DeploySwitches"/>) and the recipe's [deploy] table into the deploy stage's settings (shared by Deploy, Rollback and Run).</summary>
public static class DeployTasks
{
    /// <summary>
    /// What Deploy or Rollback did, one row per device, recorded also when some devices of a fleet
    /// failed (the run fails; a CI's summary still shows every device's row).
    /// </summary>
    public static void RecordResults(BuildContext context, Func<IReadOnlyList<DeviceResult>> run)
    {
        try
        {
            context.Stages.DeployResults = run();
        }
        catch (FleetFailedException failed)
        {
            context.Stages.DeployResults = failed.Results;
            throw;
        }
    }

    public static DeployStage Stage(BuildContext context) =>
        new(Settings(context), Resolver(context), context.BuildLog);

    public static DeviceResolver Resolver(BuildContext context) =>
        new(context.Board.Deploy, Home, context.EmulatorDevice);

    /// <summary>
    /// The deploy settings: a switch first, then the app's own Cargo.toml ([package.metadata.crossboard]:
    /// how the app runs is the app's), then the board's recipe ([deploy]).
    /// </summary>
    public static DeploySettings Settings(BuildContext context)
    {
        var deploy = context.Board.Deploy;
        var given = context.Switches;
        var app = Cargo.AppManifest.SettingsOf(given.App);
        var smokeUrl = given.SmokeUrl ?? app.SmokeUrl?.Value ?? deploy.SmokeUrl;
        return new DeploySettings
        {
            InstallDir = given.InstallDir ?? deploy.InstallDir,
            Service = ServiceFor(context.Board, app.Service),
            SmokeUrl = string.IsNullOrWhiteSpace(smokeUrl) || smokeUrl.Equals("none", StringComparison.OrdinalIgnoreCase) ? null : smokeUrl,
            SmokeExpect = given.SmokeExpect ?? app.SmokeExpect?.Value ?? deploy.SmokeExpect,
            SmokeTimeout = TimeSpan.FromSeconds(given.SmokeTimeoutSeconds),
            Compression = given.Compress,
            Transfer = given.Transfer,
            Force = given.Force,
            KeepFailed = given.KeepFailed,
            Board = context.Board,
            EmulatedDevice = EmulatedDevice(context),
            Launch = Launch(app, given),
            Credentials = new DeployCredentials(given.PasswordEnv, given.PassphraseEnv, DeployCredentials.PromptOnTerminal),
            DefaultKnownHosts = Path.Combine(Home, ".ssh", "known_hosts"),
            LogDir = Path.Combine(context.Switches.WorkDir, "logs", "deploy"),
            SentDir = Path.Combine(context.Switches.WorkDir, "state", "sent"),
            EarlyConnection = context.EarlyConnection,
        };
    }

    /// <summary>The app's arguments and environment: --app-args and --app-env over its Cargo.toml's.</summary>
    private static AppLaunch Launch(Cargo.AppSettings app, Switches.BuildSwitches given)
    {
        var environment = (app.Environment ?? []).Where(e => given.AppEnvironment.All(g => g.Key != e.Key)).Concat(given.AppEnvironment).ToList();
        return new AppLaunch(given.AppArguments ?? app.Arguments ?? [], environment);
    }

    /// <summary>The emulated device binaries of the run's board go to, as they see it; null when no board emulates it (Deploy says so).</summary>
    public static Recipes.Board? EmulatedDevice(BuildContext context)
    {
        if (!context.Switches.DeploysToEmulator)
        {
            return null;
        }

        try
        {
            return Emulator.EmulatorDevices.DeviceView(Emulator.EmulatorDevices.EmulatedBoardFor(context.Board, context.Catalog.Boards));
        }
        catch (CrossboardException)
        {
            return null;
        }
    }

    /// <summary>The app's service style where it sets one and the board can run it (procd and systemd need that init), else the board's.</summary>
    private static string ServiceFor(Recipes.Board board, Cargo.AppValue? app)
    {
        if (app is null)
        {
            return board.Deploy.Service;
        }

        if (app.Value is ServiceStyle.Procd or ServiceStyle.Systemd && app.Value != board.System.Init)
        {
            var problem = app.At with
            {
                Message = $"service = \"{app.Value}\" needs {app.Value} on the device, but {board.Name} runs {board.System.Init} (system.init). " +
                    $"Use \"{ServiceStyle.Background}\" (started detached) or \"{ServiceStyle.None}\" (Run starts it), or leave service out for the board's ({board.Deploy.Service}).",
            };
            throw new InputException($"{problem.File}({problem.Line},{problem.Column}): {problem.Message}") { Problems = [problem] };
        }

        return app.Value;
    }

    /// <summary>
    /// Starts connecting to the single device Deploy will talk to, in the background, so that the
    /// handshake overlaps the build (see <see cref="EarlyConnection"/>); and warms up the smoke
    /// check's HTTP client (<see cref="SmokeCheck.WarmUp"/>). Only when the run deploys
    /// to one device known now: --device, or the emulator when it is already running (a booting
    /// one is waited for by EmulatorStart). Null when there is nothing to start.
    /// </summary>
    public static EarlyConnection? StartEarlyConnection(BuildContext context, IEnumerable<string> tasks)
    {
        if (!tasks.Contains(nameof(Tasks.Deploy)) || context.Switches.Devices is not null)
        {
            return null;
        }

        DeploySettings settings;
        try
        {
            settings = Settings(context);
        }
        catch (CrossboardException)
        {
            // A bad switch: Deploy reports it where it always did.
            return null;
        }

        if (settings.SmokeUrl is { } url && url.StartsWith("http", StringComparison.OrdinalIgnoreCase))
        {
            _ = SmokeCheck.WarmUp();
        }

        if (context.Switches.DeploysToEmulator)
        {
            string board;
            try
            {
                board = Emulator.EmulatorDevices.EmulatedBoardFor(context.Board, context.Catalog.Boards).Name;
            }
            catch (CrossboardException)
            {
                return null; // no board emulates this one: Deploy says so
            }

            var record = new Emulator.EmulatorPaths(context.Switches.WorkDir, board).StateFile;
            if (!File.Exists(record))
            {
                return null;
            }

            // Read without the emulator's lock (EmulatorImage may hold it): the host key pin makes
            // sure this is the device, and a stale record only makes the early attempt fail.
            return new EarlyConnection(() => Emulator.EmulatorDevices.Target(
                Emulator.EmulatorInstance.Load(record) ?? throw new CrossboardException($"{record} is unreadable")), settings, SpeculativeConnection.Current);
        }

        var device = context.Switches.Device!;
        var identity = context.Switches.Identity;
        var hostKey = context.Switches.HostKey;
        return new EarlyConnection(() => Resolver(context).Resolve(device, identity, hostKey, null), settings, SpeculativeConnection.Current);
    }

    /// <summary>
    /// Who to act on. A single device is resolved once and kept on the context, so that Run after
    /// Deploy talks to the same one (the emulator stage's device is resolved, not booted again).
    /// </summary>
    public static DeployAudience Audience(BuildContext context, DeployStage stage)
    {
        var emulator = context.Switches.Device is null || context.Switches.Device.Equals(DeviceResolver.Emulator, StringComparison.OrdinalIgnoreCase);
        var audience = new DeployAudience(
            context.Switches.Device,
            context.Switches.Devices,
            context.Switches.Identity,
            context.Switches.HostKey,
            context.Switches.Parallel,
            // A device another stage resolved (the emulator's) stands for "no --device" only.
            emulator ? context.Stages.DeviceTarget : null);
        if (audience.DevicesFile is not null)
        {
            return audience;
        }

        context.Stages.DeviceTarget = stage.Single(audience);
        return audience with { Preset = context.Stages.DeviceTarget };
    }

    /// <summary>The binary: the cargo stage's, or --artifact=FILE (checked against the board in Setup); a clear error when there is neither.</summary>
    public static BuiltArtifact Artifact(BuildContext context) =>
        context.Stages.Artifact ?? throw new CrossboardException(
            "Deploy has no binary to deploy: the cargo stage (CargoBuild) did not produce one in this run. " +
            "Build it first (--target=Deploy runs CargoBuild when the build graph includes it), or deploy a binary built elsewhere with --artifact=FILE.");

    /// <summary>
    /// The app's name on the device without building it (Rollback, Run): the built binary's,
    /// --artifact's, or the bin target named in the app's Cargo.toml.
    /// </summary>
    public static string AppName(BuildContext context)
    {
        if (context.Stages.Artifact is { } artifact)
        {
            return artifact.Name;
        }

        if (context.Switches.Artifact is { } file)
        {
            return Path.GetFileName(file);
        }

        var manifest = Path.Combine(context.Switches.App, "Cargo.toml");
        if (File.Exists(manifest) && BinName(manifest) is { } name)
        {
            return name;
        }

        throw new CrossboardException(
            $"Cannot tell which binary to act on: {manifest} has no [package] name or [[bin]] name. Pass --app=DIR (the Rust project) or --artifact=FILE (the binary's name is its file name).");
    }

    /// <summary>The first [[bin]] name, else [package] name (cargo's default binary).</summary>
    public static string? BinName(string manifest)
    {
        var document = SyntaxParser.Parse(File.ReadAllText(manifest), manifest, validate: true);
        if (document.HasErrors)
        {
            return null;
        }

        string? Name(TableSyntaxBase table) => table.Items
            .Where(i => i.Key?.ToString().Trim() == "name")
            .Select(i => (i.Value as StringValueSyntax)?.Value)
            .FirstOrDefault();

        var bin = document.Tables.FirstOrDefault(t => t is TableArraySyntax && t.Name?.ToString().Trim() == "bin");
        var package = document.Tables.FirstOrDefault(t => t is not TableArraySyntax && t.Name?.ToString().Trim() == "package");
        return (bin is null ? null : Name(bin)) ?? (package is null ? null : Name(package));
    }

    private static string Home => Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
}
