namespace Cake.Frosting;

/// <summary>The one-line description shown by <c>--description</c> and <c>--help</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class TaskDescriptionAttribute(string description) : Attribute
{
    public string Description { get; } = description;
}
