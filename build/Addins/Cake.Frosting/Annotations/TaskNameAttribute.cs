namespace Cake.Frosting;

/// <summary>Names a task; without it the class name is the task name.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class TaskNameAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}
