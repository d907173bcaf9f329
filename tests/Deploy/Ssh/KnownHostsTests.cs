using System.Security.Cryptography;
using System.Text;
using Crossboard.Deploy;
using Crossboard.Machine;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Deploy;

/// <summary>known_hosts parsing and the verdicts, on files written like OpenSSH writes them.</summary>
[Tier(TestTier.Unit)]
public sealed class KnownHostsTests : IDisposable
{
    private readonly TempDir _dir = new("knownhosts");

    public void Dispose() => _dir.Dispose();

    private static byte[] Key(string type, byte seed)
    {
        var name = Encoding.ASCII.GetBytes(type);
        var blob = new byte[4 + name.Length + 36];
        blob[3] = (byte)name.Length;
        name.CopyTo(blob, 4);
        blob.AsSpan(4 + name.Length).Fill(seed);
        return blob;
    }

    private string Line(string hosts, byte[] key, string? marker = null) =>
        $"{(marker is null ? "" : marker + " ")}{hosts} {KnownHosts.KeyTypeOf(key)} {Convert.ToBase64String(key)}";

    [Fact]
    public void Patterns_negations_ports_and_hashes_match_like_openssh()
    {
        Assert.True(KnownHosts.HostMatches("omega,192.168.3.1", "192.168.3.1"));
        Assert.True(KnownHosts.HostMatches("*.lan,!router.lan", "omega.lan"));
        Assert.False(KnownHosts.HostMatches("*.lan,!router.lan", "router.lan"));
        Assert.True(KnownHosts.HostMatches("[10.0.0.?]:2222", "[10.0.0.5]:2222"));
        Assert.False(KnownHosts.HostMatches("10.0.0.5", "[10.0.0.5]:2222"));
        Assert.Equal("[omega]:2222", KnownHosts.LookupName("OMEGA", 2222));

        var salt = RandomNumberGenerator.GetBytes(20);
        var hash = HMACSHA1.HashData(salt, Encoding.UTF8.GetBytes("[10.0.0.5]:2222"));
        var hashed = $"|1|{Convert.ToBase64String(salt)}|{Convert.ToBase64String(hash)}";
        Assert.True(KnownHosts.HostMatches(hashed, "[10.0.0.5]:2222"));
        Assert.False(KnownHosts.HostMatches(hashed, "10.0.0.5"));
    }

    [Fact]
    public void Verdicts_match_changed_revoked_and_unknown()
    {
        var good = Key("ssh-ed25519", 1);
        var other = Key("ssh-ed25519", 2);
        var rsa = Key("ssh-rsa", 3);
        var file = _dir.Write("known_hosts", string.Join("\n",
            "# comment",
            Line("old.lan", other),
            Line("[dev.lan]:2222", good),
            Line("changed.lan", other),
            Line("revoked.lan", good, "@revoked"),
            Line("rsa-only.lan", rsa),
            Line("*.lan", other, "@cert-authority"),
            "garbage line"));

        Assert.Equal(new KnownHostLookup(KnownHostVerdict.Match, 3, "ssh-ed25519"), KnownHosts.Check(file, "dev.lan", 2222, good) with { OtherKeyTypes = null });
        var changed = KnownHosts.Check(file, "changed.lan", 22, good);
        Assert.Equal((KnownHostVerdict.Changed, 4, KnownHosts.Fingerprint(other)), (changed.Verdict, changed.Line, changed.StoredFingerprint));
        Assert.Equal(KnownHostVerdict.Revoked, KnownHosts.Check(file, "revoked.lan", 22, good).Verdict);
        var rsaOnly = KnownHosts.Check(file, "rsa-only.lan", 22, good);
        Assert.Equal(KnownHostVerdict.Unknown, rsaOnly.Verdict);
        Assert.Equal(["ssh-rsa"], rsaOnly.OtherKeyTypes!);
        Assert.Equal(KnownHostVerdict.Unknown, KnownHosts.Check(file, "dev.lan", 22, good).Verdict);
        Assert.Equal(KnownHostVerdict.Unknown, KnownHosts.Check(_dir.Combine("absent"), "dev.lan", 22, good).Verdict);
    }

    [Fact]
    public void Fingerprints_are_what_ssh_keygen_prints()
    {
        var key = _dir.Combine("key");
        ProcessRunner.RunChecked(new ProcessSpec("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key), "ssh-keygen failed", TestContext.Current.CancellationToken);
        var blob = Convert.FromBase64String(File.ReadAllText(key + ".pub").Split(' ')[1]);
        var printed = ProcessRunner.RunChecked(new ProcessSpec("ssh-keygen", "-l", "-f", key + ".pub"), "ssh-keygen -l failed", TestContext.Current.CancellationToken).StandardOutput;

        Assert.Equal(printed.Split(' ')[1], KnownHosts.Fingerprint(blob));
        Assert.True(HostKeyVerifier.IsValidPin(KnownHosts.Fingerprint(blob)));
    }
}
