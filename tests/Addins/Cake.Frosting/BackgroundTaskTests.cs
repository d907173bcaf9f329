using System.Globalization;
using System.Text.RegularExpressions;
using Cake.Core;
using Cake.Core.Diagnostics;
using Cake.Frosting;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Addins;

/// <summary>The background tests' own context: what each task did, and when, from the tasks themselves.</summary>
public sealed class OverlapTestContext(ICakeContext context) : FrostingContext(context)
{
    private readonly List<string> _events = new();

    public void Record(string what)
    {
        lock (_events)
        {
            _events.Add($"{what} {DateTimeOffset.Now.UtcTicks}");
        }
    }

    public IReadOnlyList<string> Events
    {
        get
        {
            lock (_events)
            {
                return _events.ToList();
            }
        }
    }

    /// <summary>A task's work: a while of blocking, as a build step does.</summary>
    public void Work(string task, int milliseconds)
    {
        Record(task + ":start");
        Log.Information("{0} is working", task);
        Thread.Sleep(milliseconds);
        Log.Information("{0} is done", task);
        Record(task + ":end");
    }
}

public sealed class OverlapTestLifetime : FrostingLifetime<OverlapTestContext>
{
    public override void Setup(OverlapTestContext context, ISetupContext info)
    {
    }

    public override void Teardown(OverlapTestContext context, ITeardownContext info) =>
        File.WriteAllLines(context.Arguments.GetArgument("record"), context.Events);
}

/// <summary>The device's branch: slow, in the background.</summary>
[TaskName("OvImage")]
[RunInBackground]
public sealed class OvImage : FrostingTask<OverlapTestContext>
{
    public override void Run(OverlapTestContext context)
    {
        if (context.Arguments.HasArgument("image-fails"))
        {
            context.Record("OvImage:start");
            Thread.Sleep(300);
            context.Record("OvImage:end");
            throw new InvalidOperationException("the image broke on purpose");
        }

        context.Work("OvImage", 900);
    }
}

[TaskName("OvBoot")]
[RunInBackground]
[IsDependentOn(typeof(OvImage))]
public sealed class OvBoot : FrostingTask<OverlapTestContext>
{
    public override void Run(OverlapTestContext context) => context.Work("OvBoot", 200);
}

/// <summary>The build's branch: two steps in the foreground.</summary>
[TaskName("OvToolchain")]
public sealed class OvToolchain : FrostingTask<OverlapTestContext>
{
    public override void Run(OverlapTestContext context) => context.Work("OvToolchain", 400);
}

[TaskName("OvCargo")]
[IsDependentOn(typeof(OvToolchain))]
public sealed class OvCargo : FrostingTask<OverlapTestContext>
{
    public override void Run(OverlapTestContext context) => context.Work("OvCargo", 500);
}

[TaskName("OvSkipped")]
[IsDependentOn(typeof(OvCargo))]
public sealed class OvSkipped : FrostingTask<OverlapTestContext>
{
    public override bool ShouldRun(OverlapTestContext context) => false;

    public override void Run(OverlapTestContext context) => context.Record("OvSkipped:ran");
}

/// <summary>Needs both branches: the deploy.</summary>
[TaskName("OvDeploy")]
[IsDependentOn(typeof(OvSkipped))]
[IsDependentOn(typeof(OvBoot))]
public sealed class OvDeploy : FrostingTask<OverlapTestContext>
{
    public override void Run(OverlapTestContext context) => context.Work("OvDeploy", 50);
}

[Tier(TestTier.Unit)]
public sealed class BackgroundTaskTests : IDisposable
{
    private readonly string _record = Path.GetTempFileName();

    public void Dispose() => File.Delete(_record);

    private (int Code, string Output, Dictionary<string, DateTimeOffset> At) Run(bool overlap, params string[] args)
    {
        var output = new StringWriter();
        var code = new CakeHost()
            .UseContext<OverlapTestContext>()
            .UseLifetime<OverlapTestLifetime>()
            .AddAssembly(typeof(BackgroundTaskTests).Assembly)
            .UseOutput(output)
            .UseBackgroundTasks<OverlapTestContext>(_ => overlap)
            .Run([.. args, $"--record={_record}"]);
        var at = File.ReadAllLines(_record)
            .Select(l => l.Split(' '))
            .ToDictionary(p => p[0], p => new DateTimeOffset(long.Parse(p[1], CultureInfo.InvariantCulture), TimeSpan.Zero));
        return (code, output.ToString(), at);
    }

    private static TimeSpan Duration(string output, string task) =>
        TimeSpan.Parse(Regex.Match(output, $@"^{task}\s+(\d\d:\d\d:\d\d\.\d+)\s+Succeeded", RegexOptions.Multiline).Groups[1].Value, CultureInfo.InvariantCulture);

