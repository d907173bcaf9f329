using System.Diagnostics;
using System.Reflection;
using Cake.Core;
using Cake.Core.Diagnostics;
using Cake.Core.Graph;

namespace Cake.Frosting.Internal;

/// <summary>
/// Cake.Core's engine, and one thing it does not do: run a task marked
/// <see cref="RunInBackgroundAttribute"/> beside the others. Tasks, actions and events are Cake's
/// <see cref="CakeEngine"/>'s; a run with no background task in it (or a dry run, --exclusive,
/// several targets, or overlapping turned off) is that engine's own run, unchanged. A run with one
/// follows Cake's run step for step (setup, each task's criteria, task setup, action, error
/// reporter and handler, finally, task teardown, report entry, teardown), but each task starts as
/// soon as the tasks it depends on are done: the main line runs the other tasks in Cake's order,
/// waiting for a background task only before the first task that depends on it; a background task
/// starts when its own dependencies are done. Each task's report entry is its own duration and
/// outcome; <see cref="LastRun"/> says when each ran. A failure stops the run from starting more
/// tasks; what is running ends as it would, and the run fails with the first failure's exception,
/// written in the section of the task it belongs to.
/// </summary>
internal sealed class FrostingEngine : ICakeEngine
{
    private readonly CakeEngine _cake;
    private readonly ICakeLog _log;
    private readonly SectionConsole _console;
    private readonly HashSet<string> _background = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<Action<ISetupContext>> _setups = new();
    private readonly List<Action<ITeardownContext>> _teardowns = new();
    private readonly object _actionsGate = new();
    private readonly object _reportGate = new();
    private Action<ITaskSetupContext>? _taskSetup;
    private Action<ITaskTeardownContext>? _taskTeardown;
    private bool _dataActions;

    public FrostingEngine(ICakeDataService data, ICakeLog log, SectionConsole console)
    {
        _cake = new CakeEngine(data, log);
        _log = log;
        _console = console;
    }

    /// <summary>Cake's engine itself: what a dry run, the tree and the descriptions use.</summary>
    public CakeEngine Cake => _cake;

    /// <summary>Whether background tasks may overlap others in this run (asked as the run starts).</summary>
    public Func<bool> Overlap { get; set; } = () => true;

    /// <summary>When each task of the last overlapped run started and ended; null when the run was Cake's own.</summary>
    public RunTimeline? LastRun { get; private set; }

    public IReadOnlyList<ICakeTaskInfo> Tasks => _cake.Tasks;

    /// <summary>Marks a registered task as runnable in the background.</summary>
    public void RunInBackground(string task) => _background.Add(task);

    public CakeTaskBuilder RegisterTask(string name) => _cake.RegisterTask(name);

    public void RegisterSetupAction(Action<ISetupContext> action)
    {
        _cake.RegisterSetupAction(action);
        _setups.Add(action);
    }

    public void RegisterSetupAction<TData>(Func<ISetupContext, TData> action)
        where TData : class
    {
        _cake.RegisterSetupAction(action);
        _dataActions = true;
    }

    public void RegisterTeardownAction(Action<ITeardownContext> action)
    {
        _cake.RegisterTeardownAction(action);
        _teardowns.Add(action);
    }

    public void RegisterTeardownAction<TData>(Action<ITeardownContext, TData> action)
        where TData : class
    {
        _cake.RegisterTeardownAction(action);
        _dataActions = true;
    }

    public void RegisterTaskSetupAction(Action<ITaskSetupContext> action)
    {
        _cake.RegisterTaskSetupAction(action);
        _taskSetup = action;
    }

    public void RegisterTaskSetupAction<TData>(Action<ITaskSetupContext, TData> action)
        where TData : class
    {
        _cake.RegisterTaskSetupAction(action);
        _dataActions = true;
    }

    public void RegisterTaskTeardownAction(Action<ITaskTeardownContext> action)
    {
        _cake.RegisterTaskTeardownAction(action);
        _taskTeardown = action;
    }

