using Crossboard.Tests.Fixtures.Ssh;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Deploy;

/// <summary>
/// What stops a deploy before it starts, as users run it (the built program): switches checked
/// before any task, and a binary that does not fit the board refused before any connection, for
/// --artifact, a fleet and Rollback. And a fleet whose new build fails: reverted, device by device.
/// </summary>
public sealed class DeployGateCliTests(CrossBuilds builds) : IDisposable
{
    private readonly DeployKit _kit = new("gate");

    public void Dispose() => _kit.Dispose();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private BuildCli.Result Cli(params string[] args)
    {
        var result = BuildCli.Run([.. args, $"--work-dir={_kit.Dir.Combine("work")}"],
            new Dictionary<string, string?> { ["HOME"] = _kit.Dir.Combine("home") }, TimeSpan.FromMinutes(3));
        TestContext.Current.TestOutputHelper?.WriteLine(result.All);
        return result;
    }

    [Fact]
    public void Every_bad_switch_value_is_named_at_once_before_any_task_runs()
    {
        var result = Cli("--target=Deploy", "--transfer=carrier-pigeon", "--parallel=0", "--smoke-timeout=soon", "--emulator-ssh-port=99999",
            "--compress=maybe", "--devices=/nonexistent/fleet.txt", "--artifact=/nonexistent/app", "--device=root@host:http", "--force=perhaps",
            "--smoke-url=ftp://{host}/", "--install-dir=usr/bin", "--rust=beta", "--host-key=MD5:00");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("13 switches have bad values:", result.All);
        foreach (var expected in new[]
        {
            "--transfer=carrier-pigeon: use auto (an exec channel, else SFTP, else SCP), exec, sftp or scp.",
            "--parallel=0: expected a whole number from 1 to 64.",
            "--smoke-timeout=soon: expected a number of seconds from 1 to 3600.",
            "--emulator-ssh-port=99999: expected a TCP port number (1-65535).",
            "--compress=maybe: use auto (measure the link), yes or no.",
            "--devices=/nonexistent/fleet.txt: no such file (/nonexistent/fleet.txt).",
            "--artifact=/nonexistent/app: no such file (/nonexistent/app).",
            "--device=root@host:http: the port 'http' is not a number between 1 and 65535.",
            "--force=perhaps: use true or false.",
            "The smoke check URL 'ftp://{host}/' (from --smoke-url)",
            "--install-dir=usr/bin: give an absolute directory on the device",
            "--rust=beta: use auto, stable (rustup, prebuilt std), nightly",
            "--host-key=MD5:00 is not an SHA256 fingerprint",
        })
        {
            Assert.Contains(expected, result.All);
        }

        Assert.Contains("Nothing was run.", result.All);
        // No task, not even Setup's host plan, ran: nothing was built, booted or installed.
        Assert.DoesNotContain("Setup", result.Output);
        Assert.DoesNotContain("CargoBuild", result.All);
        Assert.DoesNotContain("   at ", result.All);
        Assert.False(Directory.Exists(_kit.Dir.Combine("work", "emulator")));

        // --help is read whatever else the command line holds.
        var help = Cli("--help", "--transfer=carrier-pigeon", "--parallel=0");
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("--transfer=auto|exec|sftp|scp", help.Output);
        Assert.DoesNotContain("bad values", help.All);
    }

    [Fact]
    public void A_binary_that_does_not_fit_is_refused_before_any_connection_for_one_device_a_fleet_and_Rollback()
    {
        using var counter = new ConnectionCounter(Cancel);
        var port = counter.Port;
        var device = $"--device=root@127.0.0.1:{port}";
        var pin = "--host-key=SHA256:" + Convert.ToBase64String(new byte[32]).TrimEnd('=');
        var fleet = _kit.Dir.Write("fleet.txt", $"root@127.0.0.1:{port}\nkitchen@127.0.0.1:{port}\n");
        var armv7 = builds.Hello("rpi2").Artifact.Path;

        var passwd = Cli("--target=Deploy", device, pin, "--artifact=/etc/passwd");
        var hostBinary = Cli("--target=Deploy", device, pin, "--artifact=/bin/ls");
        var armv7ForPiZero = Cli("--target=Deploy", device, pin, "--board=rpi-zero", $"--artifact={armv7}");
        var toFleet = Cli("--target=Deploy", $"--devices={fleet}", "--artifact=/bin/ls");
        var rollback = Cli("--target=Rollback", device, pin, "--artifact=/etc/passwd");

        foreach (var result in new[] { passwd, hostBinary, armv7ForPiZero, toFleet, rollback })
        {
            Assert.NotEqual(0, result.ExitCode);
            Assert.Contains("Nothing was deployed.", result.All);
            Assert.DoesNotContain("Cannot reach", result.All);
        }

        Assert.Contains("/etc/passwd is not an ELF file (no \\x7fELF magic at its start): it is a text file (first line: \"root:x:0:0:root:", passwd.All);
        Assert.Contains("/bin/ls cannot run on malta-le", hostBinary.All);
        Assert.Contains("it is built for x86-64, but malta-le's MIPS 24KEc (mipsel) needs MIPS", hostBinary.All);
        Assert.Contains("it needs ARMv7 (Tag_CPU_arch 10), but rpi-zero's ARM1176JZF-S is armv6", armv7ForPiZero.All);
        Assert.Contains("it is built for x86-64, but malta-le's MIPS 24KEc (mipsel) needs MIPS", toFleet.All);
        Assert.Contains("/etc/passwd is not an ELF file", rollback.All);
        Assert.Equal(0, counter.Settled());
    }

    [Fact]
    public void A_fleets_crashing_build_is_reverted_on_each_device_and_the_table_says_so()
    {
        var dropbear = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.Dropbear, Address = "127.0.0.3" });
        var openssh = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.OpenSsh, Address = "127.0.0.4" });
        var devices = _kit.Dir.Write("fleet.toml",
            $"[[device]]\nname = \"roof\"\ntarget = \"root@{dropbear.Host}:{dropbear.Port}\"\nhost-key = \"{dropbear.HostKeyFingerprint}\"\nidentity = \"{dropbear.AdminKey}\"\n\n" +
            $"[[device]]\nname = \"cellar\"\ntarget = \"root@{openssh.Host}:{openssh.Port}\"\nhost-key = \"{openssh.HostKeyFingerprint}\"\nidentity = \"{openssh.AdminKey}\"\n");
        string[] fleet = ["--target=Deploy", .. DeployKit.BoardSwitches, $"--devices={devices}", $"--smoke-url=http://{{host}}:{_kit.AppPort}/text"];

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
}
