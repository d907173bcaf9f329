using Crossboard.Machine;
using Crossboard.Toolchains;

namespace Crossboard.Recipes;

/// <summary>
/// Every board and toolchain definition, loaded from the built-in folders and an optional extra
/// folder (a maintainer's private boards), validated as a whole: each file on its own, then the
/// references between them.
/// </summary>
public sealed class RecipeCatalog
{
    private static readonly string[] CpuArches = [.. CpuArchitectures.Names];
    private static readonly string[] FloatAbis = ["soft", "hard"];
    private static readonly string[] Libcs = ["musl", "gnu"];
    private static readonly string[] Inits = ["procd", "systemd", "none"];
    private static readonly string[] Oses = ["openwrt", "raspberry-pi-os", "debian"];
    /// <summary>How the app runs after deploy: an init script/unit, a background process, or not at all.</summary>
    private static readonly string[] Services = ["procd", "systemd", "background", "none"];

    private readonly Dictionary<string, Board> _boards = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, ToolchainDefinition> _toolchains = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<object, RecipeSource> _sources = new(ReferenceEqualityComparer.Instance);
    private readonly List<RecipeDiagnostic> _errors = new();
    private readonly List<string> _warnings = new();

    public IReadOnlyCollection<Board> Boards => _boards.Values;
    public IReadOnlyCollection<ToolchainDefinition> Toolchains => _toolchains.Values;
    public IReadOnlyList<RecipeDiagnostic> Errors => _errors;
    public IReadOnlyList<string> Warnings => _warnings;
    public int FileCount { get; private set; }

    /// <summary>
    /// Loads <paramref name="builtInRecipes"/> and <paramref name="builtInToolchains"/>, then the
    /// extra folder: its *.toml are boards, its toolchains/*.toml toolchain definitions; a name
    /// there replaces a built-in one, with a warning.
    /// </summary>
    public static RecipeCatalog Load(string builtInRecipes, string builtInToolchains, string? extraRecipes = null)
    {
        var catalog = new RecipeCatalog();
        catalog.LoadFolder(builtInToolchains, isToolchains: true, overriding: false);
        catalog.LoadFolder(builtInRecipes, isToolchains: false, overriding: false);
        if (extraRecipes is not null)
        {
            if (!Directory.Exists(extraRecipes))
            {
                throw new CrossboardException($"--recipes={extraRecipes}: no such folder.");
            }

            var extraToolchains = Path.Combine(extraRecipes, "toolchains");
            if (Directory.Exists(extraToolchains))
            {
                catalog.LoadFolder(extraToolchains, isToolchains: true, overriding: true);
            }

            catalog.LoadFolder(extraRecipes, isToolchains: false, overriding: true);
        }

        catalog.CheckReferences();
        return catalog;
    }

    private sealed record Preloading(string Recipes, string Toolchains, Task<RecipeCatalog> Catalog);

    private static Preloading? _preloading;

    /// <summary>
    /// Starts loading the built-in catalog on another thread, to be taken by <see cref="LoadOrTakePreloaded"/>:
    /// the program calls this first thing, so that reading and checking the recipes (mostly
    /// first-use costs of the TOML reader; bench/README.md, "The fast path") overlaps the Cake host's own start-up.
    /// </summary>
    public static void Preload(string builtInRecipes, string builtInToolchains) =>
        _preloading = new Preloading(builtInRecipes, builtInToolchains, Task.Run(() => Load(builtInRecipes, builtInToolchains)));

    /// <summary>
    /// What <see cref="Load"/> returns for these folders: the preloaded catalog when it was
    /// started for the same built-in folders and there is no extra folder (then it is the same
    /// files, read a few milliseconds earlier), else loaded now. The preloaded one is taken once.
    /// </summary>
    public static RecipeCatalog LoadOrTakePreloaded(string builtInRecipes, string builtInToolchains, string? extraRecipes)
    {
        var preloading = Interlocked.Exchange(ref _preloading, null);
        return preloading is not null && extraRecipes is null &&
               preloading.Recipes == builtInRecipes && preloading.Toolchains == builtInToolchains
            ? preloading.Catalog.GetAwaiter().GetResult()
            : Load(builtInRecipes, builtInToolchains, extraRecipes);
    }

