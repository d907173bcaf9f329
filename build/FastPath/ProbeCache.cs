using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Crossboard.Machine;

namespace Crossboard.FastPath;

/// <summary>A probe's answer and the files it was read from (absolute paths; they may be absent).</summary>
public sealed record ProbeAnswer(string Value, IReadOnlyCollection<string> DependsOn);

/// <summary>
/// Answers of host probes (is this package installed, where is that compiler, what version is
/// Debian's rustc) kept across runs, so that a run where nothing changed spawns none of them. An
/// answer is reused only while every file it depends on has the same fingerprint as when it was
/// probed, and is probed again otherwise: on a miss the probe runs exactly as it would without
/// the cache.
/// <para>
/// The key of an answer is its question, which the caller builds from everything else the probe's
/// result depends on (PATH for a look-up on PATH, DPKG_ADMINDIR for dpkg); its dependencies are
/// files and folders, each fingerprinted by (device, inode, size, mtime, ctime), following a
/// symbolic link to its target and fingerprinting the link too, or "absent". What invalidates
/// what: /var/lib/dpkg/status is rewritten (a new inode) by every apt-get/dpkg install, upgrade
/// and removal, and dpkg's journal folder (updates/) changes while one is half done; a binary
/// replaced by hand gets a new inode or ctime (ctime cannot be set back by a user, unlike mtime);
/// a folder's mtime changes when an entry is added, removed or renamed in it (a new compiler put
/// in an earlier PATH folder, a std unpacked into rustc's sysroot).
/// </para>
/// <para>
/// Only successful probes are stored. The file (&lt;work-dir&gt;/state/probes.json) is written
/// whole to a temporary file and renamed into place, so a reader sees the old or the new file,
/// never half of one; concurrent runs merge with what is on disk when they write, and the last
/// writer wins (a lost entry is a probe next time). A file that cannot be read or parsed is
/// ignored, and failing to write one never fails a build. Answers are about this machine: a
/// stage whose commands run in the builder container (--docker) gets no cache (<see cref="For"/>).
/// </para>
/// </summary>
public sealed class ProbeCache(string file)
{
    private const int FormatVersion = 1;
    private const string Absent = "absent";

    /// <summary>dpkg's database of installed packages and its journal of a run in progress.</summary>
    public static readonly string[] DpkgDatabase = ["/var/lib/dpkg/status", "/var/lib/dpkg/updates"];

    /// <summary>Environment that changes what dpkg answers, as part of a question.</summary>
    public static string DpkgEnvironment => "DPKG_ADMINDIR=" + Environment.GetEnvironmentVariable("DPKG_ADMINDIR");

    public string FilePath { get; } = file;

    /// <summary>The cache of a work dir.</summary>
    /// <summary>The cache of a work dir; null (probe every time) with --fast-path=false.</summary>
    public static ProbeCache? InWorkDir(string workDir) => FastPathSwitch.Enabled ? new(Path.Combine(workDir, "state", "probes.json")) : null;

    /// <summary>The work dir's cache when <paramref name="runner"/> runs on this machine; null (no cache) for the builder container.</summary>
    public static ProbeCache? For(ICommandRunner runner, string workDir) =>
        runner is LocalCommandRunner ? InWorkDir(workDir) : null;

    private readonly object _gate = new();
    private Dictionary<string, Entry>? _entries;

    private sealed record Entry(string Value, IReadOnlyList<KeyValuePair<string, string>> Dependencies);

    /// <summary>
    /// The stored answer to <paramref name="question"/> if its files are unchanged; otherwise runs
    /// <paramref name="probe"/> and stores its answer when it gives one (null: the probe failed,
    /// nothing is stored and null is returned).
    /// </summary>
    public string? GetOrProbe(string question, Func<ProbeAnswer?> probe)
    {
        if (TryGet(question, out var cached))
        {
            return cached;
        }

        var answer = probe();
        if (answer is not null)
        {
            Store(question, answer);
        }

        return answer?.Value;
    }

