using Crossboard.Cargo;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Cargo;

/// <summary>
/// How the app runs is the app's setting ([package.metadata.crossboard] in its Cargo.toml), with
/// the board's [deploy] as defaults: read with each value's place, checked, wrong ones named at their line.
/// </summary>
[Tier(TestTier.Unit)]
public sealed class AppSettingsTests
{
    [Fact]
    public void Service_and_smoke_check_are_read_with_their_places()
    {
        const string manifest = "[package]\nname = \"rg\"\n\n[package.metadata.crossboard]\nservice = \"none\"\nsmoke-url = \"none\"\nsmoke-expect = \"ok\"\nc-libraries = [\"z\"]\n";

        var settings = AppManifest.Read(manifest, "/app/Cargo.toml");

        Assert.Equal("none", settings.Service!.Value);
        Assert.Equal(("/app/Cargo.toml", 5, 11), (settings.Service.At.File, settings.Service.At.Line, settings.Service.At.Column));
        Assert.Equal("none", settings.SmokeUrl!.Value);
        Assert.Equal("ok", settings.SmokeExpect!.Value);
        Assert.Equal("z", Assert.Single(settings.CLibraries).Library.Name);
        Assert.Same(AppSettings.None.CLibraries, AppSettings.None.CLibraries);
        Assert.Null(AppManifest.Read("[package]\nname = \"x\"\n", "Cargo.toml").Service); // the board's then
    }

    [Fact]
    public void Wrong_values_are_named_at_their_line_with_what_fits()
    {
        var error = Assert.Throws<InputException>(() => AppManifest.Read(
            "[package.metadata.crossboard]\nservice = \"daemon\"\nsmoke-url = \"ftp://{host}/\"\nsmoke-expect = 42\n", "/app/Cargo.toml"));

        Assert.Contains("3 problems in the app's [package.metadata.crossboard]", error.Message);
        Assert.Contains("/app/Cargo.toml(2,11): service 'daemon' is none of procd, systemd, background, none.", error.Message);
        Assert.Contains("/app/Cargo.toml(3,13):", error.Message);
        Assert.Contains("/app/Cargo.toml(4,16): smoke-expect must be a string", error.Message);
        Assert.Equal([2, 3, 4], error.Problems.Select(p => p.Line));
    }

    [Fact]
    public void Arguments_environment_and_emulator_network_are_the_apps()
    {
        const string manifest = "[package]\nname = \"s\"\n\n[package.metadata.crossboard]\nargs = [\"--listen\", \"0.0.0.0:8000\"]\nemulator-network = \"nat\"\n\n" +
            "[package.metadata.crossboard.env]\nDATABASE_URL = \"postgresql://sensor@10.0.2.2/sensors\"\nLOG_LEVEL = \"debug\"\n";

        var settings = AppManifest.Read(manifest, "/app/Cargo.toml");

        Assert.Equal(["--listen", "0.0.0.0:8000"], settings.Arguments);
        Assert.Equal([new("DATABASE_URL", "postgresql://sensor@10.0.2.2/sensors"), new("LOG_LEVEL", "debug")], settings.Environment);
        Assert.Equal("nat", settings.EmulatorNetwork!.Value);
        // The inline form reads the same.
        var inline = AppManifest.Read("[package.metadata.crossboard]\nenv = { A_1 = \"x\" }\n", "/app/Cargo.toml");
        Assert.Equal([new("A_1", "x")], inline.Environment);
        Assert.Null(inline.Arguments);
    }

    [Fact]
    public void Wrong_arguments_environment_and_network_are_named_at_their_line()
    {
        var error = Assert.Throws<InputException>(() => AppManifest.Read(
            "[package.metadata.crossboard]\nargs = \"--verbose\"\nemulator-network = \"bridge\"\n\n[package.metadata.crossboard.env]\n1BAD = \"x\"\nPORT = 8000\n",
            "/app/Cargo.toml"));
        var notTable = Assert.Throws<InputException>(() => AppManifest.Read("[package.metadata.crossboard]\nenv = \"A=1\"\n", "/app/Cargo.toml"));

        Assert.Contains("4 problems", error.Message);
        Assert.Contains("/app/Cargo.toml(2,8): args must be a list of strings", error.Message);
        Assert.Contains("/app/Cargo.toml(3,20): emulator-network 'bridge' is neither isolated", error.Message);
        Assert.Contains("/app/Cargo.toml(6,1): '1BAD' is not an environment variable name", error.Message);
        Assert.Contains("/app/Cargo.toml(7,8): env.PORT must be a string", error.Message);
        Assert.Contains("/app/Cargo.toml(2,7): env must be a table of strings", notTable.Message);
    }

    [Fact]
    public void A_Cargo_toml_that_is_not_TOML_is_bad_input_at_its_line()
    {
        var error = Assert.Throws<InputException>(() => AppManifest.Read("[package]\nname = \"x\"\n[package.metadata.crossboard\n", "/app/Cargo.toml"));

        Assert.StartsWith("/app/Cargo.toml is not valid TOML:", error.Message);
        Assert.Equal(3, Assert.Single(error.Problems).Line);
    }
}