    public void ThrowIfInvalid()
    {
        if (_errors.Count > 0)
        {
            throw new RecipeException(_errors);
        }
    }

    public Board GetBoard(string name)
    {
        if (_boards.TryGetValue(name, out var board))
        {
            return board;
        }

        throw new InputException(
            $"Unknown board '{name}'.{NameSuggestions.Hint(name, _boards.Keys)} Valid boards: {string.Join(", ", _boards.Keys.Order())}. " +
            "Run --target=Boards to see them, or add recipes/<name>.toml (README, \"Adding a board\").");
    }

    public ToolchainDefinition GetToolchain(string name)
    {
        if (_toolchains.TryGetValue(name, out var toolchain))
        {
            return toolchain;
        }

        throw new InputException(
            $"Unknown toolchain '{name}'.{NameSuggestions.Hint(name, _toolchains.Keys)} Valid toolchains: {string.Join(", ", _toolchains.Keys.Order())}.");
    }

    /// <summary>The toolchain for <paramref name="board"/>: <paramref name="requested"/> if given and allowed, else the board's default.</summary>
    public ToolchainDefinition ToolchainFor(Board board, string? requested)
    {
        var name = requested ?? board.Toolchain.Default;
        if (!board.Toolchain.Allowed.Contains(name, StringComparer.OrdinalIgnoreCase))
        {
            throw new InputException(
                $"Toolchain '{name}' cannot serve board '{board.Name}'.{NameSuggestions.Hint(name, board.Toolchain.Allowed)} " +
                $"It allows: {string.Join(", ", board.Toolchain.Allowed)} (see {board.SourceFile}).");
        }

        return GetToolchain(name);
    }

    /// <summary>The board's Rust target for a toolchain: the one whose libc is the toolchain's.</summary>
    public static string RustTargetFor(Board board, ToolchainDefinition toolchain) =>
        board.Rust.Targets.FirstOrDefault(t => TargetTriple.LibcOf(t) == toolchain.Libc)
        ?? throw new InputException(
            $"Board '{board.Name}' lists no Rust target for a {toolchain.Libc} toolchain ({toolchain.Name}); add one to [rust] targets in {board.SourceFile}.");

