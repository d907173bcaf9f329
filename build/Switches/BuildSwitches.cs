using Cake.Docker;
using Crossboard.Cargo;
using Crossboard.Container;
using Crossboard.Deploy;
using Crossboard.Machine;
using Crossboard.Volume;

namespace Crossboard.Switches;

/// <summary>
/// Every switch of crossboard, declared once: its name, value, help line and default on the
/// property that holds its typed value. <see cref="SwitchTable"/> reads and checks them all when
/// the build context is made (a bad value stops the run before its first task, naming every bad
/// value at once), writes --help from them, and tells which switches are unknown (typos). Tasks
/// read these properties, never raw arguments. Adding a switch is adding a property here.
/// </summary>
public sealed class BuildSwitches
{
    /// <summary>The emulated device: the quick start needs no hardware.</summary>
    public const string DefaultBoard = "malta-le";

    private const string BuildGroup = "Build";
    private const string SdkGroup = "SDK stage";
    private const string DockerGroup = "Docker mode";
    private const string EmulatorGroup = "Emulated device";
    private const string DeployGroup = "Deploy";

    [Switch("board", "NAME", "The board to build for; see --target=Boards. The default is the emulated device.", Default = DefaultBoard)]
    public string Board { get; private set; } = "";

    [Switch("toolchain", "NAME", "A toolchain definition the board allows, instead of its default.")]
    public string? Toolchain { get; private set; }

    [Switch("recipes", "DIR", "An extra folder of board recipes (DIR/*.toml) and toolchains (DIR/toolchains/*.toml).", Check = SwitchCheck.ExistingDirectory)]
    public string? Recipes { get; private set; }

    [Switch("work-dir", "DIR", "Where SDKs, toolchains and caches live (made if missing).", Check = SwitchCheck.Path,
        DefaultOf = typeof(CrossboardPaths), DefaultName = nameof(CrossboardPaths.DefaultWorkDir), Validate = nameof(CheckWorkDir),
        DefaultText = "~/.cache/crossboard ($XDG_CACHE_HOME/crossboard; ~/Library/Caches/crossboard on macOS)")]
    public string WorkDir { get; private set; } = "";

    [Switch("app", "DIR", "The Rust project to build and deploy.", Check = SwitchCheck.ExistingDirectory, DefaultText = "samples/hello",
        DefaultOf = typeof(BuildSwitches), DefaultName = nameof(DefaultApp))]
    public string App { get; private set; } = "";

    [Switch("yes", "true", "Install what the run needs on this machine without asking (implied when CI is set).")]
    public bool Yes { get; private set; }

    [Switch("fast-path", "true|false", "The speed machinery (early and guessed SSH connections, cached host probes, recipes read ahead, the emulated device's tasks beside the build's); false turns all of it off, to tell a bug in it from one in the plain path.",
        Default = "true")]
    public bool FastPath { get; private set; }

    [Switch("overlap", "true|false", "Build and boot the emulated device (EmulatorImage, EmulatorStart) in the background while the build's tasks run; false runs every task one after the other (as --fast-path=false does).",
        Default = "true")]
    public bool Overlap { get; private set; }

    [Switch("size-profile", "true|false", "Build for size (strip, LTO, codegen-units=1, opt-level=z, panic=abort).", DefaultText = "the board's rust.size-profile", Group = BuildGroup)]
    public bool? SizeProfile { get; private set; }

    [Switch("rust", "PROVIDER", "Which Rust builds the app.", Default = "auto", Group = BuildGroup,
        Choices = "auto=,stable=Stable,rustup=Stable,nightly=Nightly,debian=Debian",
        ChoicesHelp = "auto, stable (rustup, prebuilt std), nightly (rustup, -Zbuild-std) or debian (Debian's rustc, offline std)")]
    public RustProvider? Rust { get; private set; }

    [Switch("bin", "NAME", "The cargo binary to build and deploy, when the package has several.", Group = BuildGroup)]
    public string? Bin { get; private set; }

    [Switch("compile-cache", "none|sccache", "Compile through a cache so that crates built once (here, on another CI runner, by a teammate) are not compiled again: sccache (local disk, or any backend in sccache's own configuration). none leaves RUSTC_WRAPPER as the environment has it.",
        Default = "none", Group = BuildGroup, Choices = "none=None,sccache=Sccache", ChoicesHelp = "none or sccache")]
    public CompileCache CompileCache { get; private set; }

    [Switch("test-args", "ARGS", "CargoTest: arguments for the test binaries, as after cargo test's --, split at spaces: a name filter, --nocapture, --test-threads=1, --ignored.",
        Group = BuildGroup)]
    public string? TestArgs { get; private set; }

