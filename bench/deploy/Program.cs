using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Crossboard.Artifacts;
using Crossboard.Deploy;
using Crossboard.Machine;
using Crossboard.Tests.Fixtures.Ssh;
using Crossboard;

// Deploy benchmarks against real servers on loopback (the test fixture's devices):
//  1. a 50 MB upload: crossboard's transfers (SFTP, SCP, exec channel, and a whole Deploy) vs
//     OpenSSH's scp (SFTP mode, and -O for the legacy protocol) to the same sshd;
//  2. exec channel vs SCP to dropbear without SFTP (stock OpenWrt's case);
//  3. raw vs gzip over links throttled to the seed's 93 KB/s and faster: where gzip pays, and
//     what the compression advisor decides and what its probes cost.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
if (!DeviceServer.CanRun(out var why))
{
    Console.Error.WriteLine($"The deploy benchmarks start real SSH servers in namespaces: {why}.");
    return 1;
}

var what = args.FirstOrDefault() ?? "all";
var work = Directory.CreateTempSubdirectory("crossboard-bench-deploy-").FullName;
try
{
    if (what == "figure-upload")
    {
        // bench/run.py's figure 3: run.sh figure-upload RUNS OUT.json
        UploadFigure.Run(work, int.Parse(args[1], CultureInfo.InvariantCulture), args[2]);
        return 0;
    }

    if (what == "figure-slow-link")
    {
        // bench/run.py's figure "slow-link", inside its throttled namespace: run.sh figure-slow-link RUNS OUT.json BUILD_A BUILD_B
        SlowLinkFigure.Run(work, int.Parse(args[1], CultureInfo.InvariantCulture), args[2], args[3], args[4]);
        return 0;
    }

    if (what == "figure-fleet")
    {
        // bench/run.py's figure "fleet", inside its namespace: run.sh figure-fleet RUNS OUT.json
        FleetFigure.Run(work, int.Parse(args[1], CultureInfo.InvariantCulture), args[2]);
        return 0;
    }

    if (what is "all" or "upload")
    {
        Uploads.Run(work);
    }

    if (what is "all" or "gzip")
    {
        Compression.Run(work);
    }
}
finally
{
    Directory.Delete(work, recursive: true);
}

return 0;

internal static class Bench
{
    public const int Repetitions = 3;

    public static readonly IBuildLog Quiet = new RecordingBuildLog();

    /// <summary>The devices' board (the tests' x86-64 device): every binary deployed must fit it.</summary>
    public static readonly Crossboard.Recipes.Board Board = TestApp.Board();

    /// <summary>
    /// A 50 MB binary as Deploy takes it: the tests' real ELF program followed by <paramref name="padding"/>
    /// (which the loader never reads), checked against the board once, as CargoBuild checks what it built.
    /// </summary>
    public static BuiltArtifact Binary(string path, byte[] padding, string name = "app")
    {
        var program = TestApp.Bytes(new TestAppBuild(name, "bench", 8000));
        using (var file = File.Create(path))
        {
            file.Write(program);
            file.Write(padding);
        }

        ArtifactCheck.Require(path, Board, Quiet);
        return BuiltArtifact.Of(path, name, "x86_64-unknown-linux-gnu", "bench") with { CheckedFor = Board.Name };
    }

    public static DeploySettings Settings(string work) => new()
    {
        InstallDir = "/tmp",
        Service = ServiceStyle.None,
        Board = Board,
        DefaultKnownHosts = Path.Combine(work, "known_hosts"),
        Compression = CompressionMode.Never,
    };

    public static DeviceTarget Target(DeviceServer server, int? port = null) => new(
        "bench", server.Host, port ?? server.Port, "root", [server.AdminKey], server.HostKeyFingerprint, null, new Dictionary<int, int>());

    public static DeviceLog Log() => new(Quiet, null, null);

    public static TimeSpan Median(IEnumerable<TimeSpan> times)
    {
        var sorted = times.OrderBy(t => t).ToList();
        return sorted[sorted.Count / 2];
    }

    public static TimeSpan Time(Action action, int repetitions = Repetitions) =>
        Median(Enumerable.Range(0, repetitions).Select(_ =>
        {
            var watch = Stopwatch.StartNew();
            action();
            return watch.Elapsed;
        }).ToList());

    public static string Rate(long bytes, TimeSpan time) => $"{bytes / time.TotalSeconds / (1 << 20):0.0} MiB/s";

    public static string Seconds(TimeSpan time) => $"{time.TotalSeconds:0.00} s";
}

internal static class Uploads
{
    private const int Size = 50 * 1000 * 1000;

