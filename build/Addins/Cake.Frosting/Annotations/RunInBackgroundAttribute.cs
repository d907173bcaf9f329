namespace Cake.Frosting;

/// <summary>
/// The annotated task may run beside the run's other tasks: the engine starts it as soon as its
/// own dependencies are done, and the first task that depends on it waits for it. Its output is
/// kept and written as its own section (once it ends, or live once a task waits for it), and the
/// task report shows its own duration and outcome. Where the host does not overlap tasks (a dry
/// run, --exclusive, or the build turning it off with <c>CakeHost.UseBackgroundTasks</c>) it runs
/// where Cake's order puts it. Not in Cake.Frosting: this host's own.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class RunInBackgroundAttribute : Attribute
{
}
