using Crossboard.Tests.Fixtures.Ssh;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Deploy;

/// <summary>The Deploy task as users run it (the built program, real servers): fleets, exit codes, and secrets kept out of everything written.</summary>
[Tier(TestTier.NeedsNamespaces)]
public sealed class DeployCliTests : IDisposable
{
    private readonly DeployKit _kit = new("deploycli");

    public void Dispose() => _kit.Dispose();

    [Fact]
    public void A_fleet_with_one_unreachable_device_deploys_to_the_others_prints_the_table_and_fails()
    {
        var dropbear = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.Dropbear, Password = "fleet-pw", Address = "127.0.0.3" });
        var openssh = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.OpenSsh, Password = "fleet-pw", Address = "127.0.0.4" });
        var nobody = $"root@127.0.0.5:{DeviceServer.FreePort("127.0.0.5")}";
        var app = _kit.App("v1");
        var devices = _kit.Dir.Write("fleet.txt",
            "# the test bench\n" +
            $"root@{dropbear.Host}:{dropbear.Port}  {dropbear.HostKeyFingerprint}\n" +
            "\n" +
            $"root@{openssh.Host}:{openssh.Port} {openssh.HostKeyFingerprint}   # the Pi\n" +
            $"{nobody} SHA256:{new string('A', 43)}\n");

        var result = Cli("--target=Deploy", $"--devices={devices}", "--parallel=2", $"--artifact={app.Path}", $"--password-env={_kit.Secret("fleet-pw")}",
            $"--smoke-url=http://{{host}}:{_kit.AppPort}/text", "--smoke-expect=hello world v1");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Matches(@"device\s+result\s+transfer\s+sent\s+time\s+detail", result.Output);
        Assert.Matches($@"root@{dropbear.Host}:{dropbear.Port}\s+deployed\s+exec channel\s+[\d.]+ (B|KiB)\s+[\d.]+ s\s+smoke check passed \([\d.]+ s\)", result.Output);
        Assert.Matches($@"root@{openssh.Host}:{openssh.Port}\s+deployed\s+exec channel\s+[\d.]+ (B|KiB)\s+[\d.]+ s\s+smoke check passed \([\d.]+ s\)", result.Output);
        Assert.Matches($@"{nobody}\s+FAILED\s+-\s+-\s+[\d.]+ s\s+Cannot reach device '{nobody}' at [\d.:]+: connection refused", result.Output);
        Assert.Contains($"1 of 3 device(s) failed: {nobody}.", result.All);
        Assert.Equal("v1", _kit.VersionOnDevice(dropbear));
        Assert.Equal("v1", _kit.VersionOnDevice(openssh));
        Assert.DoesNotContain("   at ", result.All);
    }

    [Fact]
    public void Passwords_and_passphrases_never_appear_in_output_or_logs()
    {
        var password = "pw-" + Guid.NewGuid().ToString("N")[..12];
        var passphrase = "pp-" + Guid.NewGuid().ToString("N")[..12];
        var wrongPassword = "wrongpw-" + Guid.NewGuid().ToString("N")[..12];
        var wrongPassphrase = "wrongpp-" + Guid.NewGuid().ToString("N")[..12];
        var home = _kit.Dir.Combine("home");
        // The key sits where ssh looks by default (~/.ssh/id_ed25519): found without --identity.
        var (_, publicLine) = DeviceServer.GenerateKey(Path.Combine(home, ".ssh"), "id_ed25519", "ed25519", passphrase);
        var server = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.Dropbear, Password = password, AuthorizedKeys = [publicLine] });
        var app = _kit.App("v1");
        var common = new[]
        {
            "--target=Deploy", $"--device=root@{server.Host}:{server.Port}", $"--host-key={server.HostKeyFingerprint}", $"--artifact={app.Path}",
            $"--smoke-url=http://{{host}}:{_kit.AppPort}/text", "--verbosity=diagnostic",
        };
        var secrets = new Dictionary<string, string?>
        {
            ["HOME"] = home,
            ["CB_TEST_PASSWORD"] = password,
            ["CB_TEST_PASSPHRASE"] = passphrase,
            ["CB_TEST_WRONG_PASSWORD"] = wrongPassword,
            ["CB_TEST_WRONG_PASSPHRASE"] = wrongPassphrase,
        };

        var wrongPass = Cli(secrets, [.. common, "--passphrase-env=CB_TEST_WRONG_PASSPHRASE", "--password-env=CB_TEST_WRONG_PASSWORD"]);
        var noKey = Cli(secrets, [.. common, "--password-env=CB_TEST_WRONG_PASSWORD"]);
        var byKey = Cli(secrets, [.. common, "--passphrase-env=CB_TEST_PASSPHRASE"]);
        var byPassword = Cli(secrets, [.. common, "--password-env=CB_TEST_PASSWORD", "--passphrase-env=CB_TEST_WRONG_PASSPHRASE"]);

        Assert.NotEqual(0, wrongPass.ExitCode);
        Assert.Contains("The passphrase for key", wrongPass.All);
        Assert.Contains("(it came from $CB_TEST_WRONG_PASSPHRASE)", wrongPass.All);
        Assert.NotEqual(0, noKey.ExitCode);
        Assert.Contains("is protected by a passphrase and none was given: skipped", noKey.All);
        Assert.Contains("refused the login as root", noKey.All);
        Assert.Equal(0, byKey.ExitCode);
        Assert.NotEqual(0, byPassword.ExitCode); // the wrong passphrase stops it before the password is tried
        var written = string.Join("\n", new[] { wrongPass, noKey, byKey, byPassword }.Select(r => r.All));
        var files = Directory.EnumerateFiles(_kit.Dir.Path, "*", SearchOption.AllDirectories)
            .Where(f => !f.StartsWith(Path.Combine(home, ".ssh"), StringComparison.Ordinal))
            .ToList();
        Assert.Contains(files, f => f.EndsWith(".log", StringComparison.Ordinal));
        foreach (var secret in new[] { password, passphrase, wrongPassword, wrongPassphrase })
        {
            Assert.DoesNotContain(secret, written);
            foreach (var file in files)
            {
                Assert.False(File.ReadAllText(file).Contains(secret, StringComparison.Ordinal), $"{file} holds a secret");
            }
        }
    }

    [Fact]
    public void Rollback_finds_the_app_by_its_cargo_manifest_and_restores_the_previous_binary()
    {
        var server = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.OpenSsh, Sftp = true, Password = "pw" });
        var device = new[] { $"--device=root@{server.Host}:{server.Port}", $"--host-key={server.HostKeyFingerprint}", $"--password-env={_kit.Secret("pw")}",
            $"--smoke-url=http://{{host}}:{_kit.AppPort}/text" };
        var project = _kit.Dir.Write("app/Cargo.toml", $"[package]\nname = \"{_kit.AppName}\"\nversion = \"0.1.0\"\n\n[dependencies]\n");

        var v1 = Cli([.. device, "--target=Deploy", $"--artifact={_kit.App("v1").Path}", "--smoke-expect=hello world v1"]);
        var v2 = Cli([.. device, "--target=Deploy", $"--artifact={_kit.App("v2").Path}", "--smoke-expect=hello world v2"]);
        var back = Cli([.. device, "--target=Rollback", $"--app={Path.GetDirectoryName(project)}", "--smoke-expect=hello world v1"]);

        Assert.Equal((0, 0, 0), (v1.ExitCode, v2.ExitCode, back.ExitCode));
        Assert.Contains($"Rolled back: /usr/bin/{_kit.AppName} is the previous binary again", back.Output);
        Assert.Equal("v1", _kit.VersionOnDevice(server));
    }

    [Fact]
    public void A_fleets_crashing_build_is_reverted_on_each_device_and_the_table_says_so()
    {
        var dropbear = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.Dropbear, Address = "127.0.0.3" });
        var openssh = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.OpenSsh, Address = "127.0.0.4" });
        var devices = _kit.Dir.Write("fleet.toml",
            $"[[device]]\nname = \"roof\"\ntarget = \"root@{dropbear.Host}:{dropbear.Port}\"\nhost-key = \"{dropbear.HostKeyFingerprint}\"\nidentity = \"{dropbear.AdminKey}\"\n\n" +
            $"[[device]]\nname = \"cellar\"\ntarget = \"root@{openssh.Host}:{openssh.Port}\"\nhost-key = \"{openssh.HostKeyFingerprint}\"\nidentity = \"{openssh.AdminKey}\"\n");
        string[] fleet = ["--target=Deploy", $"--devices={devices}", $"--smoke-url=http://{{host}}:{_kit.AppPort}/text"];

        var v1 = Cli([.. fleet, $"--artifact={_kit.App("v1").Path}", "--smoke-expect=hello world v1"]);
        var v2 = Cli([.. fleet, $"--artifact={_kit.Broken("v2", "thread 'main' panicked").Path}", "--smoke-expect=hello world v2"]);

        Assert.True(v1.ExitCode == 0, v1.All);
        Assert.NotEqual(0, v2.ExitCode);
        Assert.Matches(@"roof\s+FAILED, reverted\s+-\s+-\s+[\d.]+ s\s+", v2.Output);
        Assert.Matches(@"cellar\s+FAILED, reverted\s+-\s+-\s+[\d.]+ s\s+", v2.Output);
        Assert.Contains("2 of 2 device(s) failed: roof, cellar.", v2.All);
        Assert.Contains("thread 'main' panicked", v2.All);
        Assert.Equal("v1", _kit.VersionOnDevice(dropbear));
        Assert.Equal("v1", _kit.VersionOnDevice(openssh));
        Assert.DoesNotContain("   at ", v2.All);
    }

    [Fact]
    public void How_the_app_runs_is_the_apps_setting_with_the_boards_as_default()
    {
        var server = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.Dropbear, Password = "pw" });
        var device = new[] { $"--device=root@{server.Host}:{server.Port}", $"--host-key={server.HostKeyFingerprint}", $"--password-env={_kit.Secret("pw")}" };
        var cliTool = _kit.Dir.Write("tool/Cargo.toml", $"[package]\nname = \"{_kit.AppName}\"\nversion = \"0.1.0\"\n\n[package.metadata.crossboard]\nservice = \"none\"\n");
        var wrong = _kit.Dir.Write("wrong/Cargo.toml", $"[package]\nname = \"{_kit.AppName}\"\nversion = \"0.1.0\"\n\n[package.metadata.crossboard]\nservice = \"procd\"\n");

        // The test board's [deploy] says service = "background"; the app says none: a CLI tool, not a server.
        var tool = Cli([.. device, "--target=Deploy", $"--artifact={_kit.App("v1").Path}", $"--app={Path.GetDirectoryName(cliTool)}"]);
        var procd = Cli([.. device, "--target=Deploy", $"--artifact={_kit.App("v2").Path}", $"--app={Path.GetDirectoryName(wrong)}"]);

        Assert.True(tool.ExitCode == 0, tool.All);
        Assert.Contains("Not started (service = none): --target=Run starts", tool.All);
        Assert.Contains("Smoke check deferred: with service = none", tool.All);
        Assert.Equal("v1", _kit.VersionOnDevice(server));
        Assert.Equal(2, procd.ExitCode); // bad input: the app's setting cannot work on this board
        Assert.Contains($"{wrong}(6,11): service = \"procd\" needs procd on the device, but x86-64-device runs none (system.init).", procd.All);
        Assert.Equal("v1", _kit.VersionOnDevice(server)); // nothing was deployed
    }

    private BuildCli.Result Cli(params string[] args) => Cli(new Dictionary<string, string?> { ["HOME"] = _kit.Dir.Combine("home") }, args);

    private BuildCli.Result Cli(IDictionary<string, string?> environment, string[] args)
    {
        var result = BuildCli.Run([.. args, .. DeployKit.BoardSwitches, $"--work-dir={_kit.Dir.Combine("work")}"], environment, TimeSpan.FromMinutes(3));
        TestContext.Current.TestOutputHelper?.WriteLine(result.All);
        return result;
    }
}
