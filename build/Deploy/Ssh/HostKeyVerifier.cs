using Renci.SshNet.Common;

namespace Crossboard.Deploy;

/// <summary>
/// Decides whether to trust the key a device presents: it must equal the pinned fingerprint
/// (DeviceTarget.HostKeyPin, from --host-key or the emulator), or else match known_hosts. There is
/// no trust on first use: an unknown key is refused with its fingerprint and the exact ways to
/// accept it, a changed key is refused loudly.
/// </summary>
public sealed class HostKeyVerifier(DeviceTarget target, string defaultKnownHosts)
{
    private readonly object _gate = new();

    /// <summary>Why the key was refused (null while nothing was refused): the message for the user.</summary>
    public string? Refusal { get; private set; }

    /// <summary>How the key was trusted, e.g. "ssh-ed25519 SHA256:... (pinned)".</summary>
    public string? Accepted { get; private set; }

    public string KnownHostsFile => target.KnownHostsFile ?? defaultKnownHosts;

    /// <summary>Hooked to SSH.NET's HostKeyReceived; setting CanTrust false makes Connect fail.</summary>
    public void OnHostKeyReceived(object? sender, HostKeyEventArgs e)
    {
        var (trusted, message) = Decide(e.HostKey);
        lock (_gate)
        {
            e.CanTrust = trusted;
            if (trusted)
            {
                Accepted = message;
            }
            else
            {
                Refusal = message;
            }
        }
    }

    /// <summary>The decision for a presented key blob: trusted and how, or refused and why.</summary>
    public (bool Trusted, string Message) Decide(byte[] keyBlob)
    {
        var type = KnownHosts.KeyTypeOf(keyBlob);
        var fingerprint = KnownHosts.Fingerprint(keyBlob);
        var where = $"device '{target.Name}' ({target.Host}:{target.Port})";
        if (target.HostKeyPin is { } pin)
        {
            if (NormalisePin(pin) == fingerprint)
            {
                return (true, $"{type} {fingerprint} (pinned)");
            }

            return (false,
                $"HOST KEY MISMATCH for {where}: the pinned fingerprint is {NormalisePin(pin)}, but the device presented " +
                $"{type} {fingerprint}. Refusing to connect." + Environment.NewLine +
                "Someone may be intercepting the connection, or this is a different device (or it was re-flashed, which makes a new key). " +
                "Check the fingerprint on the device itself; if the new one is right, pin it instead: " +
                $"--host-key={fingerprint}");
        }

        var file = KnownHostsFile;
        var lookup = KnownHosts.Check(file, target.Host, target.Port, keyBlob);
        var name = KnownHosts.LookupName(target.Host, target.Port);
        switch (lookup.Verdict)
        {
            case KnownHostVerdict.Match:
                return (true, $"{type} {fingerprint} ({file} line {lookup.Line})");
            case KnownHostVerdict.Changed:
                return (false,
                    $"HOST KEY CHANGED for {where}! Refusing to connect." + Environment.NewLine +
                    $"{file} line {lookup.Line} holds {lookup.StoredKeyType} {lookup.StoredFingerprint}, but the device presented {type} {fingerprint}." + Environment.NewLine +
                    "Someone may be intercepting the connection (man in the middle), or the device was re-flashed, which makes a new host key. " +
                    "Only if you know it was re-flashed: check the new fingerprint on the device's console, remove the old entry with" + Environment.NewLine +
                    $"  ssh-keygen -R {Shell(name)} -f {Shell(file)}" + Environment.NewLine +
                    $"and accept the new key with --host-key={fingerprint}");
            case KnownHostVerdict.Revoked:
                return (false,
                    $"The host key of {where} ({type} {fingerprint}) is marked @revoked in {file} line {lookup.Line}. Refusing to connect.");
            default:
                var others = lookup.OtherKeyTypes is { Count: > 0 } o
                    ? $" ({file} knows only {string.Join(", ", o)} key(s) for {name}; the device offered a {type} key.)"
                    : "";
                return (false,
                    $"The host key of {where} is not known: {type} {fingerprint}.{others}" + Environment.NewLine +
                    "crossboard never trusts a device on first sight. Compare this fingerprint with the one the device shows on its console " +
                    "(OpenWrt: dropbearkey -y -f /etc/dropbear/dropbear_ed25519_host_key; OpenSSH: ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub), then either" + Environment.NewLine +
                    $"  pin it:      --host-key={fingerprint}" + Environment.NewLine +
                    $"  or record it: mkdir -p {Shell(Path.GetDirectoryName(file) ?? ".")} && echo {Shell(KnownHosts.EntryLine(target.Host, target.Port, keyBlob))} >> {Shell(file)}");
        }
    }

    /// <summary>"SHA256:abc=" and "SHA256:abc" are the same fingerprint (ssh-keygen prints no padding).</summary>
    public static string NormalisePin(string pin) => "SHA256:" + pin["SHA256:".Length..].TrimEnd('=');

    /// <summary>Whether <paramref name="pin"/> has the shape of an SHA256 fingerprint.</summary>
    public static bool IsValidPin(string pin)
    {
        if (!pin.StartsWith("SHA256:", StringComparison.Ordinal))
        {
            return false;
        }

        var body = pin["SHA256:".Length..].TrimEnd('=');
        if (body.Length != 43)
        {
            return false;
        }

        try
        {
            return Convert.FromBase64String(body + "=").Length == 32;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static string Shell(string word) => Machine.ProcessSpec.ShellQuote(word);
}
