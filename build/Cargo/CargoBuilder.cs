using System.Text.Json;
using Crossboard.Machine;
using Crossboard.Toolchains;

namespace Crossboard.Cargo;

/// <param name="AppDir">The Rust project (its Cargo.toml and .cargo/config.toml).</param>
/// <param name="Triple">The Rust target.</param>
/// <param name="Rust">How cargo runs (provider).</param>
/// <param name="Toolchain">The C cross toolchain.</param>
/// <param name="SizeProfile">Build with <see cref="Cargo.SizeProfile"/>.</param>
/// <param name="DebianMultiarch">The toolchain is Debian's: target libraries live in /usr/lib/&lt;triple&gt;.</param>
/// <param name="Bin">The [[bin]] to build, when the package has several.</param>
/// <param name="LogFile">Where cargo's whole output goes (replaced on each build).</param>
public sealed record CargoBuildRequest(
    string AppDir,
    string Triple,
    RustToolchain Rust,
    ResolvedToolchain Toolchain,
    bool SizeProfile,
    bool DebianMultiarch,
    string? Bin,
    string LogFile)
{
    /// <summary>The compile cache rustc runs through (RUSTC_WRAPPER for this build only); null: the environment's, if any.</summary>
    public string? RustcWrapper { get; init; }

    /// <summary>--cargo-config: a cargo config file every cargo call gets as <c>--config FILE</c> (absolute).</summary>
    public string? CargoConfig { get; init; }

    /// <summary>The target C libraries the app declares, as its toolchain kind provided them; null when it declares none.</summary>
    public TargetLibraries? CLibraries { get; init; }
}

/// <summary>The binary cargo produced.</summary>
public sealed record CargoBuildResult(string Executable, string Name, TimeSpan Elapsed, bool Fresh);

/// <summary>
/// Runs <c>cargo build --release --target &lt;triple&gt;</c> in the app's folder (where cargo finds
/// .cargo/config.toml) through an <see cref="ICommandRunner"/>, streaming cargo's lines live and
/// into a log file, and finds the built executable in cargo's JSON messages rather than guessing
/// target/&lt;triple&gt;/release/&lt;name&gt;.
/// </summary>
public sealed class CargoBuilder(ICommandRunner runner, IBuildLog log)
{
    private const int TailLines = 30;

    public ProcessSpec Spec(CargoBuildRequest request, Action<string>? onLine = null) =>
        Command(request, ["build", "--release", "--target", request.Triple, "--message-format=json-render-diagnostics"], request.SizeProfile, onLine);

    /// <summary>
    /// A cargo command for the request's target, with everything CargoBuild's has (provider,
    /// rustflags, --bin, the cross environment): CargoTest builds its tests exactly as the app is built.
    /// </summary>
    public static ProcessSpec Command(CargoBuildRequest request, IReadOnlyList<string> command, bool sizeProfile, Action<string>? onLine = null)
    {
        var spec = new ProcessSpec(request.Rust.Program, [.. request.Rust.PrefixArguments, command[0], .. ConfigArguments(request.CargoConfig),
            .. command.Skip(1), .. request.Rust.BuildArguments])
        {
            WorkingDirectory = request.AppDir,
            LogFile = request.LogFile,
            OnLine = onLine,
        };

        IReadOnlyList<string> targetRustflags = [.. request.Rust.TargetRustflags, .. request.CLibraries is { } libraries ? CargoEnvironment.LinkFlags(libraries) : []];
        if (targetRustflags.Count > 0)
        {
            // Appended to the config file's target rustflags (cargo joins arrays from --config and
            // files); RUSTFLAGS would replace them, and would reach build scripts too.
            var array = string.Join(", ", targetRustflags.Select(TomlString));
            spec.Arguments.AddRange(["--config", $"target.{TomlString(request.Triple)}.rustflags = [{array}]"]);
        }

        if (request.Bin is { Length: > 0 } bin)
        {
            spec.Arguments.AddRange(["--bin", bin]);
        }

        foreach (var (key, value) in CargoEnvironment.For(request.Triple, request.Toolchain, request.DebianMultiarch))
        {
            spec.Environment[key] = value;
        }

        if (request.CLibraries is { } provided)
        {
            foreach (var (key, value) in CargoEnvironment.ForLibraries(request.Triple, request.Toolchain, provided))
            {
                spec.Environment[key] = value;
            }
        }

        if (sizeProfile)
        {
            foreach (var (key, value) in SizeProfile.Settings)
            {
                spec.Environment[key] = value;
            }
        }

        foreach (var (key, value) in request.Rust.Environment)
        {
            spec.Environment[key] = value;
        }

        if (request.RustcWrapper is { } wrapper)
        {
            spec.Environment["RUSTC_WRAPPER"] = wrapper;
        }

        return spec;
    }

