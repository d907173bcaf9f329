using System.Security.Cryptography;
using Crossboard.Artifacts;
using Crossboard.Deploy;
using Crossboard.Machine;
using Crossboard.Tests.Fixtures.Ssh;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Support;

/// <summary>
/// What the deploy tests share: a device to start, a small real binary to deploy (the test app, an
/// ELF program for the devices' own CPU that serves HTTP like the sample app; see
/// <see cref="TestApp"/>), settings for its board, targets.
/// </summary>
public sealed class DeployKit : IDisposable
{
    private readonly List<IDisposable> _owned = new();
    private readonly List<string> _variables = new();

    public DeployKit(string prefix = "deploy")
    {
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

    /// <summary>
    /// Starts a device, or skips the calling test where none can start (not root, no sshd): the
    /// skip is at the point a server is needed, so the kit's other help works everywhere.
    /// </summary>
    public DeviceServer Start(DeviceServerOptions options)
    {
        if (!DeviceServer.CanRun(out var why))
        {
            Assert.Skip($"This test starts a real SSH server in namespaces of its own: {why}.");
        }

        var server = DeviceServer.Start(options);
        _owned.Add(server);
        return server;
    }

    public void Own(IDisposable disposable) => _owned.Add(disposable);

    /// <summary>The test device's board (x86-64-device), which every binary deployed must fit.</summary>
    public static Crossboard.Recipes.Board Board => LoadedBoard.Value;

    private static readonly Lazy<Crossboard.Recipes.Board> LoadedBoard = new(TestApp.Board);

    /// <summary>The switches that make the built program deploy for the test device's board.</summary>
    public static string[] BoardSwitches => [$"--board={TestApp.BoardName}", $"--recipes={TestApp.RecipesDir}"];

    /// <summary>
    /// The app at <paramref name="version"/>: prints its version with --version, otherwise serves
    /// "hello world VERSION" at /text on its port. <paramref name="paddingBytes"/> bytes after the
    /// program (which the loader never reads) make it as large as a real binary without changing
    /// what it does.
    /// </summary>
    /// <param name="name">The binary's name (default: the kit's own app name); the app deploys under it.</param>
    public BuiltArtifact App(string version, int paddingBytes = 0, bool compressiblePadding = false, string? name = null) =>
        Build(new TestAppBuild(name ?? AppName, version, AppPort), version, paddingBytes, compressiblePadding);

    /// <summary>A build of the app that dies at once, printing <paramref name="say"/> (a crashing build).</summary>
    public BuiltArtifact Broken(string version, string say, int exitCode = 2) =>
        Build(new TestAppBuild(AppName, version, AppPort, say, exitCode), version, 0, false);

    /// <summary>The device's record of what crossboard installed there (empty when there is none).</summary>
    public static string Record(DeviceServer server)
    {
        var file = Path.Combine(server.Etc, "crossboard", "installed");
        return File.Exists(file) ? File.ReadAllText(file) : "";
    }

    private BuiltArtifact Build(TestAppBuild build, string version, int paddingBytes, bool compressiblePadding)
    {
        var bytes = TestApp.Bytes(build).ToList();
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

        var dir = Dir.Combine("build", version + (build.Fail is null ? "" : "-broken"));
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, build.Name);
        File.WriteAllBytes(path, bytes.ToArray());
        return BuiltArtifact.Of(path, build.Name, "x86_64-unknown-linux-gnu", "test app " + version);
    }

    public DeploySettings Settings(string? passwordVariable = null, string? passphraseVariable = null, string service = ServiceStyle.Background,
        string installDir = "/usr/bin", string? smokeVersion = "", CompressionMode compression = CompressionMode.Auto)
    {
        return new DeploySettings
        {
            InstallDir = installDir,
            Service = service,
            Board = Board,
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
    public string VersionOnDevice(DeviceServer server, string installDir = "/usr/bin", string? name = null)
    {
        var result = server.Shell($"{installDir}/{name ?? AppName} --version");
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
