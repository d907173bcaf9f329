using System.Security.Cryptography;
using System.Text;
using Crossboard.Artifacts;
using Crossboard.Deploy;
using Crossboard.Host;
using Crossboard.Tests.Fixtures.Ssh;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Deploy;

/// <summary>
/// What the deploy tests share: a device to start, a small real "binary" to deploy (a busybox
/// shell script that serves HTTP with busybox httpd, like the sample app), settings, targets.
/// </summary>
public sealed class DeployKit : IDisposable
{
    private readonly List<IDisposable> _owned = new();
    private readonly List<string> _variables = new();

    public DeployKit(string prefix = "deploy")
    {
        if (!DeviceServer.CanRun(out var why))
        {
            Assert.Skip($"The deploy tests start real SSH servers in namespaces: {why}.");
        }

        Dir = new TempDir(prefix);
        _owned.Add(Dir);
        AppName = "app" + Guid.NewGuid().ToString("N")[..8];
        AppPort = DeviceServer.FreePort();
        KnownHosts = Dir.Combine("known_hosts");
    }

    public TempDir Dir { get; }
    public RecordingBuildLog Log { get; } = new();
    public string AppName { get; }
    public int AppPort { get; }
    public string KnownHosts { get; }
    public string LogDir => Dir.Combine("logs");

    public DeviceServer Start(DeviceServerOptions options)
    {
        var server = DeviceServer.Start(options);
        _owned.Add(server);
        return server;
    }

    public void Own(IDisposable disposable) => _owned.Add(disposable);

    /// <summary>
    /// The app at <paramref name="version"/>: prints its version with --version, otherwise serves
    /// "hello world VERSION" at /text on its port. <paramref name="paddingBytes"/> random bytes
    /// after the last line make it as large as a real binary without changing what it does.
    /// </summary>
    public BuiltArtifact App(string version, int paddingBytes = 0, bool compressiblePadding = false)
    {
        var script = new StringBuilder()
            .Append("#!/bin/sh\n")
            .Append($"# crossboard test app {version}\n")
            .Append($"if [ \"$1\" = --version ]; then echo {version}; exit 0; fi\n")
            .Append($"www=/tmp/{AppName}-www; mkdir -p \"$www\"\n")
            .Append($"echo \"hello world {version}\" > \"$www/text\"\n")
            // Each test device has its own loopback address (/etc/crossboard-address): listen there.
            .Append("addr=$(cat /etc/crossboard-address 2>/dev/null || echo 127.0.0.1)\n")
            .Append($"echo \"{AppName} {version} listening on $addr:{AppPort}\"\n")
            .Append($"exec httpd -f -v -p \"$addr:{AppPort}\" -h \"$www\"\n")
            .Append("exit 0\n");
        var bytes = Encoding.ASCII.GetBytes(script.ToString()).ToList();
        if (paddingBytes > 0)
        {
            var padding = new byte[paddingBytes];
            if (compressiblePadding)
            {
                // Like machine code for gzip: it takes this to ~42 %, as it takes MIPS glibc's libc.so.6 to 41 %.
                var random = new Random(version.GetHashCode());
                var words = Enumerable.Range(0, 256).Select(_ => new byte[4 + random.Next(12)].Select(_ => (byte)random.Next(256)).ToArray()).ToArray();
                for (var i = 0; i < padding.Length;)
                {
                    var word = random.NextDouble() < 0.7 ? [(byte)random.Next(256)] : words[random.Next(random.Next(1, words.Length))];
                    var n = Math.Min(word.Length, padding.Length - i);
                    Array.Copy(word, 0, padding, i, n);
                    i += n;
                }
            }
            else
            {
                RandomNumberGenerator.Fill(padding);
            }

            bytes.AddRange(padding);
        }

        var dir = Dir.Combine("build", version);
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, AppName);
        File.WriteAllBytes(path, bytes.ToArray());
        return BuiltArtifact.Of(path, AppName, "mipsel-unknown-linux-musl", "test app " + version);
    }

    public DeploySettings Settings(string? passwordVariable = null, string? passphraseVariable = null, string service = ServiceStyle.Background,
        string installDir = "/usr/bin", string? smokeVersion = "", CompressionMode compression = CompressionMode.Auto)
    {
        return new DeploySettings
        {
            InstallDir = installDir,
            Service = service,
            SmokeUrl = smokeVersion is null ? null : $"http://{{host}}:{AppPort}/text",
            SmokeExpect = smokeVersion is null or "" ? "hello world" : $"hello world {smokeVersion}",
            SmokeTimeout = TimeSpan.FromSeconds(15),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            Compression = compression,
            Credentials = new DeployCredentials(passwordVariable, passphraseVariable),
            DefaultKnownHosts = KnownHosts,
            LogDir = LogDir,
        };
    }

    /// <summary>The device as the resolver would produce it; pinned to the server's real key unless said otherwise.</summary>
    public static DeviceTarget Target(DeviceServer server, IReadOnlyList<string>? identities = null, string? pin = "", string? knownHosts = null, string? name = null) => new(
        name ?? $"{server.Options.Kind.ToString().ToLowerInvariant()}-{server.Port}",
        server.Host,
        server.Port,
        "root",
        identities ?? [],
        pin == "" ? server.HostKeyFingerprint : pin,
        knownHosts,
        new Dictionary<int, int>());

    /// <summary>Sets a uniquely named environment variable (tests run in parallel) and returns its name.</summary>
    public string Secret(string value)
    {
        var name = "CROSSBOARD_TEST_SECRET_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        Environment.SetEnvironmentVariable(name, value);
        _variables.Add(name);
        return name;
    }

    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>What the device itself says the installed binary prints for --version (through OpenSSH's client, not ours).</summary>
    public string VersionOnDevice(DeviceServer server, string installDir = "/usr/bin")
    {
        var result = server.Shell($"{installDir}/{AppName} --version");
        return result.Succeeded ? result.StandardOutput.Trim() : $"(failed: {result.StandardError.Trim()})";
    }

    public void Dispose()
    {
        // What the deploy said: shown with the test's result, the first thing to read when one fails.
        TestContext.Current.TestOutputHelper?.WriteLine(Log.Text);
        if (Directory.Exists(LogDir))
        {
            // The device logs hold each remote command and its output.
            foreach (var file in Directory.EnumerateFiles(LogDir))
            {
                TestContext.Current.TestOutputHelper?.WriteLine($"==== {file}{Environment.NewLine}{File.ReadAllText(file)}");
            }
        }
        foreach (var owned in Enumerable.Reverse(_owned))
        {
            owned.Dispose();
        }

        foreach (var name in _variables)
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }
}