    /// <summary>Async form of <see cref="GetOrProbe"/>.</summary>
    public async Task<string?> GetOrProbeAsync(string question, Func<Task<ProbeAnswer?>> probe)
    {
        if (TryGet(question, out var cached))
        {
            return cached;
        }

        var answer = await probe().ConfigureAwait(false);
        if (answer is not null)
        {
            Store(question, answer);
        }

        return answer?.Value;
    }

    public bool TryGet(string question, out string answer)
    {
        answer = "";
        Entry? entry;
        lock (_gate)
        {
            _entries ??= Read();
            if (!_entries.TryGetValue(question, out entry))
            {
                return false;
            }
        }

        foreach (var (path, fingerprint) in entry.Dependencies)
        {
            if (Fingerprint(path) != fingerprint)
            {
                return false;
            }
        }

        answer = entry.Value;
        return true;
    }

    /// <summary>
    /// Stores an answer with its files' fingerprints as they are now. Fingerprinted after the
    /// probe ran: a file that changed while it ran is newer than what is stored only if it
    /// changed again, and then the next run probes again.
    /// </summary>
    public void Store(string question, ProbeAnswer answer)
    {
        var dependencies = answer.DependsOn.Distinct(StringComparer.Ordinal)
            .Select(p => KeyValuePair.Create(p, Fingerprint(p)))
            .ToList();
        lock (_gate)
        {
            // Merge with what other runs wrote since this one read the file.
            var entries = Read();
            entries[question] = new Entry(answer.Value, dependencies);
            _entries = entries;
            try
            {
                Write(entries);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // A cache that cannot be written is a probe next time, not a failed build.
            }
        }
    }

