using System.Security.Cryptography;
using System.Text;

namespace Crossboard.Deploy;

/// <summary>
/// How the app is started on the device: its arguments and environment. They are the app's
/// settings (its Cargo.toml's [package.metadata.crossboard] args and env), overridden by
/// --app-args and --app-env; every service style starts the app with them (background, procd,
/// systemd, Run's foreground). Environment values may be secrets (a database URL with its
/// password): they go to the device, never to output or logs (<see cref="Secrets"/>).
/// </summary>
public sealed record AppLaunch(IReadOnlyList<string> Arguments, IReadOnlyList<KeyValuePair<string, string>> Environment)
{
    public static readonly AppLaunch Plain = new([], []);

    public bool IsPlain => Arguments.Count == 0 && Environment.Count == 0;

    /// <summary>What device logs mask: every environment value (short ones excepted: masking "1" everywhere would hide the log).</summary>
    public IEnumerable<string> Secrets => Environment.Select(e => e.Value).Where(v => v.Length >= 4);

    /// <summary><paramref name="text"/> with every secret replaced by ***, as written and as quoted for the device's shell.</summary>
    public static string Mask(string text, IEnumerable<string> secrets)
    {
        foreach (var secret in secrets)
        {
            text = text.Replace(secret, "***", StringComparison.Ordinal);
            var quoted = RemoteShell.Quote(secret)[1..^1];
            if (quoted != secret)
            {
                text = text.Replace(quoted, "***", StringComparison.Ordinal);
            }
        }

        return text;
    }

    /// <summary>Text from the device (the app's output may print its own environment) with this launch's secrets masked.</summary>
    public string Mask(string text) => Mask(text, Secrets);

    /// <summary>The shell words that start <paramref name="binary"/> (already a shell word, e.g. "$bin"): env NAME='value' ... binary 'arg' ...</summary>
    public string ShellCommand(string binary) =>
        (Environment.Count > 0 ? "env " + string.Join(' ', Environment.Select(e => e.Key + "=" + RemoteShell.Quote(e.Value))) + " " : "") +
        binary + string.Concat(Arguments.Select(a => " " + RemoteShell.Quote(a)));

    /// <summary>A digest of the launch (not the values themselves): a background app started differently is restarted.</summary>
    public string Fingerprint => IsPlain ? "" : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ShellCommand("")))) [..16];

    /// <summary>For messages: the arguments, and the environment's names only.</summary>
    public string Describe() =>
        IsPlain ? "" : string.Join("; ", new[]
        {
            Arguments.Count > 0 ? "arguments " + string.Join(' ', Arguments) : null,
            Environment.Count > 0 ? "environment " + string.Join(", ", Environment.Select(e => e.Key)) : null,
        }.OfType<string>());

    /// <summary>procd's lines for the instance (command with arguments, env).</summary>
    public string ProcdLines(string binary) =>
        $"\tprocd_set_param command {binary}{string.Concat(Arguments.Select(a => " " + RemoteShell.Quote(a)))}\n" +
        (Environment.Count > 0 ? "\tprocd_set_param env " + string.Join(' ', Environment.Select(e => RemoteShell.Quote(e.Key + "=" + e.Value))) + "\n" : "");

    /// <summary>systemd's lines (ExecStart with arguments, one Environment= per variable), quoted as systemd reads them.</summary>
    public string SystemdLines(string binary) =>
        $"ExecStart={binary}{string.Concat(Arguments.Select(a => " " + SystemdQuote(a)))}\n" +
        string.Concat(Environment.Select(e => $"Environment={SystemdQuote(e.Key + "=" + e.Value)}\n"));

    private static string SystemdQuote(string text) =>
        "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("%", "%%").Replace("$", "$$") + "\"";

    /// <summary>A valid environment variable name: letters, digits and _, not starting with a digit.</summary>
    public static bool IsName(string name) =>
        name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
