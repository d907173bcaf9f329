using Cake.Core;
using Cake.Core.Diagnostics;

namespace Cake.Frosting.Internal;

/// <summary>Turns task classes into Cake.Core tasks: name, description, action, criteria, error handling, edges.</summary>
internal sealed class TaskRegistrar(FrostingEngine engine, IFrostingContext context, ICakeLog log)
{
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2072", Justification = "Task types come from the host's own assembly, which is not trimmed (CakeHost.DiscoverTasks).")]
    public void Register(IEnumerable<Type> taskTypes)
    {
        var contextType = context.GetType();
        foreach (var type in taskTypes)
        {
            var name = type.GetTaskName();
            if (!type.GetContextType().IsAssignableFrom(contextType))
            {
                log.Warning("Task {0} cannot be used since the context isn't convertible to {1}.", name, type.GetContextType().FullName!);
                continue;
            }

            var task = (IFrostingTask)Activator.CreateInstance(type)!;
            var builder = engine.RegisterTask(name);

            if (type.GetCustomAttributes(typeof(TaskDescriptionAttribute), false) is [TaskDescriptionAttribute d, ..])
            {
                builder.Description(d.Description);
            }

            // Only tasks that do something get an action: Cake leaves action-less (aggregate)
            // tasks out of the report, as Frosting does.
            var runOverridden = type.IsAsyncTask()
                ? type.Overrides("RunAsync", ContextTypeOf(type))
                : type.Overrides("Run", ContextTypeOf(type));
            if (runOverridden)
            {
                builder.Does(c => task.RunAsync(context));
            }

            if (type.Overrides("ShouldRun", ContextTypeOf(type)))
            {
                builder.WithCriteria(_ => task.ShouldRun(context), task.SkippedMessage);
            }

            if (type.GetCustomAttributes(typeof(RunInBackgroundAttribute), false).Length > 0)
            {
                engine.RunInBackground(name);
            }

            if (type.GetCustomAttributes(typeof(ContinueOnErrorAttribute), false).Length > 0)
            {
                builder.ContinueOnError();
            }

            // Any OnError handler swallows the exception in Cake.Core: register only real ones.
            if (type.Overrides("OnError", typeof(Exception), ContextTypeOf(type)))
            {
                builder.OnError(ex => task.OnError(ex, context));
            }

            if (type.Overrides("Finally", ContextTypeOf(type)))
            {
                builder.Finally(() => task.Finally(context));
            }

            foreach (IsDependentOnAttribute dependency in type.GetCustomAttributes(typeof(IsDependentOnAttribute), false))
            {
                EnsureTask(dependency.Task, name);
                builder.IsDependentOn(dependency.Task.GetTaskName());
            }

            foreach (IsDependeeOfAttribute dependee in type.GetCustomAttributes(typeof(IsDependeeOfAttribute), false))
            {
                EnsureTask(dependee.Task, name);
                builder.IsDependeeOf(dependee.Task.GetTaskName());
            }
        }
    }

    /// <summary>Cake's own message for an unknown target is a bare "not found"; list what exists.</summary>
    public void EnsureTargetsExist(IEnumerable<string> targets)
    {
        var known = engine.Tasks.Select(t => t.Name).ToList();
        foreach (var target in targets)
        {
            if (!known.Contains(target, StringComparer.OrdinalIgnoreCase))
            {
                throw new FrostingException(
                    $"Unknown target '{target}'. Valid targets: {string.Join(", ", known.Order(StringComparer.OrdinalIgnoreCase))}.");
            }
        }
    }

    private static Type ContextTypeOf(Type task) => task.GetContextType();

    private static void EnsureTask(Type dependency, string of)
    {
        if (!typeof(IFrostingTask).IsAssignableFrom(dependency))
        {
            throw new FrostingException($"The dependency '{dependency.Name}' of task '{of}' is not a task.");
        }
    }
}