    private Dictionary<string, Entry> Read()
    {
        var entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
        try
        {
            if (!File.Exists(FilePath))
            {
                return entries;
            }

            using var document = JsonDocument.Parse(File.ReadAllBytes(FilePath));
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object ||
                !root.TryGetProperty("version", out var version) || version.ValueKind != JsonValueKind.Number || version.GetInt32() != FormatVersion ||
                !root.TryGetProperty("answers", out var answers) || answers.ValueKind != JsonValueKind.Object)
            {
                return entries;
            }

            foreach (var item in answers.EnumerateObject())
            {
                if (item.Value.ValueKind != JsonValueKind.Object ||
                    !item.Value.TryGetProperty("value", out var value) || value.ValueKind != JsonValueKind.String ||
                    !item.Value.TryGetProperty("files", out var files) || files.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                var dependencies = new List<KeyValuePair<string, string>>();
                var valid = true;
                foreach (var dependency in files.EnumerateObject())
                {
                    if (dependency.Value.ValueKind != JsonValueKind.String)
                    {
                        valid = false;
                        break;
                    }

                    dependencies.Add(KeyValuePair.Create(dependency.Name, dependency.Value.GetString()!));
                }

                if (valid)
                {
                    entries[item.Name] = new Entry(value.GetString()!, dependencies);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or FormatException or InvalidOperationException)
        {
            entries.Clear(); // unreadable or corrupt: probe again, and the next write replaces it
        }

        return entries;
    }

    private void Write(Dictionary<string, Entry> entries)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(FilePath))!;
        Directory.CreateDirectory(dir);
        var temp = Path.Combine(dir, $".{Path.GetFileName(FilePath)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                json.WriteStartObject();
                json.WriteNumber("version", FormatVersion);
                json.WriteStartObject("answers");
                foreach (var (question, entry) in entries.OrderBy(e => e.Key, StringComparer.Ordinal))
                {
                    json.WriteStartObject(question);
                    json.WriteString("value", entry.Value);
                    json.WriteStartObject("files");
                    foreach (var (path, fingerprint) in entry.Dependencies)
                    {
                        json.WriteString(path, fingerprint);
                    }

                    json.WriteEndObject();
                    json.WriteEndObject();
                }

                json.WriteEndObject();
                json.WriteEndObject();
            }

            File.Move(temp, FilePath, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    /// <summary>
    /// What identifies a file's current content without reading it: for the path itself and, when
    /// it is a symbolic link, for what it finally points to, (device, inode, size, mtime, ctime);
    /// "absent" when there is nothing there.
    /// </summary>
    public static string Fingerprint(string path)
    {
        var own = Stat(path, followLinks: false);
        if (own is null)
        {
            return Absent;
        }

        if (!own.Value.IsLink)
        {
            return own.Value.Text;
        }

        var target = Stat(path, followLinks: true);
        return $"{own.Value.Text} -> {target?.Text ?? Absent}";
    }

    private readonly record struct FileStat(string Text, bool IsLink);

    private static bool _noStatx = !OperatingSystem.IsLinux();

    private static FileStat? Stat(string path, bool followLinks)
    {
        if (!_noStatx)
        {
            try
            {
                return Statx(path, followLinks);
            }
            catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
            {
                _noStatx = true;
            }
        }

        // Without statx (not Linux, an old libc): size and times only.
        FileSystemInfo info = Directory.Exists(path) ? new DirectoryInfo(path) : new FileInfo(path);
        if (!followLinks && info.LinkTarget is { } link)
        {
            return new FileStat($"link {link}", true);
        }

        if (followLinks && info.LinkTarget is not null)
        {
            info = info.ResolveLinkTarget(returnFinalTarget: true) ?? info;
        }

        if (!info.Exists)
        {
            return null;
        }

        var length = info is FileInfo file ? file.Length : 0;
        return new FileStat($"size {length} mtime {info.LastWriteTimeUtc.Ticks}", false);
    }

    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxBasicStats = 0x7ff;
    private const int SIfmt = 0xF000;
    private const int SIflnk = 0xA000;

    private static FileStat? Statx(string path, bool followLinks)
    {
        // struct statx is the same on every Linux architecture: 256 bytes, fields at fixed offsets.
        // Passed as pinned addresses: a signature of plain integers needs no marshalling stub
        // generated at run time (ReadyToRun compiles the call ahead).
        var buffer = new byte[256];
        var name = new byte[Encoding.UTF8.GetByteCount(path) + 1];
        Encoding.UTF8.GetBytes(path, name);
        var pinnedName = GCHandle.Alloc(name, GCHandleType.Pinned);
        var pinnedBuffer = GCHandle.Alloc(buffer, GCHandleType.Pinned);
        try
        {
            if (statx(AtFdCwd, pinnedName.AddrOfPinnedObject(), followLinks ? 0 : AtSymlinkNoFollow, StatxBasicStats, pinnedBuffer.AddrOfPinnedObject()) != 0)
            {
                return null; // ENOENT, ENOTDIR, EACCES: nothing usable there
            }
        }
        finally
        {
            pinnedName.Free();
            pinnedBuffer.Free();
        }

        var mode = BitConverter.ToUInt16(buffer, 28);
        var inode = BitConverter.ToUInt64(buffer, 32);
        var size = BitConverter.ToUInt64(buffer, 40);
        var ctime = (BitConverter.ToInt64(buffer, 96), BitConverter.ToUInt32(buffer, 104));
        var mtime = (BitConverter.ToInt64(buffer, 112), BitConverter.ToUInt32(buffer, 120));
        var device = (BitConverter.ToUInt32(buffer, 136), BitConverter.ToUInt32(buffer, 140));
        var text = new StringBuilder()
            .Append($"dev {device.Item1}:{device.Item2} ino {inode} size {size} ")
            .Append($"mtime {mtime.Item1}.{mtime.Item2:D9} ctime {ctime.Item1}.{ctime.Item2:D9}")
            .ToString();
        return new FileStat(text, (mode & SIfmt) == SIflnk);
    }

    [DllImport("libc")]
    private static extern int statx(int dirfd, IntPtr path, int flags, uint mask, IntPtr buffer);
}
