using Crossboard.Recipes;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Recipes;

[Tier(TestTier.Unit)]
public sealed class RecipeCatalogTests : IDisposable
{
    private readonly TempDir _dir = new("recipes");

    public void Dispose() => _dir.Dispose();

    /// <summary>A valid board file; tests break one thing in it at a time.</summary>
    internal const string ValidBoard = """
        name = "testboard"
        description = "A board for tests"

        [cpu]
        core = "MIPS 24KEc"
        arch = "mipsel"
        isa = "mips32r2"
        float-abi = "soft"

        [memory]
        ram-mb = 64
        flash-mb = 16
        app-budget-kb = 4096

        [system]
        os = "openwrt"
        libc = "musl"
        init = "procd"

        [openwrt]
        target = "ramips"
        subtarget = "mt76x8"
        device = "onion_omega2"
        arch = "mipsel_24kc"

        [rust]
        targets = ["mipsel-unknown-linux-musl", "mipsel-unknown-linux-gnu"]

        [toolchain]
        default = "debian-mipsel"
        allowed = ["debian-mipsel", "openwrt-24.10"]

        [deploy]
        user = "root"
        install-dir = "/usr/bin"
        service = "procd"
        """;

    private RecipeCatalog LoadExtra(string boardText, string file = "testboard.toml")
    {
        var extra = _dir.Combine("extra");
        _dir.Write(Path.Combine("extra", file), boardText);
        return RecipeCatalog.Load(RepoPaths.Recipes, RepoPaths.Toolchains, extra);
    }

    private static RecipeDiagnostic Single(RecipeCatalog catalog)
    {
        Assert.True(catalog.Errors.Count == 1, "expected one error, got: " + string.Join(" | ", catalog.Errors));
        return catalog.Errors[0];
    }

    [Fact]
    public void Built_in_recipes_and_toolchains_are_valid()
    {
        var catalog = RecipeCatalog.Load(RepoPaths.Recipes, RepoPaths.Toolchains);

        Assert.Empty(catalog.Errors);
        Assert.Superset(new HashSet<string> { "omega2", "omega2p", "malta-le", "rpi-zero", "rpi2", "rpi3" },
            catalog.Boards.Select(b => b.Name).ToHashSet());
        var omega2p = catalog.GetBoard("omega2p");
        Assert.Equal("onion_omega2p", omega2p.Openwrt!.Device);
        Assert.Equal(128, omega2p.Memory.RamMb);
        Assert.Equal("mipsel-unknown-linux-musl", RecipeCatalog.RustTargetFor(omega2p, catalog.GetToolchain("openwrt-24.10")));
        Assert.Equal("mipsel-unknown-linux-gnu", RecipeCatalog.RustTargetFor(omega2p, catalog.GetToolchain("debian-mipsel")));
        Assert.Equal("v24.10.8", catalog.GetToolchain("openwrt-24.10").Source!.Ref);
        Assert.Equal("24KEc", catalog.GetBoard("malta-le").Emulator!.Cpu);
    }

    [Fact]
    public void Boards_of_one_OpenWrt_arch_share_it()
    {
        var catalog = RecipeCatalog.Load(RepoPaths.Recipes, RepoPaths.Toolchains);

        Assert.All(new[] { "omega2", "omega2p", "malta-le" }, b => Assert.Equal("mipsel_24kc", catalog.GetBoard(b).Openwrt!.Arch));
    }

    [Fact]
    public void A_valid_extra_board_loads()
    {
        var catalog = LoadExtra(ValidBoard);

        Assert.Empty(catalog.Errors);
        Assert.Equal("A board for tests", catalog.GetBoard("testboard").Description);
    }

    [Fact]
    public void Malformed_toml_gives_its_position()
    {
        var error = Single(LoadExtra(ValidBoard.Replace("ram-mb = 64", "ram-mb = ")));

        Assert.EndsWith("testboard.toml", error.File);
        Assert.Equal(11, error.Line);
        Assert.Contains("expecting a value", error.Message);
    }

    [Fact]
    public void Unknown_key_is_refused_with_a_suggestion()
    {
        var error = Single(LoadExtra(ValidBoard.Replace("flash-mb = 16", "flash-mbb = 16")));

        Assert.Equal((12, 1), (error.Line, error.Column));
        Assert.Equal("unknown key 'flash-mbb' in [memory]. Did you mean 'flash-mb'?", error.Message);
    }

    [Fact]
    public void Unknown_table_is_refused()
    {
        var error = Single(LoadExtra(ValidBoard + "\n[deplo]\nuser = \"x\"\n"));

        Assert.Equal(37, error.Line);
        Assert.Contains("unknown key 'deplo' at the top level. Did you mean 'deploy'?", error.Message);
    }

    [Fact]
    public void Missing_required_key_and_table_are_named()
    {
        var catalog = LoadExtra(ValidBoard.Replace("isa = \"mips32r2\"\n", "").Replace("[deploy]\nuser = \"root\"\ninstall-dir = \"/usr/bin\"\nservice = \"procd\"", ""));

        Assert.Equal(2, catalog.Errors.Count);
        Assert.Contains(catalog.Errors, e => e.Message.StartsWith("missing required key 'isa' in [cpu]") && e.Line == 4);
        Assert.Contains(catalog.Errors, e => e.Message.StartsWith("missing required table [deploy]") && e.Line == 1);
    }

