using Crossboard.Toolchains;
using Tomlyn.Parsing;
using Tomlyn.Syntax;

namespace Crossboard.Cargo;

/// <summary>A C library the app declares, and where (for messages that point at the line).</summary>
public sealed record DeclaredCLibrary(CLibrary Library, string File, int Line, int Column)
{
    public string Where => $"{File}({Line},{Column})";
}

/// <summary>A value the app's Cargo.toml sets, and where (so that a problem with it points at its line).</summary>
public sealed record AppValue(string Value, SourceProblem At);

/// <summary>What the app's Cargo.toml says to crossboard; null values: the board's defaults apply.</summary>
/// <param name="Service">How the app runs on the device (procd, systemd, background, none), instead of the board's deploy.service.</param>
/// <param name="SmokeUrl">Its smoke check (or "none"), instead of the board's deploy.smoke-url.</param>
/// <param name="SmokeExpect">What the smoke check's answer must contain, instead of the board's.</param>
/// <param name="Arguments">Its command-line arguments on the device.</param>
/// <param name="Environment">Its environment on the device (name, value), in the file's order.</param>
/// <param name="EmulatorNetwork">What the emulated device's network must reach for it: "nat" for an app that talks to this machine's services.</param>
public sealed record AppSettings(IReadOnlyList<DeclaredCLibrary> CLibraries, AppValue? Service, AppValue? SmokeUrl, AppValue? SmokeExpect,
    IReadOnlyList<string>? Arguments = null, IReadOnlyList<KeyValuePair<string, string>>? Environment = null, AppValue? EmulatorNetwork = null)
{
    public static readonly AppSettings None = new([], null, null, null);
}

/// <summary>
/// What an app says about itself to crossboard, in its own Cargo.toml where cargo users keep tool
/// settings (cargo ignores <c>[package.metadata]</c>): how it is built and how it runs are the
/// app's, with the board's recipe as the defaults (a CLI tool runs with service = "none" on any board).
/// <code>
/// [package.metadata.crossboard]
/// c-libraries = ["sqlite3"]        # the target C libraries the app links (through its -sys crates)
/// service = "none"                 # procd, systemd, background or none (Run starts it)
/// smoke-url = "http://{host}:8080/health"   # or "none"
/// smoke-expect = "ok"
/// args = ["--verbose"]             # its arguments on the device
/// emulator-network = "nat"         # the emulated device reaches this machine at 10.0.2.2
/// [package.metadata.crossboard.env] # its environment on the device
/// DATABASE_URL = "postgresql://sensor@10.0.2.2/sensors"
/// </code>
/// Read through Tomlyn's syntax tree, so each problem names the file, line and column; the file is
/// never written.
/// </summary>
public static class AppManifest
{
    public const string Table = "package.metadata.crossboard";
    public const string CLibrariesKey = "c-libraries";
    public const string ServiceKey = "service";
    public const string SmokeUrlKey = "smoke-url";
    public const string SmokeExpectKey = "smoke-expect";
    public const string ArgsKey = "args";
    public const string EnvKey = "env";
    public const string EmulatorNetworkKey = "emulator-network";

    private static readonly string[] Keys = [CLibrariesKey, ServiceKey, SmokeUrlKey, SmokeExpectKey, ArgsKey, EnvKey, EmulatorNetworkKey];
    private static readonly string[] EmulatorNetworks = ["isolated", "nat"];

    /// <summary>The C libraries <paramref name="appDir"/>'s Cargo.toml declares; none when it declares none (or has no Cargo.toml: cargo says so).</summary>
    public static IReadOnlyList<DeclaredCLibrary> CLibrariesOf(string appDir) => SettingsOf(appDir).CLibraries;

    /// <summary>What <paramref name="appDir"/>'s Cargo.toml says to crossboard; <see cref="AppSettings.None"/> without one.</summary>
    /// <remarks>
    /// Read once per version of the file: the cargo stage, the emulator's tasks and Deploy each ask
    /// (some of them twice) in one run; the file's size and write time tell an edited one apart.
    /// </remarks>
    public static AppSettings SettingsOf(string appDir)
    {
        var path = Path.GetFullPath(Path.Combine(appDir, "Cargo.toml"));
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            return AppSettings.None;
        }

