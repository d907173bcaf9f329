using Crossboard.Deploy;
using Crossboard.FastPath;
using Crossboard.Switches;
using Crossboard.Tests.Fixtures.Ssh;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.FastPath;

/// <summary>
/// The connection guessed at start-up from the last identical command line, against real
/// servers: adopted when the device is the same, closed (and the right device connected) when
/// it is not, never recorded for a password login. 
/// </summary>
[Tier(TestTier.NeedsNamespaces)]
public sealed class SpeculativeConnectionTests : IDisposable
{
    private readonly DeployKit _kit = new("guess");

    public void Dispose() => _kit.Dispose();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_last_runs_device_is_connected_first_and_adopted_only_when_it_is_this_runs_device()
    {
        var first = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.Dropbear, Address = "127.0.0.1" });
        var second = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.Dropbear, Address = "127.0.0.2" });
        var args = new[] { "--target=Deploy", $"--work-dir={_kit.Dir.Combine("work")}", "--device=kitchen" };
        var settings = _kit.Settings(smokeVersion: "v1");
        var toFirst = DeployKit.Target(first, [first.AdminKey]);
        var toSecond = DeployKit.Target(second, [second.AdminKey]);

        // No record yet: nothing is guessed; the early connection records the device it resolves.
        var speculation = SpeculativeConnection.Start(args, CommandLineValues.Parse(args), _kit.Dir.Path)!;
        Assert.Null(speculation.Claim());
        var log = Deploy(toFirst, settings, speculation);
        Assert.DoesNotContain("the guess matched", log);

        // The same command line again: connected before the device is known, and adopted.
        speculation = SpeculativeConnection.Start(args, CommandLineValues.Parse(args), _kit.Dir.Path)!;
        log = Deploy(toFirst, settings, speculation);
        Assert.Contains("the guess matched", log);

        // Same command line, another device now (an emulator restarted on another port, say):
        // the guess is closed, the right device is connected, and it is the next run's guess.
        log = Deploy(toSecond, settings, SpeculativeConnection.Start(args, CommandLineValues.Parse(args), _kit.Dir.Path));
        Assert.Contains($"The last run's device (root@{first.Host}:{first.Port}) is not this run's", log);
        Assert.Equal("v1", _kit.VersionOnDevice(second));
        log = Deploy(toSecond, settings, SpeculativeConnection.Start(args, CommandLineValues.Parse(args), _kit.Dir.Path));
        Assert.Contains("the guess matched", log);

        // Another command line: no guess.
        var other = SpeculativeConnection.Start([.. args, "--verbosity=diagnostic"], CommandLineValues.Parse([.. args, "--verbosity=diagnostic"]), _kit.Dir.Path)!.Claim();
        Assert.True(other is null || await other is null, "a guess for another command line");
    }

    [Fact]
    public void A_password_login_is_never_recorded_so_a_guess_never_carries_a_password()
    {
        var server = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.Dropbear, Password = "s3cret-pw" });
        var args = new[] { "--target=Deploy", $"--work-dir={_kit.Dir.Combine("work-pw")}" };
        var settings = _kit.Settings(passwordVariable: _kit.Secret("s3cret-pw"), smokeVersion: "v1");

        Deploy(DeployKit.Target(server), settings, SpeculativeConnection.Start(args, CommandLineValues.Parse(args), _kit.Dir.Path));

        Assert.Null(SpeculativeConnection.Start(args, CommandLineValues.Parse(args), _kit.Dir.Path)!.Claim());
        Assert.False(File.Exists(Path.Combine(_kit.Dir.Combine("work-pw"), "state", "last-deploy-target")));
    }

    /// <summary>A deploy as --target=Deploy makes it: through the early connection (given the program's speculation); its log file's text.</summary>
    private string Deploy(DeviceTarget target, DeploySettings settings, SpeculativeConnection? speculation)
    {
        using var early = new EarlyConnection(() => target, settings, speculation);
        var result = new Deployer(settings with { EarlyConnection = early }, _kit.Log).Deploy(target, _kit.App("v1"), cancellation: Cancel);
        Assert.True(result.Succeeded);
        var log = File.ReadAllText(result.LogFile!);
        Assert.Contains("Using the connection opened while building", log);
        return log;
    }
}
