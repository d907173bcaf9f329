using Crossboard.Deploy;
using Crossboard.Machine;
using Crossboard.Switches;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Deploy.Install;

/// <summary>
/// The app's arguments and environment reach every way it is started, quoted for what reads
/// them (the device's shell, procd's init script, systemd's unit), and values stay out of logs.
/// The shell line is run by a real sh here, so the quoting is proven, not only compared.
/// </summary>
[Tier(TestTier.Unit)]
public sealed class AppLaunchTests
{
    private static readonly AppLaunch Launch = new(["--name", "it's here"], [new("DATABASE_URL", "postgresql://u:p4ss$word@h/db"), new("MODE", "a b")]);

    [Fact]
    public void The_shell_line_gives_the_program_its_arguments_and_environment_exactly()
    {
        var line = Launch.ShellCommand("sh -c 'printf \"%s|%s|%s|%s\" \"$1\" \"$2\" \"$DATABASE_URL\" \"$MODE\"' app");

        var result = ProcessRunner.Run(new ProcessSpec("sh", "-c", line), TestContext.Current.CancellationToken);

        Assert.Equal("--name|it's here|postgresql://u:p4ss$word@h/db|a b", result.StandardOutput.TrimEnd('\n'));
        Assert.Equal("'/usr/bin/app'", AppLaunch.Plain.ShellCommand("'/usr/bin/app'"));
        Assert.Equal("", AppLaunch.Plain.Fingerprint);
        Assert.NotEqual(Launch.Fingerprint, (Launch with { Arguments = [] }).Fingerprint);
        Assert.DoesNotContain("p4ss", Launch.Fingerprint + Launch.Describe());
        Assert.Equal("arguments --name it's here; environment DATABASE_URL, MODE", Launch.Describe());
    }

    [Fact]
    public void Procd_and_systemd_definitions_carry_them()
    {
        var procd = Launch.ProcdLines("/usr/bin/app");
        var systemd = Launch.SystemdLines("/usr/bin/app");

        Assert.Equal("\tprocd_set_param command /usr/bin/app '--name' 'it'\\''s here'\n\tprocd_set_param env 'DATABASE_URL=postgresql://u:p4ss$word@h/db' 'MODE=a b'\n", procd);
        Assert.Equal("ExecStart=/usr/bin/app \"--name\" \"it's here\"\nEnvironment=\"DATABASE_URL=postgresql://u:p4ss$$word@h/db\"\nEnvironment=\"MODE=a b\"\n", systemd);
        Assert.Equal("\tprocd_set_param command /usr/bin/app\n", AppLaunch.Plain.ProcdLines("/usr/bin/app"));
    }

    [Fact]
    public void Device_logs_mask_every_environment_value()
    {
        using var dir = new TempDir("applaunch");
        var inner = new RecordingBuildLog();
        var file = dir.Combine("device.log");
        using (var log = new DeviceLog(inner, null, file) { Secrets = Launch.Secrets.ToList() })
        {
            log.Information("connecting with postgresql://u:p4ss$word@h/db");
            log.Detail("$ start\nenv DATABASE_URL='postgresql://u:p4ss$word@h/db' MODE='a b' /usr/bin/app");
        }

        var written = File.ReadAllText(file);
        Assert.DoesNotContain("p4ss", written);
        Assert.DoesNotContain("p4ss", string.Join("\n", inner.Lines));
        Assert.Contains("connecting with ***", written);
        Assert.Contains("env DATABASE_URL='***' MODE='a b'", written); // "a b" is shorter than a secret can be
    }

    [Fact]
    public void App_env_switch_is_checked_without_echoing_values()
    {
        var ok = BuildSwitches.Read(name => name == "app-env" ? "DATABASE_URL=postgresql://h/db?x=1;LEVEL=debug" : null, Path.GetFullPath);
        Assert.Equal([new("DATABASE_URL", "postgresql://h/db?x=1"), new("LEVEL", "debug")], ok.AppEnvironment);

        var error = Assert.Throws<InputException>(() => BuildSwitches.Read(name => name == "app-env" ? "secret-value-without-name" : null, Path.GetFullPath));
        Assert.Contains("--app-env:", error.Message);
        Assert.Contains("is not NAME=VALUE", error.Message);
        Assert.DoesNotContain("secret-value", error.Message);
        var url = Assert.Throws<InputException>(() => BuildSwitches.Read(name => name == "app-env" ? "LEVEL=debug;postgresql://u:hunter2@h/db?sslmode=require" : null, Path.GetFullPath));
        Assert.Contains("--app-env: item 2 (not shown)", url.Message);
        Assert.DoesNotContain("hunter2", url.Message);

        var args = BuildSwitches.Read(name => name == "app-args" ? "--port 9000" : null, Path.GetFullPath);
        Assert.Equal(["--port", "9000"], args.AppArguments);
    }
}