    public static void Run(string work)
    {
        var file = Path.Combine(work, "payload.bin");
        var bytes = new byte[Size];
        RandomNumberGenerator.Fill(bytes);
        File.WriteAllBytes(file, bytes);
        Console.WriteLine($"## 50 MB (random, incompressible) to a device on loopback, median of {Bench.Repetitions}");
        Console.WriteLine();
        Console.WriteLine("| server | what | time | throughput |");
        Console.WriteLine("|---|---|---|---|");

        using (var openssh = DeviceServer.Start(new DeviceServerOptions { Kind = SshServerKind.OpenSsh, Sftp = true, Scp = true }))
        {
            Row("OpenSSH 9.2", "OpenSSH scp (SFTP protocol), incl. connect", Bench.Time(() => Scp(openssh, file, legacy: false)));
            Row("OpenSSH 9.2", "OpenSSH scp -O (SCP protocol), incl. connect", Bench.Time(() => Scp(openssh, file, legacy: true)));
            Ours(openssh, file, work, "SFTP", c => new SftpUpload(c.TryOpenSftp()!));
            Ours(openssh, file, work, "SCP", c => new ScpUpload(c));
            Ours(openssh, file, work, "exec channel (cat >)", c => new ExecUpload(c, compressed: false));
            Deploy(openssh, work, bytes, "SFTP");
        }

        using (var dropbear = DeviceServer.Start(new DeviceServerOptions { Kind = SshServerKind.Dropbear, Scp = true }))
        {
            Ours(dropbear, file, work, "SCP", c => new ScpUpload(c));
            Ours(dropbear, file, work, "exec channel (cat >)", c => new ExecUpload(c, compressed: false));
            Deploy(dropbear, work, bytes, "SCP");
        }

        Console.WriteLine();
    }

    private static void Row(string server, string what, TimeSpan time) =>
        Console.WriteLine($"| {server} | {what} | {Bench.Seconds(time)} | {Bench.Rate(Size, time)} |");

    private static void Scp(DeviceServer server, string file, bool legacy)
    {
        var knownHosts = Path.Combine(server.Root, "keys", "bench_known_hosts");
        File.WriteAllText(knownHosts, $"[{server.Host}]:{server.Port} {server.HostKeyLine}\n");
        var args = new List<string> { "-q", "-F", "/dev/null", "-i", server.AdminKey, "-P", server.Port.ToString(), "-o", "BatchMode=yes", "-o", $"UserKnownHostsFile={knownHosts}" };
        if (legacy)
        {
            args.Add("-O");
        }

        args.AddRange([file, $"root@{server.Host}:/tmp/scp.bin"]);
        ProcessRunner.RunChecked(new ProcessSpec("scp", args.ToArray()), "scp failed");
    }

    /// <summary>Our transfer: once on an open connection (the upload itself), once including connecting.</summary>
    private static void Ours(DeviceServer server, string file, string work, string name, Func<DeviceConnection, IUpload> make)
    {
        var label = server.Options.Kind == SshServerKind.OpenSsh ? "OpenSSH 9.2" : "dropbear 2022.83";
        using (var connection = DeviceConnection.Open(Bench.Target(server), new DeployCredentials(), Bench.Log(), TimeSpan.FromSeconds(30), Path.Combine(work, "kh")))
        {
            var upload = make(connection);
            Row(label, $"crossboard {name}, connection open", Bench.Time(() => Send(connection, upload, file)));
        }

        Row(label, $"crossboard {name}, incl. connect", Bench.Time(() =>
        {
            using var connection = DeviceConnection.Open(Bench.Target(server), new DeployCredentials(), Bench.Log(), TimeSpan.FromSeconds(30), Path.Combine(work, "kh"));
            Send(connection, make(connection), file);
        }));
    }

    private static void Send(DeviceConnection connection, IUpload upload, string file)
    {
        using var source = File.OpenRead(file);
        upload.Upload(source, source.Length, "/tmp/ours.bin", _ => { }, CancellationToken.None);
    }

    /// <summary>A whole Deploy: connect, probe, df, upload, sha256 on the device, backup and rename.</summary>
    private static void Deploy(DeviceServer server, string work, byte[] bytes, string method)
    {
        var label = server.Options.Kind == SshServerKind.OpenSsh ? "OpenSSH 9.2" : "dropbear 2022.83";
        var deployer = new Deployer(Bench.Settings(work), Bench.Quiet);
        var round = 0;
        var time = Bench.Time(() =>
        {
            // A different binary each time, or the second deploy would (rightly) send nothing.
            bytes[0] = (byte)++round;
            var artifact = Bench.Binary(Path.Combine(work, "app"), bytes);
            deployer.Deploy(Bench.Target(server), artifact);
        });
        Row(label, $"crossboard Deploy ({method}: connect, df, upload, sha256sum on the device, backup, rename)", time);
    }
}

