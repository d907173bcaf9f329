using Crossboard.Cargo;
using Crossboard.Machine;
using Crossboard.Tests.Support;
using Tomlyn;

namespace Crossboard.Tests.Cargo;

/// <summary>
/// ConfigureCargo's edit of .cargo/config.toml: the board's [target.&lt;triple&gt;] keys are set, the
/// user's comments, tables and keys survive byte for byte, a second run changes nothing, and an
/// invalid file is reported with its position and left untouched. Cargo.toml is never written.
/// </summary>
[Tier(TestTier.Unit)]
public sealed class CargoConfigFileTests : IDisposable
{
    private static readonly CargoTargetSettings Mipsel = new(
        "mipsel-unknown-linux-gnu", "/usr/bin/mipsel-linux-gnu-gcc", ["-C", "target-feature=+crt-static"], ["qemu-mipsel", "-L", "/usr/mipsel-linux-gnu"], Static: true);

    private readonly TempDir _app = new("cargo-config");
    private readonly RecordingBuildLog _log = new();

    public CargoConfigFileTests()
    {
        _app.Write("Cargo.toml", "[package]\nname = \"app\"\nversion = \"0.1.0\"\n");
    }

    public void Dispose() => _app.Dispose();

    private string ConfigPath => CargoConfigFile.PathIn(_app.Path);

    [Fact]
    public void A_missing_file_is_created_with_the_board_table_and_a_note_on_who_maintains_it()
    {
        var change = CargoConfigFile.Apply(_app.Path, Mipsel, _log);

        Assert.Equal(CargoConfigChange.Created, change);
        Assert.Equal("""
            # crossboard (ConfigureCargo) keeps linker, rustflags and runner here in step with the board and toolchain.
            [target.mipsel-unknown-linux-gnu]
            linker = "/usr/bin/mipsel-linux-gnu-gcc"
            rustflags = ["-C", "target-feature=+crt-static"]
            runner = ["qemu-mipsel", "-L", "/usr/mipsel-linux-gnu"]

            """.ReplaceLineEndings("\n"), File.ReadAllText(ConfigPath));
    }

    [Fact]
    public void The_users_comments_other_targets_and_keys_survive_and_only_the_managed_keys_change()
    {
        var user = """
            # My cargo settings. Please keep this comment.
            [build]
            jobs = 2 # two jobs; the laptop is small

            [target.x86_64-unknown-linux-gnu]
            rustflags = ["-C", "target-cpu=native"]

            [target.mipsel-unknown-linux-gnu]
            # the old hand-written linker, from the seed
            linker = "mipsel-openwrt-linux-gcc" # from the SDK
            ar = "mipsel-openwrt-linux-ar"

            [alias]
            b = "build"
            """.ReplaceLineEndings("\n");
        _app.Write(".cargo/config.toml", user);
        var manifest = File.ReadAllText(Path.Combine(_app.Path, "Cargo.toml"));

        var change = CargoConfigFile.Apply(_app.Path, Mipsel, _log);

        Assert.Equal(CargoConfigChange.Updated, change);
        Assert.Equal("""
            # My cargo settings. Please keep this comment.
            [build]
            jobs = 2 # two jobs; the laptop is small

            [target.x86_64-unknown-linux-gnu]
            rustflags = ["-C", "target-cpu=native"]

            [target.mipsel-unknown-linux-gnu]
            # the old hand-written linker, from the seed
            linker = "/usr/bin/mipsel-linux-gnu-gcc" # from the SDK
            ar = "mipsel-openwrt-linux-ar"
            rustflags = ["-C", "target-feature=+crt-static"]
            runner = ["qemu-mipsel", "-L", "/usr/mipsel-linux-gnu"]

            [alias]
            b = "build"
            """.ReplaceLineEndings("\n"), File.ReadAllText(ConfigPath));
        Assert.Equal(manifest, File.ReadAllText(Path.Combine(_app.Path, "Cargo.toml")));

        // And cargo's reading of it (a TOML model) has every value where cargo looks for it.
        var model = (Tomlyn.Model.TomlTable)TomlSerializer.Deserialize<object>(File.ReadAllText(ConfigPath))!;
        var target = (Tomlyn.Model.TomlTable)((Tomlyn.Model.TomlTable)model["target"])["mipsel-unknown-linux-gnu"];
        Assert.Equal("/usr/bin/mipsel-linux-gnu-gcc", target["linker"]);
        Assert.Equal(2L, ((Tomlyn.Model.TomlTable)model["build"])["jobs"]);
    }

    [Fact]
    public void Running_twice_changes_nothing_the_second_time()
    {
        _app.Write(".cargo/config.toml", "[net]\noffline = true\n");
        Assert.Equal(CargoConfigChange.Updated, CargoConfigFile.Apply(_app.Path, Mipsel, _log));
        var first = File.ReadAllText(ConfigPath);
        var written = File.GetLastWriteTimeUtc(ConfigPath);
        File.SetLastWriteTimeUtc(ConfigPath, written.AddMinutes(-5));

        var change = CargoConfigFile.Apply(_app.Path, Mipsel, _log);

        Assert.Equal(CargoConfigChange.Unchanged, change);
        Assert.Equal(first, File.ReadAllText(ConfigPath));
        Assert.Equal(written.AddMinutes(-5), File.GetLastWriteTimeUtc(ConfigPath)); // not even rewritten
        Assert.StartsWith("[net]\noffline = true\n\n# crossboard", first);
    }

