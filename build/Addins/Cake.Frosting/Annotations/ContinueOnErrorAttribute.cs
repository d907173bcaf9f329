namespace Cake.Frosting;

/// <summary>A failure of the annotated task is reported but does not stop the run.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class ContinueOnErrorAttribute : Attribute
{
}
