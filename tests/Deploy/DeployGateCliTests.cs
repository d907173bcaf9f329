using Crossboard.Tests.Support;

namespace Crossboard.Tests.Deploy;

/// <summary>
/// What stops a deploy before it starts, as users run it (the built program): every bad switch
/// value named at once, before any task. (A binary that does not fit the board: ArtifactGateCliTests.)
/// </summary>
[Tier(TestTier.Unit)]
public sealed class DeployGateCliTests : IDisposable
{
    private readonly TempDir _dir = new("gate");

    public void Dispose() => _dir.Dispose();

    private BuildCli.Result Cli(params string[] args)
    {
        var result = BuildCli.Run([.. args, $"--work-dir={_dir.Combine("work")}"],
            new Dictionary<string, string?> { ["HOME"] = _dir.Combine("home") }, TimeSpan.FromMinutes(3));
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
        Assert.False(Directory.Exists(_dir.Combine("work", "emulator")));

        // --help is read whatever else the command line holds.
        var help = Cli("--help", "--transfer=carrier-pigeon", "--parallel=0");
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("--transfer=auto|exec|sftp|scp", help.Output);
        Assert.DoesNotContain("bad values", help.All);
    }
}
