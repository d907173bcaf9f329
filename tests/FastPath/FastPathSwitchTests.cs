using Crossboard.Tests.Deploy;
using Crossboard.Tests.Fixtures.Ssh;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.FastPath;

/// <summary>
/// --fast-path=false: the same Deploy, on the plain path (no guessed or early connection, no
/// record for the next run's guess, no cached probes), so a bug can be bisected against it.
/// </summary>
[Tier(TestTier.NeedsNamespaces)]
public sealed class FastPathSwitchTests : IDisposable
{
    private readonly DeployKit _kit = new("fastswitch");

    public void Dispose() => _kit.Dispose();

    [Fact]
    public void Deploy_works_the_same_on_the_plain_path_and_only_the_fast_path_leaves_its_state_behind()
    {
        var (_, publicLine) = DeviceServer.GenerateKey(_kit.Dir.Combine("keys"), "id_ed25519", "ed25519", null);
        var server = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.OpenSsh, AuthorizedKeys = [publicLine] });
        string[] Switches(string workDir, string version) =>
        [
            "--target=Deploy", .. DeployKit.BoardSwitches, $"--device=root@{server.Host}:{server.Port}", $"--host-key={server.HostKeyFingerprint}",
            $"--identity={_kit.Dir.Combine("keys", "id_ed25519")}", $"--artifact={_kit.App(version).Path}", $"--work-dir={workDir}",
            $"--smoke-url=http://{{host}}:{_kit.AppPort}/text", $"--smoke-expect=hello world {version}", "--verbosity=diagnostic",
        ];
        var plainWork = _kit.Dir.Combine("plain-work");
        var fastWork = _kit.Dir.Combine("fast-work");

        var plainFirst = Run([.. Switches(plainWork, "v1"), "--fast-path=false"]);
        var plainAgain = Run([.. Switches(plainWork, "v1"), "--fast-path=false"]);
        Assert.Equal("v1", _kit.VersionOnDevice(server));
        var fastFirst = Run(Switches(fastWork, "v2"));
        var fastAgain = Run(Switches(fastWork, "v2"));

        Assert.Equal((0, 0, 0, 0), (plainFirst.ExitCode, plainAgain.ExitCode, fastFirst.ExitCode, fastAgain.ExitCode));
        Assert.Equal("v2", _kit.VersionOnDevice(server));
        // The plain path: nothing kept for a next run's guess, no connection but the deploy's own.
        Assert.False(File.Exists(Path.Combine(plainWork, "state", "last-deploy-target")), "--fast-path=false wrote the guess's record");
        Assert.False(File.Exists(Path.Combine(plainWork, "state", "probes.json")), "--fast-path=false cached host probes");
        var plainLogs = Logs(plainWork);
        Assert.Contains("Deploying", plainLogs); // the device's log file is written on both paths
        Assert.DoesNotContain("Using the connection opened while building", plainLogs);
        Assert.DoesNotContain("Connected as the last run with this command line did", plainLogs);
        // The fast path, the same deploys: the record, and the second run's connection made before the device was known.
        Assert.True(File.Exists(Path.Combine(fastWork, "state", "last-deploy-target")), fastFirst.All);
        Assert.Contains("Connected as the last run with this command line did", Logs(fastWork));
    }

    /// <summary>The device log files a work dir's runs wrote (the early connection's words go there).</summary>
    private static string Logs(string workDir) =>
        string.Join("\n", Directory.EnumerateFiles(Path.Combine(workDir, "logs"), "*", SearchOption.AllDirectories).Select(File.ReadAllText));

    private BuildCli.Result Run(string[] args)
    {
        var result = BuildCli.Run(args, new Dictionary<string, string?> { ["HOME"] = _kit.Dir.Combine("home") }, TimeSpan.FromMinutes(3));
        TestContext.Current.TestOutputHelper?.WriteLine(result.All);
        return result;
    }
}
