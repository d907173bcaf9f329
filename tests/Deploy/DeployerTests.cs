using Crossboard.Artifacts;
using Crossboard.Deploy;
using Crossboard.Recipes;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Deploy;

/// <summary>What the deployer refuses before it connects to anything (no device needed).</summary>
[Tier(TestTier.Unit)]
public sealed class DeployerTests : IDisposable
{
    private readonly DeployKit _kit = new("deployer");

    public void Dispose() => _kit.Dispose();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public void A_binary_that_does_not_fit_the_board_is_refused_before_any_connection()
    {
        // Not an SSH server: a port that counts the connections made to it.
        using var counter = new ConnectionCounter(Cancel);
        var nowhere = new DeviceTarget("nowhere", "127.0.0.1", counter.Port, "root", [], null, null, new Dictionary<int, int>());
        var text = _kit.Dir.Write($"passwd/{_kit.AppName}", "root:x:0:0:root:/root:/bin/sh\n");
        var mips = BuiltArtifact.Of("/bin/busybox", _kit.AppName, "x", "x") with { Path = "/bin/busybox" };
        var malta = _kit.Settings() with { Board = RecipeCatalog.Load(RepoPaths.Recipes, RepoPaths.Toolchains).GetBoard("malta-le") };

        var notElf = Assert.Throws<CrossboardException>(() =>
            new Deployer(_kit.Settings(), _kit.Log).Deploy(nowhere, BuiltArtifact.Of(text, _kit.AppName, "x", "x"), cancellation: Cancel));
        var wrongCpu = Assert.Throws<CrossboardException>(() => new Deployer(malta, _kit.Log).Deploy(nowhere, mips, cancellation: Cancel));

        Assert.Contains("is not an ELF file (no \\x7fELF magic at its start): it is a text file (first line: \"root:x:0:0:root:/root:/bin/sh\")", notElf.Message);
        Assert.Contains("Nothing was deployed.", notElf.Message);
        Assert.Contains("it is built for x86-64, but malta-le's MIPS 24KEc (mipsel) needs MIPS", wrongCpu.Message);
        Assert.DoesNotContain("Cannot reach", notElf.Message + wrongCpu.Message);
        Assert.Equal(0, counter.Settled());
    }
}
