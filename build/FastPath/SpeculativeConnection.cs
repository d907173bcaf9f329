using System.Globalization;
using Crossboard.Deploy;
using Crossboard.Machine;
using Crossboard.Switches;

namespace Crossboard.FastPath;

/// <summary>
/// Starts connecting to the device the previous run with the same command line deployed to, as
/// the process starts: before the recipes are read, sooner than <see cref="EarlyConnection"/>
/// can know the device (bench/README.md, "The fast path", has by how much). On a no-op Deploy the handshake is the slowest path (a cold SSH.NET and
/// the device's key exchange), so this is time the run saves. It is only a guess: the early
/// connection adopts it only when the device it resolves is the same login to the same host,
/// verified the same way (<see cref="EarlyConnection.SameDevice"/>), and closes it otherwise.
/// The guess never uses a password (only the key files and passphrase variable on record), so
/// a stale or edited record cannot send a secret anywhere; the host key is checked as always.
/// </summary>
public sealed class SpeculativeConnection
{
    private const string RecordName = "last-deploy-target";

    private readonly object _gate = new();
    private readonly string _key;
    private readonly string _workDir;
    private Task<Guess?>? _started;

    private SpeculativeConnection(string key, string workDir)
    {
        _key = key;
        _workDir = workDir;
    }

    /// <summary>The program's own (<see cref="Start"/>); null when its command line does not deploy.</summary>
    public static SpeculativeConnection? Current { get; private set; }

