using System.Net.Http;
using Crossboard.Deploy;
using Crossboard.Machine;
using Crossboard.Tests.Fixtures.Ssh;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Deploy;

/// <summary>
/// Deploy never harms the device, against real servers: a build that crashes or fails its smoke
/// check is reverted (the previous one runs and answers again; a failed first install is removed);
/// a file crossboard did not install (a busybox applet, a dpkg or opkg package's file) is refused
/// unless --force; what keeps the device reachable is refused even then; Rollback puts back only
/// crossboard's own backups.
/// </summary>
[Tier(TestTier.NeedsNamespaces)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DeploySafetyTests : IDisposable
{
    private readonly DeployKit _kit = new("safety");

    public void Dispose() => _kit.Dispose();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private string Answer(DeviceServer server)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        return http.GetStringAsync($"http://{server.Host}:{_kit.AppPort}/text", Cancel).GetAwaiter().GetResult().Trim();
    }

    [Theory]
    [InlineData(SshServerKind.Dropbear)]
    [InlineData(SshServerKind.OpenSsh)]
    public void A_crashing_build_is_reverted_and_the_previous_one_runs_and_answers_again(SshServerKind kind)
    {
        // The background style stops the old app before the new one starts: without the revert, nothing would run.
        var server = _kit.Start(new DeviceServerOptions { Kind = kind });
        var target = DeployKit.Target(server, [server.AdminKey]);
        var v1 = _kit.App("v1");
        new Deployer(_kit.Settings(smokeVersion: "v1"), _kit.Log).Deploy(target, v1, cancellation: Cancel);

        var error = Assert.Throws<DeployFailedException>(() =>
            new Deployer(_kit.Settings(smokeVersion: "v2"), _kit.Log).Deploy(target, _kit.Broken("v2", "panicked at 'config: no such key'"), cancellation: Cancel));

        Assert.Equal("reverted", error.Outcome);
        Assert.Contains("panicked at 'config: no such key'", error.Message);
        Assert.Contains($"Reverted on device '{target.Name}': /usr/bin/{_kit.AppName} is the previous build again (md5sum {v1.Md5[..12]}...)", error.Message);
        Assert.Matches(@"it answers: GET http://127\.0\.0\.1:\d+/text answered 200", error.Message);
        Assert.Equal("v1", _kit.VersionOnDevice(server));
        Assert.Equal("hello world v1", Answer(server));
        Assert.False(File.Exists(Path.Combine(server.UsrBin, _kit.AppName + ".bak")));
        // The record says what is there again: v1, and no backup.
        var record = DeployKit.Record(server);
        Assert.Contains($"md5:{v1.Md5} {v1.Size} ", record);
        Assert.DoesNotContain($"/usr/bin/{_kit.AppName}.bak", record);
    }

    [Fact]
    public void Under_procd_a_build_that_fails_the_smoke_check_is_reverted_and_procd_runs_the_previous_one()
    {
        var server = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.Dropbear, Procd = true });
        var target = DeployKit.Target(server, [server.AdminKey]);
        new Deployer(_kit.Settings(service: ServiceStyle.Procd, smokeVersion: "v1"), _kit.Log).Deploy(target, _kit.App("v1"), cancellation: Cancel);
        // v2 starts and runs, but does not say what the check expects.
        var settings = _kit.Settings(service: ServiceStyle.Procd, smokeVersion: "v2-with-the-fix") with { SmokeTimeout = TimeSpan.FromSeconds(2) };

        var error = Assert.Throws<DeployFailedException>(() => new Deployer(settings, _kit.Log).Deploy(target, _kit.App("v2"), cancellation: Cancel));

        Assert.Contains("Smoke check failed", error.Message);
        Assert.Contains("body \"hello world v2\"", error.Message);
        Assert.Contains("is the previous build again", error.Message);
        Assert.Contains($"procd service /etc/init.d/{_kit.AppName} unchanged, enabled and restarted", error.Message);
        Assert.Equal("v1", _kit.VersionOnDevice(server));
        Assert.Equal("hello world v1", Answer(server));
        Assert.Contains("\"running\": true", server.Shell($"ubus call service list '{{\"name\":\"{_kit.AppName}\"}}'").StandardOutput);
    }

    [Fact]
    public void Under_procd_a_first_install_that_crash_loops_is_seen_as_not_running_and_removed_with_its_init_script()
    {
        var server = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.Dropbear, Procd = true });
        var target = DeployKit.Target(server, [server.AdminKey]);

        var error = Assert.Throws<DeployFailedException>(() =>
            new Deployer(_kit.Settings(service: ServiceStyle.Procd, smokeVersion: "v1"), _kit.Log).Deploy(target, _kit.Broken("v1", "cannot open /etc/config/app"), cancellation: Cancel));

        // procd respawns it, but between its crashes it does not run, and ubus says so.
        Assert.Contains($"/usr/bin/{_kit.AppName} does not stay running under procd", error.Message);
        Assert.Contains("cannot open /etc/config/app", error.Message);
        Assert.Contains($"the failed first install is removed again (/usr/bin/{_kit.AppName}, /etc/init.d/{_kit.AppName}, and their lines in /etc/crossboard/installed)", error.Message);
        Assert.False(File.Exists(Path.Combine(server.UsrBin, _kit.AppName)));
        Assert.False(File.Exists(Path.Combine(server.Etc, "init.d", _kit.AppName)));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(server.Etc, "rc.d"), $"*{_kit.AppName}"));
        Assert.Equal("{ }", server.Shell($"ubus call service list '{{\"name\":\"{_kit.AppName}\"}}'").StandardOutput.Trim());
        Assert.DoesNotContain(_kit.AppName, DeployKit.Record(server));
    }

    [Fact]
    public void The_procd_stand_in_gives_up_on_a_crash_loop_as_procd_does_and_reports_the_instance_not_running()
    {
        var server = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.Dropbear, Procd = true });
        File.WriteAllBytes(Path.Combine(server.UsrBin, "crasher"), File.ReadAllBytes(_kit.Broken("v1", "crashing").Path));
        File.SetUnixFileMode(Path.Combine(server.UsrBin, "crasher"), (UnixFileMode)0b111_101_101);
        // procd's respawn: threshold 3600 s, timeout 0 s, retry 2 (the defaults are 3600 5 5).
        File.WriteAllText(Path.Combine(server.Etc, "init.d", "crasher"),
            "#!/bin/sh /etc/rc.common\nUSE_PROCD=1\nSTART=95\nstart_service() {\n\tprocd_open_instance\n\tprocd_set_param command /usr/bin/crasher\n" +
            "\tprocd_set_param respawn 3600 0 2\n\tprocd_set_param stdout 1\n\tprocd_set_param stderr 1\n\tprocd_close_instance\n}\n");
        File.SetUnixFileMode(Path.Combine(server.Etc, "init.d", "crasher"), (UnixFileMode)0b111_101_101);

        Assert.True(server.Shell("/etc/init.d/crasher start").Succeeded);
        // Polled, not timed: procd logs when it gives up.
        string log;
        do
        {
            Cancel.ThrowIfCancellationRequested();
            log = server.Shell("logread -e crasher").StandardOutput;
        }
        while (!log.Contains("crash loop", StringComparison.Ordinal));

        var status = server.Shell("ubus call service list '{\"name\":\"crasher\"}'").StandardOutput;
        Assert.Contains("daemon.info procd: Instance crasher::instance1 s in a crash loop 3 crashes", log);
        Assert.Matches(@"daemon\.info crasher\[\d+\]: crashing", log);
        Assert.Contains("\t\t\t\"instance1\": {\n\t\t\t\t\"running\": false,\n", status);
        Assert.Contains("\"exit_code\": 2", status);
        Assert.DoesNotContain("\"respawn\"", status);
        Assert.DoesNotContain("\"pid\"", status);
        // start brings a given-up instance back, as procd's instance_update does: it crash-loops again.
        Assert.True(server.Shell("/etc/init.d/crasher start").Succeeded);
        do
        {
            Cancel.ThrowIfCancellationRequested();
            log = server.Shell("logread -e crasher").StandardOutput;
        }
        while (log.Split("crash loop").Length < 3);

        Assert.True(server.Shell("/etc/init.d/crasher stop").Succeeded);
        Assert.Equal("{ }", server.Shell("ubus call service list '{\"name\":\"crasher\"}'").StandardOutput.Trim());
    }

    [Fact]
    public void A_busybox_applet_is_refused_replaced_with_force_and_Rollback_puts_the_applet_back()
    {
        var server = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.Dropbear });
        var target = DeployKit.Target(server, [server.AdminKey]);
        // An applet no package of the test machine claims (the devices see its dpkg database).
        var ftpget = _kit.App("v1", name: "ftpget");
        var applet = Path.Combine(server.UsrBin, "ftpget");

        var refused = Assert.Throws<CrossboardException>(() => new Deployer(_kit.Settings(smokeVersion: "v1"), _kit.Log).Deploy(target, ftpget, cancellation: Cancel));

        Assert.Contains($"Deploying would replace a file on device '{target.Name}' that crossboard did not install:", refused.Message);
        Assert.Contains("  - /usr/bin/ftpget: busybox (an applet: a link to busybox)", refused.Message);
        Assert.Contains("Nothing was uploaded; the device is unchanged.", refused.Message);
        Assert.Contains("--force", refused.Message);
        Assert.Equal("busybox", new FileInfo(applet).LinkTarget);
        Assert.False(File.Exists(applet + ".new"));

        var forced = new Deployer(_kit.Settings(smokeVersion: "v1") with { Force = true }, _kit.Log).Deploy(target, ftpget, cancellation: Cancel);

        Assert.True(forced.Succeeded);
        Assert.Contains("[warning] --force: replacing /usr/bin/ftpget, which crossboard did not install (busybox (an applet: a link to busybox)).", _kit.Log.Text);
        Assert.Equal("v1", _kit.VersionOnDevice(server, name: "ftpget"));
        Assert.Equal("busybox", new FileInfo(applet + ".bak").LinkTarget);

        var back = new Deployer(_kit.Settings(smokeVersion: "v1"), _kit.Log).Rollback(target, "ftpget", cancellation: Cancel);

        Assert.Equal("rolled back", back.Outcome);
        Assert.Contains("/usr/bin/ftpget is the device's own file again (the one --force replaced), and ftpget is stopped", _kit.Log.Text);
        Assert.Equal("busybox", new FileInfo(applet).LinkTarget);
        // Back in the device's hands: not crossboard's to replace again without --force.
        Assert.DoesNotContain("/usr/bin/ftpget\n", DeployKit.Record(server));
        Assert.Throws<CrossboardException>(() => new Deployer(_kit.Settings(smokeVersion: "v1"), _kit.Log).Deploy(target, ftpget, cancellation: Cancel));
    }

    [Fact]
    public void The_apps_binary_from_before_the_record_is_taken_over_with_force_and_Rollback_runs_it_again()
    {
        var server = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.Dropbear });
        var target = DeployKit.Target(server, [server.AdminKey]);
        // v0, installed by a crossboard that kept no record (or copied by hand).
        var installed = Path.Combine(server.UsrBin, _kit.AppName);
        File.Copy(_kit.App("v0").Path, installed);
        File.SetUnixFileMode(installed, (UnixFileMode)0b111_101_101);

        var refused = Assert.Throws<CrossboardException>(() => new Deployer(_kit.Settings(smokeVersion: "v1"), _kit.Log).Deploy(target, _kit.App("v1"), cancellation: Cancel));
        new Deployer(_kit.Settings(smokeVersion: "v1") with { Force = true }, _kit.Log).Deploy(target, _kit.App("v1"), cancellation: Cancel);
        var back = new Deployer(_kit.Settings(smokeVersion: "v0"), _kit.Log).Rollback(target, _kit.AppName, cancellation: Cancel);

        Assert.Contains($"  - /usr/bin/{_kit.AppName}: installed by something other than crossboard (its record, /etc/crossboard/installed, does not list it)", refused.Message);
        Assert.Contains("--force once replaces it and records it", refused.Message);
        Assert.StartsWith("smoke check passed", back.Detail);
        Assert.Equal("hello world v0", Answer(server));
    }

    [Fact]
    public void A_file_of_a_dpkg_package_is_refused_naming_the_package()
    {
        // The device's dpkg database is the test machine's own: /usr/bin/scp belongs to openssh-client.
        var server = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.OpenSsh, Scp = true });
        var scp = Path.Combine(server.UsrBin, "scp");
        var before = DeployKit.Sha256(scp);

        var error = Assert.Throws<CrossboardException>(() =>
            new Deployer(_kit.Settings(smokeVersion: "v1"), _kit.Log).Deploy(DeployKit.Target(server, [server.AdminKey]), _kit.App("v1", name: "scp"), cancellation: Cancel));

        Assert.Contains("  - /usr/bin/scp: dpkg package openssh-client", error.Message);
        Assert.Equal(before, DeployKit.Sha256(scp));
    }

    [Fact]
    public void An_opkg_packages_binary_and_init_script_are_refused_naming_the_package()
    {
        var server = _kit.Start(new DeviceServerOptions
        {
            Kind = SshServerKind.Dropbear,
            Procd = true,
            OpkgPackages = new Dictionary<string, IReadOnlyList<string>> { ["uhttpd"] = ["/usr/sbin/uhttpd", $"/usr/bin/{_kit.AppName}", $"/etc/init.d/{_kit.AppName}"] },
        });
        File.WriteAllText(Path.Combine(server.UsrBin, _kit.AppName), "#!/bin/sh\necho the package's own\n");
        File.WriteAllText(Path.Combine(server.Etc, "init.d", _kit.AppName), "#!/bin/sh /etc/rc.common\n# the package's own\n");

        var error = Assert.Throws<CrossboardException>(() =>
            new Deployer(_kit.Settings(service: ServiceStyle.Procd, smokeVersion: "v1"), _kit.Log).Deploy(DeployKit.Target(server, [server.AdminKey]), _kit.App("v1"), cancellation: Cancel));

        Assert.Contains($"  - /usr/bin/{_kit.AppName}: opkg package uhttpd", error.Message);
        Assert.Contains($"  - /etc/init.d/{_kit.AppName}: opkg package uhttpd", error.Message);
        Assert.Equal("#!/bin/sh /etc/rc.common\n# the package's own\n", File.ReadAllText(Path.Combine(server.Etc, "init.d", _kit.AppName)));
        Assert.Equal("#!/bin/sh\necho the package's own\n", File.ReadAllText(Path.Combine(server.UsrBin, _kit.AppName)));
    }

    [Fact]
    public void What_keeps_the_device_reachable_is_never_replaced_not_even_with_force()
    {
        var server = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.Dropbear });
        var target = DeployKit.Target(server, [server.AdminKey]);
        var force = _kit.Settings(smokeVersion: "v1") with { Force = true };

        // By name, before any connection: the SSH server, busybox, the shell, init, procd, opkg.
        foreach (var name in new[] { "dropbear", "busybox", "sh", "init", "procd", "ubus", "opkg" })
        {
            var nowhere = target with { Port = DeviceServer.FreePort() };
            var error = Assert.Throws<CrossboardException>(() => new Deployer(force, _kit.Log).Deploy(nowhere, _kit.App("v1", name: name), cancellation: Cancel));
            Assert.Contains($"crossboard does not deploy an app named '{name}'", error.Message);
            Assert.Contains("not even with --force", error.Message);
        }

        // By what the device really runs: its /bin/sh is "minishell" here, a name no list holds.
        File.Copy(Path.Combine(server.UsrBin, "busybox"), Path.Combine(server.UsrBin, "minishell"));
        File.Delete(Path.Combine(server.UsrBin, "sh"));
        File.CreateSymbolicLink(Path.Combine(server.UsrBin, "sh"), "minishell");
        var shell = Assert.Throws<CrossboardException>(() => new Deployer(force, _kit.Log).Deploy(target, _kit.App("v1", name: "minishell"), cancellation: Cancel));

        Assert.Contains("/usr/bin/minishell on device", shell.Message);
        Assert.Contains("the device's shell (what /bin/sh runs)", shell.Message);
        Assert.Contains("not even with --force", shell.Message);
        Assert.Equal(DeployKit.Sha256(Path.Combine(server.UsrBin, "busybox")), DeployKit.Sha256(Path.Combine(server.UsrBin, "minishell")));
    }

    [Fact]
    public void An_app_over_its_own_earlier_version_and_a_file_the_same_bytes_deploy_as_before()
    {
        var server = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.Dropbear });
        var target = DeployKit.Target(server, [server.AdminKey]);
        var v1 = _kit.App("v1");
        // The same bytes put there by hand (or by a crossboard that kept no record): adopted, nothing sent.
        File.Copy(v1.Path, Path.Combine(server.UsrBin, _kit.AppName));

        var adopted = new Deployer(_kit.Settings(smokeVersion: "v1"), _kit.Log).Deploy(target, v1, cancellation: Cancel);
        var v2 = new Deployer(_kit.Settings(smokeVersion: "v2"), _kit.Log).Deploy(target, _kit.App("v2"), cancellation: Cancel);

        Assert.Equal(("unchanged", 0L), (adopted.Outcome, adopted.BytesSent));
        Assert.Contains("installed without crossboard's record: recorded it in /etc/crossboard/installed; nothing transferred", _kit.Log.Text);
        Assert.Equal("deployed", v2.Outcome);
        Assert.DoesNotContain("[warning]", _kit.Log.Text);
        Assert.Equal("v2", _kit.VersionOnDevice(server));
        var record = DeployKit.Record(server).Split('\n');
        Assert.StartsWith("# crossboard:", record[0]);
        Assert.Contains(record, l => l.StartsWith($"{_kit.AppName} md5:{v1.Md5} {v1.Size} ", StringComparison.Ordinal) && l.EndsWith($" {TestApp.BoardName} /usr/bin/{_kit.AppName}.bak", StringComparison.Ordinal));
        Assert.Contains(record, l => l.StartsWith($"{_kit.AppName} md5:", StringComparison.Ordinal) && l.EndsWith($" {TestApp.BoardName} /usr/bin/{_kit.AppName}", StringComparison.Ordinal));
    }

    [Fact]
    public void A_Rollback_to_a_build_that_does_not_start_is_undone_and_the_running_build_stays()
    {
        var server = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.Dropbear });
        var target = DeployKit.Target(server, [server.AdminKey]);
        // A broken build kept with --keep-failed, then a good one over it: the broken one is the backup.
        Assert.Throws<CrossboardException>(() =>
            new Deployer(_kit.Settings(smokeVersion: "v1") with { KeepFailed = true }, _kit.Log).Deploy(target, _kit.Broken("v1", "broken at start"), cancellation: Cancel));
        new Deployer(_kit.Settings(smokeVersion: "v2"), _kit.Log).Deploy(target, _kit.App("v2"), cancellation: Cancel);

        var error = Assert.Throws<DeployFailedException>(() => new Deployer(_kit.Settings(smokeVersion: "v1"), _kit.Log).Rollback(target, _kit.AppName, cancellation: Cancel));

        Assert.Equal("reverted", error.Outcome);
        Assert.Contains("broken at start", error.Message);
        Assert.Contains($"Undone on device '{target.Name}': /usr/bin/{_kit.AppName} is the build that ran before the Rollback again", error.Message);
        Assert.Equal("hello world v2", Answer(server));
        Assert.Equal("v1", server.Shell($"/usr/bin/{_kit.AppName}.bak --version").StandardOutput.Trim());
    }

    [Fact]
    public void Rollback_refuses_a_backup_crossboard_did_not_make_or_made_for_another_board()
    {
        var server = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.Dropbear });
        var target = DeployKit.Target(server, [server.AdminKey]);
        new Deployer(_kit.Settings(smokeVersion: "v1"), _kit.Log).Deploy(target, _kit.App("v1"), cancellation: Cancel);
        var backup = Path.Combine(server.UsrBin, _kit.AppName + ".bak");
        File.Copy(_kit.App("v0").Path, backup);

        var foreign = Assert.Throws<CrossboardException>(() => new Deployer(_kit.Settings(smokeVersion: "v0"), _kit.Log).Rollback(target, _kit.AppName, cancellation: Cancel));

        Assert.Contains($"/usr/bin/{_kit.AppName}.bak on device '{target.Name}' is not a backup crossboard made", foreign.Message);
        Assert.Equal("v1", _kit.VersionOnDevice(server));

        // Recorded, but checked for another board when it was deployed.
        var manifest = Path.Combine(server.Etc, "crossboard", "installed");
        File.AppendAllText(manifest, $"{_kit.AppName} - 1 2026-01-01T00:00:00Z malta-le /usr/bin/{_kit.AppName}.bak\n");
        var board = Assert.Throws<CrossboardException>(() => new Deployer(_kit.Settings(smokeVersion: "v0"), _kit.Log).Rollback(target, _kit.AppName, cancellation: Cancel));

        Assert.Contains("was deployed for board malta-le", board.Message);
        Assert.Contains("--board=malta-le", board.Message);
        Assert.Equal("v1", _kit.VersionOnDevice(server));
    }
}
