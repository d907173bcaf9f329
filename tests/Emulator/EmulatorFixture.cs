using Crossboard.Emulator;
using Crossboard.Machine;
using Crossboard.Recipes;
using Crossboard.Tests.Support;
using Renci.SshNet;

namespace Crossboard.Tests.Emulator;

/// <summary>
/// The emulator tests run one after another (each boots a real qemu on a 2-core machine) and
/// share this fixture: one package cache (the kernel .deb is 45 MB), one image built at the
/// start, and one booted device for the tests that only look at a running one. Tests that stop,
/// kill or break a device use their own work dirs (<see cref="NewWorkDir"/>).
/// </summary>
[CollectionDefinition(Name)]
public sealed class EmulatorCollection : ICollectionFixture<EmulatorFixture>
{
    public const string Name = "emulator";
}

public sealed class EmulatorFixture : IDisposable
{
    private readonly TempDir _root = new("emu");
    private readonly List<(string WorkDir, string Board)> _started = new();
    private readonly object _gate = new();
    private EmulatorInstance? _booted;

    public EmulatorFixture()
    {
        Catalog = RecipeCatalog.Load(RepoPaths.Recipes, RepoPaths.Toolchains);
        Board = Catalog.GetBoard("malta-le");
        PackageCache = _root.Combine("packages");
        WorkDir = _root.Combine("work");
        FirstBuildLog = new RecordingBuildLog();
        Image = BuildImage(WorkDir, Board, FirstBuildLog);
    }

    public RecipeCatalog Catalog { get; }
    public Board Board { get; }
    public string PackageCache { get; }
    public string WorkDir { get; }
    public DeviceImage Image { get; }
    public RecordingBuildLog FirstBuildLog { get; }

    /// <summary>CI sets up the machine with tests/setup/install-prereqs.sh; nobody is asked anything.</summary>
    public static Consent Yes { get; } = new(AssumeYes: true, CanAsk: false);

    public DeviceImage BuildImage(string workDir, Board board, IBuildLog? log = null, string? bootScript = null)
    {
        log ??= new RecordingBuildLog();
        return new DeviceImageBuilder(new DebianPackages(Yes, log.Information), log)
            .Build(board, workDir, new DeviceImageOptions { PackageCache = PackageCache, BootScript = bootScript });
    }

    /// <summary>A fresh work dir under the fixture's folder; whatever emulator runs there is stopped at the end.</summary>
    public string NewWorkDir(string name, string? board = null)
    {
        var dir = _root.Combine(name + "-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(dir);
        lock (_gate)
        {
            _started.Add((dir, board ?? Board.Name));
        }

        return dir;
    }

    /// <summary>The shared device, booted on first use (boot timeouts as the recipe says: generous).</summary>
    public EmulatorInstance Booted()
    {
        lock (_gate)
        {
            if (_booted is not null)
            {
                return _booted;
            }

            _started.Add((WorkDir, Board.Name));
            _booted = new EmulatorMachine(new RecordingBuildLog(), Yes).Start(Board, Image, WorkDir);
            return _booted;
        }
    }

    /// <summary>An SSH.NET client logged in with the instance's deploy key, trusting only the pinned host key.</summary>
    public static SshClient Connect(EmulatorInstance instance, string? pin = null) => Connect(EmulatorDevices.Target(instance), pin);

    /// <summary>Connects the way the deploy stage will: only from what the <see cref="DeviceTarget"/> says.</summary>
    public static SshClient Connect(Crossboard.Deploy.DeviceTarget target, string? pin = null)
    {
        var expected = (pin ?? target.HostKeyPin!)["SHA256:".Length..];
        var info = new ConnectionInfo(target.Host, target.Port, target.User,
            new PrivateKeyAuthenticationMethod(target.User, target.IdentityFiles.Select(f => (IPrivateKeySource)new PrivateKeyFile(f)).ToArray()))
        {
            Timeout = TimeSpan.FromSeconds(30),
        };
        var client = new SshClient(info);
        client.HostKeyReceived += (_, e) => e.CanTrust = e.FingerPrintSHA256 == expected;
        client.Connect();
        return client;
    }

    /// <summary>Runs a command on the device; returns (exit status, stdout, stderr).</summary>
    public static (int Exit, string Output, string Error) Run(SshClient client, string command)
    {
        using var cmd = client.CreateCommand(command);
        cmd.CommandTimeout = TimeSpan.FromSeconds(60);
        cmd.Execute();
        return (cmd.ExitStatus ?? -1, cmd.Result, cmd.Error);
    }

    /// <summary>Processes whose command line names <paramref name="text"/> (to prove a qemu is gone).</summary>
    public static IReadOnlyList<int> ProcessesMentioning(string text) =>
        Directory.GetDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
            .Where(pid => pid > 0 && QemuProcess.CommandLine(pid) is { } command && command.Any(a => a.Contains(text, StringComparison.Ordinal)))
            .ToList();

    public void Dispose()
    {
        List<(string WorkDir, string Board)> started;
        lock (_gate)
        {
            started = _started.ToList();
        }

        foreach (var (workDir, board) in started)
        {
            try
            {
                new EmulatorMachine(new RecordingBuildLog(), Yes).Stop(board, workDir);
            }
            catch (CrossboardException)
            {
                // Best effort: the folder goes below either way.
            }
        }

        _root.Dispose();
    }
}
