using System.Reflection;

namespace Crossboard.Tests.Support;

/// <summary>The tiers hold: every test class says its tier, once, so that filtering on a tier misses no test.</summary>
[Tier(TestTier.Unit)]
public sealed class TierTests
{
    [Fact]
    public void Every_test_class_has_exactly_one_tier()
    {
        var testClasses = typeof(TierTests).Assembly.GetTypes()
            .Where(t => t.GetMethods().Any(m => m.GetCustomAttributes<FactAttribute>(inherit: true).Any()))
            .ToList();

        Assert.NotEmpty(testClasses);
        Assert.Empty(testClasses.Where(t => t.GetCustomAttributes<TierAttribute>().Count() != 1).Select(t => t.FullName));
        // A tier is one trait: xunit would run a test with two "Tier" values under either filter.
        Assert.Empty(testClasses.Where(t => t.GetCustomAttributes<TraitAttribute>().Any(a => a.Name == TierAttribute.TraitName)).Select(t => t.FullName));
    }
}
