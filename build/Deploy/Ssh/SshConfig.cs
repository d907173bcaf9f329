using System.Text;
using System.Text.RegularExpressions;
using Crossboard.Machine;

namespace Crossboard.Deploy;

/// <summary>What ~/.ssh/config says about one host alias (only the keys crossboard honours).</summary>
public sealed record SshHostSettings(
    string? HostName,
    string? User,
    int? Port,
    IReadOnlyList<string> IdentityFiles,
    string? UserKnownHostsFile,
    string? Source)
{
    public static readonly SshHostSettings None = new(null, null, null, [], null, null);
}

/// <summary>
/// Reads an OpenSSH client config (ssh_config(5)) the way ssh does for the keys a deploy needs:
/// Host blocks with wildcards and negations, the first value obtained wins, IdentityFile
/// accumulates, Include pulls in more files. Match blocks cannot be evaluated without running
/// commands, so they are skipped (said in the verbose log).
/// </summary>
public sealed class SshConfig
{
    private readonly List<Block> _blocks = new();
    private readonly List<string> _notes = new();

    private SshConfig()
    {
    }

    /// <summary>Things the parser skipped (Match blocks, unreadable Includes), for the verbose log.</summary>
    public IReadOnlyList<string> Notes => _notes;

    /// <summary>Reads <paramref name="path"/> (usually ~/.ssh/config); a missing file is an empty config.</summary>
    public static SshConfig Load(string path, string home)
    {
        var config = new SshConfig();
        if (File.Exists(path))
        {
            config.Read(path, home, depth: 0, ["*"]);
        }

        return config;
    }

    /// <summary>The settings for <paramref name="alias"/> (what the user typed), with %-tokens expanded.</summary>
    public SshHostSettings For(string alias, string localUser, string home)
    {
        string? hostName = null, user = null, knownHosts = null, source = null;
        int? port = null;
        var identities = new List<string>();
        foreach (var block in _blocks.Where(b => b.Matches(alias)))
        {
            foreach (var (key, value, where) in block.Settings)
            {
                switch (key)
                {
                    case "hostname" when hostName is null:
                        hostName = value;
                        source ??= where;
                        break;
                    case "user" when user is null:
                        user = value;
                        source ??= where;
                        break;
                    case "port" when port is null:
                        if (!int.TryParse(value, out var p) || p is < 1 or > 65535)
                        {
                            throw new CrossboardException($"{where}: Port '{value}' is not a number between 1 and 65535.");
                        }

                        port = p;
                        source ??= where;
                        break;
                    case "identityfile":
                        identities.Add(value);
                        source ??= where;
                        break;
                    case "userknownhostsfile" when knownHosts is null:
                        // Several files may be listed; the first is the one ssh writes to and reads first.
                        knownHosts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
                        break;
                }
            }
        }

        var realHost = hostName is null ? alias : Expand(hostName, alias, alias, user, port, localUser, home);
        string ExpandPath(string value) => ExpandTilde(Expand(value, alias, realHost, user, port, localUser, home), home);
        return new SshHostSettings(
            hostName is null ? null : realHost,
            user,
            port,
            identities.Select(ExpandPath).ToList(),
            knownHosts is null || knownHosts.Equals("none", StringComparison.OrdinalIgnoreCase) ? null : ExpandPath(knownHosts),
            source);
    }