        var version = (file.Length, file.LastWriteTimeUtc.Ticks);
        if (Parsed.TryGetValue(path, out var known) && known.Version == version)
        {
            return known.Settings;
        }

        var settings = Read(File.ReadAllText(path), path);
        Parsed[path] = (version, settings);
        return settings;
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, ((long, long) Version, AppSettings Settings)> Parsed = new(StringComparer.Ordinal);

    public static IReadOnlyList<DeclaredCLibrary> ReadCLibraries(string text, string path) => Read(text, path).CLibraries;

    public static AppSettings Read(string text, string path)
    {
        var document = SyntaxParser.Parse(text, path, validate: true);
        if (document.HasErrors)
        {
            // Bad input (exit 2), each error at its place (a CI annotation too).
            var errors = document.Diagnostics.Where(d => d.Kind == DiagnosticMessageKind.Error)
                .Select(d => new SourceProblem(path, d.Span.Start.Line + 1, d.Span.Start.Column + 1, d.Message)).ToList();
            throw new InputException($"{path} is not valid TOML:{Environment.NewLine}{string.Join(Environment.NewLine, errors.Select(e => $"  {e.File}({e.Line},{e.Column}): {e.Message}"))}" +
                $"{Environment.NewLine}Fix the file (cargo reads it too).")
            {
                Problems = errors,
            };
        }

        var problems = new List<SourceProblem>();
        void Problem(SourceSpan span, string message) => problems.Add(new SourceProblem(path, span.Start.Line + 1, span.Start.Column + 1, message));
        var declared = new List<DeclaredCLibrary>();
        var strings = new Dictionary<string, AppValue>();
        var environment = new List<KeyValuePair<string, string>>();
        List<string>? arguments = null;
        var prefix = Table.Split('.');
        foreach (var (keyPath, value, keySpan) in Leaves(document))
        {
            if (keyPath.Length <= prefix.Length || !keyPath.Take(prefix.Length).SequenceEqual(prefix))
            {
                continue;
            }

            var key = string.Join('.', keyPath.Skip(prefix.Length));
            if (keyPath.Length == prefix.Length + 2 && keyPath[prefix.Length] == EnvKey)
            {
                var variable = keyPath[^1];
                if (!Deploy.AppLaunch.IsName(variable))
                {
                    Problem(keySpan, $"'{variable}' is not an environment variable name: use letters, digits and _, not starting with a digit.");
                }
                else if (value is not StringValueSyntax { Value: { } envValue })
                {
                    Problem(value.Span, $"{EnvKey}.{variable} must be a string, e.g. {variable} = \"value\".");
                }
                else
                {
                    environment.Add(new(variable, envValue));
                }

                continue;
            }

            if (key == ArgsKey)
            {
                if (value is not ArraySyntax argsArray || argsArray.Items.Any(i => i.Value is not StringValueSyntax))
                {
                    Problem(value.Span, $"{ArgsKey} must be a list of strings, e.g. {ArgsKey} = [\"--port\", \"8000\"].");
                }
                else
                {
                    arguments = argsArray.Items.Select(i => ((StringValueSyntax)i.Value!).Value ?? "").ToList();
                }

                continue;
            }

            if (key == EnvKey)
            {
                Problem(value.Span, $"{EnvKey} must be a table of strings, e.g. {EnvKey} = {{ DATABASE_URL = \"postgresql://host/db\" }} or a [{Table}.{EnvKey}] table.");
                continue;
            }

            if (!Keys.Contains(key))
            {
                Problem(keySpan, $"[{Table}] has no key '{key}'.{Recipes.NameSuggestions.Hint(key, Keys)} It knows: {string.Join(", ", Keys)}.");
                continue;
            }

            if (key != CLibrariesKey)
            {
                var at = new SourceProblem(path, value.Span.Start.Line + 1, value.Span.Start.Column + 1, "");
                if (value is not StringValueSyntax { Value: { } text2 })
                {
                    Problem(value.Span, $"{key} must be a string, e.g. {key} = \"{(key == ServiceKey ? "none" : key == SmokeUrlKey ? "http://{host}:8000/" : "hello")}\".");
                }
                else if (key == ServiceKey && !Deploy.ServiceStyle.All.Contains(text2))
                {
                    Problem(value.Span, $"service '{text2}' is none of {string.Join(", ", Deploy.ServiceStyle.All)}.{Recipes.NameSuggestions.Hint(text2, Deploy.ServiceStyle.All)} " +
                        "(procd or systemd only where the board's init is that; background: started detached; none: Run starts it).");
                }
                else if (key == EmulatorNetworkKey && !EmulatorNetworks.Contains(text2))
                {
                    Problem(value.Span, $"{EmulatorNetworkKey} '{text2}' is neither isolated (the emulated device reaches nothing) nor nat (it reaches this machine at 10.0.2.2, and beyond).");
                }
                else if (key == SmokeUrlKey && !text2.Equals("none", StringComparison.OrdinalIgnoreCase) && SmokeUrlProblem(text2) is { } why)
                {
                    Problem(value.Span, why);
                }
                else
                {
                    strings[key] = new AppValue(text2, at);
                }

                continue;
            }

            if (value is not ArraySyntax array || array.Items.Any(i => i.Value is not StringValueSyntax))
            {
                Problem(value.Span, $"{CLibrariesKey} must be a list of C library names, e.g. {CLibrariesKey} = [\"sqlite3\"] (known: {string.Join(", ", CLibraries.Names)}).");
                continue;
            }

            foreach (var item in array.Items)
            {
                var name = ((StringValueSyntax)item.Value!).Value ?? "";
                if (CLibraries.Find(name) is not { } library)
                {
                    var hint = CLibraries.Suggest(name) is { } suggestion ? $" Did you mean '{suggestion}'?" : "";
                    Problem(item.Value!.Span, $"'{name}' is not a C library crossboard can provide.{hint} Known: {string.Join(", ", CLibraries.All.Select(l => $"{l.Name} ({l.What})"))}. " +
                        "Name one of them (the library's link name, as in -lsqlite3), or leave the library out of c-libraries and point the build at it yourself.");
                }
                else if (declared.Any(d => d.Library == library))
                {
                    Problem(item.Value!.Span, $"'{name}' is listed twice; list it once.");
                }
                else
                {
                    declared.Add(new DeclaredCLibrary(library, path, item.Value.Span.Start.Line + 1, item.Value.Span.Start.Column + 1));
                }
            }
        }

        if (problems.Count > 0)
        {
            throw new InputException((problems.Count == 1 ? $"The app's [{Table}] is wrong:" : $"{problems.Count} problems in the app's [{Table}]:") +
                Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => $"  {p.File}({p.Line},{p.Column}): {p.Message}")))
            {
                Problems = problems,
            };
        }

