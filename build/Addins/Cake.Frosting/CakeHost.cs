using System.Reflection;
using Cake.Cli;
using Cake.Core;
using Cake.Core.Diagnostics;
using Cake.Core.IO;
using Cake.Core.Scripting;
using Cake.Frosting.Internal;

namespace Cake.Frosting;

/// <summary>
/// The builder a Frosting program's Main calls: <c>new CakeHost().UseContext&lt;T&gt;().Run(args)</c>.
/// Same public shape as Cake.Frosting's; the task graph, dry run, tree, descriptions and the
/// end-of-run report are Cake.Core's and Cake.Cli's own.
/// </summary>
public sealed class CakeHost
{
    private readonly List<Assembly> _assemblies = new();
    [System.Diagnostics.CodeAnalysis.DynamicallyAccessedMembers(System.Diagnostics.CodeAnalysis.DynamicallyAccessedMemberTypes.PublicConstructors)]
    private Type _contextType = typeof(FrostingContext);
    [System.Diagnostics.CodeAnalysis.DynamicallyAccessedMembers(System.Diagnostics.CodeAnalysis.DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)]
    private Type? _lifetimeType;
    [System.Diagnostics.CodeAnalysis.DynamicallyAccessedMembers(System.Diagnostics.CodeAnalysis.DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)]
    private Type? _taskLifetimeType;
    private string? _workingDirectory;
    private Func<string>? _helpText;
    private TextWriter? _output;
    private Func<Exception, IEnumerable<BuildIssue>?>? _issues;
    private Func<IFrostingContext, string?>? _summary;
    private Func<Exception, int?>? _exitCodes;
    private Func<IFrostingContext, bool>? _backgroundTasks;

    public CakeHost()
    {
        if (Assembly.GetEntryAssembly() is { } entry)
        {
            _assemblies.Add(entry);
        }
    }

    public static CakeHost Create() => new();

    public CakeHost UseContext<[System.Diagnostics.CodeAnalysis.DynamicallyAccessedMembers(System.Diagnostics.CodeAnalysis.DynamicallyAccessedMemberTypes.PublicConstructors)] TContext>()
        where TContext : IFrostingContext
    {
        _contextType = typeof(TContext);
        return this;
    }

