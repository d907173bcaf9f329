using System.Security.Cryptography;
using Crossboard.Emulator;
using Crossboard.Machine;
using Crossboard.Tests.Support;
using Renci.SshNet.Common;

namespace Crossboard.Tests.Emulator;

/// <summary>The booted device, reached like the deploy stage will: SSH.NET, the deploy key, the pinned host key.</summary>
[Tier(TestTier.Slow)]
[Collection(EmulatorCollection.Name)]
public sealed class EmulatorBootTests(EmulatorFixture fixture)
{
    [Fact]
    public void SSH_with_the_deploy_key_and_the_pinned_host_key_reaches_a_MIPS_24KEc()
    {
        var instance = fixture.Booted();
        using var ssh = EmulatorFixture.Connect(instance);

        var uname = EmulatorFixture.Run(ssh, "uname -m");
        var cpuinfo = EmulatorFixture.Run(ssh, "cat /proc/cpuinfo");

        Assert.Equal((0, "mips"), (uname.Exit, uname.Output.Trim()));
        Assert.Contains("24KEc", cpuinfo.Output);
        Assert.Contains("MIPS Malta", cpuinfo.Output);
        Assert.Equal(fixture.Image.HostKeyFingerprint, instance.HostKeyFingerprint);
    }

    [Fact]
    public void A_different_host_key_pin_is_refused()
    {
        var instance = fixture.Booted();

        var wrong = "SHA256:" + Convert.ToBase64String(SHA256.HashData("not the device"u8)).TrimEnd('=');
        Assert.ThrowsAny<SshConnectionException>(() => EmulatorFixture.Connect(instance, wrong));
    }

    [Fact]
    public void Like_stock_OpenWrt_the_device_has_no_sftp_server_and_no_scp()
    {
        var instance = fixture.Booted();
        using var ssh = EmulatorFixture.Connect(instance);

        Assert.NotEqual(0, EmulatorFixture.Run(ssh, "command -v sftp-server").Exit);
        Assert.NotEqual(0, EmulatorFixture.Run(ssh, "command -v scp").Exit);
        Assert.NotEqual(0, EmulatorFixture.Run(ssh, "ls /usr/lib/sftp-server /usr/libexec/sftp-server /usr/lib/openssh/sftp-server").Exit);

        var target = EmulatorDevices.Target(instance);
        using var sftp = new Renci.SshNet.SftpClient(new Renci.SshNet.ConnectionInfo(target.Host, target.Port, target.User,
            new Renci.SshNet.PrivateKeyAuthenticationMethod(target.User, new Renci.SshNet.PrivateKeyFile(target.IdentityFiles[0]))));
        sftp.HostKeyReceived += (_, e) => e.CanTrust = "SHA256:" + e.FingerPrintSHA256 == target.HostKeyPin;
        Assert.ThrowsAny<SshException>(() => sftp.Connect());
    }

    [Fact]
    public void The_device_has_what_a_deploy_uses_writable_usr_bin_df_checksums_and_var_run()
    {
        var instance = fixture.Booted();
        using var ssh = EmulatorFixture.Connect(instance);

        var df = EmulatorFixture.Run(ssh, "df -Pk /usr/bin");
        Assert.Equal(0, df.Exit);
        var available = long.Parse(df.Output.Trim().Split('\n')[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[^3]);
        Assert.True(available > 32 * 1024, $"less free space in /usr/bin than the board's app budget: {df.Output}");

        var tools = EmulatorFixture.Run(ssh,
            "set -e; echo hello > /tmp/t; sha256sum /tmp/t; md5sum /tmp/t; gzip -c /tmp/t > /tmp/t.gz; gunzip -c /tmp/t.gz; " +
            "cp /tmp/t /usr/bin/t.new; chmod 755 /usr/bin/t.new; mv /usr/bin/t.new /usr/bin/t; ls -l /usr/bin/t; rm /usr/bin/t; " +
            "touch /var/run/probe.pid; ls -d /var/run /tmp");
        Assert.True(tools.Exit == 0, tools.Error);
        Assert.Contains("5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03", tools.Output); // sha256 of "hello\n"
        Assert.Contains("b1946ac92492d2347c6235b4d2611184", tools.Output); // md5
        Assert.Contains("-rwxr-xr-x", tools.Output);
    }

    [Fact]
    public async Task A_static_mipsel_binary_sent_over_an_exec_channel_runs_and_keeps_running_after_the_session_ends()
    {
        var instance = fixture.Booted();
        using var dir = new TempDir("probe");
        var bytes = File.ReadAllBytes(CompileProbe(dir));

        using (var ssh = EmulatorFixture.Connect(instance))
        {
            // The deploy stage's fallback when there is no SFTP: stream the file into `cat`.
            using var upload = ssh.CreateCommand("cat > /usr/bin/cbprobe.new");
            var running = upload.ExecuteAsync(TestContext.Current.CancellationToken);
            await using (var input = upload.CreateInputStream())
            {
                await input.WriteAsync(bytes, TestContext.Current.CancellationToken);
            }

            await running;
            Assert.Equal(0, upload.ExitStatus);

            var install = EmulatorFixture.Run(ssh, "chmod 755 /usr/bin/cbprobe.new && mv /usr/bin/cbprobe.new /usr/bin/cbprobe && sha256sum /usr/bin/cbprobe && cbprobe");
            Assert.True(install.Exit == 0, install.Error);
            Assert.Contains(Convert.ToHexStringLower(SHA256.HashData(bytes)), install.Output);
            Assert.Contains("crossboard probe running on the device", install.Output);

            var start = EmulatorFixture.Run(ssh, "rm -f /tmp/ticks; setsid cbprobe /tmp/ticks </dev/null >/dev/null 2>&1 & echo started");
            Assert.Equal((0, "started"), (start.Exit, start.Output.Trim()));
        }

        // A new session, after the one that started it has gone: the process still runs and ticks.
        using (var ssh = EmulatorFixture.Connect(instance))
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            var first = Ticks(ssh);
            while (Ticks(ssh) <= first && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(500);
            }

            Assert.True(Ticks(ssh) > first, "the background process stopped ticking after its SSH session ended");
            Assert.NotEqual("", EmulatorFixture.Run(ssh, "pidof cbprobe").Output.Trim());
            EmulatorFixture.Run(ssh, "kill $(pidof cbprobe); rm -f /usr/bin/cbprobe /tmp/ticks");
        }
    }

