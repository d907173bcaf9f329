namespace Crossboard.Deploy;

/// <summary>
/// A device to deploy to, fully resolved: from --device=[user@]host[:port], an ~/.ssh/config
/// alias, or the emulator (which pins its own host key and forwards its ports).
/// </summary>
/// <param name="Name">What the user called it (for messages and fleet tables).</param>
/// <param name="Host">Address to connect to.</param>
/// <param name="Port">SSH port.</param>
/// <param name="User">Login user.</param>
/// <param name="IdentityFiles">Private key files to try, in order.</param>
/// <param name="HostKeyPin">SHA256:... fingerprint the host key must have (else known_hosts decides).</param>
/// <param name="KnownHostsFile">known_hosts to verify against when there is no pin (default ~/.ssh/known_hosts).</param>
/// <param name="ForwardedPorts">Device port -> port reachable from here (the emulator's user-mode network forwards 8000 to a free local port).</param>
public sealed record DeviceTarget(
    string Name,
    string Host,
    int Port,
    string User,
    IReadOnlyList<string> IdentityFiles,
    string? HostKeyPin,
    string? KnownHostsFile,
    IReadOnlyDictionary<int, int> ForwardedPorts)
{
    /// <summary>Where a device port is reachable from this machine.</summary>
    public int Reach(int devicePort) => ForwardedPorts.TryGetValue(devicePort, out var local) ? local : devicePort;
}
