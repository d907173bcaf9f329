using System.Reflection;

namespace Cake.Frosting.Internal;

internal static class TaskTypeExtensions
{
    public static string GetTaskName(this Type task) =>
        task.GetCustomAttribute<TaskNameAttribute>()?.Name ?? task.Name;

    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "Task types come from the host's own assembly, which is not trimmed (CakeHost.DiscoverTasks).")]
    public static bool Overrides(this Type task, string method, params Type[] parameters)
    {
        var found = task.GetMethod(method, BindingFlags.Public | BindingFlags.Instance, parameters);
        return found is not null && found.GetBaseDefinition().DeclaringType != found.DeclaringType;
    }

    /// <summary>The TContext of FrostingTask&lt;TContext&gt; or AsyncFrostingTask&lt;TContext&gt;.</summary>
    public static Type GetContextType(this Type task)
    {
        for (var t = task; t is not null; t = t.BaseType)
        {
            if (t.IsGenericType &&
                (t.GetGenericTypeDefinition() == typeof(FrostingTask<>) || t.GetGenericTypeDefinition() == typeof(AsyncFrostingTask<>)))
            {
                return t.GenericTypeArguments[0];
            }
        }

        return typeof(Cake.Core.ICakeContext);
    }

    public static bool IsAsyncTask(this Type task)
    {
        for (var t = task; t is not null; t = t.BaseType)
        {
            if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(AsyncFrostingTask<>))
            {
                return true;
            }
        }

        return false;
    }
}
