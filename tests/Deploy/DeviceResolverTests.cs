using Crossboard.Deploy;
using Crossboard.Machine;
using Crossboard.Recipes;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Deploy;

/// <summary>--device, ~/.ssh/config aliases and recipe defaults into a DeviceTarget (no network needed).</summary>
[Tier(TestTier.Unit)]
public sealed class DeviceResolverTests : IDisposable
{
    private readonly TempDir _home = new("resolver");
    private static readonly DeployDefaults Defaults = new() { User = "root", Port = 22, InstallDir = "/usr/bin", Service = "procd" };

    public void Dispose() => _home.Dispose();

    private DeviceResolver Resolver(Func<DeviceTarget>? emulator = null) => new(Defaults, _home.Path, emulator);

    [Theory]
    [InlineData("192.168.3.1", null, "192.168.3.1", null)]
    [InlineData("pi@raspberrypi.local:2222", "pi", "raspberrypi.local", 2222)]
    [InlineData("omega-1234.local", null, "omega-1234.local", null)]
    [InlineData("[fe80::1]:22", null, "fe80::1", 22)]
    [InlineData("root@fe80::1", "root", "fe80::1", null)]
    [InlineData("a@b@10.0.0.1", "a@b", "10.0.0.1", null)]
    public void Parses_user_host_and_port(string device, string? user, string host, int? port)
    {
        Assert.Equal((user, host, port), DeviceResolver.Parse(device));
    }

    [Theory]
    [InlineData("root@", "the host is empty")]
    [InlineData("@host", "the user before '@' is empty")]
    [InlineData("host:0", "the port '0' is not a number between 1 and 65535")]
    [InlineData("host:ssh", "the port 'ssh' is not a number")]
    [InlineData("[::1", "'[' without ']'")]
    public void Bad_devices_are_clear_errors(string device, string why)
    {
        var error = Assert.Throws<CrossboardException>(() => Resolver().Resolve(device));
        Assert.Contains($"--device={device}: {why}", error.Message);
        Assert.Contains("Give [user@]host[:port]", error.Message);
    }

    [Fact]
    public void Recipe_defaults_fill_what_the_device_string_leaves_out_and_default_keys_are_found()
    {
        var key = _home.Write(".ssh/id_ecdsa", "key");

        var target = Resolver().Resolve("10.0.0.7");

        Assert.Equal(("10.0.0.7", "10.0.0.7", 22, "root"), (target.Name, target.Host, target.Port, target.User));
        Assert.Equal([key], target.IdentityFiles);
        Assert.Null(target.HostKeyPin);
        Assert.Null(target.KnownHostsFile);
    }

    [Fact]
    public void An_ssh_config_alias_gives_hostname_user_port_identity_and_known_hosts()
    {
        var key = _home.Write(".ssh/omega_key", "key");
        _home.Write(".ssh/extra.conf", "Host omega\n  IdentityFile ~/.ssh/missing_key\n");
        _home.Write(".ssh/config",
            "# my devices\n" +
            "Host omega omega2\n" +
            "    HostName 192.168.3.1\n" +
            "    Port=2222\n" +
            "    IdentityFile %d/.ssh/omega_key\n" +
            "    UserKnownHostsFile ~/.ssh/devices_known_hosts ~/.ssh/other\n" +
            "Include extra.conf\n" +
            "Host !pi *\n" +
            "    User admin\n" +
            "    Port 22\n" +
            "    HostName ignored.example\n");

        var target = Resolver().Resolve("omega");

        Assert.Equal(("omega", "192.168.3.1", 2222, "admin"), (target.Name, target.Host, target.Port, target.User));
        Assert.Equal([key], target.IdentityFiles);
        Assert.Equal(Path.Combine(_home.Path, ".ssh", "devices_known_hosts"), target.KnownHostsFile);
    }

    [Fact]
    public void The_command_line_wins_over_ssh_config_and_identity_comes_first()
    {
        var own = _home.Write("keys/deploy", "key");
        var configured = _home.Write(".ssh/id_pi", "key");
        _home.Write(".ssh/config", "Host pi\n HostName 10.1.1.1\n User pi\n Port 2200\n IdentityFile ~/.ssh/id_pi\nHost pi*\n User nobody\n");

        var target = Resolver().Resolve("root@pi:22", identity: own, hostKeyPin: "SHA256:" + new string('x', 43) + "=");

        Assert.Equal(("10.1.1.1", 22, "root"), (target.Host, target.Port, target.User));
        Assert.Equal([own, configured], target.IdentityFiles);
        Assert.Equal("SHA256:" + new string('x', 43), target.HostKeyPin);
    }