    private void Read(string path, string home, int depth, IReadOnlyList<string> patterns)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _notes.Add($"cannot read {path}: {ex.Message}");
            return;
        }

        ReadLines(lines, path, home, depth, patterns);
    }

    private void ReadLines(IEnumerable<string> lines, string source, string home, int depth, IReadOnlyList<string> patterns)
    {
        // Lines before the first Host/Match apply to every host ("Host *"), or, in an included
        // file, to the hosts of the block that included it.
        var current = new Block(patterns);
        _blocks.Add(current);
        var number = 0;
        foreach (var raw in lines)
        {
            number++;
            var (key, args) = Split(raw.TrimEnd('\r'));
            if (key is null)
            {
                continue;
            }

            var where = $"{source}:{number}";
            switch (key)
            {
                case "host":
                    current = new Block(args);
                    _blocks.Add(current);
                    break;
                case "match":
                    _notes.Add($"{where}: Match blocks are not evaluated by crossboard; their settings are ignored.");
                    current = new Block([]);
                    _blocks.Add(current);
                    break;
                case "include" when depth < 8:
                    foreach (var pattern in args)
                    {
                        foreach (var file in Glob(ExpandTilde(pattern, home), Path.Combine(home, ".ssh")))
                        {
                            Read(file, home, depth + 1, current.Patterns);
                            // What follows the Include belongs to the block that held it again.
                            current = new Block(current.Patterns);
                            _blocks.Add(current);
                        }
                    }

                    break;
                default:
                    if (args.Count > 0)
                    {
                        current.Settings.Add((key, key == "userknownhostsfile" ? string.Join(' ', args) : args[0], where));
                    }

                    break;
            }
        }
    }

    private static IEnumerable<string> Glob(string pattern, string sshDir)
    {
        var full = Path.IsPathRooted(pattern) ? pattern : Path.Combine(sshDir, pattern);
        var dir = Path.GetDirectoryName(full)!;
        var name = Path.GetFileName(full);
        if (!name.Contains('*') && !name.Contains('?'))
        {
            return File.Exists(full) ? [full] : [];
        }

        return Directory.Exists(dir)
            ? Directory.EnumerateFiles(dir).Where(f => Block.Wildcard(name, Path.GetFileName(f))).Order(StringComparer.Ordinal)
            : [];
    }

    /// <summary>"Keyword args" or "Keyword=args"; quoted arguments may hold spaces.</summary>
    private static (string? Key, List<string> Args) Split(string line)
    {
        var text = line.Trim();
        if (text.Length == 0 || text[0] == '#')
        {
            return (null, []);
        }

        var match = Regex.Match(text, @"^(\S+?)(?:\s*=\s*|\s+)(.*)$");
        if (!match.Success)
        {
            return (text.ToLowerInvariant(), []);
        }

        var args = new List<string>();
        var rest = match.Groups[2].Value;
        var word = new StringBuilder();
        var quoted = false;
        var inWord = false;
        foreach (var c in rest)
        {
            if (c == '"')
            {
                quoted = !quoted;
                inWord = true;
            }
            else if (char.IsWhiteSpace(c) && !quoted)
            {
                if (inWord)
                {
                    args.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }
            }
            else if (c == '#' && !quoted && !inWord)
            {
                break;
            }
            else
            {
                word.Append(c);
                inWord = true;
            }
        }

        if (inWord)
        {
            args.Add(word.ToString());
        }

        return (match.Groups[1].Value.ToLowerInvariant(), args);
    }

    private static string Expand(string value, string alias, string host, string? user, int? port, string localUser, string home)
    {
        var text = new StringBuilder();
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] != '%' || i + 1 >= value.Length)
            {
                text.Append(value[i]);
                continue;
            }

            i++;
            text.Append(value[i] switch
            {
                '%' => "%",
                'h' => host,
                'n' => alias,
                'd' => home,
                'u' => localUser,
                'r' => user ?? localUser,
                'p' => (port ?? 22).ToString(System.Globalization.CultureInfo.InvariantCulture),
                var other => "%" + other,
            });
        }

        return text.ToString();
    }

    private static string ExpandTilde(string path, string home) =>
        path == "~" ? home : path.StartsWith("~/", StringComparison.Ordinal) ? Path.Combine(home, path[2..]) : path;

    private sealed class Block(IReadOnlyList<string> patterns)
    {
        public IReadOnlyList<string> Patterns { get; } = patterns;
        public List<(string Key, string Value, string Where)> Settings { get; } = new();

        public bool Matches(string host)
        {
            var matched = false;
            foreach (var pattern in Patterns)
            {
                if (pattern.StartsWith('!'))
                {
                    if (Wildcard(pattern[1..], host))
                    {
                        return false;
                    }
                }
                else if (Wildcard(pattern, host))
                {
                    matched = true;
                }
            }

            return matched;
        }

        /// <summary>ssh's match_pattern: '*' any run, '?' one character, case-insensitive.</summary>
        public static bool Wildcard(string pattern, string text)
        {
            var regex = "^" + Regex.Escape(pattern).Replace(@"\*", ".*").Replace(@"\?", ".") + "$";
            return Regex.IsMatch(text, regex, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        }
    }
}
