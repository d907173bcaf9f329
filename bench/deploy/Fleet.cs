using System.Diagnostics;
using System.Globalization;
using System.Text;
using Crossboard;
using Crossboard.Machine;
using Crossboard.Tests.Fixtures.Ssh;

/// <summary>
/// bench/run.py's figure "fleet": run inside the network namespace run.py makes; each device is
/// behind a <see cref="LinkRelay"/> of its own, 25 ms each way (50 ms RTT; bandwidth is not the limit). Sixteen
/// dropbear devices without SFTP (scp present, as on OpenWrt) at 127.0.0.2-17, every one accepting
/// one fleet key. For 1, 4 and 16 of them, interleaved:
///   crossboard: `./build.sh --target=Deploy --devices=FILE --artifact=...`, the CLI as users run it:
///               every device verified, installed atomically, restarted and smoke-checked, a table;
///               each run deploys a build no device has yet (they differ in their version string);
///   loop:       `for h; do scp -O FILE h:; ssh h RESTART; done`;
///   pssh:       `parallel-scp -x -O ... && parallel-ssh ... RESTART` (Debian's pssh; all hosts at once, nothing checked);
///   crossboard-16-whole: crossboard with --compress=no, which sends the whole binary as the baselines do (no delta).
/// The baselines' app is a copy of the same size on another port, so the two never stop each other's;
/// they send it beside the binary and rename it in the restart (a running binary cannot be overwritten).
/// Then a check, not timed: the 16 and one unreachable device (a closed port): the others deploy,
/// the table names the failed one, the exit status is not 0.
/// </summary>
internal static class FleetFigure
{
    private const int Devices = 16;
    private const int Size = 1_250_000; // samples/hello's size for the Omega2 (1.20 MiB)

    public static void Run(string work, int runs, string output)
    {
        var (fleetKey, fleetPublic) = DeviceServer.GenerateKey(Path.Combine(work, "keys"), "fleet");
        var servers = new List<DeviceServer>();
        try
        {
            // Started a few at a time: sixteen key generations at once would crowd two cores.
            foreach (var n in Enumerable.Range(0, Devices))
            {
                servers.Add(DeviceServer.Start(new DeviceServerOptions
                {
                    Kind = SshServerKind.Dropbear, Scp = true, Address = $"127.0.0.{n + 2}", AuthorizedKeys = [fleetPublic],
                }));
            }

            var links = servers.Select(s => new LinkRelay(System.Net.IPAddress.Parse(s.Host), new System.Net.IPEndPoint(System.Net.IPAddress.Parse(s.Host), s.Port),
                double.PositiveInfinity, TimeSpan.FromMilliseconds(25))).ToList();
            try
            {
                Measure(work, runs, output, servers.Zip(links, (s, l) => (s, l.Port)).ToList(), fleetKey);
            }
            finally
            {
                links.ForEach(l => l.Dispose());
            }
        }
        finally
        {
            foreach (var server in servers)
            {
                server.Dispose();
            }
        }
    }