    [Fact]
    public void Wrong_type_is_refused_at_the_value()
    {
        var error = Single(LoadExtra(ValidBoard.Replace("ram-mb = 64", "ram-mb = \"64\"")));

        Assert.Equal(11, error.Line);
        Assert.Equal("'memory.ram-mb' must be an integer, not a string.", error.Message);
    }

    [Fact]
    public void Reference_to_a_missing_toolchain_is_refused_with_a_suggestion()
    {
        var error = Single(LoadExtra(ValidBoard.Replace("allowed = [\"debian-mipsel\", \"openwrt-24.10\"]", "allowed = [\"debian-mipsel\", \"openwrt-24.01\"]")));

        Assert.Equal(31, error.Line);
        Assert.StartsWith("toolchain 'openwrt-24.01' does not exist. Did you mean 'openwrt-24.10'?", error.Message);
    }

    [Fact]
    public void Invalid_target_triple_is_refused_with_a_suggestion()
    {
        var error = Single(LoadExtra(ValidBoard.Replace("\"mipsel-unknown-linux-musl\",", "\"mipsel-unkown-linux-musl\",")));

        Assert.Equal(27, error.Line);
        Assert.Equal("'mipsel-unkown-linux-musl' is not a Rust Linux target triple. Did you mean 'mipsel-unknown-linux-musl'?", error.Message);
    }

    [Fact]
    public void Triple_for_another_cpu_is_refused()
    {
        var error = Single(LoadExtra(ValidBoard.Replace("\"mipsel-unknown-linux-gnu\"]", "\"armv7-unknown-linux-gnueabihf\"]")));

        Assert.Contains("builds for arm, but the board's [cpu] arch is mipsel", error.Message);
    }

    [Fact]
    public void Two_boards_with_one_name_in_a_folder_are_refused()
    {
        _dir.Write(Path.Combine("extra", "a.toml"), ValidBoard);
        var catalog = LoadExtra(ValidBoard, "b.toml");

        var error = Single(catalog);
        Assert.EndsWith("b.toml", error.File);
        Assert.Equal(1, error.Line);
        Assert.Contains("board 'testboard' is already defined in", error.Message);
        Assert.Contains("a.toml", error.Message);
    }

    [Fact]
    public void An_extra_board_overrides_a_built_in_one_with_a_warning()
    {
        var catalog = LoadExtra(ValidBoard.Replace("name = \"testboard\"", "name = \"omega2\""), "omega2.toml");

        Assert.Empty(catalog.Errors);
        Assert.Equal("A board for tests", catalog.GetBoard("omega2").Description);
        var warning = Assert.Single(catalog.Warnings);
        Assert.Contains("board 'omega2' overrides the built-in one", warning);
    }

    [Fact]
    public void Default_toolchain_must_be_allowed_and_enums_are_checked()
    {
        var catalog = LoadExtra(ValidBoard
            .Replace("default = \"debian-mipsel\"", "default = \"openwrt-sdk-24.10\"")
            .Replace("float-abi = \"soft\"", "float-abi = \"sfot\""));

        Assert.Equal(2, catalog.Errors.Count);
        Assert.Contains(catalog.Errors, e => e.Message == "'sfot' is not a valid float-abi. Did you mean 'soft'? Valid: soft, hard.");
        Assert.Contains(catalog.Errors, e => e.Message.StartsWith("default toolchain 'openwrt-sdk-24.10' is not in allowed"));
    }

    [Fact]
    public void Toolchain_of_another_arch_is_refused()
    {
        var error = Single(LoadExtra(ValidBoard.Replace("allowed = [\"debian-mipsel\", \"openwrt-24.10\"]", "allowed = [\"debian-mipsel\", \"debian-armhf\"]")));

        Assert.Contains("toolchain 'debian-armhf' builds for Debian's armhf, but the board's CPU is mipsel", error.Message);
    }

    [Fact]
    public void Toolchain_definition_needs_the_section_of_its_kind()
    {
        var extra = _dir.Combine("extra");
        _dir.Write(Path.Combine("extra", "toolchains", "broken.toml"), """
            name = "broken"
            description = "x"
            kind = "debian"
            libc = "gnu"

            [openwrt-source]
            git = "https://example.invalid/openwrt.git"
            ref = "v1"
            """);
        var catalog = RecipeCatalog.Load(RepoPaths.Recipes, RepoPaths.Toolchains, extra);

        Assert.Equal(2, catalog.Errors.Count);
        Assert.Contains(catalog.Errors, e => e.Message == "kind = \"debian\" needs a [debian] table." && e.Line == 3);
        Assert.Contains(catalog.Errors, e => e.Message.StartsWith("[openwrt-source] does not belong") && e.Line == 6);
    }

    [Fact]
    public void Unknown_board_lists_the_valid_ones_and_suggests()
    {
        var catalog = RecipeCatalog.Load(RepoPaths.Recipes, RepoPaths.Toolchains);

        var ex = Assert.Throws<InputException>(() => catalog.GetBoard("omega2pp"));
        Assert.Contains("Did you mean 'omega2p'?", ex.Message);
        Assert.Contains("malta-le, omega2, omega2p, rpi-zero, rpi2, rpi3", ex.Message);
    }
}