        return new AppSettings(declared, strings.GetValueOrDefault(ServiceKey), strings.GetValueOrDefault(SmokeUrlKey), strings.GetValueOrDefault(SmokeExpectKey),
            arguments, environment, strings.GetValueOrDefault(EmulatorNetworkKey));
    }

    private static string? SmokeUrlProblem(string url)
    {
        try
        {
            Deploy.SmokeCheck.Validate(url, SmokeUrlKey);
            return null;
        }
        catch (CrossboardException ex)
        {
            return ex.Message;
        }
    }

    /// <summary>Every key = value of the document by its full dotted path, inline tables opened.</summary>
    private static IEnumerable<(string[] Path, ValueSyntax Value, SourceSpan KeySpan)> Leaves(DocumentSyntax document)
    {
        var found = new List<(string[], ValueSyntax, SourceSpan)>();
        foreach (var keyValue in document.KeyValues)
        {
            Add([], keyValue, found);
        }

        foreach (var table in document.Tables)
        {
            if (table is TableArraySyntax || table.Name is null)
            {
                continue;
            }

            var prefix = CargoConfigFile.KeyParts(table.Name).ToArray();
            foreach (var keyValue in table.Items)
            {
                Add(prefix, keyValue, found);
            }
        }

        return found;
    }

    private static void Add(string[] prefix, KeyValueSyntax keyValue, List<(string[], ValueSyntax, SourceSpan)> found)
    {
        if (keyValue.Key is null || keyValue.Value is null)
        {
            return;
        }

        string[] path = [.. prefix, .. CargoConfigFile.KeyParts(keyValue.Key)];
        if (keyValue.Value is InlineTableSyntax inline)
        {
            foreach (var item in inline.Items)
            {
                if (item.KeyValue is { } inner)
                {
                    Add(path, inner, found);
                }
            }

            return;
        }

        found.Add((path, keyValue.Value, keyValue.Key.Span));
    }
}