    [Fact]
    public void A_changed_board_setting_is_rewritten_in_place()
    {
        CargoConfigFile.Apply(_app.Path, Mipsel, _log);

        var change = CargoConfigFile.Apply(_app.Path, Mipsel with { Rustflags = [], Static = false }, _log);

        Assert.Equal(CargoConfigChange.Updated, change);
        var text = File.ReadAllText(ConfigPath);
        Assert.Contains("rustflags = []\n", text);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(text, @"\[target\.mipsel-unknown-linux-gnu\]"));
    }

    [Fact]
    public void Invalid_TOML_is_reported_with_its_line_and_column_and_the_file_is_left_untouched()
    {
        var broken = "[build]\njobs = 2\n\n[target.mipsel-unknown-linux-gnu\nlinker = \"gcc\"\n";
        _app.Write(".cargo/config.toml", broken);

        var error = Assert.Throws<CrossboardException>(() => CargoConfigFile.Apply(_app.Path, Mipsel, _log));

        Assert.Contains("The app's cargo configuration is not valid TOML, so crossboard did not change it:", error.Message);
        Assert.Matches($@"{System.Text.RegularExpressions.Regex.Escape(ConfigPath)}\(4,\d+\): ", error.Message);
        Assert.Contains("Fix the file", error.Message);
        Assert.Equal(broken, File.ReadAllText(ConfigPath));
        Assert.Single(Directory.GetFiles(Path.Combine(_app.Path, ".cargo"))); // no temp file left behind
    }

    [Fact]
    public void A_duplicate_key_is_invalid_too_and_named_with_its_position()
    {
        _app.Write(".cargo/config.toml", "[build]\njobs = 1\njobs = 2\n");

        var error = Assert.Throws<CrossboardException>(() => CargoConfigFile.Apply(_app.Path, Mipsel, _log));

        Assert.Contains($"{ConfigPath}(3,", error.Message);
    }

    [Fact]
    public void Target_settings_written_as_dotted_keys_are_refused_with_where_and_how_to_fix()
    {
        var dotted = "[target]\nmipsel-unknown-linux-gnu.linker = \"gcc\"\n";
        _app.Write(".cargo/config.toml", dotted);

        var error = Assert.Throws<CrossboardException>(() => CargoConfigFile.Apply(_app.Path, Mipsel, _log));

        Assert.Contains($"{ConfigPath}(2,1): 'target.mipsel-unknown-linux-gnu.linker' is set as a dotted key or inline table", error.Message);
        Assert.Contains("Move those settings under a [target.mipsel-unknown-linux-gnu] header", error.Message);
        Assert.Equal(dotted, File.ReadAllText(ConfigPath));
    }

    [Fact]
    public void A_build_script_override_sub_table_of_the_target_is_left_alone()
    {
        var user = "[target.mipsel-unknown-linux-gnu.pq]\nrustc-link-lib = [\"pq\"]\n";
        _app.Write(".cargo/config.toml", user);

        CargoConfigFile.Apply(_app.Path, Mipsel, _log);

        var text = File.ReadAllText(ConfigPath);
        Assert.StartsWith(user + "\n# crossboard", text);
        Assert.Contains("[target.mipsel-unknown-linux-gnu]\nlinker = ", text);
    }

    [Fact]
    public void A_file_without_a_final_newline_gets_the_table_on_its_own_lines()
    {
        _app.Write(".cargo/config.toml", "[alias]\nb = \"build\"");

        CargoConfigFile.Apply(_app.Path, Mipsel, _log);

        Assert.StartsWith("[alias]\nb = \"build\"\n\n# crossboard", File.ReadAllText(ConfigPath));
    }

    [Fact]
    public void The_old_config_name_is_renamed_to_config_toml_and_both_at_once_is_refused()
    {
        _app.Write(".cargo/config", "[alias]\nb = \"build\"\n");

        CargoConfigFile.Apply(_app.Path, Mipsel, _log);

        Assert.False(File.Exists(_app.Combine(".cargo", "config")));
        Assert.StartsWith("[alias]\nb = \"build\"\n", File.ReadAllText(ConfigPath));
        Assert.Contains("config.toml is the name current cargo expects", _log.Text);

        _app.Write(".cargo/config", "[alias]\nc = \"check\"\n");
        var error = Assert.Throws<CrossboardException>(() => CargoConfigFile.Apply(_app.Path, Mipsel, _log));
        Assert.Contains("has both 'config' (the old name) and 'config.toml'", error.Message);
    }

    [Fact]
    public void A_folder_without_Cargo_toml_is_not_taken_for_a_Rust_project()
    {
        using var empty = new TempDir("not-rust");

        var error = Assert.Throws<CrossboardException>(() => CargoConfigFile.Apply(empty.Path, Mipsel, _log));

        Assert.Contains("is not a Rust project (no Cargo.toml). Point --app=DIR", error.Message);
        Assert.False(Directory.Exists(Path.Combine(empty.Path, ".cargo")));
    }

    [Fact]
    public void Paths_and_triples_that_need_quoting_are_written_as_valid_TOML()
    {
        var odd = Mipsel with { Triple = "custom.target-x", Linker = "/opt/my \"sdk\"/gcc", Runner = ["C:\\qemu\\qemu-mipsel.exe"] };

        CargoConfigFile.Apply(_app.Path, odd, _log);

        var text = File.ReadAllText(ConfigPath);
        Assert.Contains("[target.\"custom.target-x\"]", text);
        Assert.Equal(CargoConfigChange.Unchanged, CargoConfigFile.Apply(_app.Path, odd, _log));
        var model = (Tomlyn.Model.TomlTable)TomlSerializer.Deserialize<object>(text)!;
        var target = (Tomlyn.Model.TomlTable)((Tomlyn.Model.TomlTable)model["target"])["custom.target-x"];
        Assert.Equal("/opt/my \"sdk\"/gcc", target["linker"]);
    }
}
