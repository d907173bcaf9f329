using Cake.Core;
using Cake.Core.Configuration;
using Cake.Core.Diagnostics;
using Cake.Core.IO;
using Cake.Core.Tooling;

namespace Cake.Frosting.Internal;

/// <summary>
/// Cake.Core's services wired by hand: the real Cake.Frosting does this with a DI container; a
/// build host that starts in a tenth of a second cannot afford one.
/// </summary>
internal sealed class HostServices : IServiceProvider
{
    public HostServices(ICakeLog log, IConsole console, ICakeEnvironment environment, ICakeArguments arguments)
    {
        Log = log;
        Console = console;
        Environment = environment;
        FileSystem = new FileSystem();
        Configuration = new CakeConfiguration(new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase));
        var globber = new Globber(FileSystem, environment);
        var tools = new ToolLocator(environment, new ToolRepository(environment),
            new ToolResolutionStrategy(FileSystem, environment, globber, Configuration, log));
        Data = new CakeDataService();
        Context = new CakeContext(FileSystem, environment, globber, log, arguments,
            new ProcessRunner(FileSystem, environment, log, tools, Configuration),
            new WindowsRegistry(), tools, Data, Configuration, new NoToolInstaller(), this);
    }

    public ICakeLog Log { get; }
    public IConsole Console { get; }
    public ICakeEnvironment Environment { get; }
    public IFileSystem FileSystem { get; }
    public ICakeConfiguration Configuration { get; }
    public CakeDataService Data { get; }
    public CakeContext Context { get; }

    public object? GetService(Type serviceType) => serviceType switch
    {
        _ when serviceType == typeof(ICakeLog) => Log,
        _ when serviceType == typeof(IConsole) => Console,
        _ when serviceType == typeof(ICakeEnvironment) => Environment,
        _ when serviceType == typeof(IFileSystem) => FileSystem,
        _ when serviceType == typeof(ICakeConfiguration) => Configuration,
        _ when serviceType == typeof(ICakeContext) => Context,
        _ => null,
    };

    /// <summary>
    /// Cake's #tool/#addin installation from NuGet; crossboard gets its tools from the host's
    /// package manager instead (see Doctor), so asking for one is a clear error.
    /// </summary>
    private sealed class NoToolInstaller : IToolInstaller
    {
        public IEnumerable<FilePath> Install(Cake.Core.Packaging.PackageReference tool) =>
            throw new NotSupportedException(
                $"This host does not install Cake tools from NuGet (asked for '{tool.OriginalString}'); install the program on the machine instead.");
    }
}
