using Crossboard.Deploy;
using Crossboard.Machine;
using Crossboard.Tests.Fixtures.Ssh;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Deploy;

/// <summary>The service styles against real servers: procd (OpenWrt's init, stand-in) and a start that dies.</summary>
[Tier(TestTier.NeedsNamespaces)]
public sealed class ServiceTests : IDisposable
{
    private readonly DeployKit _kit = new("service");

    public void Dispose() => _kit.Dispose();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public void Procd_gets_an_init_script_enabled_and_restarted_and_an_unchanged_one_is_left_running()
    {
        var server = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.Dropbear, Password = "pw", Procd = true });
        var password = _kit.Secret("pw");
        var target = DeployKit.Target(server);
        var initScript = Path.Combine(server.Etc, "init.d", _kit.AppName);

        new Deployer(_kit.Settings(passwordVariable: password, service: ServiceStyle.Procd, smokeVersion: "v1"), _kit.Log).Deploy(target, _kit.App("v1"), cancellation: Cancel);

        var script = File.ReadAllText(initScript);
        Assert.StartsWith("#!/bin/sh /etc/rc.common\n", script);
        Assert.Contains("USE_PROCD=1", script);
        Assert.Contains($"\tprocd_set_param command /usr/bin/{_kit.AppName}\n\tprocd_set_param respawn\n", script);
        Assert.Equal(0, server.Shell($"sh -n /etc/init.d/{_kit.AppName}").ExitCode);
        Assert.Equal($"../init.d/{_kit.AppName}", new FileInfo(Path.Combine(server.Etc, "rc.d", $"S95{_kit.AppName}")).LinkTarget);
        Assert.Contains($"Procd service /etc/init.d/{_kit.AppName} installed, enabled and restarted", _kit.Log.Text);
        var firstPid = server.Shell($"ubus call service list '{{\"name\":\"{_kit.AppName}\"}}'").StandardOutput;
        Assert.Contains("\"running\": true", firstPid);

        // The same binary again: the init script is unchanged and the running instance is left alone.
        new Deployer(_kit.Settings(passwordVariable: password, service: ServiceStyle.Procd, smokeVersion: "v1"), _kit.Log).Deploy(target, _kit.App("v1"), cancellation: Cancel);
        Assert.Contains($"Procd service /etc/init.d/{_kit.AppName} unchanged, enabled and running", _kit.Log.Text);
        Assert.Equal(firstPid, server.Shell($"ubus call service list '{{\"name\":\"{_kit.AppName}\"}}'").StandardOutput);

        // A new binary: restarted, serving v2, and its output is in the log procd keeps.
        new Deployer(_kit.Settings(passwordVariable: password, service: ServiceStyle.Procd, smokeVersion: "v2"), _kit.Log).Deploy(target, _kit.App("v2"), cancellation: Cancel);
        Assert.Equal("v2", _kit.VersionOnDevice(server));
        var log = server.Shell($"logread -e {_kit.AppName}");
        // As ubox's logread shows procd's instances: "DATE daemon.info COMMAND[PID]: line".
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(log.StandardOutput, $@"daemon\.info {_kit.AppName}\[\d+\]: {_kit.AppName} v2 listening"),
            $"logread: {log.StandardOutput}{log.StandardError} (exit {log.ExitCode})");
    }

    [Fact]
    public void The_apps_arguments_and_environment_reach_it_under_procd()
    {
        var server = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.Dropbear, Password = "pw", Procd = true });
        var launch = new AppLaunch(["--fast"], [new("APP_GREETING", "from-the-cargo-toml")]);
        var settings = _kit.Settings(passwordVariable: _kit.Secret("pw"), service: ServiceStyle.Procd, smokeVersion: "v1") with { Launch = launch };

        new Deployer(settings, _kit.Log).Deploy(DeployKit.Target(server), _kit.App("v1"), cancellation: Cancel);

        Assert.Contains("\tprocd_set_param env 'APP_GREETING=from-the-cargo-toml'\n", File.ReadAllText(Path.Combine(server.Etc, "init.d", _kit.AppName)));
        Assert.Contains("greeting=from-the-cargo-toml arg=--fast", server.Shell($"logread -e {_kit.AppName}").StandardOutput);
        AssertNotLogged("from-the-cargo-toml");
    }

    [Fact]
    public void The_apps_arguments_and_environment_reach_it_in_the_background_and_a_change_restarts_it()
    {
        var server = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.Dropbear });
        var target = DeployKit.Target(server, [server.AdminKey]);
        var launch = new AppLaunch(["--fast"], [new("APP_GREETING", "from the cargo toml")]);
        var settings = _kit.Settings() with { Launch = launch };

        new Deployer(settings, _kit.Log).Deploy(target, _kit.App("v1"), cancellation: Cancel);
        Assert.Contains("greeting=from the cargo toml arg=--fast", server.Shell($"cat /tmp/{_kit.AppName}.log").StandardOutput);

        // The same build, started otherwise: restarted with the new environment, nothing sent.
        new Deployer(settings with { Launch = launch with { Environment = [new("APP_GREETING", "from the switch")] } }, _kit.Log).Deploy(target, _kit.App("v1"), cancellation: Cancel);
        Assert.Contains("nothing transferred", _kit.Log.Text);
        Assert.Contains("greeting=from the switch arg=--fast", server.Shell($"cat /tmp/{_kit.AppName}.log").StandardOutput);

        // And the same again: left running.
        var pid = server.Shell($"cat /var/run/{_kit.AppName}.pid 2>/dev/null || cat /tmp/{_kit.AppName}.pid").StandardOutput.Trim();
        new Deployer(settings with { Launch = launch with { Environment = [new("APP_GREETING", "from the switch")] } }, _kit.Log).Deploy(target, _kit.App("v1"), cancellation: Cancel);
        Assert.Equal(pid, server.Shell($"cat /var/run/{_kit.AppName}.pid 2>/dev/null || cat /tmp/{_kit.AppName}.pid").StandardOutput.Trim());
        AssertNotLogged("from the switch");
    }

    [Fact]
    public void A_start_with_other_arguments_that_dies_gives_way_to_the_start_before()
    {
        var server = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.Dropbear });
        var target = DeployKit.Target(server, [server.AdminKey]);
        var settings = _kit.Settings() with { Launch = new AppLaunch(["--fast"], [new("APP_GREETING", "as-before")]) };
        new Deployer(settings, _kit.Log).Deploy(target, _kit.App("v1"), cancellation: Cancel);

        // The same build, started with an environment it cannot start with.
        var failing = settings with { Launch = new AppLaunch([], [new("APP_FAIL", "on-purpose")]) };
        var error = Assert.ThrowsAny<CrossboardException>(() => new Deployer(failing, _kit.Log).Deploy(target, _kit.App("v1"), cancellation: Cancel));

        Assert.Contains("APP_FAIL is set: ***", error.Message);
        Assert.Contains("It runs again as it was started before (its previous arguments and environment)", error.Message);
        var pid = server.Shell($"cat /var/run/{_kit.AppName}.pid 2>/dev/null || cat /tmp/{_kit.AppName}.pid").StandardOutput.Trim();
        Assert.True(server.Shell($"kill -0 {pid}").Succeeded, $"pid '{pid}' does not run");
        Assert.Contains("greeting=as-before arg=--fast", server.Shell($"cat /tmp/{_kit.AppName}.log").StandardOutput);
        Assert.Equal("600", server.Shell($"stat -c %a /var/run/{_kit.AppName}.cmd 2>/dev/null || stat -c %a /tmp/{_kit.AppName}.cmd").StandardOutput.Trim());
    }

    /// <summary>Environment values reach the device, never the deploy's messages or log files.</summary>
    private void AssertNotLogged(string value)
    {
        Assert.DoesNotContain(value, _kit.Log.Text);
        foreach (var file in Directory.EnumerateFiles(_kit.LogDir))
        {
            Assert.DoesNotContain(value, File.ReadAllText(file));
        }
    }

    [Fact]
    public void The_same_build_again_starts_an_app_that_stopped_and_reports_one_that_cannot_start()
    {
        var server = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.Dropbear });
        var target = DeployKit.Target(server, [server.AdminKey]);
        var app = _kit.App("v1");
        Deploy();
        var stop = $"for f in /var/run/{_kit.AppName}.pid /tmp/{_kit.AppName}.pid; do [ -f $f ] && kill $(cat $f); done; sleep 0.3";

        // The app stopped (crashed, killed): the same build transfers nothing, and the one look
        // at the device (the service script folded into it) starts the app again.
        Assert.True(server.Shell(stop).Succeeded);
        var again = Deploy();
        Assert.Equal("unchanged", again.Outcome);
        Assert.Matches(@"Started in the background \(pid \d+\)", _kit.Log.Text);
        Assert.StartsWith("smoke check passed", again.Detail);

        // Now it cannot start (another server holds its port): that look fails with the app's words.
        Assert.True(server.Shell(stop).Succeeded);
        Assert.True(server.Shell($"httpd -p 127.0.0.1:{_kit.AppPort} -h /tmp").Succeeded);
        var error = Assert.Throws<CrossboardException>(Deploy);
        Assert.True(
            error.Message.Contains($"/usr/bin/{_kit.AppName} exited right after it was started on device", StringComparison.Ordinal) ||
            error.Message.Contains("(it is NOT running any more)", StringComparison.Ordinal),
            error.Message);
        Assert.Contains("Address already in use", error.Message);

        DeviceResult Deploy() => new Deployer(_kit.Settings(smokeVersion: "v1"), _kit.Log).Deploy(target, app, cancellation: Cancel);
    }

    [Fact]
    public void A_first_install_that_dies_at_start_is_reported_with_its_last_output_and_removed_again()
    {
        var server = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.Dropbear, Password = "pw" });
        var broken = _kit.Broken("v1", "config: missing key port");

        var error = Assert.Throws<DeployFailedException>(() =>
            new Deployer(_kit.Settings(passwordVariable: _kit.Secret("pw"), smokeVersion: "v1"), _kit.Log).Deploy(DeployKit.Target(server), broken, cancellation: Cancel));

        // Normally caught by the start check; on a heavily loaded machine the app may outlive it,
        // and then the smoke check says so. Either way the message has the app's own words.
        Assert.True(
            error.Message.Contains($"/usr/bin/{_kit.AppName} exited right after it was started on device", StringComparison.Ordinal) ||
            error.Message.Contains("(it is NOT running any more)", StringComparison.Ordinal),
            error.Message);
        Assert.Contains("config: missing key port", error.Message);
        Assert.Equal("reverted", error.Outcome);
        Assert.Contains($"the failed first install is removed again (/usr/bin/{_kit.AppName}, and their lines in /etc/crossboard/installed); nothing of it is left.", error.Message);
        Assert.False(File.Exists(Path.Combine(server.UsrBin, _kit.AppName)));
        Assert.DoesNotContain($"/usr/bin/{_kit.AppName}", File.ReadAllText(Path.Combine(server.Etc, "crossboard", "installed")));
    }

    [Fact]
    public void With_keep_failed_a_build_that_dies_at_start_stays_installed_to_debug_it()
    {
        var server = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.Dropbear, Password = "pw" });
        var settings = _kit.Settings(passwordVariable: _kit.Secret("pw"), smokeVersion: "v1") with { KeepFailed = true };

        var error = Assert.Throws<CrossboardException>(() =>
            new Deployer(settings, _kit.Log).Deploy(DeployKit.Target(server), _kit.Broken("v1", "config: missing key port"), cancellation: Cancel));

        Assert.IsNotType<DeployFailedException>(error);
        Assert.Contains("config: missing key port", error.Message);
        Assert.Contains($"The new binary stays installed as /usr/bin/{_kit.AppName} (--keep-failed).", error.Message);
        Assert.Equal("v1", _kit.VersionOnDevice(server));
    }

    [Fact]
    public void A_failing_smoke_check_says_what_it_saw_and_shows_the_apps_output()
    {
        var server = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.Dropbear, Password = "pw" });
        var settings = _kit.Settings(passwordVariable: _kit.Secret("pw"), smokeVersion: "v9") with { SmokeTimeout = TimeSpan.FromSeconds(2) };

        var error = Assert.Throws<DeployFailedException>(() =>
            new Deployer(settings, _kit.Log).Deploy(DeployKit.Target(server), _kit.App("v1"), cancellation: Cancel));

        Assert.Contains($"Smoke check failed: GET http://127.0.0.1:{_kit.AppPort}/text did not answer with \"hello world v9\" within 2 s. Last attempt: HTTP 200 OK, body \"hello world v1\".", error.Message);
        Assert.Contains($"(it is running){Environment.NewLine}  {_kit.AppName} v1 listening on 127.0.0.1:{_kit.AppPort}", error.Message);
        // A first install that does not answer is taken off the device again, stopped.
        Assert.Contains("the failed first install is removed again", error.Message);
        Assert.False(File.Exists(Path.Combine(server.UsrBin, _kit.AppName)));
        Assert.Equal("0", server.Shell($"ps | grep -v grep | grep -c {_kit.AppName} || true").StandardOutput.Trim());
    }
}