    [Fact]
    public void A_negated_pattern_keeps_a_host_out_of_a_block()
    {
        _home.Write(".ssh/config", "Host * !lab-*\n User remote\nHost *\n User fallback\n");

        Assert.Equal("fallback", Resolver().Resolve("lab-7").User);
        Assert.Equal("remote", Resolver().Resolve("office-1").User);
    }

    [Fact]
    public void A_missing_identity_file_and_a_malformed_pin_are_clear_errors()
    {
        var missing = Assert.Throws<CrossboardException>(() => Resolver().Resolve("host", identity: "~/nope"));
        var pin = Assert.Throws<CrossboardException>(() => Resolver().Resolve("host", hostKeyPin: "MD5:aa:bb"));

        Assert.Contains($"--identity=~/nope: no such file ({Path.Combine(_home.Path, "nope")})", missing.Message);
        Assert.Contains("--host-key=MD5:aa:bb is not an SHA256 fingerprint", pin.Message);
    }

    [Fact]
    public void The_emulator_comes_from_the_injected_resolver_and_is_refused_clearly_without_one()
    {
        var emulated = new DeviceTarget("emulator", "127.0.0.1", 40022, "root", ["/keys/emu"], "SHA256:" + new string('e', 43), null,
            new Dictionary<int, int> { [8000] = 40080 });

        var viaName = Resolver(() => emulated).Resolve("emulator");
        var byDefault = Resolver(() => emulated).Resolve(null);
        var missingExplicit = Assert.Throws<CrossboardException>(() => Resolver().Resolve("emulator"));
        var missingDefault = Assert.Throws<CrossboardException>(() => Resolver().Resolve(null));

        Assert.Equal(emulated, viaName);
        Assert.Equal(emulated, byDefault);
        Assert.Equal(40080, viaName.Reach(8000));
        Assert.Contains("--device=emulator needs the emulated device, but the emulator stage is not part of this build", missingExplicit.Message);
        Assert.Contains("No --device was given, so Deploy targets the emulated device", missingDefault.Message);
        Assert.Contains("--device=[user@]host[:port]", missingDefault.Message);
    }

    [Fact]
    public void The_smoke_url_gets_the_device_host_and_the_reachable_port()
    {
        var emulated = new DeviceTarget("emulator", "127.0.0.1", 40022, "root", [], null, null, new Dictionary<int, int> { [8000] = 40080 });
        var pi = new DeviceTarget("pi", "fe80::2", 22, "pi", [], null, null, new Dictionary<int, int>());

        Assert.Equal("http://127.0.0.1:40080/text", SmokeCheck.Resolve("http://{host}:8000/text", emulated).ToString());
        Assert.Equal("http://[fe80::2]:8000/text", SmokeCheck.Resolve("http://{host}:8000/text", pi).ToString());
        Assert.Contains("is not an http://, https:// or tcp://HOST:PORT URL", Assert.Throws<CrossboardException>(() => SmokeCheck.Resolve("ftp://{host}/", pi)).Message);
    }

    [Fact]
    public void The_apps_name_comes_from_its_first_bin_target_else_its_package()
    {
        var withBin = _home.Write("a/Cargo.toml", "[package]\nname = \"hello\"\n\n[[bin]]\nname = \"rocket_testing\"\npath = \"src/main.rs\"\n");
        var plain = _home.Write("b/Cargo.toml", "[package]\nname = \"hello\"\nversion = \"0.1.0\"\n");
        var broken = _home.Write("c/Cargo.toml", "[package\n");

        Assert.Equal("rocket_testing", Crossboard.Tasks.DeployTasks.BinName(withBin));
        Assert.Equal("hello", Crossboard.Tasks.DeployTasks.BinName(plain));
        Assert.Null(Crossboard.Tasks.DeployTasks.BinName(broken));
    }
}