internal static class Compression
{
    public static void Run(string work)
    {
        var (file, what) = File.Exists("/usr/mipsel-linux-gnu/lib/libc.so.6")
            ? ("/usr/mipsel-linux-gnu/lib/libc.so.6", "MIPS glibc libc.so.6 (a real mipsel ELF)")
            : ("/bin/busybox", "busybox-static (x86-64 ELF)");
        var size = new FileInfo(file).Length;
        var gzipWatch = Stopwatch.StartNew();
        var gzipped = CompressionAdvisor.Gzip(file);
        var gzipTime = gzipWatch.Elapsed;
        Console.WriteLine($"## Raw vs gzip over slow links: {what}, {size / 1024} KiB, gzip -6 on the host to {100.0 * gzipped.Length / size:0} % in {gzipTime.TotalMilliseconds:0} ms");
        Console.WriteLine();
        Console.WriteLine("Device: dropbear without SFTP, busybox gunzip on this machine's CPU; link: a relay passing at most the rate upstream.");
        Console.WriteLine();
        Console.WriteLine("| link | raw (cat >) | gzip (gunzip -c >) | gzip saves | advisor says | advisor's probes |");
        Console.WriteLine("|---|---|---|---|---|---|");
        using var device = DeviceServer.Start(new DeviceServerOptions { Kind = SshServerKind.Dropbear });
        var rates = new (string Name, double BytesPerSecond)[]
        {
            ("93 KB/s (the seed's Omega2 upload)", 93_000),
            ("256 KiB/s", 256 * 1024),
            ("1 MiB/s", 1 << 20),
            ("4 MiB/s", 4 << 20),
            ("loopback (no limit)", double.PositiveInfinity),
        };
        foreach (var (name, rate) in rates)
        {
            using var relay = double.IsPositiveInfinity(rate) ? null : LinkRelay.Throttled(device.Port, rate);
            using var connection = DeviceConnection.Open(Bench.Target(device, relay?.Port), new DeployCredentials(), Bench.Log(), TimeSpan.FromSeconds(60), Path.Combine(work, "kh"));
            var repetitions = rate < 1 << 20 ? 1 : Bench.Repetitions;
            var raw = Bench.Time(() => Send(connection, false, File.ReadAllBytes(file)), repetitions);
            var packed = Bench.Time(() => Send(connection, true, CompressionAdvisor.Gzip(file)), repetitions);
            var facts = DeviceLook.Run(connection, "/tmp/gzip-bench.bin").Facts;
            var watch = Stopwatch.StartNew();
            var decision = CompressionAdvisor.Decide(connection, facts, file, size, CompressionMode.Auto);
            var probes = watch.Elapsed;
            Console.WriteLine(
                $"| {name} | {Bench.Seconds(raw)} | {Bench.Seconds(packed)} | {100 * (1 - packed / raw):0} % | {(decision.Compress ? "gzip" : "raw")} ({decision.Reason}) | {Bench.Seconds(probes)} |");
        }

        Console.WriteLine();
    }

    private static void Send(DeviceConnection connection, bool gzip, byte[] data)
    {
        new ExecUpload(connection, gzip).Upload(new MemoryStream(data), data.Length, "/tmp/gzip-bench.bin", _ => { }, CancellationToken.None);
    }
}

/// <summary>
/// bench/run.py's figure 3: crossboard's deploy of a 50 MB binary vs OpenSSH's scp of it, to the
/// same real OpenSSH sshd on loopback, and the exec-channel fallback vs SFTP. Each deploy replaces
/// a different 50 MB binary (two builds alternate), so every one transfers, verifies and installs.
/// Variants run interleaved after one warm-up each; the samples (seconds) go to a JSON file.
/// </summary>
internal static class UploadFigure
{
    public const int Size = 50 * 1000 * 1000;