    [Switch("test-on", "qemu|device", "CargoTest: where the test binaries run: under qemu-user on this machine, or on the device (--device, or the emulated one) over SSH.",
        Default = "qemu", Group = BuildGroup, Choices = "qemu=Qemu,device=Device", ChoicesHelp = "qemu or device")]
    public TestPlace TestOn { get; private set; }

    [Switch("test-dir", "DIR", "CargoTest --test-on=device: the device directory under which a scratch folder for the test binaries is made (and removed).",
        Default = Deploy.DeviceTests.DefaultParent, Validate = nameof(CheckTestDir), Group = BuildGroup)]
    public string TestDir { get; private set; } = Deploy.DeviceTests.DefaultParent;

    /// <summary>--test-args as the test binaries get them.</summary>
    public IReadOnlyList<string> TestArguments => TestArgs?.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];

    [Switch("cargo-config", "FILE", "A cargo config file given to every cargo call crossboard makes (cargo's --config FILE): a registry mirror, vendored or packaged crate sources; your own config files are not changed.",
        Check = SwitchCheck.ExistingFile, Group = BuildGroup)]
    public string? CargoConfig { get; private set; }

    [Switch("artifact", "FILE", "Deploy this binary instead of the cargo stage's output (one built elsewhere; it is checked against the board all the same).",
        Check = SwitchCheck.ExistingFile, Group = BuildGroup)]
    public string? Artifact { get; private set; }

    [Switch("sdk-source", "URL|PATH", "Clone the OpenWrt source from this mirror or local copy instead of the toolchain's git URL (openwrt-source toolchains).",
        Validate = nameof(CheckSdkSource), Group = SdkGroup)]
    public string? SdkSource { get; private set; }

    [Switch("sdk-volume-size", "GB", "Size of the sparse case-sensitive image made when the work dir is case-insensitive.",
        DefaultOf = typeof(SdkVolume), DefaultName = nameof(SdkVolume.DefaultSizeGb), Min = 1, Max = 65536, Expected = "a size in GB from 1 to 65536", Group = SdkGroup)]
    public int SdkVolumeSizeGb { get; private set; }

    [Switch("docker", "true", "Run CloneSdk, SeedConfig, BuildToolchain and CargoBuild in the builder container (docker/builder); deploy runs here.", Group = DockerGroup)]
    public bool Docker { get; private set; }

    [Switch("docker-cli", "docker|podman", "The container CLI for --docker; DOCKER_HOST picks the engine.", DefaultText = "docker, else podman",
        Validate = nameof(CheckDockerCli), Group = DockerGroup)]
    public string? DockerCli { get; private set; }

    [Switch("docker-base", "IMAGE", "The builder image's base, e.g. a local image where no registry is reachable.",
        Default = BuilderImageDefinition.DefaultBaseImage, Group = DockerGroup)]
    public string DockerBase { get; private set; } = "";

    [Switch("emulator-ssh-port", "PORT", "127.0.0.1 port for the emulated device's SSH.", DefaultText = "a free one",
        Min = 1, Max = 65535, Expected = "a TCP port number (1-65535)", Group = EmulatorGroup)]
    public int? EmulatorSshPort { get; private set; }

    [Switch("emulator-network", "isolated|nat", "What the emulated device's network reaches: isolated (nothing; only its SSH and app ports are forwarded to it) or nat (QEMU's user network: this machine's 127.0.0.1 services at 10.0.2.2, and what this machine reaches).",
        DefaultText = "the app's emulator-network, else isolated", Group = EmulatorGroup, Choices = "isolated=Isolated,nat=Nat", ChoicesHelp = "isolated or nat")]
    public Emulator.EmulatorNetwork? EmulatorNetwork { get; private set; }

    [Switch("emulator-app-port", "PORT", "127.0.0.1 port for the emulated device's port 8000, the app.", DefaultText = "a free one",
        Min = 1, Max = 65535, Expected = "a TCP port number (1-65535)", Group = EmulatorGroup)]
    public int? EmulatorAppPort { get; private set; }

    [Switch("device", "TARGET", "[user@]host[:port], an ~/.ssh/config Host alias, or 'emulator'.", DefaultText = "emulator",
        Validate = nameof(CheckDevice), Group = DeployGroup)]
    public string? Device { get; private set; }

    [Switch("devices", "FILE", "Deploy/Rollback to every device in FILE (one [user@]host[:port] per line, or a .toml with [[device]] tables).",
        Check = SwitchCheck.ExistingFile, Validate = nameof(CheckFleet), Group = DeployGroup)]
    public string? Devices { get; private set; }

    [Switch("parallel", "N", "How many devices of --devices to deploy to at once.",
        DefaultOf = typeof(FleetRunner), DefaultName = nameof(FleetRunner.DefaultParallelism), Min = 1, Max = 64, Group = DeployGroup)]
    public int Parallel { get; private set; }

    [Switch("host-key", "SHA256:...", "The device's host key fingerprint (ssh-keygen -lf); otherwise ~/.ssh/known_hosts decides.",
        Validate = nameof(CheckHostKey), Group = DeployGroup)]
    public string? HostKey { get; private set; }

    [Switch("identity", "FILE", "A private key to log in with, tried before ~/.ssh/config's and the default ones.", Check = SwitchCheck.ExistingFile, Group = DeployGroup)]
    public string? Identity { get; private set; }

    [Switch("password-env", "VAR", "Log in with the password held in environment variable VAR (never printed).",
        Check = SwitchCheck.SetVariable, Holds = "the device's password", Group = DeployGroup)]
    public string? PasswordEnv { get; private set; }

    [Switch("passphrase-env", "VAR", "The passphrase of encrypted keys, from environment variable VAR (else asked on a terminal).", Group = DeployGroup)]
    public string? PassphraseEnv { get; private set; }

    [Switch("install-dir", "DIR", "Where the binary goes on the device.", DefaultText = "the recipe's install-dir", Validate = nameof(CheckInstallDir), Group = DeployGroup)]
    public string? InstallDir { get; private set; }

    [Switch("smoke-url", "URL", "Check after deploy: http(s)://{host}:PORT/PATH or tcp://{host}:PORT; 'none' to skip.", DefaultText = "the recipe's smoke-url",
        Validate = nameof(CheckSmokeUrl), Group = DeployGroup)]
    public string? SmokeUrl { get; private set; }

    [Switch("app-args", "ARGS", "The app's arguments on the device, split at spaces, instead of its Cargo.toml's [package.metadata.crossboard] args.", Group = DeployGroup)]
    public string? AppArgs { get; private set; }

    [Switch("app-env", "NAME=VALUE", "The app's environment on the device, several separated by ';': each overrides the same name in its Cargo.toml's [package.metadata.crossboard.env]. Values are never printed or logged.",
        Validate = nameof(CheckAppEnv), Group = DeployGroup)]
    public string? AppEnv { get; private set; }

    /// <summary>--app-args as the app gets them; null when not given.</summary>
    public IReadOnlyList<string>? AppArguments => AppArgs?.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>--app-env's variables, in the order given.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> AppEnvironment => AppEnv is null ? [] : ParseAppEnv(AppEnv);

    [Switch("smoke-expect", "TEXT", "Text the smoke check's answer must contain.", DefaultText = "the recipe's smoke-expect", Group = DeployGroup)]
    public string? SmokeExpect { get; private set; }

    [Switch("smoke-timeout", "SECONDS", "How long the smoke check may take.",
        DefaultOf = typeof(DeploySettings), DefaultName = nameof(DeploySettings.DefaultSmokeTimeoutSeconds), Min = 1, Max = 3600, Expected = "a number of seconds from 1 to 3600", Group = DeployGroup)]
    public int SmokeTimeoutSeconds { get; private set; }

    [Switch("compress", "auto|yes|no", "Send the binary gzip-compressed: auto measures the link and the device.", Default = "auto", Group = DeployGroup,
        Choices = "auto=Auto,yes=Always,true=Always,gzip=Always,no=Never,false=Never", ChoicesHelp = "auto (measure the link), yes or no")]
    public CompressionMode Compress { get; private set; }

    [Switch("transfer", "auto|exec|sftp|scp", "How Deploy sends the binary: auto (an exec channel of the deploy's own connection, else SFTP, else SCP), or that one.",
        Default = "auto", Group = DeployGroup,
        Choices = "auto=Auto,exec=Exec,sftp=Sftp,scp=Scp", ChoicesHelp = "auto (an exec channel, else SFTP, else SCP), exec, sftp or scp")]
    public TransferPreference Transfer { get; private set; }

    [Switch("force", "true", "Deploy over a file crossboard did not install (a system binary, a package's file), keeping it as <file>.bak; never over the SSH server, busybox, the shell, init, procd/ubus or opkg.",
        Group = DeployGroup)]
    public bool Force { get; private set; }

    [Switch("keep-failed", "true", "Leave a build that fails to start or fails the smoke check installed, for debugging (default: put the previous build back).", Group = DeployGroup)]
    public bool KeepFailed { get; private set; }

    /// <summary>No --device nor --devices, or --device=emulator: the emulated device is the target (the quick start's).</summary>
    public bool DeploysToEmulator => Device is null
        ? Devices is null
        : Device.Equals(DeviceResolver.Emulator, StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads and checks every switch; throws one message naming every bad value.</summary>
    /// <param name="value">A switch's raw value (null when absent; "" for a bare --name).</param>
    /// <param name="fullPath">A path made absolute as the user meant it (~/ expanded, relative to the working directory).</param>
    public static BuildSwitches Read(Func<string, string?> value, Func<string, string> fullPath)
    {
        var read = new SwitchReader(value, fullPath);
        var switches = SwitchTable.Fill(new BuildSwitches(), read);
        if (switches.Device is not null && switches.Devices is not null)
        {
            read.Problem("Give either --device (one device) or --devices=FILE (a fleet), not both.");
        }

        if (switches.CompileCache != CompileCache.None && switches.Docker)
        {
            read.Problem("--compile-cache=sccache runs with this machine's cargo; the --docker builder image has no sccache yet. Leave out --docker or --compile-cache.");
        }

        read.ThrowIfAny();
        return switches;
    }

    /// <summary>A path as the user meant it: ~/ expanded, relative to <paramref name="workingDirectory"/>.</summary>
    public static string FullPath(string path, string workingDirectory) => System.IO.Path.GetFullPath(
        path.StartsWith("~/", StringComparison.Ordinal) ? System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path[2..]) : path,
        workingDirectory);

    // The checks the table's Validate names. Each throws what is wrong and how to fix it.

    private static string DefaultApp() => System.IO.Path.Combine(CrossboardPaths.RepoRoot(), "samples", "hello");

    private static string CheckWorkDir(string dir) => File.Exists(dir)
        ? throw new CrossboardException($"--work-dir={dir}: that is a file; give a directory (made if missing).")
        : dir;

    private static string CheckSdkSource(string source) => !Cake.Git.GitClient.IsLocalPath(source)
        ? source
        : FullPath(source, Environment.CurrentDirectory) is var full && (Directory.Exists(full) || File.Exists(full))
            ? full
            : throw new CrossboardException($"--sdk-source={source}: no such local copy. Give a URL or the path of an OpenWrt git checkout.");

    private static string CheckDockerCli(string cli)
    {
        DockerClient.ValidateChoice(cli);
        return cli;
    }

    /// <summary>--device: "emulator", an ~/.ssh/config alias, or [user@]host[:port] whose port is a port.</summary>
    private static string CheckDevice(string device)
    {
        if (!device.Equals(DeviceResolver.Emulator, StringComparison.OrdinalIgnoreCase))
        {
            DeviceResolver.Parse(device);
        }

        return device;
    }

    /// <summary>The whole fleet file now: a bad line or target fails before anything is built.</summary>
    private static string CheckFleet(string path)
    {
        foreach (var entry in DeviceInventory.Load(path))
        {
            if (!entry.Target.Equals(DeviceResolver.Emulator, StringComparison.OrdinalIgnoreCase))
            {
                try
                {
                    DeviceResolver.Parse(entry.Target);
                }
                catch (CrossboardException ex)
                {
                    throw new CrossboardException($"{entry.Where}: {ex.Message}");
                }
            }
        }

        return path;
    }

    private static string CheckInstallDir(string dir) =>
        dir.StartsWith('/') && !dir.Any(char.IsControl)
            ? dir
            : throw new CrossboardException($"--install-dir={dir}: give an absolute directory on the device, e.g. /usr/bin or /opt/app/bin.");

    private static string CheckTestDir(string dir) =>
        dir.StartsWith('/') && !dir.Any(char.IsControl)
            ? dir
            : throw new CrossboardException($"--test-dir={dir}: give an absolute directory on the device, e.g. /tmp or /mnt/sd.");

    private static string CheckAppEnv(string text)
    {
        _ = ParseAppEnv(text);
        return text;
    }

    private static List<KeyValuePair<string, string>> ParseAppEnv(string text)
    {
        var result = new List<KeyValuePair<string, string>>();
        var items = text.Split(';', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < items.Length; i++)
        {
            var item = items[i];
            var equals = item.IndexOf('=');
            var name = equals < 0 ? item.Trim() : item[..equals].Trim();
            if (equals < 0 || !AppLaunch.IsName(name))
            {
                // Nothing of it is repeated unless it is only a name's characters: it may hold a
                // secret (a database URL given without its NAME=).
                var shown = equals > 0 && name.Length <= 40 && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') ? $"'{name}'" : $"item {i + 1} (not shown)";
                throw new CrossboardException($"--app-env: {shown} is not NAME=VALUE with a variable name of letters, digits and _, not starting with a digit " +
                    "(e.g. --app-env=\"DATABASE_URL=postgresql://host/db;LOG_LEVEL=debug\").");
            }

            result.Add(new(name, item[(equals + 1)..]));
        }

        return result;
    }

    private static string CheckSmokeUrl(string url)
    {
        if (!url.Equals("none", StringComparison.OrdinalIgnoreCase))
        {
            SmokeCheck.Validate(url, "--smoke-url");
        }

        return url;
    }

    private static string CheckHostKey(string pin) => HostKeyVerifier.IsValidPin(pin)
        ? pin
        : throw new CrossboardException(
            $"--host-key={pin} is not an SHA256 fingerprint. Give it as ssh-keygen -lf prints it, e.g. --host-key=SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s");
}
