using Crossboard.FastPath;
using Crossboard.Switches;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.FastPath;

/// <summary>
/// What the fast path must not do where no device is wanted (no server needed): only a command
/// line that really deploys is guessed for, and a dry run never connects while a real run does.
/// </summary>
[Tier(TestTier.Unit)]
public sealed class FastPathWithoutDeviceTests : IDisposable
{
    private readonly DeployKit _kit = new("nodevice");

    public void Dispose() => _kit.Dispose();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public void Only_a_command_line_that_really_deploys_is_guessed_for()
    {
        Assert.True(SpeculativeConnection.Deploys(CommandLineValues.Parse([])));
        Assert.True(SpeculativeConnection.Deploys(CommandLineValues.Parse(["--target=Deploy", "--work-dir=/x"])));
        Assert.True(SpeculativeConnection.Deploys(CommandLineValues.Parse(["--target", "deploy"])));
        Assert.True(SpeculativeConnection.Deploys(CommandLineValues.Parse(["-t=Default"])));
        Assert.False(SpeculativeConnection.Deploys(CommandLineValues.Parse(["--target=CargoBuild"])));
        Assert.False(SpeculativeConnection.Deploys(CommandLineValues.Parse(["--target=Deploy", "--dryrun"])));
        Assert.False(SpeculativeConnection.Deploys(CommandLineValues.Parse(["--target=Deploy", "--devices=fleet.txt"])));
        Assert.False(SpeculativeConnection.Deploys(CommandLineValues.Parse(["--target=Rollback"])));
    }

    [Fact]
    public void A_dry_run_never_connects_to_the_device_and_a_real_run_does()
    {
        using var counter = new ConnectionCounter(Cancel);
        var port = counter.Port;
        var app = _kit.App("v1");
        string[] deploy = ["--target=Deploy", .. DeployKit.BoardSwitches, $"--device=root@127.0.0.1:{port}", $"--artifact={app.Path}", $"--work-dir={_kit.Dir.Combine("work")}",
            "--host-key=SHA256:" + Convert.ToBase64String(new byte[32]).TrimEnd('='), $"--password-env={_kit.Secret("pw")}"];

        var dry = BuildCli.Run([.. deploy, "--dryrun"]);
        Assert.True(dry.ExitCode == 0, dry.All);
        Assert.Equal(0, counter.Settled());

        var real = BuildCli.Run(deploy);
        Assert.NotEqual(0, real.ExitCode);
        Assert.True(counter.Settled() > 0, real.All);
    }
}