    public void RegisterTaskTeardownAction<TData>(Action<ITaskTeardownContext, TData> action)
        where TData : class
    {
        _cake.RegisterTaskTeardownAction(action);
        _dataActions = true;
    }

    // Cake's engine raises its own events; an overlapped run raises the same ones from here.
    private EventHandler<BeforeSetupEventArgs>? _beforeSetup;
    private EventHandler<AfterSetupEventArgs>? _afterSetup;
    private EventHandler<BeforeTeardownEventArgs>? _beforeTeardown;
    private EventHandler<AfterTeardownEventArgs>? _afterTeardown;
    private EventHandler<BeforeTaskSetupEventArgs>? _beforeTaskSetup;
    private EventHandler<AfterTaskSetupEventArgs>? _afterTaskSetup;
    private EventHandler<BeforeTaskTeardownEventArgs>? _beforeTaskTeardown;
    private EventHandler<AfterTaskTeardownEventArgs>? _afterTaskTeardown;

    public event EventHandler<BeforeSetupEventArgs> BeforeSetup { add { _cake.BeforeSetup += value; _beforeSetup += value; } remove { _cake.BeforeSetup -= value; _beforeSetup -= value; } }
    public event EventHandler<AfterSetupEventArgs> AfterSetup { add { _cake.AfterSetup += value; _afterSetup += value; } remove { _cake.AfterSetup -= value; _afterSetup -= value; } }
    public event EventHandler<BeforeTeardownEventArgs> BeforeTeardown { add { _cake.BeforeTeardown += value; _beforeTeardown += value; } remove { _cake.BeforeTeardown -= value; _beforeTeardown -= value; } }
    public event EventHandler<AfterTeardownEventArgs> AfterTeardown { add { _cake.AfterTeardown += value; _afterTeardown += value; } remove { _cake.AfterTeardown -= value; _afterTeardown -= value; } }
    public event EventHandler<BeforeTaskSetupEventArgs> BeforeTaskSetup { add { _cake.BeforeTaskSetup += value; _beforeTaskSetup += value; } remove { _cake.BeforeTaskSetup -= value; _beforeTaskSetup -= value; } }
    public event EventHandler<AfterTaskSetupEventArgs> AfterTaskSetup { add { _cake.AfterTaskSetup += value; _afterTaskSetup += value; } remove { _cake.AfterTaskSetup -= value; _afterTaskSetup -= value; } }
    public event EventHandler<BeforeTaskTeardownEventArgs> BeforeTaskTeardown { add { _cake.BeforeTaskTeardown += value; _beforeTaskTeardown += value; } remove { _cake.BeforeTaskTeardown -= value; _beforeTaskTeardown -= value; } }
    public event EventHandler<AfterTaskTeardownEventArgs> AfterTaskTeardown { add { _cake.AfterTaskTeardown += value; _afterTaskTeardown += value; } remove { _cake.AfterTaskTeardown -= value; _afterTaskTeardown -= value; } }

    public Task<CakeReport> RunTargetAsync(ICakeContext context, IExecutionStrategy strategy, ExecutionSettings settings)
    {
        LastRun = null;
        var targets = settings.Targets.ToList();
        if (targets.Count != 1 || settings.Exclusive || _dataActions || _background.Count == 0)
        {
            return _cake.RunTargetAsync(context, strategy, settings);
        }

        var graph = CakeGraphBuilder.Build(_cake.Tasks.ToList());
        if (!graph.Exist(targets[0]))
        {
            return _cake.RunTargetAsync(context, strategy, settings); // Cake's own message
        }

        var ordered = graph.Traverse(targets[0])
            .Select(name => (CakeTask)_cake.Tasks.First(t => t.Name.Equals(name, StringComparison.OrdinalIgnoreCase)))
            .ToArray();
        var target = ordered[^1];
        if (!ordered.Any(t => t != target && _background.Contains(t.Name)) || !Overlap())
        {
            return _cake.RunTargetAsync(context, strategy, settings);
        }

        return new OverlappedRun(this, context, strategy, graph, ordered, target).RunAsync();
    }

