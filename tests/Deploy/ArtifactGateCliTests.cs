using Crossboard.Tests.Fixtures.Ssh;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Deploy;

/// <summary>
/// A binary that does not fit the board, refused before any connection, as users run the built
/// program: for --artifact, a fleet and Rollback (a real ARMv7 cross build among them).
/// </summary>
[Tier(TestTier.Slow)]
public sealed class ArtifactGateCliTests(CrossBuilds builds) : IDisposable
{
    private readonly DeployKit _kit = new("artgate");

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
}
