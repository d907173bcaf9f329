using Cake.Core;
using Cake.Frosting;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Addins;

/// <summary>A context of the host tests' own, so these tasks never mix with crossboard's.</summary>
public sealed class HostTestContext(ICakeContext context) : FrostingContext(context)
{
    public List<string> Ran { get; } = new();
}

public sealed class HostTestLifetime : FrostingLifetime<HostTestContext>
{
    public override void Setup(HostTestContext context, ISetupContext info) => context.Ran.Add("setup");

    public override void Teardown(HostTestContext context, ITeardownContext info)
    {
        context.Ran.Add("teardown");
        File.WriteAllLines(context.Arguments.GetArgument("record"), context.Ran);
    }
}

[TaskName("HostA")]
[TaskDescription("First of the chain.")]
public sealed class HostA : FrostingTask<HostTestContext>
{
    public override void Run(HostTestContext context) => context.Ran.Add("HostA");
}

[TaskName("HostB")]
[IsDependentOn(typeof(HostA))]
public sealed class HostB : FrostingTask<HostTestContext>
{
    public override void Run(HostTestContext context) => context.Ran.Add("HostB:" + context.Arguments.GetArgument("color"));
}

[TaskName("HostC")]
[IsDependentOn(typeof(HostB))]
public sealed class HostC : AsyncFrostingTask<HostTestContext>
{
    public override async Task RunAsync(HostTestContext context)
    {
        await Task.Yield();
        context.Ran.Add("HostC");
    }
}

[TaskName("HostFails")]
[IsDependentOn(typeof(HostA))]
public sealed class HostFails : FrostingTask<HostTestContext>
{
    public override void Run(HostTestContext context) => throw new InvalidOperationException("the task broke on purpose");
}

[TaskName("HostSkipped")]
public sealed class HostSkipped : FrostingTask<HostTestContext>
{
    public override bool ShouldRun(HostTestContext context) => false;

    public override void Run(HostTestContext context) => context.Ran.Add("HostSkipped");
}

[TaskName("HostTolerated")]
[ContinueOnError]
public sealed class HostTolerated : FrostingTask<HostTestContext>
{
    public override void Run(HostTestContext context) => throw new InvalidOperationException("tolerated failure");
}

[TaskName("HostAfterTolerated")]
[IsDependentOn(typeof(HostTolerated))]
public sealed class HostAfterTolerated : FrostingTask<HostTestContext>
{
    public override void Run(HostTestContext context) => context.Ran.Add("HostAfterTolerated");
}

[TaskName("HostReverse")]
[IsDependeeOf(typeof(HostA))]
public sealed class HostReverse : FrostingTask<HostTestContext>
{
    public override void Run(HostTestContext context) => context.Ran.Add("HostReverse");
}

[TaskName("HostAggregate")]
[IsDependentOn(typeof(HostC))]
[IsDependentOn(typeof(HostSkipped))]
public sealed class HostAggregate : FrostingTask<HostTestContext>
{
}

[Tier(TestTier.Unit)]
public sealed class FrostingHostTests : IDisposable
{
    private readonly string _record = Path.GetTempFileName();

    public void Dispose() => File.Delete(_record);

    private (int Code, string Output, string[] Ran) Run(params string[] args)
    {
        var output = new StringWriter();
        var code = new CakeHost()
            .UseContext<HostTestContext>()
            .UseLifetime<HostTestLifetime>()
            .AddAssembly(typeof(FrostingHostTests).Assembly)
            .UseOutput(output)
            .Run([.. args, $"--record={_record}"]);
        var ran = File.Exists(_record) ? File.ReadAllLines(_record) : [];
        return (code, output.ToString(), ran);
    }

    [Fact]
    public void Dependencies_run_first_in_order_and_arguments_reach_the_context()
    {
        var (code, output, ran) = Run("--target=HostC", "--color", "blue");

        Assert.Equal(0, code);
        Assert.Equal(["setup", "HostReverse", "HostA", "HostB:blue", "HostC", "teardown"], ran);
        Assert.Contains("Task", output);
        Assert.Matches(@"HostC\s+\d\d:\d\d:\d\d\.\d+\s+Succeeded", output);
    }

    [Fact]
    public void Exclusive_runs_only_the_target()
    {
        var (code, _, ran) = Run("-t", "HostC", "-e", "--color=red");

        Assert.Equal(0, code);
        Assert.Equal(["setup", "HostC", "teardown"], ran);
    }

    [Fact]
    public void Dry_run_lists_tasks_and_runs_none()
    {
        var (code, output, ran) = Run("--target=HostC", "--dryrun");

        Assert.Equal(0, code);
        Assert.DoesNotContain("HostC", ran);
        Assert.Contains("Performing dry run", output);
        Assert.Matches(@"1\. HostReverse\s+2\. HostA\s+3\. HostB\s+4\. HostC", output);
    }

    [Fact]
    public void A_failing_task_stops_the_run_with_a_non_zero_exit_code_and_its_message()
    {
        var (code, output, ran) = Run("--target=HostFails");

        Assert.NotEqual(0, code);
        Assert.Contains("Error: the task broke on purpose", output);
        Assert.DoesNotContain("at Crossboard.Tests", output); // no stack trace below diagnostic verbosity
        Assert.Equal(["setup", "HostReverse", "HostA", "teardown"], ran);
        Assert.Matches(@"HostFails\s+\d\d:\d\d:\d\d\.\d+\s+Failed", output);
    }

    [Fact]
    public void Unknown_target_is_refused_with_the_valid_names()
    {
        var (code, output, ran) = Run("--target=HostZ");

        Assert.NotEqual(0, code);
        Assert.Contains("Unknown target 'HostZ'", output);
        Assert.Contains("HostA, HostAfterTolerated, HostAggregate", output);
        Assert.Empty(ran);
    }

    [Fact]
    public void ShouldRun_false_skips_the_task_and_aggregates_run_their_dependencies()
    {
        var (code, output, ran) = Run("--target=HostAggregate");

        Assert.Equal(0, code);
        Assert.DoesNotContain("HostSkipped", ran);
        Assert.Contains("HostC", ran);
        Assert.Matches(@"HostSkipped\s+-\s+Skipped", output);
    }

    [Fact]
    public void ContinueOnError_lets_dependents_run()
    {
        var (code, _, ran) = Run("--target=HostAfterTolerated");

        Assert.Equal(0, code);
        Assert.Contains("HostAfterTolerated", ran);
    }

    [Fact]
    public void Tree_and_description_show_the_graph_without_running()
    {
        var (treeCode, tree, ran) = Run("--tree");
        Assert.Equal(0, treeCode);
        Assert.Empty(ran);
        Assert.Matches(@"HostAggregate\r?\n├─HostC\r?\n│ └─HostB\r?\n│    └─HostA\r?\n└─HostSkipped", tree);

        var (helpCode, help, _) = Run("--help");
        Assert.Equal(0, helpCode);
        Assert.Contains("--dryrun, --whatif", help);
        Assert.Matches(@"HostA\s+First of the chain\.", help);
    }

    [Fact]
    public void Bad_verbosity_and_stray_words_are_clear_errors()
    {
        var (code, output, _) = Run("--verbosity=loud");
        Assert.NotEqual(0, code);
        Assert.Contains("Unknown verbosity 'loud'", output);

        var (code2, output2, _) = Run("HostA");
        Assert.NotEqual(0, code2);
        Assert.Contains("--target=HostA", output2);
    }
}
