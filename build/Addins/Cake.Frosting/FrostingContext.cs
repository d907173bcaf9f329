using Cake.Core;

namespace Cake.Frosting;

public interface IFrostingContext : ICakeContext
{
}

/// <summary>The base of a build's own context: everything of Cake's context, plus what the build adds.</summary>
public class FrostingContext(ICakeContext context) : CakeContextAdapter(context), IFrostingContext
{
}
