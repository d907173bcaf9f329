using System.Globalization;
using Crossboard.Machine;
using Crossboard.Recipes;

namespace Crossboard.Deploy;

/// <summary>
/// Turns what the user typed (--device=[user@]host[:port], an ~/.ssh/config Host alias, or
/// "emulator") into a <see cref="DeviceTarget"/>. Precedence follows ssh: what is on the command
/// line, then ~/.ssh/config, then the board recipe's [deploy] defaults.
/// </summary>
/// <param name="defaults">The board's [deploy] user and port.</param>
/// <param name="home">The home whose .ssh/ holds config, known_hosts and default keys.</param>
/// <param name="emulator">Resolves "emulator" (the emulator stage boots the device and pins its key); null when that stage is absent.</param>
public sealed class DeviceResolver(DeployDefaults defaults, string home, Func<DeviceTarget>? emulator = null)
{
    public const string Emulator = "emulator";

    /// <summary>Private keys ssh tries when none is configured, in ssh's order.</summary>
    public static readonly string[] DefaultKeyNames = ["id_ed25519", "id_ecdsa", "id_rsa"];

    public string SshDir => Path.Combine(home, ".ssh");
    public string DefaultKnownHosts => Path.Combine(SshDir, "known_hosts");

    /// <summary>Notes for the verbose log (which config lines applied, what was skipped).</summary>
    public List<string> Notes { get; } = new();

    /// <param name="device">--device, or an inventory line; null or "emulator" for the emulated device.</param>
    /// <param name="identity">--identity=FILE: a key tried before any other.</param>
    /// <param name="hostKeyPin">--host-key=SHA256:...</param>
    /// <param name="name">What to call the device in messages (default: what was typed).</param>
    public DeviceTarget Resolve(string? device, string? identity = null, string? hostKeyPin = null, string? name = null)
    {
        if (hostKeyPin is not null && !HostKeyVerifier.IsValidPin(hostKeyPin))
        {
            throw new CrossboardException(
                $"--host-key={hostKeyPin} is not an SHA256 fingerprint. Give it as ssh-keygen -lf prints it, e.g. --host-key=SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s");
        }

        if (device is null || device.Equals(Emulator, StringComparison.OrdinalIgnoreCase))
        {
            return ResolveEmulator(device is null, identity, hostKeyPin);
        }

        var (user, host, port) = Parse(device);
        var config = SshConfig.Load(Path.Combine(SshDir, "config"), home);
        Notes.AddRange(config.Notes);
        var settings = config.For(host, Environment.UserName, home);
        if (settings.Source is not null)
        {
            Notes.Add($"'{host}' is configured in {settings.Source}" + (settings.HostName is null ? "" : $" (HostName {settings.HostName})"));
        }

        var identities = new List<string>();
        if (identity is not null)
        {
            var full = Path.GetFullPath(ExpandTilde(identity));
            if (!File.Exists(full))
            {
                throw new CrossboardException($"--identity={identity}: no such file ({full}).");
            }

            identities.Add(full);
        }

        foreach (var file in settings.IdentityFiles)
        {
            if (File.Exists(file))
            {
                identities.Add(file);
            }
            else
            {
                Notes.Add($"IdentityFile {file} from {settings.Source} does not exist; skipped (as ssh does).");
            }
        }

        if (settings.IdentityFiles.Count == 0)
        {
            identities.AddRange(DefaultKeyNames.Select(k => Path.Combine(SshDir, k)).Where(File.Exists));
        }

        return new DeviceTarget(
            name ?? device,
            settings.HostName ?? host,
            port ?? settings.Port ?? defaults.Port,
            user ?? settings.User ?? defaults.User,
            identities.Distinct().ToList(),
            hostKeyPin is null ? null : HostKeyVerifier.NormalisePin(hostKeyPin),
            settings.UserKnownHostsFile,
            new Dictionary<int, int>());
    }

    /// <summary>Splits "[user@]host[:port]"; IPv6 literals go in brackets when a port follows ("[::1]:2222").</summary>
    public static (string? User, string Host, int? Port) Parse(string device)
    {
        var text = device.Trim();
        string? user = null;
        var at = text.LastIndexOf('@');
        if (at >= 0)
        {
            user = text[..at];
            text = text[(at + 1)..];
            if (user.Length == 0)
            {
                throw Bad(device, "the user before '@' is empty");
            }
        }

        string host;
        string? portText = null;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']');
            if (close < 0)
            {
                throw Bad(device, "'[' without ']'");
            }

            host = text[1..close];
            var rest = text[(close + 1)..];
            if (rest.Length > 0)
            {
                if (!rest.StartsWith(':'))
                {
                    throw Bad(device, $"unexpected '{rest}' after ']'");
                }

                portText = rest[1..];
            }
        }
        else if (text.Count(c => c == ':') == 1)
        {
            host = text[..text.IndexOf(':')];
            portText = text[(text.IndexOf(':') + 1)..];
        }
        else
        {
            // No colon, or several: a bare IPv6 address without a port.
            host = text;
        }

        if (host.Length == 0)
        {
            throw Bad(device, "the host is empty");
        }

        if (host.Any(char.IsWhiteSpace) || host.Contains('/'))
        {
            throw Bad(device, $"'{host}' is not a host name");
        }

        int? port = null;
        if (portText is not null)
        {
            if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p is < 1 or > 65535)
            {
                throw Bad(device, $"the port '{portText}' is not a number between 1 and 65535");
            }

            port = p;
        }

        return (user, host, port);
    }

    private DeviceTarget ResolveEmulator(bool implicitly, string? identity, string? hostKeyPin)
    {
        if (emulator is null)
        {
            var why = implicitly
                ? "No --device was given, so Deploy targets the emulated device, but"
                : "--device=emulator needs the emulated device, but";
            throw new CrossboardException(
                $"{why} the emulator stage is not part of this build. " +
                "Deploy to a real device instead: --device=[user@]host[:port] or a Host alias from ~/.ssh/config.");
        }

        var target = emulator();
        // The emulator pins its own key; a user's --identity or --host-key still wins if given.
        return target with
        {
            IdentityFiles = identity is null ? target.IdentityFiles : [Path.GetFullPath(ExpandTilde(identity)), .. target.IdentityFiles],
            HostKeyPin = hostKeyPin is null ? target.HostKeyPin : HostKeyVerifier.NormalisePin(hostKeyPin),
        };
    }

    private string ExpandTilde(string path) => path.StartsWith("~/", StringComparison.Ordinal) ? Path.Combine(home, path[2..]) : path;

    private static CrossboardException Bad(string device, string why) => new(
        $"--device={device}: {why}. Give [user@]host[:port] (e.g. root@192.168.3.1:22, [fe80::1]:22) or a Host alias from ~/.ssh/config.");
}