    /// <summary>One run with background tasks in it.</summary>
    private sealed class OverlappedRun(FrostingEngine engine, ICakeContext context, IExecutionStrategy strategy, CakeGraph graph, CakeTask[] ordered, CakeTask target)
    {
        private readonly CakeReport _report = new();
        private readonly RunTimeline _timeline = new();
        private readonly Dictionary<string, TaskCompletionSource<Outcome>> _outcomes =
            ordered.ToDictionary(t => t.Name, _ => new TaskCompletionSource<Outcome>(TaskCreationOptions.RunContinuationsAsynchronously), StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<string, SectionConsole.Section> _sections = new(StringComparer.OrdinalIgnoreCase);
        private readonly List<(string Task, Exception Error)> _failures = new();
        private volatile bool _stopping;

        private ICakeLog Log => engine._log;

        public async Task<CakeReport> RunAsync()
        {
            engine.LastRun = _timeline;
            Exception? thrown = null;
            var watch = Stopwatch.StartNew();
            try
            {
                PerformSetup(watch);

                var background = ordered.Where(t => t != target && engine._background.Contains(t.Name)).ToList();
                Log.Information("Running in the background, beside the tasks that do not need {0}: {1} (each one's output follows as its section).",
                    background.Count == 1 ? "it" : "them", string.Join(", ", background.Select(t => t.Name)));

                // A background task's threads are its own: its work blocks, and the pool is left to the async work of both lines.
                ThreadPool.GetMinThreads(out var workers, out var io);
                ThreadPool.SetMinThreads(Math.Max(workers, 8), io);
                var threads = background.Select(StartBackground).ToList();

                try
                {
                    await RunMainLine(background).ConfigureAwait(false);
                }
                finally
                {
                    // What the main line did not reach will not run: a background task waiting for it does not either.
                    foreach (var task in ordered.Where(t => !background.Contains(t)))
                    {
                        _outcomes[task.Name].TrySetResult(Outcome.NotRun);
                    }
                }

                // The run's end (or failure): the background tasks still running end first, their output written.
                foreach (var task in background)
                {
                    if (_sections.TryGetValue(task.Name, out var section) && !section.Ended && _stopping)
                    {
                        Log.Information("Waiting for {0}, running in the background, to end.", task.Name);
                    }

                    await Follow(task.Name).ConfigureAwait(false);
                }

                await Task.WhenAll(threads).ConfigureAwait(false);
                engine._console.WriteEnded();

                if (_failures.Count > 0)
                {
                    foreach (var (task, error) in _failures.Skip(1))
                    {
                        Log.Error("{0} failed too: {1}", task, error.Message);
                    }

                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(_failures[0].Error).Throw();
                }

                return _report;
            }
            catch (Exception ex)
            {
                thrown = ex;
                throw new CakeReportException(_report, ex.Message, ex);
            }
            finally
            {
                _timeline.Ended = DateTimeOffset.Now;
                PerformTeardown(watch, thrown);
            }
        }

        private async Task RunMainLine(List<CakeTask> background)
        {
            foreach (var task in ordered.Where(t => !background.Contains(t)))
            {
                engine._console.WriteEnded();
                foreach (var dependency in Dependencies(task).Where(d => background.Any(b => b.Name.Equals(d, StringComparison.OrdinalIgnoreCase))))
                {
                    if (!_outcomes[dependency].Task.IsCompleted && !_stopping)
                    {
                        var running = _timeline.Entries.Where(e => e.Background && e.Ended is null).Select(e => $"{e.Task} since {e.Started:HH:mm:ss}");
                        Log.Information("{0} waits for {1} (in the background: {2}); what it wrote so far follows, then it live.",
                            task.Name, dependency, string.Join(", ", running.DefaultIfEmpty("about to start")));
                    }

                    await Follow(dependency).ConfigureAwait(false);
                }

                if (_stopping)
                {
                    return;
                }

                await RunTask(task, background: false).ConfigureAwait(false);
                if (_stopping)
                {
                    return;
                }
            }
        }

        /// <summary>Waits for a background task: its section is written and followed live until it ends.</summary>
        private async Task Follow(string task)
        {
            while (!_outcomes[task].Task.IsCompleted)
            {
                SectionConsole.Section? section;
                lock (_sections)
                {
                    _sections.TryGetValue(task, out section);
                }

                if (section is not null)
                {
                    await engine._console.FollowAsync(section).ConfigureAwait(false);
                    break;
                }

                // Not started yet (its dependencies run): wait for it to start or end.
                await Task.WhenAny(_outcomes[task].Task, Task.Delay(50)).ConfigureAwait(false);
            }

            await _outcomes[task].Task.ConfigureAwait(false);
        }

        private Task StartBackground(CakeTask task)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var thread = new Thread(() =>
            {
                try
                {
                    RunBackground(task).GetAwaiter().GetResult();
                }
                catch (Exception)
                {
                    // Recorded as the task's failure in RunTask.
                }
                finally
                {
                    done.TrySetResult();
                }
            })
            {
                IsBackground = true,
                Name = task.Name,
            };
            thread.Start();
            return done.Task;
        }

