using Crossboard.Deploy;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Deploy;

/// <summary>The smoke check's parts that need no device.</summary>
[Tier(TestTier.Unit)]
public sealed class SmokeCheckTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_smoke_checks_warm_up_goes_through_a_loopback_listener_of_its_own()
    {
        Assert.True(await SmokeCheck.WarmUp().WaitAsync(TimeSpan.FromSeconds(30), Cancel));
    }
}