    /// <summary>
    /// What every cargo call crossboard makes (build, and any other subcommand) carries for
    /// --cargo-config: cargo's <c>--config FILE</c>, read after the app's and the user's own config
    /// files and winning over them for the keys it sets, for this call only; nothing is written.
    /// </summary>
    public static IReadOnlyList<string> ConfigArguments(string? cargoConfig) =>
        cargoConfig is { Length: > 0 } file ? ["--config", Path.GetFullPath(file)] : [];

    public CargoBuildResult Build(CargoBuildRequest request, CancellationToken cancellation = default)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(request.LogFile)!);
        File.Delete(request.LogFile);

        var binaries = new List<BuiltBinary>();
        var recent = new Queue<string>();
        var errors = new RustProblems(request.AppDir);
        void OnLine(string line)
        {
            if (line.StartsWith('{'))
            {
                if (ParseExecutable(line) is { } artifact)
                {
                    binaries.Add(artifact);
                }

                return;
            }

            errors.Read(line);
            recent.Enqueue(line);
            if (recent.Count > TailLines)
            {
                recent.Dequeue();
            }

            log.Information(line);
        }

        var spec = Spec(request, OnLine);
        if (Environment.GetEnvironmentVariable("RUSTFLAGS") is { Length: > 0 } rustflags)
        {
            log.Warning($"RUSTFLAGS is set ({rustflags}): cargo then ignores the board's rustflags in .cargo/config.toml (e.g. +crt-static). Unset it unless you mean it.");
        }

        log.Information($"cargo build --release --target {request.Triple}{(request.SizeProfile ? $" with the size profile ({SizeProfile.Describe})" : "")} (log: {request.LogFile})");
        var result = runner.Run(spec, cancellation);
        if (!result.Succeeded)
        {
            var hint = Hint(recent, request);
            throw new CrossboardException(
                $"cargo build for {request.Triple} failed (exit code {result.ExitCode})." + Environment.NewLine +
                $"Command: {spec}" + Environment.NewLine +
                "Last lines of its output:" + Environment.NewLine +
                string.Join(Environment.NewLine, recent.Select(l => "  " + l)) +
                (hint is null ? "" : Environment.NewLine + hint),
                request.LogFile)
            {
                Problems = errors.Problems,
            };
        }

        var chosen = Choose(binaries, request);
        return new CargoBuildResult(chosen.Path, chosen.Name, result.Elapsed, chosen.Fresh);
    }

    /// <summary>What to do about failures whose cause is the choice of Rust or toolchain, not the user's code.</summary>
    public static string? Hint(IEnumerable<string> output, CargoBuildRequest request)
    {
        var text = string.Join('\n', output);
        var rust = request.Rust.Description;
        if (text.Contains("does not understand this lock file", StringComparison.Ordinal) || text.Contains("-Znext-lockfile-bump", StringComparison.Ordinal))
        {
            return $"What to do: Cargo.lock was written by a newer cargo than this build's ({rust}). Build with a newer Rust (--rust=stable or nightly), or regenerate the lock file with this cargo.";
        }

        if (text.Contains("requires rustc", StringComparison.Ordinal) || text.Contains("feature `edition20", StringComparison.Ordinal) ||
            text.Contains("is not supported by the following package", StringComparison.Ordinal))
        {
            return $"What to do: the app or one of its dependencies needs a newer Rust than {rust}. Build with --rust=stable or --rust=nightly, or pin older dependency versions.";
        }

        if (text.Contains("can't find crate for `std`", StringComparison.Ordinal) || text.Contains("can't find crate for `core`", StringComparison.Ordinal))
        {
            return $"What to do: the standard library for {request.Triple} is missing from {rust}. Pick another provider with --rust=stable|nightly|debian (see the stage's section in README.md).";
        }

        if (text.Contains("linker `", StringComparison.Ordinal) && text.Contains("not found", StringComparison.Ordinal))
        {
            return $"What to do: the linker {request.Toolchain.CC} is missing; run BuildToolchain again (or --target=Doctor) to restore the {request.Toolchain.Definition} toolchain.";
        }

        return null;
    }

    private static BuiltBinary Choose(List<BuiltBinary> binaries, CargoBuildRequest request)
    {
        var distinct = binaries.GroupBy(b => b.Path).Select(g => g.Last()).ToList();
        if (request.Bin is { Length: > 0 } bin)
        {
            return distinct.FirstOrDefault(b => b.Name == bin) is { } named
                ? named
                : throw new CrossboardException($"cargo built no binary named '{bin}' (built: {Names(distinct)}).");
        }

        return distinct.Count switch
        {
            0 => throw new CrossboardException($"cargo built no executable in {request.AppDir}: the package needs a [[bin]] target (src/main.rs)."),
            1 => distinct[0],
            _ => distinct.Where(b => b.Name == b.Package).ToList() is [var main]
                ? main
                : throw new CrossboardException($"{request.AppDir} builds several binaries ({Names(distinct)}); say which one to deploy with --bin=NAME."),
        };
    }

    private static string Names(IEnumerable<BuiltBinary> binaries) =>
        string.Join(", ", binaries.Select(b => b.Name).DefaultIfEmpty("none"));

    /// <summary>
    /// A bin target cargo reported. A class, not a value tuple: LINQ over a reference type runs
    /// code compiled ahead (ReadyToRun), over a tuple it is JIT-compiled first (~5-9 ms each run).
    /// </summary>
    private sealed record BuiltBinary(string Name, string Package, string Path, bool Fresh);

    /// <summary>A compiler-artifact message for a bin target: its name, package, executable path.</summary>
    private static BuiltBinary? ParseExecutable(string line)
    {
        try
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            if (!root.TryGetProperty("reason", out var reason) || reason.GetString() != "compiler-artifact" ||
                !root.TryGetProperty("executable", out var executable) || executable.ValueKind != JsonValueKind.String ||
                !root.TryGetProperty("target", out var target) ||
                !target.GetProperty("kind").EnumerateArray().Any(k => k.GetString() == "bin"))
            {
                return null;
            }

            var package = root.GetProperty("package_id").GetString() ?? "";
            var fresh = root.TryGetProperty("fresh", out var f) && f.ValueKind == JsonValueKind.True;
            return new BuiltBinary(target.GetProperty("name").GetString() ?? "", PackageName(package), executable.GetString()!, fresh);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// The package's name from its id: "hello 0.1.0 (path+file:///...)" before cargo 1.77; since
    /// then "path+file:///.../dir#name@0.1.0", or ".../hello#0.1.0" when the folder has the name.
    /// </summary>
    public static string PackageName(string packageId)
    {
        var hash = packageId.LastIndexOf('#');
        if (hash < 0)
        {
            return packageId.Split(' ')[0];
        }

        var fragment = packageId[(hash + 1)..];
        return fragment.Contains('@') ? fragment.Split('@')[0] : packageId[..hash].TrimEnd('/').Split('/')[^1];
    }

    /// <summary>A TOML basic string (for --config values): quotes, backslashes and control characters escaped.</summary>
    public static string TomlString(string value) => new Tomlyn.Syntax.StringValueSyntax(value).ToString()!.Trim();
}