        private async Task RunBackground(CakeTask task)
        {
            foreach (var dependency in Dependencies(task))
            {
                var outcome = await _outcomes[dependency].Task.ConfigureAwait(false);
                if (outcome == Outcome.NotRun || _stopping)
                {
                    _outcomes[task.Name].TrySetResult(Outcome.NotRun);
                    return;
                }
            }

            if (_stopping)
            {
                _outcomes[task.Name].TrySetResult(Outcome.NotRun);
                return;
            }

            var section = engine._console.Begin(task.Name);
            lock (_sections)
            {
                _sections[task.Name] = section;
            }

            try
            {
                await RunTask(task, background: true).ConfigureAwait(false);
            }
            finally
            {
                section.End();
            }
        }

        /// <summary>The tasks of this run that <paramref name="task"/> depends on (IsDependentOn and IsDependeeOf alike).</summary>
        private IEnumerable<string> Dependencies(CakeTask task) => graph.Edges
            .Where(e => e.End.Equals(task.Name, StringComparison.OrdinalIgnoreCase) && _outcomes.ContainsKey(e.Start))
            .Select(e => e.Start);

        /// <summary>Cake's RunTask and ExecuteTaskAsync, with this task's own clock.</summary>
        private async Task RunTask(CakeTask task, bool background)
        {
            var entry = _timeline.Start(task.Name, background);
            var outcome = Outcome.NotRun;
            try
            {
                var isTarget = task == target;
                foreach (var criteria in task.Criterias)
                {
                    if (!ShouldTaskExecute(task, criteria, isTarget))
                    {
                        criteria.CausedSkippingOfTask = true;
                        SkipTask(task, criteria);
                        outcome = Outcome.Skipped;
                        return;
                    }
                }

                outcome = await ExecuteTaskAsync(task).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                outcome = Outcome.NotRun;
                lock (_failures)
                {
                    _failures.Add((task.Name, ex));
                }

                // The run stops starting tasks; it fails with the first failure once what runs has ended.
                _stopping = true;
            }
            finally
            {
                entry.Ended = DateTimeOffset.Now;
                entry.Outcome = outcome;
                _outcomes[task.Name].TrySetResult(outcome);
            }
        }

        private bool ShouldTaskExecute(CakeTask task, CakeTaskCriteria criteria, bool isTarget)
        {
            if (criteria.Predicate(context))
            {
                return true;
            }

            if (isTarget)
            {
                throw new CakeException(string.IsNullOrWhiteSpace(criteria.Message)
                    ? $"Could not reach target '{task.Name}' since it was skipped due to a criteria."
                    : $"Could not reach target '{task.Name}' since it was skipped due to a criteria: {criteria.Message}.");
            }

            return false;
        }