    [Fact]
    public void A_background_task_runs_beside_the_others_and_the_report_keeps_each_ones_duration()
    {
        var (code, output, at) = Run(overlap: true, "--target=OvDeploy");

        Assert.Equal(0, code);
        // Overlapped, by the tasks' own clocks: the image ran while the toolchain and cargo did.
        Assert.True(at["OvImage:start"] < at["OvToolchain:end"] && at["OvToolchain:start"] < at["OvImage:end"], string.Join('\n', at));
        Assert.True(at["OvImage:start"] < at["OvCargo:end"] && at["OvCargo:start"] < at["OvImage:end"], string.Join('\n', at));
        // The order of dependents holds: the boot after the image, the deploy after both branches.
        Assert.True(at["OvBoot:start"] >= at["OvImage:end"]);
        Assert.True(at["OvDeploy:start"] >= at["OvBoot:end"] && at["OvDeploy:start"] >= at["OvCargo:end"]);

        // Each task's own duration, not the time it waited or the time the other branch took.
        Assert.InRange(Duration(output, "OvImage"), TimeSpan.FromMilliseconds(880), TimeSpan.FromMilliseconds(1400));
        Assert.InRange(Duration(output, "OvToolchain"), TimeSpan.FromMilliseconds(380), TimeSpan.FromMilliseconds(850));
        Assert.InRange(Duration(output, "OvCargo"), TimeSpan.FromMilliseconds(480), TimeSpan.FromMilliseconds(850));
        Assert.InRange(Duration(output, "OvDeploy"), TimeSpan.FromMilliseconds(40), TimeSpan.FromMilliseconds(800));
        Assert.Matches(@"OvSkipped\s+-\s+Skipped", output);
        Assert.DoesNotContain("OvSkipped:ran", at.Keys);

        // The report says when each ran, which ran beside which, and the run's wall time.
        var image = Regex.Match(output, @"^OvImage\s+(\d\d:\d\d:\d\d\.\d{3}) - (\d\d:\d\d:\d\d\.\d{3})  in the background, beside (.*)$", RegexOptions.Multiline);
        Assert.True(image.Success, output);
        Assert.Contains("OvToolchain", image.Groups[3].Value);
        Assert.Contains("OvCargo", image.Groups[3].Value);
        var cargo = Regex.Match(output, @"^OvCargo\s+(\d\d:\d\d:\d\d\.\d{3}) - (\d\d:\d\d:\d\d\.\d{3})$", RegexOptions.Multiline);
        Assert.True(cargo.Success, output);
        Assert.True(TimeOnly.Parse(image.Groups[1].Value, CultureInfo.InvariantCulture) < TimeOnly.Parse(cargo.Groups[2].Value, CultureInfo.InvariantCulture));
        Assert.Matches(@"Wall time:\s+\d\d:\d\d:\d\d\.\d+", output);

        // Readable: the background task's output is one section under its own header, not mixed into cargo's.
        Assert.Matches(@"=+\r?\nOvImage\r?\n=+\r?\nOvImage is working\r?\nOvImage is done\r?\n", output);
        Assert.Matches(@"=+\r?\nOvCargo\r?\n=+\r?\nOvCargo is working\r?\nOvCargo is done\r?\n", output);
    }

    [Fact]
    public void A_failing_background_task_is_reported_as_failed_and_its_message_ends_the_run()
    {
        var (code, output, at) = Run(overlap: true, "--target=OvDeploy", "--image-fails");

        Assert.NotEqual(0, code);
        Assert.Contains("Error: the image broke on purpose", output);
        Assert.Matches(@"OvImage\s+\d\d:\d\d:\d\d\.\d+\s+Failed", output);
        Assert.Contains("An error occurred when executing task 'OvImage'.", output);
        Assert.DoesNotContain("executing task 'OvToolchain'", output);
        // The task that was running when it failed ended as it would (succeeded); nothing that needs the image ran.
        Assert.Matches(@"OvToolchain\s+\d\d:\d\d:\d\d\.\d+\s+Succeeded", output);
        Assert.True(at.ContainsKey("OvToolchain:end"));
        Assert.DoesNotContain("OvBoot:start", at.Keys);
        Assert.DoesNotContain("OvDeploy:start", at.Keys);
        Assert.DoesNotMatch(@"OvDeploy\s+\d", output);
        // A failure stops the run from starting more: cargo, not yet started when the image failed, did not start.
        Assert.DoesNotContain("OvCargo:start", at.Keys);
    }

    [Fact]
    public void Turned_off_the_same_tasks_run_one_after_the_other_in_Cakes_order()
    {
        var (code, output, at) = Run(overlap: false, "--target=OvDeploy");

        Assert.Equal(0, code);
        var order = at.OrderBy(e => e.Value).Select(e => e.Key).ToList();
        Assert.Equal(["OvToolchain:start", "OvToolchain:end", "OvCargo:start", "OvCargo:end", "OvImage:start", "OvImage:end",
            "OvBoot:start", "OvBoot:end", "OvDeploy:start", "OvDeploy:end"], order);
        Assert.DoesNotContain("in the background", output);
        Assert.DoesNotContain("Wall time:", output);
    }

    [Fact]
    public void A_dry_run_lists_the_tasks_in_Cakes_order_and_runs_none()
    {
        var output = new StringWriter();
        var code = new CakeHost()
            .UseContext<OverlapTestContext>()
            .AddAssembly(typeof(BackgroundTaskTests).Assembly)
            .UseOutput(output)
            .Run(["--target=OvDeploy", "--dryrun"]);

        Assert.Equal(0, code);
        var listed = output.ToString().Split("Performing dry run")[^1];
        Assert.True(Regex.IsMatch(listed, @"1\. OvToolchain\s+2\. OvCargo\s+3\. OvImage\s+4\. OvBoot\s+5\. OvDeploy"), listed);
        Assert.DoesNotContain("is working", output.ToString());
    }
}
