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
}