        private async Task<Outcome> ExecuteTaskAsync(CakeTask task)
        {
            var watch = Stopwatch.StartNew();
            PerformTaskSetup(task, skipped: false);

            Exception? taskException = null;
            try
            {
                await strategy.ExecuteAsync(task, context).ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                Log.Error("An error occurred when executing task '{0}'.", task.Name);
                taskException = exception;
                if (task.ErrorReporter is not null)
                {
                    try
                    {
                        await strategy.ReportErrorsAsync(task.ErrorReporter, exception).ConfigureAwait(false);
                    }
                    catch
                    {
                        // As in Cake: the error reporter's own errors are ignored.
                    }
                }

                if (task.ErrorHandler is null)
                {
                    throw;
                }

                try
                {
                    await strategy.HandleErrorsAsync(task.ErrorHandler, exception, context).ConfigureAwait(false);
                }
                catch (Exception handlerException)
                {
                    if (handlerException != exception)
                    {
                        Log.Error("Error: {0}", exception.Message);
                    }

                    throw;
                }
            }
            finally
            {
                if (task.FinallyHandler is not null)
                {
                    await strategy.InvokeFinallyAsync(task.FinallyHandler, context).ConfigureAwait(false);
                }

                PerformTaskTeardown(task, watch.Elapsed, skipped: false, taskException);
                Log.Verbose($"Completed in {watch.Elapsed}");
                lock (engine._reportGate)
                {
                    if (!task.Actions.Any())
                    {
                        _report.AddDelegated(task.Name, watch.Elapsed);
                    }
                    else if (taskException is null)
                    {
                        _report.Add(task.Name, CakeReportEntryCategory.Task, watch.Elapsed);
                    }
                    else
                    {
                        _report.AddFailed(task.Name, watch.Elapsed);
                    }
                }
            }

            return taskException is null ? Outcome.Succeeded : Outcome.Failed;
        }

        private void SkipTask(CakeTask task, CakeTaskCriteria criteria)
        {
            PerformTaskSetup(task, skipped: true);
            strategy.Skip(task, criteria);
            PerformTaskTeardown(task, TimeSpan.Zero, skipped: true, null);
            lock (engine._reportGate)
            {
                _report.AddSkipped(task.Name, criteria.Message ?? string.Empty);
            }
        }

        private void PerformSetup(Stopwatch watch)
        {
            watch.Restart();
            Publish(engine._beforeSetup, new BeforeSetupEventArgs(context));
            try
            {
                if (engine._setups.Count > 0)
                {
                    foreach (var setup in engine._setups)
                    {
                        strategy.PerformSetup(setup, new SetupContext(context, target, ordered));
                    }

                    _report.Add("Setup", CakeReportEntryCategory.Setup, watch.Elapsed);
                }
            }
            finally
            {
                Publish(engine._afterSetup, new AfterSetupEventArgs(context));
            }
        }

        private void PerformTaskSetup(CakeTask task, bool skipped)
        {
            var setupContext = new TaskSetupContext(context, task);
            Publish(engine._beforeTaskSetup, new BeforeTaskSetupEventArgs(setupContext));
            try
            {
                if (engine._taskSetup is { } action)
                {
                    try
                    {
                        // The build's task lifetime is written for one task at a time.
                        lock (engine._actionsGate)
                        {
                            strategy.PerformTaskSetup(action, setupContext);
                        }
                    }
                    catch (Exception exception)
                    {
                        PerformTaskTeardown(task, TimeSpan.Zero, skipped, exception);
                        throw;
                    }
                }
            }
            finally
            {
                Publish(engine._afterTaskSetup, new AfterTaskSetupEventArgs(setupContext));
            }
        }

