using System.Diagnostics;
using System.Globalization;
using Crossboard;
using Crossboard.Artifacts;
using Crossboard.Deploy;
using Crossboard.Machine;
using Crossboard.Tests.Fixtures.Ssh;

/// <summary>
/// bench/run.py's figure "slow-link": run inside the network namespace run.py makes; the link is a
/// <see cref="LinkRelay"/> of 1 Mbit/s each way and 25 ms each way (50 ms RTT). One dropbear device
/// without SFTP (stock OpenWrt's shape; scp present, as OpenWrt's dropbear has it). Two real
/// builds of samples/hello that differ by one line (A, B). Variants, interleaved:
///   first:     the device has no hello (nor a record of it); a whole Deploy of A, started and smoke-checked;
///   redeploy:  the device has the other build (crossboard put it there); a whole Deploy of the changed one;
///   redeploy-whole: the same with the delta off (no copy kept on the host): the whole binary, compressed as the advisor decides;
///   scp:       OpenSSH's scp -O of the same binary to the same device, connect included, nothing else.
/// </summary>
internal static class SlowLinkFigure
{
    public static void Run(string work, int runs, string output, string buildA, string buildB)
    {
        var builds = new[] { buildA, buildB }.Select(path =>
        {
            ArtifactCheck.Require(path, Bench.Board, Bench.Quiet);
            return BuiltArtifact.Of(path, "hello", "x86_64-unknown-linux-gnu", "samples/hello") with { CheckedFor = Bench.Board.Name };
        }).ToArray();
        using var device = DeviceServer.Start(new DeviceServerOptions { Kind = SshServerKind.Dropbear, Scp = true });
        using var link = new LinkRelay(System.Net.IPAddress.Loopback, new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, device.Port), 1_000_000 / 8.0, TimeSpan.FromMilliseconds(25));
        var settings = new DeploySettings
        {
            InstallDir = "/usr/bin",
            Service = ServiceStyle.Background,
            Board = Bench.Board,
            SmokeUrl = "http://{host}:8000/text",
            SmokeExpect = "hello world",
            SmokeTimeout = TimeSpan.FromSeconds(30),
            ConnectTimeout = TimeSpan.FromSeconds(30),
            DefaultKnownHosts = Path.Combine(work, "known_hosts"),
            LogDir = Path.Combine(work, "logs"),
            SentDir = Path.Combine(work, "sent"),
        };
        var log = new RecordingBuildLog();
        var installed = -1;
        var methods = new Dictionary<string, List<string>>();
        var sent = new Dictionary<string, List<long>>();

        double Deploy(string variant, DeploySettings with, int build, string expected)
        {
            var watch = Stopwatch.StartNew();
            var result = new Deployer(with, log).Deploy(Bench.Target(device, link.Port), builds[build]);
            var seconds = watch.Elapsed.TotalSeconds;
            if (result.Outcome != "deployed")
            {
                throw new InvalidOperationException($"{variant}: expected a deploy, got {result.Outcome}: {log.Text[^3000..]}");
            }

            installed = build;
            methods.TryAdd(variant, []);
            methods[variant].Add(result.Method?.ToString() ?? "-");
            sent.TryAdd(variant, []);
            sent[variant].Add(result.BytesSent);
            if (expected.Length > 0 && result.Method?.ToString() != expected)
            {
                throw new InvalidOperationException($"{variant}: expected {expected}, got {result.Method}");
            }

            return seconds;
        }

        double First()
        {
            // A device that never had the app: no binary, no backup, no record (the old process is stopped by the pid file the deploy finds).
            foreach (var file in new[] { "hello", "hello.bak", "hello.new" })
            {
                File.Delete(Path.Combine(device.UsrBin, file));
            }

            if (File.Exists(Path.Combine(device.Etc, "crossboard", "installed")))
            {
                File.Delete(Path.Combine(device.Etc, "crossboard", "installed"));
            }
            return Deploy("first", settings, 0, "");
        }

        var knownHosts = Path.Combine(work, "scp_known_hosts");
        File.WriteAllText(knownHosts, $"[{device.Host}]:{link.Port} {device.HostKeyLine}\n");
        double Scp()
        {
            var watch = Stopwatch.StartNew();
            ProcessRunner.RunChecked(new ProcessSpec("scp", "-O", "-q", "-F", "/dev/null", "-i", device.AdminKey, "-P", link.Port.ToString(CultureInfo.InvariantCulture),
                "-o", "BatchMode=yes", "-o", $"UserKnownHostsFile={knownHosts}", builds[1].Path, $"root@{device.Host}:/usr/bin/hello-scp"), "scp failed");
            return watch.Elapsed.TotalSeconds;
        }

        var variants = new (string Name, Func<double> Run)[]
        {
            ("first", First),
            ("redeploy", () => Deploy("redeploy", settings, 1 - installed, nameof(TransferMethod.ExecDelta))),
            ("redeploy-whole", () => Deploy("redeploy-whole", settings with { SentDir = null }, 1 - installed, "")),
            ("scp", Scp),
        };
        var samples = variants.ToDictionary(v => v.Name, _ => new List<double>());
        foreach (var (_, run) in variants)
        {
            run();
        }

        for (var i = 0; i < runs; i++)
        {
            foreach (var (name, run) in variants)
            {
                samples[name].Add(run());
            }
        }

        var sizes = builds.Select(b => b.Size).ToArray();
        File.WriteAllText(output, System.Text.Json.JsonSerializer.Serialize(new { seconds = samples, methods, sent, sizes }));
        if (Environment.GetEnvironmentVariable("CROSSBOARD_BENCH_KEEP_LOGS") is { Length: > 0 } keep)
        {
            Directory.CreateDirectory(keep);
            File.WriteAllText(Path.Combine(keep, "slow-link.log"), log.Text);
            foreach (var file in Directory.EnumerateFiles(settings.LogDir))
            {
                File.Copy(file, Path.Combine(keep, "slow-link-device-" + Path.GetFileName(file)), overwrite: true);
            }
        }
    }
}