    private static void Measure(string work, int runs, string output, List<(DeviceServer Server, int Port)> devices, string key)
    {
        var padding = new byte[Size];
        new Random(18).NextBytes(padding);
        string Build(string name, string version, int port)
        {
            var dir = Path.Combine(work, "builds", name + "-" + version);
            Directory.CreateDirectory(dir);
            var path = Path.Combine(dir, name);
            File.WriteAllBytes(path, [.. TestApp.Bytes(new TestAppBuild(name, version, port)), .. padding]);
            if (OperatingSystem.IsLinux())
            {
                File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
            }

            return path;
        }

        var theirs = Build("plainapp", "a", 8001);
        var knownHosts = Path.Combine(work, "known_hosts");
        File.WriteAllLines(knownHosts, devices.Select(d => $"[{d.Server.Host}]:{d.Port} {d.Server.HostKeyLine}"));
        var sshOptions = $"-F /dev/null -i {key} -o BatchMode=yes -o IdentitiesOnly=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile={knownHosts} -o LogLevel=ERROR";
        // The baselines' restart: the copy (sent beside the binary: a running one cannot be written
        // over, "text file busy") renamed into place, the running one stopped, the new one started
        // detached; nothing checked.
        const string restart = "mv -f /usr/bin/plainapp.new /usr/bin/plainapp && { killall plainapp 2>/dev/null; setsid /usr/bin/plainapp </dev/null >/tmp/plainapp.log 2>&1 & }";
        var repo = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", ".."));
        var buildSh = Path.Combine(repo, "build.sh");
        var recipes = Path.Combine(repo, "tests", "Fixtures", "Ssh", "recipes");
        var home = Path.Combine(work, "home");
        Directory.CreateDirectory(home);

        string Inventory(int count, bool withUnreachable = false)
        {
            var file = Path.Combine(work, $"fleet-{count}{(withUnreachable ? "-plus-one" : "")}.toml");
            var text = new StringBuilder();
            foreach (var (s, port) in devices.Take(count))
            {
                text.Append(CultureInfo.InvariantCulture, $"[[device]]\nname = \"dev-{s.Host}\"\ntarget = \"root@{s.Host}:{port}\"\nhost-key = \"{s.HostKeyFingerprint}\"\n\n");
            }

            if (withUnreachable)
            {
                text.Append(CultureInfo.InvariantCulture, $"[[device]]\nname = \"unreachable\"\ntarget = \"root@127.0.0.99:{DeviceServer.FreePort("127.0.0.99")}\"\nhost-key = \"SHA256:{new string('A', 43)}\"\n\n");
            }

            File.WriteAllText(file, text.ToString());
            return file;
        }

        var turn = 0;
        ProcessResult Crossboard(string inventory, string artifact, params string[] more) => ProcessRunner.Run(new ProcessSpec(buildSh,
            ["--target=Deploy", $"--devices={inventory}", $"--artifact={artifact}", $"--identity={key}", $"--board={TestApp.BoardName}", $"--recipes={recipes}",
            $"--work-dir={Path.Combine(work, "crossboard")}", .. more])
        {
            Environment = new Dictionary<string, string?> { ["HOME"] = home, ["NO_COLOR"] = "1", ["CI"] = "true" },
            Timeout = TimeSpan.FromMinutes(5),
        });

        double Ours(int count, params string[] more)
        {
            var inventory = Inventory(count);
            // A build no device has yet (its version differs), so every run deploys everywhere.
            var artifact = Build("fleetapp", $"v{turn++}", 8000);
            var watch = Stopwatch.StartNew();
            var result = Crossboard(inventory, artifact, more);
            var seconds = watch.Elapsed.TotalSeconds;
            if (result.ExitCode != 0 || !result.StandardOutput.Contains("deployed", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"crossboard's fleet deploy to {count} failed ({result.ExitCode}): {result.StandardOutput[^Math.Min(4000, result.StandardOutput.Length)..]}{result.StandardError}");
            }

            return seconds;
        }

        double Shell(string script)
        {
            var watch = Stopwatch.StartNew();
            ProcessRunner.RunChecked(new ProcessSpec("bash", "-c", script) { Timeout = TimeSpan.FromMinutes(5) }, "the baseline failed");
            return watch.Elapsed.TotalSeconds;
        }

        double Loop(int count)
        {
            var hosts = string.Join(' ', devices.Take(count).Select(d => $"{d.Server.Host}:{d.Port}"));
            return Shell($"set -e; for h in {hosts}; do scp -O -q {sshOptions} -P ${{h#*:}} {theirs} root@${{h%:*}}:/usr/bin/plainapp.new; " +
                         $"ssh {sshOptions} -p ${{h#*:}} root@${{h%:*}} '{restart}'; done");
        }

        double Pssh(int count)
        {
            var hosts = Path.Combine(work, $"hosts-{count}");
            File.WriteAllLines(hosts, devices.Take(count).Select(d => $"root@{d.Server.Host}:{d.Port}"));
            return Shell($"parallel-scp -h {hosts} -x '-O {sshOptions}' {theirs} /usr/bin/plainapp.new >&2 && " +
                         $"parallel-ssh -h {hosts} -x '{sshOptions}' '{restart}' >&2");
        }

        var variants = new List<(string Name, Func<double> Run)>();
        foreach (var count in new[] { 1, 4, Devices })
        {
            variants.Add(($"crossboard-{count}", () => Ours(count)));
            variants.Add(($"loop-{count}", () => Loop(count)));
            variants.Add(($"pssh-{count}", () => Pssh(count)));
        }

        // The same bytes as the baselines send: the whole binary, uncompressed (--compress=no sends no delta either).
        foreach (var count in new[] { 1, Devices })
        {
            variants.Add(($"crossboard-{count}-whole", () => Ours(count, "--compress=no")));
        }

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

        // One device unreachable: the others finish, the table names it, the exit status is not 0.
        var failing = Crossboard(Inventory(Devices, withUnreachable: true), Build("fleetapp", $"v{turn++}", 8000));
        var table = failing.StandardOutput.Split('\n').Where(l => l.Contains("dev-127.0.0.", StringComparison.Ordinal) || l.Contains("unreachable", StringComparison.Ordinal)).ToList();
        var check = new
        {
            exit = failing.ExitCode,
            deployed = table.Count(l => l.Contains(" deployed ", StringComparison.Ordinal)),
            failedRow = table.FirstOrDefault(l => l.TrimStart().StartsWith("unreachable", StringComparison.Ordinal) && l.Contains("FAILED", StringComparison.Ordinal)),
        };
        File.WriteAllText(output, System.Text.Json.JsonSerializer.Serialize(new { seconds = samples, unreachable = check }));
        if (Environment.GetEnvironmentVariable("CROSSBOARD_BENCH_KEEP_LOGS") is { Length: > 0 } keep)
        {
            Directory.CreateDirectory(keep);
            File.WriteAllText(Path.Combine(keep, "fleet-unreachable.txt"), failing.StandardOutput + failing.StandardError);
        }
    }
}
