namespace Cake.Frosting;

/// <summary>A mistake in how the host was set up or called (unknown target, bad switch).</summary>
public sealed class FrostingException(string message) : Exception(message)
{
}