    public CakeHost UseLifetime<[System.Diagnostics.CodeAnalysis.DynamicallyAccessedMembers(System.Diagnostics.CodeAnalysis.DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TLifetime>()
        where TLifetime : IFrostingLifetime, new()
    {
        _lifetimeType = typeof(TLifetime);
        return this;
    }

    public CakeHost UseTaskLifetime<[System.Diagnostics.CodeAnalysis.DynamicallyAccessedMembers(System.Diagnostics.CodeAnalysis.DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TLifetime>()
        where TLifetime : IFrostingTaskLifetime, new()
    {
        _taskLifetimeType = typeof(TLifetime);
        return this;
    }

    public CakeHost UseWorkingDirectory(string path)
    {
        _workingDirectory = path;
        return this;
    }

    /// <summary>Looks for tasks in <paramref name="assembly"/> too (a test runner's entry assembly is not the build's).</summary>
    public CakeHost AddAssembly(Assembly assembly)
    {
        if (!_assemblies.Contains(assembly))
        {
            _assemblies.Add(assembly);
        }

        return this;
    }

    /// <summary>Extra text for <c>--help</c>, e.g. the build's own switches.</summary>
    public CakeHost UseHelpText(string text) => UseHelpText(() => text);

    /// <summary>The same, written only when --help asks for it.</summary>
    public CakeHost UseHelpText(Func<string> text)
    {
        _helpText = text;
        return this;
    }

    /// <summary>Where the host writes (tests capture it); the console by default.</summary>
    public CakeHost UseOutput(TextWriter output)
    {
        _output = output;
        return this;
    }

    /// <summary>
    /// On a CI system, how a failure is shown as the CI's error records (file, line, column):
    /// the issues of the exception, or null for one plain error with its message. Not in
    /// Cake.Frosting: this host's own (see Internal/BuildSystems).
    /// </summary>
    public CakeHost UseBuildSystemIssues(Func<Exception, IEnumerable<BuildIssue>?> issues)
    {
        _issues = issues;
        return this;
    }

    /// <summary>
    /// On a CI system with a summary page, Markdown the build adds after Cake's task report (null
    /// for nothing). Not in Cake.Frosting: this host's own (see Internal/BuildSystems).
    /// </summary>
    public CakeHost UseBuildSystemSummary<TContext>(Func<TContext, string?> markdown)
        where TContext : IFrostingContext
    {
        _summary = context => context is TContext typed ? markdown(typed) : null;
        return this;
    }

    /// <summary>
    /// The exit code of a failed run, by the exception that stopped it (null: Cake's own, 1, or a
    /// CakeException's ExitCode). Not in Cake.Frosting, whose failures all exit alike.
    /// </summary>
    public CakeHost UseExitCodes(Func<Exception, int?> exitCode)
    {
        _exitCodes = exitCode;
        return this;
    }

    /// <summary>
    /// Whether tasks marked <see cref="RunInBackgroundAttribute"/> may run beside the others in this
    /// run (asked once, as the run's tasks start; they may by default). Not in Cake.Frosting: this
    /// host's own.
    /// </summary>
    public CakeHost UseBackgroundTasks<TContext>(Func<TContext, bool> enabled)
        where TContext : IFrostingContext
    {
        _backgroundTasks = context => context is not TContext typed || enabled(typed);
        return this;
    }

    public int Run(IEnumerable<string> args)
    {
        var environment = new CakeEnvironment(new CakePlatform(), new CakeRuntime());
        // A task running in the background writes to a section of its own (see SectionConsole).
        var console = new SectionConsole(_output is null ? ConsoleColours.For(environment) : new TextWriterConsole(_output));
        var log = new CakeBuildLog(console, Verbosity.Normal);

        // The CI's groups, error records and summary go to the CI's log, the console; output the
        // caller captures (UseOutput) gets none.
        var ci = _output is null ? BuildSystemOutput.For(environment, new FileSystem(), console) : BuildSystemOutput.None;
        try
        {
            var parsed = HostArguments.Parse(args);
            log.Verbosity = parsed.Verbosity;
            if (parsed.Version)
            {
                console.WriteLine(_assemblies.FirstOrDefault()?.GetName().Version?.ToString() ?? "unknown");
                return 0;
            }

            // As in Cake, the build sees --dryrun as an argument too (a lifetime that would change
            // the machine before the first task must not in a dry run).
            var all = parsed.DryRun ? parsed.Arguments.Append(new KeyValuePair<string, string>("dryrun", "true")) : parsed.Arguments;
            var arguments = new CakeArguments(all.ToLookup(a => a.Key, a => a.Value, StringComparer.OrdinalIgnoreCase));
            var services = new HostServices(log, console, environment, arguments);
            SetWorkingDirectory(services, parsed.WorkingDirectory ?? _workingDirectory);

            var tasks = DiscoverTasks();
            if (parsed.Help)
            {
                // Before the context: help must be readable whatever else the command line holds.
                new HelpWriter(console).Write(tasks, _helpText?.Invoke());
                return 0;
            }

            var context = CreateContext(services.Context);
            var engine = new FrostingEngine(services.Data, log, console);
            engine.Overlap = () => _backgroundTasks?.Invoke(context) ?? true;
            var registrar = new TaskRegistrar(engine, context, log);
            registrar.Register(tasks);

            if (!parsed.Tree && !parsed.Description)
            {
                registrar.EnsureTargetsExist(parsed.Targets);
            }

            RegisterLifetimes(engine, context);

            ICakeReportPrinter printer = new TimelineReportPrinter(new CakeReportPrinter(console, context), console, engine);
            if (ci.IsCi && parsed is { DryRun: false, Tree: false, Description: false })
            {
                // A run that runs tasks: each one a group in the CI's log, the report on its summary page.
                GroupTasks(engine, ci);
                printer = new SummaryReportPrinter(printer, ci, () => _summary?.Invoke(context), log);
            }

            ScriptHost host = parsed switch
            {
                // A dry run lists the tasks in Cake's order: Cake's engine, never overlapped.
                { DryRun: true } => new DryRunScriptHost<IFrostingContext>(engine.Cake, context, log),
                { Tree: true } => new TreeScriptHost(engine.Cake, context, console),
                { Description: true } => new DescriptionScriptHost(engine.Cake, context, Spectre.Console.AnsiConsole.Console),
                _ => new BuildScriptHost<IFrostingContext>(
                    engine, new DefaultExecutionStrategy(log, printer), context, printer, services.Configuration, log),
            };

            if (parsed.Exclusive)
            {
                host.Settings.UseExclusiveTarget();
            }

            host.RunTargets(parsed.Targets);
            return 0;
        }
        catch (Exception ex)
        {
            return ReportFailure(log, ci, ex);
        }
    }

    /// <summary>
    /// Cake.Core's events around the lifetime's Setup and Teardown and around every task (also a
    /// skipped or failed one, and around its own setup and teardown): each is one group.
    /// </summary>
    private static void GroupTasks(ICakeEngine engine, BuildSystemOutput ci)
    {
        engine.BeforeSetup += (_, _) => ci.BeginTask("Setup");
        engine.AfterSetup += (_, _) => ci.EndTask("Setup");
        engine.BeforeTaskSetup += (_, e) => ci.BeginTask(e.TaskSetupContext.Task.Name);
        engine.AfterTaskTeardown += (_, e) => ci.EndTask(e.TaskTeardownContext.Task.Name);
        engine.BeforeTeardown += (_, _) => ci.BeginTask("Teardown");
        engine.AfterTeardown += (_, _) => ci.EndTask("Teardown");
    }

    private int ReportFailure(ICakeLog log, BuildSystemOutput ci, Exception ex)
    {
        // Cake wraps a task's exception in a CakeReportException with the same message; the inner
        // one is what users need. Stack traces only at diagnostic verbosity (ExceptionLogger).
        var cause = ex is CakeReportException { InnerException: { } inner } ? inner : ex;
        if (cause is AggregateException { InnerExceptions.Count: 1 } single)
        {
            cause = single.InnerExceptions[0];
        }

        var code = log.LogException(cause);
        if (ci.IsCi)
        {
            var issues = _issues?.Invoke(cause)?.ToList() is { Count: > 0 } found ? found : [new BuildIssue(cause.Message)];
            ci.Failed(issues);
        }

        if (_exitCodes?.Invoke(cause) is { } mapped and not 0)
        {
            code = mapped;
        }

        return code == 0 ? 1 : code;
    }

    private IFrostingContext CreateContext(ICakeContext cakeContext)
    {
        var ctor = _contextType.GetConstructor(new[] { typeof(ICakeContext) })
            ?? throw new FrostingException($"The context {_contextType.Name} needs a public constructor taking ICakeContext.");
        try
        {
            return (IFrostingContext)ctor.Invoke(new object[] { cakeContext });
        }
        catch (TargetInvocationException tie) when (tie.InnerException is not null)
        {
            // A context that rejects its switches throws from its constructor: report that, not the wrapper.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(tie.InnerException).Throw();
            throw;
        }
    }

    private void RegisterLifetimes(ICakeEngine engine, IFrostingContext context)
    {
        if (_lifetimeType is not null)
        {
            var lifetime = (IFrostingLifetime)Activator.CreateInstance(_lifetimeType)!;
            engine.RegisterSetupAction(info => lifetime.Setup(context, info));
            engine.RegisterTeardownAction(info => lifetime.Teardown(context, info));
        }

        if (_taskLifetimeType is not null)
        {
            var lifetime = (IFrostingTaskLifetime)Activator.CreateInstance(_taskLifetimeType)!;
            engine.RegisterTaskSetupAction(info => lifetime.Setup(context, info));
            engine.RegisterTaskTeardownAction(info => lifetime.Teardown(context, info));
        }
    }

    private static void SetWorkingDirectory(HostServices services, string? path)
    {
        if (path is null)
        {
            return;
        }

        var directory = new DirectoryPath(path).MakeAbsolute(services.Environment);
        if (!services.FileSystem.Exist(directory))
        {
            throw new FrostingException($"The working directory '{directory.FullPath}' does not exist.");
        }

        services.Environment.WorkingDirectory = directory;
    }

    /// <summary>
    /// The task classes, found by reflection as Frosting finds them. Safe in the natively compiled
    /// host too: its own assembly is compiled whole, never trimmed (build/HostPublish.props, kind
    /// native: TrimMode=partial trims only the libraries that declare themselves trimmable).
    /// </summary>
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "The host's own assembly is not trimmed (TrimMode=partial): every task type and its members stay.")]
    private List<Type> DiscoverTasks() => _assemblies
        .SelectMany(a => a.GetExportedTypes())
        .Where(t => typeof(IFrostingTask).IsAssignableFrom(t) && t is { IsClass: true, IsAbstract: false })
        .Distinct()
        .ToList();
}