    private void LoadFolder(string folder, bool isToolchains, bool overriding)
    {
        if (!Directory.Exists(folder))
        {
            _errors.Add(new RecipeDiagnostic(folder, 1, 1, "folder not found"));
            return;
        }

        var seen = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var file in Directory.GetFiles(folder, "*.toml").Order(StringComparer.Ordinal))
        {
            FileCount++;
            if (isToolchains)
            {
                var definition = TomlRecordReader.Read<ToolchainDefinition>(file, _errors, out var source);
                if (definition is not null && CheckToolchain(definition, source))
                {
                    definition.SourceFile = file;
                    Add(_toolchains, definition.Name, definition, source, seen, overriding, "toolchain");
                }
            }
            else
            {
                var board = TomlRecordReader.Read<Board>(file, _errors, out var source);
                if (board is not null && CheckBoard(board, source))
                {
                    board.SourceFile = file;
                    Add(_boards, board.Name, board, source, seen, overriding, "board");
                }
            }
        }
    }

    private void Add<T>(Dictionary<string, T> into, string name, T item, RecipeSource source,
        Dictionary<string, string> seenInFolder, bool overriding, string what)
        where T : class
    {
        if (seenInFolder.TryGetValue(name, out var first))
        {
            _errors.Add(source.At("name", $"{what} '{name}' is already defined in {first}; names must be unique. Rename one of them."));
            return;
        }

        seenInFolder[name] = source.File;
        if (into.TryGetValue(name, out var builtIn))
        {
            if (!overriding)
            {
                _errors.Add(source.At("name", $"{what} '{name}' is already defined in {_sources[builtIn].File}; names must be unique."));
                return;
            }

            _warnings.Add($"{source.File}: {what} '{name}' overrides the built-in one from {_sources[builtIn].File}.");
        }

        into[name] = item;
        _sources[item] = source;
    }

    private bool CheckToolchain(ToolchainDefinition t, RecipeSource source)
    {
        var before = _errors.Count;
        CheckName(t.Name, source);
        OneOf(source, "kind", t.Kind, [.. ToolchainKinds.Names]);
        OneOf(source, "libc", t.Libc, Libcs);
        foreach (var kind in ToolchainKinds.All)
        {
            var table = kind.TableOf(t);
            if (kind.Name == t.Kind && table is null)
            {
                _errors.Add(source.At("kind", $"kind = \"{t.Kind}\" needs a [{kind.Name}] table."));
            }
            else if (kind.Name != t.Kind && table is not null && ToolchainKinds.Find(t.Kind) is not null)
            {
                _errors.Add(source.At(kind.Name, $"[{kind.Name}] does not belong in a toolchain of kind \"{t.Kind}\"; remove it or change kind."));
            }
        }

        foreach (var (key, message) in ToolchainKinds.Find(t.Kind)?.Check(t) ?? [])
        {
            _errors.Add(source.At(key, message));
        }

        return _errors.Count == before;
    }

    private bool CheckBoard(Board b, RecipeSource source)
    {
        var before = _errors.Count;
        CheckName(b.Name, source);
        OneOf(source, "cpu.arch", b.Cpu.Arch, CpuArches);
        OneOf(source, "cpu.float-abi", b.Cpu.FloatAbi, FloatAbis);
        OneOf(source, "system.os", b.System.Os, Oses);
        OneOf(source, "system.libc", b.System.Libc, Libcs);
        OneOf(source, "system.init", b.System.Init, Inits);
        OneOf(source, "deploy.service", b.Deploy.Service, Services);
        Positive(source, "memory.ram-mb", b.Memory.RamMb);
        Positive(source, "memory.app-budget-kb", b.Memory.AppBudgetKb);
        if (b.Memory.FlashMb > 0 && b.Memory.AppBudgetKb > b.Memory.FlashMb * 1024)
        {
            _errors.Add(source.At("memory.app-budget-kb", $"app-budget-kb ({b.Memory.AppBudgetKb}) is larger than the flash ({b.Memory.FlashMb} MB)."));
        }

        if (b.Deploy.Service is "procd" or "systemd" && b.Deploy.Service != b.System.Init)
        {
            _errors.Add(source.At("deploy.service", $"service = \"{b.Deploy.Service}\" needs a device whose init is {b.Deploy.Service}, but [system] init = \"{b.System.Init}\"."));
        }

        if (!b.Deploy.InstallDir.StartsWith('/'))
        {
            _errors.Add(source.At("deploy.install-dir", $"install-dir '{b.Deploy.InstallDir}' must be an absolute path on the device."));
        }

        if (b.Rust.Targets.Count == 0)
        {
            _errors.Add(source.At("rust.targets", "targets must list at least one Rust target triple."));
        }

        foreach (var triple in b.Rust.Targets)
        {
            if (!TargetTriple.IsKnown(triple))
            {
                _errors.Add(source.At("rust.targets", $"'{triple}' is not a Rust Linux target triple.{NameSuggestions.Hint(triple, TargetTriple.KnownLinuxTargets)}"));
            }
            else if (TargetTriple.CpuArchOf(triple) != b.Cpu.Arch && CpuArches.Contains(b.Cpu.Arch))
            {
                _errors.Add(source.At("rust.targets", $"'{triple}' builds for {TargetTriple.CpuArchOf(triple)}, but the board's [cpu] arch is {b.Cpu.Arch}."));
            }
        }

        if (b.Openwrt is { } openwrt && string.IsNullOrEmpty(openwrt.Device) == string.IsNullOrEmpty(openwrt.Profile))
        {
            _errors.Add(source.At("openwrt", "[openwrt] needs exactly one of device (e.g. onion_omega2p) or profile (e.g. Default)."));
        }

        if (b.Openwrt is { } ow)
        {
            foreach (var line in ow.Config.Where(l => !IsSeedLine(l)))
            {
                _errors.Add(source.At("openwrt.config", $"'{line}' is not a seed line: write CONFIG_NAME=value or '# CONFIG_NAME is not set'."));
            }
        }

        if (b.Emulator is { } emulator)
        {
            Positive(source, "emulator.memory-mb", emulator.MemoryMb);
            if (CpuArchitectures.Find(b.Cpu.Arch)?.DebianArch is { } debianArch && emulator.DebianArch != debianArch)
            {
                _errors.Add(source.At("emulator.debian-arch", $"debian-arch '{emulator.DebianArch}' does not match the board's CPU ({b.Cpu.Arch} is Debian's {debianArch})."));
            }
        }

        if (!b.Toolchain.Allowed.Contains(b.Toolchain.Default, StringComparer.OrdinalIgnoreCase))
        {
            _errors.Add(source.At("toolchain.default", $"default toolchain '{b.Toolchain.Default}' is not in allowed ({string.Join(", ", b.Toolchain.Allowed)})."));
        }

        return _errors.Count == before;
    }

    /// <summary>References across files: a board's toolchains exist and can serve it.</summary>
    private void CheckReferences()
    {
        foreach (var board in _boards.Values)
        {
            var source = _sources[board];
            foreach (var name in board.Toolchain.Allowed)
            {
                if (!_toolchains.TryGetValue(name, out var toolchain))
                {
                    _errors.Add(source.At("toolchain.allowed",
                        $"toolchain '{name}' does not exist.{NameSuggestions.Hint(name, _toolchains.Keys)} Known: {string.Join(", ", _toolchains.Keys.Order())}."));
                    continue;
                }

                if (!board.Rust.Targets.Any(t => TargetTriple.LibcOf(t) == toolchain.Libc))
                {
                    _errors.Add(source.At("rust.targets", $"toolchain '{name}' links against {toolchain.Libc}, but no target in [rust] targets is a {toolchain.Libc} one."));
                }

                foreach (var problem in ToolchainKinds.Find(toolchain.Kind)?.CheckBoard(board, toolchain) ?? [])
                {
                    _errors.Add(source.At("toolchain.allowed", problem));
                }
            }
        }
    }

    private void CheckName(string name, RecipeSource source)
    {
        if (name.Length == 0 || !name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '.' or '_'))
        {
            _errors.Add(source.At("name", $"name '{name}' must be lower-case letters, digits, '-', '.' or '_' (it is typed as --board=<name>)."));
        }
    }

    private void OneOf(RecipeSource source, string path, string value, string[] valid)
    {
        if (!valid.Contains(value))
        {
            _errors.Add(source.At(path, $"'{value}' is not a valid {path.Split('.')[^1]}.{NameSuggestions.Hint(value, valid)} Valid: {string.Join(", ", valid)}."));
        }
    }

    private void Positive(RecipeSource source, string path, int value)
    {
        if (value <= 0)
        {
            _errors.Add(source.At(path, $"{path.Split('.')[^1]} must be a positive number, not {value}."));
        }
    }

    internal static bool IsSeedLine(string line) =>
        System.Text.RegularExpressions.Regex.IsMatch(line, @"^(CONFIG_[A-Za-z0-9_]+=.+|# CONFIG_[A-Za-z0-9_]+ is not set)$");
}