    /// <summary>
    /// Starts the guessed connection when the command line is one that deploys and the last such
    /// run left a record, and makes it <see cref="Current"/>. Returns at once: reading the record
    /// (the process's first JSON costs tens of milliseconds) and connecting happen on a thread of
    /// their own.
    /// </summary>
    public static SpeculativeConnection? Start(string[] args, CommandLineValues values, string workingDirectory)
    {
        try
        {
            if (!Deploys(values))
            {
                return null;
            }

            var speculation = new SpeculativeConnection(KeyOf(args, workingDirectory), WorkDirOf(values, workingDirectory));
            var record = RecordPath(speculation._workDir);
            if (File.Exists(record))
            {
                speculation._started = Task.Factory.StartNew(() => Connect(record, speculation._key, System.Diagnostics.Stopwatch.StartNew()),
                    CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            }

            Current = speculation;
            return speculation;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            // Only a guess: without it the run connects as it always does.
            return null;
        }
    }

    /// <summary>The target of the last run with this command line, connected; null when there is none (or it failed).</summary>
    private static Guess? Connect(string recordPath, string key, System.Diagnostics.Stopwatch sinceStart)
    {
        try
        {
            var record = Load(recordPath);
            if (record is null || record.Key != key)
            {
                return null;
            }

            var target = record.ToTarget();
            var credentials = new DeployCredentials(PassphraseVariable: record.PassphraseVariable);
            var timeout = TimeSpan.FromSeconds(Math.Min(record.TimeoutSeconds, EarlyConnection.MaxConnectTime.TotalSeconds));
            using var log = new DeviceLog(new RecordingBuildLog(), null, null);
            var connection = DeviceConnection.Open(target, credentials, log, timeout, record.DefaultKnownHosts);
            return new Guess(target, record.DefaultKnownHosts, connection, sinceStart.Elapsed);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or ArgumentException or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>The guessed connection, for the early connection to adopt or close (a null result: nothing was guessed); null when none was started, or it was claimed.</summary>
    public Task<Guess?>? Claim()
    {
        lock (_gate)
        {
            var started = _started;
            _started = null;
            return started;
        }
    }

    /// <summary>Closes a guessed connection nobody claimed (the run does not deploy after all).</summary>
    public void Abandon() => Close(Claim());

    /// <summary>Closes a guessed connection, whenever it finishes opening.</summary>
    public static void Close(Task<Guess?>? started) =>
        started?.ContinueWith(t =>
        {
            if (t.IsCompletedSuccessfully)
            {
                t.Result?.Connection.Dispose();
            }
        }, TaskScheduler.Default);

    /// <summary>Records the device this command line deploys to, for the next run's guess (not when logging in needs a password).</summary>
    public void Remember(DeviceTarget target, DeploySettings settings)
    {
        if (settings.Credentials.PasswordVariable is not null)
        {
            return;
        }

        var record = Record.Of(_key, target, settings);
        try
        {
            var path = RecordPath(_workDir);
            if (Load(path) == record)
            {
                return;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var temporary = $"{path}.{Environment.ProcessId}.tmp";
            if (record.Text() is not { } text)
            {
                return;
            }

            File.WriteAllText(temporary, text);
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The next run guesses nothing: it connects as it always does.
        }
    }

    /// <summary>Whether the command line runs Deploy (itself or through Default), and really runs it (not a dry run or a description), to one device.</summary>
    public static bool Deploys(CommandLineValues values)
    {
        foreach (var hostFlag in new[] { "dryrun", "noop", "whatif", "tree", "description", "descriptions", "help", "h", "version", "info", "devices" })
        {
            if (values.Has(hostFlag))
            {
                return false;
            }
        }

        var target = values.Targets[^1];
        return target.Equals("Deploy", StringComparison.OrdinalIgnoreCase) || target.Equals("Default", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>--work-dir as the run reads it (the switch table's default and path rules).</summary>
    private static string WorkDirOf(CommandLineValues values, string workingDirectory) =>
        (string)SwitchTable.Value("work-dir", name => values[name], path => BuildSwitches.FullPath(path, workingDirectory))!;

    /// <summary>The same command line in the same folder: what makes the last run's device a good guess.</summary>
    private static string KeyOf(IReadOnlyList<string> args, string workingDirectory) => string.Join(" ", [workingDirectory, .. args]);

    private static string RecordPath(string workDir) => Path.Combine(workDir, "state", RecordName);

    private static Record? Load(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        return Record.Parse(File.ReadAllLines(path));
    }

    /// <summary>A connection opened on a guess, to the target on record, verified against <paramref name="DefaultKnownHosts"/> when it has no pin.</summary>
    /// <param name="Took">From the program's start to connected.</param>
    public sealed record Guess(DeviceTarget Target, string DefaultKnownHosts, DeviceConnection Connection, TimeSpan Took);

    /// <summary>
    /// What the guess needs: the target (no secrets), the passphrase variable's name, the
    /// known_hosts default and the timeout. Kept as "name value" lines: System.Text.Json's first
    /// use in a process is slow (bench/README.md, "The fast path"), and on the guess's path before it can connect.
    /// </summary>
    internal sealed record Record(
        string Key,
        string Name,
        string Host,
        int Port,
        string User,
        string[] IdentityFiles,
        string? HostKeyPin,
        string? KnownHostsFile,
        Dictionary<int, int> ForwardedPorts,
        string? PassphraseVariable,
        string DefaultKnownHosts,
        double TimeoutSeconds)
    {
        public static Record Of(string key, DeviceTarget target, DeploySettings settings) => new(
            key, target.Name, target.Host, target.Port, target.User, [.. target.IdentityFiles], target.HostKeyPin, target.KnownHostsFile,
            new Dictionary<int, int>(target.ForwardedPorts), settings.Credentials.PassphraseVariable, settings.DefaultKnownHosts,
            settings.ConnectTimeout.TotalSeconds);

        /// <summary>The record as lines; null when a value cannot be one line (a path with a line break is not guessed for).</summary>
        public string? Text()
        {
            var lines = new List<string> { $"key {Key}", $"name {Name}", $"host {Host}", $"port {Port}", $"user {User}" };
            lines.AddRange(IdentityFiles.Select(f => $"identity {f}"));
            lines.AddRange(ForwardedPorts.Select(p => $"forward {p.Key} {p.Value}"));
            if (HostKeyPin is not null)
            {
                lines.Add($"pin {HostKeyPin}");
            }

            if (KnownHostsFile is not null)
            {
                lines.Add($"known-hosts {KnownHostsFile}");
            }

            if (PassphraseVariable is not null)
            {
                lines.Add($"passphrase-env {PassphraseVariable}");
            }

            lines.Add($"default-known-hosts {DefaultKnownHosts}");
            lines.Add($"timeout {TimeoutSeconds.ToString(CultureInfo.InvariantCulture)}");
            return lines.Any(l => l.Contains('\n') || l.Contains('\r')) ? null : string.Join('\n', lines) + "\n";
        }

        /// <summary>The record <see cref="Text"/> wrote; null when something is missing or malformed.</summary>
        public static Record? Parse(IEnumerable<string> lines)
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            var identities = new List<string>();
            var forwards = new Dictionary<int, int>();
            foreach (var line in lines)
            {
                var space = line.IndexOf(' ');
                if (space <= 0)
                {
                    continue;
                }

                var (name, value) = (line[..space], line[(space + 1)..]);
                switch (name)
                {
                    case "identity":
                        identities.Add(value);
                        break;
                    case "forward" when value.Split(' ') is [var from, var to] && int.TryParse(from, CultureInfo.InvariantCulture, out var f) && int.TryParse(to, CultureInfo.InvariantCulture, out var t):
                        forwards[f] = t;
                        break;
                    default:
                        values[name] = value;
                        break;
                }
            }

            string? Get(string name) => values.GetValueOrDefault(name);
            if (Get("key") is not { } key || Get("name") is not { } deviceName || Get("host") is not { } host || Get("user") is not { } user ||
                Get("default-known-hosts") is not { } knownHosts || !int.TryParse(Get("port"), CultureInfo.InvariantCulture, out var port) ||
                !double.TryParse(Get("timeout"), CultureInfo.InvariantCulture, out var timeout))
            {
                return null;
            }

            return new Record(key, deviceName, host, port, user, [.. identities], Get("pin"), Get("known-hosts"), forwards, Get("passphrase-env"), knownHosts, timeout);
        }

        public DeviceTarget ToTarget() => new(Name, Host, Port, User, IdentityFiles, HostKeyPin, KnownHostsFile, ForwardedPorts);

        public bool Equals(Record? other) => other is not null && Key == other.Key && Name == other.Name && Host == other.Host &&
            Port == other.Port && User == other.User && IdentityFiles.SequenceEqual(other.IdentityFiles) && HostKeyPin == other.HostKeyPin &&
            KnownHostsFile == other.KnownHostsFile && ForwardedPorts.Count == other.ForwardedPorts.Count && !ForwardedPorts.Except(other.ForwardedPorts).Any() &&
            PassphraseVariable == other.PassphraseVariable && DefaultKnownHosts == other.DefaultKnownHosts && TimeoutSeconds.Equals(other.TimeoutSeconds);

        public override int GetHashCode() => HashCode.Combine(Key, Host, Port, User);
    }
}