    [Fact]
    public async Task The_devices_port_8000_is_forwarded_to_the_app_port()
    {
        var instance = fixture.Booted();
        using var ssh = EmulatorFixture.Connect(instance);
        var serve = EmulatorFixture.Run(ssh, "mkdir -p /tmp/www && echo 'hello from the device' > /tmp/www/text && httpd -p 8000 -h /tmp/www && echo ok");
        Assert.True(serve.Exit == 0, serve.Error);
        try
        {
            var target = EmulatorDevices.Target(instance);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            var text = await http.GetStringAsync($"http://127.0.0.1:{target.Reach(8000)}/text", TestContext.Current.CancellationToken);
            Assert.Equal("hello from the device", text.Trim());
        }
        finally
        {
            EmulatorFixture.Run(ssh, "kill $(pidof httpd)");
        }
    }

    [Fact]
    public void Status_start_and_target_describe_the_running_device_without_booting_it_again()
    {
        var instance = fixture.Booted();
        var machine = new EmulatorMachine(new RecordingBuildLog(), EmulatorFixture.Yes);

        var status = machine.Status("malta-le", fixture.WorkDir);
        var log = new RecordingBuildLog();
        var again = new EmulatorMachine(log, EmulatorFixture.Yes).Start(fixture.Board, fixture.Image, fixture.WorkDir);
        var target = EmulatorDevices.Target(fixture.WorkDir, fixture.Board);

        Assert.Equal(EmulatorState.Running, status.State);
        Assert.Equal(instance, status.Instance);
        Assert.Equal(instance.Pid, again.Pid);
        Assert.Contains(log.Lines, l => l.StartsWith($"The emulated malta-le is already running (PID {instance.Pid}", StringComparison.Ordinal));
        Assert.Equal("emulator", target.Name);
        Assert.Equal(("127.0.0.1", instance.SshPort, "root"), (target.Host, target.Port, target.User));
        Assert.Equal([Path.Combine(fixture.WorkDir, "keys", "id_ed25519")], target.IdentityFiles);
        Assert.Equal(fixture.Image.HostKeyFingerprint, target.HostKeyPin);
        Assert.Equal(new Dictionary<int, int> { [22] = instance.SshPort, [8000] = instance.AppPort }, target.ForwardedPorts);
        Assert.NotEqual(instance.SshPort, instance.AppPort);
    }

    [Fact]
    public void The_status_task_reports_the_device_for_malta_le_and_for_omega2_builds()
    {
        var instance = fixture.Booted();

        var malta = BuildCli.Run("--target=EmulatorStatus", $"--work-dir={fixture.WorkDir}");
        var omega = BuildCli.Run("--target=EmulatorStatus", "--board=omega2", $"--work-dir={fixture.WorkDir}");

        Assert.Equal(0, malta.ExitCode);
        Assert.Contains($"The emulated malta-le is running: PID {instance.Pid}, SSH 127.0.0.1:{instance.SshPort}, app 127.0.0.1:{instance.AppPort}", malta.Output);
        Assert.Contains($"host key {instance.HostKeyFingerprint}", malta.Output);
        // A static mipsel binary built for the Omega2 runs on the emulated Malta: same device.
        Assert.Equal(0, omega.ExitCode);
        Assert.Contains($"The emulated malta-le is running: PID {instance.Pid}", omega.Output);
    }

    private static int Ticks(Renci.SshNet.SshClient ssh)
    {
        var result = EmulatorFixture.Run(ssh, "cat /tmp/ticks 2>/dev/null | wc -l");
        return int.TryParse(result.Output.Trim(), out var n) ? n : 0;
    }

    /// <summary>A tiny static C program for mipsel: what the device must run (a static Rust binary is the same kind of file).</summary>
    private static string CompileProbe(TempDir dir)
    {
        var gcc = ProcessRunner.Which("mipsel-linux-gnu-gcc");
        if (gcc is null)
        {
            Assert.Skip("mipsel-linux-gnu-gcc is not installed (tests/setup/install-prereqs.sh installs gcc-mipsel-linux-gnu)");
        }

        var source = dir.Write("probe.c", """
            #include <stdio.h>
            #include <unistd.h>

            int main(int argc, char **argv) {
                if (argc > 1) {
                    for (;;) {
                        FILE *f = fopen(argv[1], "a");
                        if (f) { fputs("tick\n", f); fclose(f); }
                        sleep(1);
                    }
                }
                puts("crossboard probe running on the device");
                return 0;
            }
            """);
        var output = dir.Combine("cbprobe");
        ProcessRunner.RunChecked(new ProcessSpec(gcc, "-static", "-Os", "-o", output, source), "compiling the probe");
        return output;
    }
}