    public static void Run(string work, int runs, string output)
    {
        var builds = new[] { "a", "b" }.Select(n =>
        {
            var bytes = new byte[Size];
            RandomNumberGenerator.Fill(bytes);
            var path = Path.Combine(work, n, "app");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            // Measured and checked as the cargo stage measures and checks what it built: before the deploy, not in it.
            return Bench.Binary(path, bytes);
        }).ToArray();
        using var sftpDevice = DeviceServer.Start(new DeviceServerOptions { Kind = SshServerKind.OpenSsh, Sftp = true, Scp = true });
        var settings = new DeploySettings
        {
            InstallDir = "/usr/bin",
            Service = ServiceStyle.None,
            Board = Bench.Board,
            DefaultKnownHosts = Path.Combine(work, "known_hosts"),
            LogDir = Path.Combine(work, "logs"),
        };

        var log = new RecordingBuildLog();
        // Automatic: the exec channel of the deploy's own connection (see TransferSelector).
        var auto = new Deployer(settings, log);
        // SFTP, which this server has (--transfer=sftp): a second connection for the transfer.
        var sftpOnly = new Deployer(settings with { Transfer = TransferPreference.Sftp, LogDir = Path.Combine(work, "logs-sftp") }, log);
        var turn = 0;
        double Deploy(Deployer deployer, TransferMethod expected)
        {
            // The other build is installed: every deploy replaces it, verifies and installs.
            var build = builds[turn++ % 2];
            var watch = Stopwatch.StartNew();
            var result = deployer.Deploy(Bench.Target(sftpDevice), build);
            var seconds = watch.Elapsed.TotalSeconds;
            if (result.Outcome != "deployed" || result.Method != expected)
            {
                throw new InvalidOperationException($"expected a {expected} deploy, got {result.Outcome} by {result.Method}: {log.Text}");
            }

            return seconds;
        }

        var knownHosts = Path.Combine(work, "scp_known_hosts");
        File.WriteAllText(knownHosts, $"[{sftpDevice.Host}]:{sftpDevice.Port} {sftpDevice.HostKeyLine}\n");
        double Scp()
        {
            var watch = Stopwatch.StartNew();
            ProcessRunner.RunChecked(new ProcessSpec("scp", "-q", "-F", "/dev/null", "-i", sftpDevice.AdminKey, "-P", sftpDevice.Port.ToString(CultureInfo.InvariantCulture),
                "-o", "BatchMode=yes", "-o", $"UserKnownHostsFile={knownHosts}", builds[0].Path, $"root@{sftpDevice.Host}:/usr/bin/app-scp"), "scp failed");
            return watch.Elapsed.TotalSeconds;
        }

        // The transfers alone, on an open connection: what the method costs, without the deploy around it.
        using var connection = DeviceConnection.Open(Bench.Target(sftpDevice), new DeployCredentials(), Bench.Log(), TimeSpan.FromSeconds(30), settings.DefaultKnownHosts);
        var sftp = new SftpUpload(connection.TryOpenSftp()!);
        var exec = new ExecUpload(connection, compressed: false);
        var execChecked = new ExecUpload(connection, compressed: false, then: "md5sum /usr/bin/transfer.bin");  // + the read-back in the same command
        double Transfer(IUpload upload)
        {
            using var source = File.OpenRead(builds[0].Path);
            var watch = Stopwatch.StartNew();
            upload.Upload(source, source.Length, "/usr/bin/transfer.bin", _ => { }, CancellationToken.None);
            return watch.Elapsed.TotalSeconds;
        }

        // The upload the way scp does it: connect, log in, send; no look, no verification, no install.
        double Connected(Func<DeviceConnection, IUpload> make)
        {
            using var source = File.OpenRead(builds[0].Path);
            var watch = Stopwatch.StartNew();
            using var fresh = DeviceConnection.Open(Bench.Target(sftpDevice), new DeployCredentials(), Bench.Log(), TimeSpan.FromSeconds(30), settings.DefaultKnownHosts);
            make(fresh).Upload(source, source.Length, "/usr/bin/transfer.bin", _ => { }, CancellationToken.None);
            return watch.Elapsed.TotalSeconds;
        }

        var variants = new (string Name, Func<double> Run)[]
        {
            ("deploy", () => Deploy(auto, TransferMethod.Exec)),
            ("scp", Scp),
            ("deploy-sftp", () => Deploy(sftpOnly, TransferMethod.Sftp)),
            ("transfer-sftp", () => Transfer(sftp)),
            ("transfer-exec", () => Transfer(exec)),
            ("transfer-exec-checked", () => Transfer(execChecked)),
            ("upload-sftp-with-connect", () => Connected(c => new SftpUpload(c.TryOpenSftp()!))),
            ("upload-exec-with-connect", () => Connected(c => new ExecUpload(c, compressed: false))),
        };
        var samples = variants.ToDictionary(v => v.Name, _ => new List<double>());
        foreach (var (_, run) in variants)
        {
            run(); // warm-up: JIT, page cache, and the device holds a build to replace
        }

        for (var i = 0; i < runs; i++)
        {
            foreach (var (name, run) in variants)
            {
                samples[name].Add(run());
            }
        }

        File.WriteAllText(output, System.Text.Json.JsonSerializer.Serialize(new { bytes = Size, seconds = samples }));
        if (Environment.GetEnvironmentVariable("CROSSBOARD_BENCH_KEEP_LOGS") is { Length: > 0 } keep)
        {
            // Each device's last deploy log, with its remote commands timed to the millisecond: where the time went.
            Directory.CreateDirectory(keep);
            foreach (var dir in new[] { "logs", "logs-sftp" })
            {
                foreach (var file in Directory.EnumerateFiles(Path.Combine(work, dir)))
                {
                    File.Copy(file, Path.Combine(keep, dir + "-" + Path.GetFileName(file)), overwrite: true);
                }
            }
        }
    }
}