        private void PerformTaskTeardown(CakeTask task, TimeSpan duration, bool skipped, Exception? taskException)
        {
            var teardownContext = new TaskTeardownContext(context, task, duration, skipped, taskException);
            Publish(engine._beforeTaskTeardown, new BeforeTaskTeardownEventArgs(teardownContext));
            try
            {
                if (engine._taskTeardown is { } action)
                {
                    try
                    {
                        lock (engine._actionsGate)
                        {
                            strategy.PerformTaskTeardown(action, teardownContext);
                        }
                    }
                    catch (Exception ex)
                    {
                        Log.Error("An error occurred in the custom task teardown action ({0}).", task.Name);
                        if (taskException is null)
                        {
                            throw;
                        }

                        Log.Error("Task Teardown error ({0}): {1}", task.Name, ex.ToString());
                    }
                }
            }
            finally
            {
                Publish(engine._afterTaskTeardown, new AfterTaskTeardownEventArgs(teardownContext));
            }
        }

        private void PerformTeardown(Stopwatch watch, Exception? thrown)
        {
            watch.Restart();
            var teardownContext = new TeardownContext(context, thrown);
            Publish(engine._beforeTeardown, new BeforeTeardownEventArgs(teardownContext));
            try
            {
                if (engine._teardowns.Count > 0)
                {
                    var exceptions = new List<Exception>();
                    try
                    {
                        foreach (var teardown in engine._teardowns)
                        {
                            try
                            {
                                strategy.PerformTeardown(teardown, teardownContext);
                            }
                            catch (Exception ex)
                            {
                                if (thrown is null && engine._teardowns.Count == 1)
                                {
                                    Log.Error("An error occurred in a custom teardown action.");
                                    throw;
                                }

                                exceptions.Add(ex);
                            }
                        }
                    }
                    finally
                    {
                        _report.Add("Teardown", CakeReportEntryCategory.Teardown, watch.Elapsed);
                    }

                    if (exceptions.Count > 0)
                    {
                        Log.Error("An error occurred in a custom teardown action.");
                        if (thrown is null)
                        {
                            throw exceptions.Count == 1 ? exceptions[0] : new AggregateException("Multiple teardown methods threw exceptions.", exceptions);
                        }

                        foreach (var ex in exceptions)
                        {
                            Log.Error("Teardown error: {0}", exceptions.Count == 1 ? ex.ToString() : ex.Message);
                        }
                    }
                }
            }
            finally
            {
                Publish(engine._afterTeardown, new AfterTeardownEventArgs(teardownContext));
            }
        }

        private void Publish<T>(EventHandler<T>? handlers, T args)
            where T : EventArgs
        {
            if (handlers is null)
            {
                return;
            }

            foreach (var handler in handlers.GetInvocationList().Cast<EventHandler<T>>())
            {
                try
                {
                    handler(engine, args);
                }
                catch (Exception e)
                {
                    Log.Error("An error occurred in the event handler {0}: {1}", handler.GetMethodInfo().Name, e.Message);
                }
            }
        }
    }
}

/// <summary>How a task of an overlapped run ended.</summary>
internal enum Outcome
{
    NotRun,
    Succeeded,
    Skipped,
    Failed,
}

/// <summary>When each task of an overlapped run started and ended: what the report adds about overlapping.</summary>
internal sealed class RunTimeline
{
    private readonly List<Entry> _entries = new();

    public DateTimeOffset Started { get; } = DateTimeOffset.Now;
    public DateTimeOffset? Ended { get; set; }

    public IReadOnlyList<Entry> Entries
    {
        get
        {
            lock (_entries)
            {
                return _entries.ToList();
            }
        }
    }

    public Entry Start(string task, bool background)
    {
        var entry = new Entry(task, background, DateTimeOffset.Now);
        lock (_entries)
        {
            _entries.Add(entry);
        }

        return entry;
    }

    internal sealed class Entry(string task, bool background, DateTimeOffset started)
    {
        public string Task { get; } = task;
        public bool Background { get; } = background;
        public DateTimeOffset Started { get; } = started;
        public DateTimeOffset? Ended { get; set; }
        public Outcome Outcome { get; set; }
    }
}
