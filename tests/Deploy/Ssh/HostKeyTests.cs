using Crossboard.Deploy;
using Crossboard.Machine;
using Crossboard.Tests.Fixtures.Ssh;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Deploy;

/// <summary>No silent trust: known_hosts (hashed, non-default port) or a pin decides; unknown and changed keys are refused.</summary>
[Tier(TestTier.NeedsNamespaces)]
public sealed class HostKeyTests : IDisposable
{
    private readonly DeployKit _kit = new("hostkey");

    public void Dispose() => _kit.Dispose();


    [Fact]
    public void An_unknown_host_is_refused_with_its_fingerprint_and_the_exact_ways_to_accept_it()
    {
        var server = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.Dropbear, Password = "pw" });
        var variable = _kit.Secret("pw");
        var target = DeployKit.Target(server, pin: null);
        var deployer = new Deployer(_kit.Settings(passwordVariable: variable, smokeVersion: null), _kit.Log);

        var error = Assert.Throws<CrossboardException>(() => deployer.Deploy(target, _kit.App("v1"), cancellation: TestContext.Current.CancellationToken));

        Assert.Contains($"is not known: ssh-ed25519 {server.HostKeyFingerprint}", error.Message);
        Assert.Contains($"--host-key={server.HostKeyFingerprint}", error.Message);
        Assert.False(File.Exists(Path.Combine(server.UsrBin, _kit.AppName)));

        // The message's own "record it" command, run as printed, makes the next deploy go through.
        var record = error.Message.Split('\n').Single(l => l.TrimStart().StartsWith("or record it:", StringComparison.Ordinal));
        var command = record[(record.IndexOf(':') + 1)..].Trim();
        ProcessRunner.RunChecked(new ProcessSpec("/bin/sh", "-c", command), "the printed command failed", TestContext.Current.CancellationToken);
        Assert.Contains($"[{server.Host}]:{server.Port} {server.HostKeyLine}", File.ReadAllText(_kit.KnownHosts));

        var result = deployer.Deploy(target, _kit.App("v1"), cancellation: TestContext.Current.CancellationToken);
        Assert.True(result.Succeeded);
        Assert.Contains($"({_kit.KnownHosts} line 1)", _kit.Log.Text);
    }

    [Fact]
    public void A_changed_host_key_is_refused_loudly_with_the_line_and_how_to_remove_it()
    {
        var server = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.Dropbear, Password = "pw" });
        var (_, other) = DeviceServer.GenerateKey(_kit.Dir.Combine("other"), "host", "ed25519");
        File.WriteAllText(_kit.KnownHosts,
            "# devices\n" +
            $"[{server.Host}]:{server.Port} {string.Join(' ', other.Split(' ').Take(2))}\n");

        var error = Assert.Throws<CrossboardException>(() =>
            new Deployer(_kit.Settings(passwordVariable: _kit.Secret("pw"), smokeVersion: null), _kit.Log)
                .Deploy(DeployKit.Target(server, pin: null), _kit.App("v1"), cancellation: TestContext.Current.CancellationToken));

        Assert.Contains($"HOST KEY CHANGED for device '{DeployKit.Target(server).Name}'", error.Message);
        Assert.Contains($"{_kit.KnownHosts} line 2 holds ssh-ed25519", error.Message);
        Assert.Contains($"the device presented ssh-ed25519 {server.HostKeyFingerprint}", error.Message);
        Assert.Contains($"ssh-keygen -R '[{server.Host}]:{server.Port}' -f {_kit.KnownHosts}", error.Message);
    }

    [Fact]
    public void A_pinned_fingerprint_is_accepted_and_a_wrong_pin_refused()
    {
        var server = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.Dropbear, Password = "pw" });
        var variable = _kit.Secret("pw");
        var deployer = new Deployer(_kit.Settings(passwordVariable: variable, smokeVersion: null), _kit.Log);
        var wrongPin = "SHA256:" + new string('A', 43);

        var error = Assert.Throws<CrossboardException>(() =>
            deployer.Deploy(DeployKit.Target(server, pin: wrongPin), _kit.App("v1"), cancellation: TestContext.Current.CancellationToken));
        var result = deployer.Deploy(DeployKit.Target(server), _kit.App("v1"), cancellation: TestContext.Current.CancellationToken);

        Assert.Contains($"HOST KEY MISMATCH", error.Message);
        Assert.Contains($"the pinned fingerprint is {wrongPin}, but the device presented ssh-ed25519 {server.HostKeyFingerprint}", error.Message);
        Assert.True(result.Succeeded);
        Assert.Contains($"{server.HostKeyFingerprint} (pinned)", _kit.Log.Text);
    }

    [Fact]
    public void Known_hosts_with_a_hashed_entry_for_a_non_default_port_is_accepted_for_the_key_type_on_record()
    {
        // The server has ed25519 (SSH.NET's first choice) and ECDSA keys; only ECDSA is on record,
        // so the client must ask for ECDSA first, as ssh does.
        var server = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.OpenSsh, Password = "pw", SecondHostKeyType = "ecdsa" });
        var ecdsa = server.SecondHostKeyLine!;
        File.WriteAllText(_kit.KnownHosts, $"other.example {server.HostKeyLine}\n[{server.Host}]:{server.Port} {ecdsa}\n");
        // OpenSSH's own tool hashes the names, as HashKnownHosts=yes (Debian's default) writes them.
        ProcessRunner.RunChecked(new ProcessSpec("ssh-keygen", "-H", "-f", _kit.KnownHosts), "ssh-keygen -H failed", TestContext.Current.CancellationToken);
        var text = File.ReadAllText(_kit.KnownHosts);
        Assert.DoesNotContain(server.Host, text);
        Assert.StartsWith("|1|", text);

        var result = new Deployer(_kit.Settings(passwordVariable: _kit.Secret("pw"), smokeVersion: null), _kit.Log)
            .Deploy(DeployKit.Target(server, pin: null), _kit.App("v1"), cancellation: TestContext.Current.CancellationToken);

        Assert.True(result.Succeeded);
        var fingerprint = KnownHosts.Fingerprint(Convert.FromBase64String(ecdsa.Split(' ')[1]));
        Assert.Contains($"ecdsa-sha2-nistp256 {fingerprint} ({_kit.KnownHosts} line 2)", _kit.Log.Text);
    }
}
