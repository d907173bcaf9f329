using System.Text.RegularExpressions;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Addins.Frosting;

/// <summary>
/// What the built program writes for each CI system, run as that CI runs it (its environment
/// variables set, the step summary a temp file): task groups, error records with file, line and
/// column, the task report as Markdown on the summary page; and, without those variables, none of it.
/// </summary>
[Tier(TestTier.Unit)]
public sealed class BuildSystemOutputTests : IDisposable
{
    private const string Esc = "\u001b";
    private readonly TempDir _dir = new("ci-output");

    public void Dispose() => _dir.Dispose();

    private string Summary => _dir.Combine("step-summary.md");

    /// <summary>A recipes folder holding one board with a misspelt key, in the checkout's own "recipes" folder.</summary>
    private string BadRecipes()
    {
        _dir.Write("recipes/typo.toml", "name = \"typo\"\ndescriptoin = \"a misspelt key\"\n");
        return _dir.Combine("recipes");
    }

    private BuildCli.Result Run(Dictionary<string, string?> ci, params string[] args) =>
        BuildCli.Run(args, new Dictionary<string, string?>(ci) { ["CI"] = null, ["HOME"] = _dir.Combine("home") });

    private Dictionary<string, string?> GitHub => new()
    {
        ["GITHUB_ACTIONS"] = "true", ["GITHUB_STEP_SUMMARY"] = Summary, ["GITHUB_WORKSPACE"] = _dir.Path,
    };

    private Dictionary<string, string?> GitLab => new() { ["GITLAB_CI"] = "true", ["CI_SERVER"] = "yes" };

    private Dictionary<string, string?> Azure => new()
    {
        ["TF_BUILD"] = "True", ["AGENT_TEMPDIRECTORY"] = _dir.Path, ["BUILD_SOURCESDIRECTORY"] = _dir.Path,
    };

    [Theory]
    [InlineData("ValidateRecipes")] // fails in the task
    [InlineData("Boards")] // fails in Setup, before any task
    public void On_GitHub_a_recipe_error_is_an_annotation_at_its_file_line_and_column(string target)
    {
        var result = Run(GitHub, $"--target={target}", $"--recipes={BadRecipes()}");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("typo.toml(2,1): unknown key 'descriptoin' at the top level.", result.All); // the log's line, as ever
        Assert.Contains("::error file=recipes/typo.toml,line=2,col=1::unknown key 'descriptoin' at the top level. Did you mean 'description'?", result.Output);
        Assert.Contains("::error file=recipes/typo.toml,line=1,col=1::missing required table [cpu];", result.Output);
    }

    [Fact]
    public void On_GitHub_a_fleet_files_problem_is_an_annotation_at_its_line_and_column()
    {
        var fleet = _dir.Write("deploy/fleet.toml", "[[device]]\ntraget = \"root@127.0.0.1\"\n");

        var result = Run(GitHub, "--target=Deploy", $"--devices={fleet}", "--artifact=/bin/true",
            $"--board={Fixtures.Ssh.TestApp.BoardName}", $"--recipes={Fixtures.Ssh.TestApp.RecipesDir}", $"--work-dir={_dir.Combine("work")}");

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains("::error file=deploy/fleet.toml,line=2,col=1::unknown key 'traget' in [[device]]. Did you mean 'target'?", result.Output);
        Assert.Contains("Nothing was run. See --help for every switch.", result.All); // the whole message as well
    }

    [Fact]
    public void On_GitHub_a_failure_without_a_file_is_a_plain_error()
    {
        var result = Run(GitHub, "--target=Boards", "--board=nosuchboard");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Matches(new Regex("^::error::.*nosuchboard", RegexOptions.Multiline), result.Output);
        Assert.DoesNotContain("::error file=", result.Output);

        // A message of several lines is one annotation, its line breaks escaped as GitHub reads them.
        var switches = Run(GitHub, "--target=Boards", "--parallel=0", "--transfer=carrier-pigeon");
        Assert.Matches(new Regex("^::error::2 switches have bad values:%0A  --.*%0A  --.*$", RegexOptions.Multiline), switches.Output);
    }

    [Fact]
    public void On_GitHub_each_task_is_a_group_and_the_task_report_goes_to_the_step_summary()
    {
        var result = Run(GitHub, "--target=Boards");

        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"::group::Setup\n(.*\n)*?::endgroup::\n::group::Boards\n\n=+\nBoards\n=+\nboard\s+cpu(.*\n)*?::endgroup::\n::group::Teardown\n(.*\n)*?::endgroup::\n", result.Output);
        Assert.Contains("Total:", result.Output); // Cake's report in the log, after the groups
        var summary = File.ReadAllText(Summary);
        Assert.Contains("| Task | Duration | Status |\n|---|---|---|\n", summary);
        Assert.Matches(@"\| Boards \| \d\d:\d\d:\d\d\.\d+ \| Succeeded \|", summary);
        Assert.Matches(@"\| \*\*Total\*\* \| \d\d:\d\d:\d\d\.\d+ \| \|", summary);
    }

    [Fact]
    public void A_step_summary_that_cannot_be_written_is_a_warning_not_a_failed_run()
    {
        var environment = GitHub;
        environment["GITHUB_STEP_SUMMARY"] = _dir.Path; // a directory: no file can be appended to

        var result = Run(environment, "--target=Boards");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("The CI summary could not be written:", result.All);
    }

    [Fact]
    public void On_GitHub_a_fleet_deploy_adds_its_device_table_to_the_step_summary_also_when_it_fails()
    {
        // A device that refuses the connection: no server, no network, no root.
        var fleet = _dir.Write("fleet.txt", "root@127.0.0.1:1\n");
        var app = _dir.Combine("myapp");
        File.Copy("/bin/true", app);
        var result = Run(GitHub, "--target=Deploy", $"--devices={fleet}", $"--artifact={app}",
            $"--board={Fixtures.Ssh.TestApp.BoardName}", $"--recipes={Fixtures.Ssh.TestApp.RecipesDir}", $"--work-dir={_dir.Combine("work")}");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("::error::1 of 1 device(s) failed: root@127.0.0.1:1.", result.Output);
        var summary = File.ReadAllText(Summary);
        Assert.Matches(@"\| Deploy \| [\d:.]+ \| Failed \|", summary);
        Assert.Contains("### Devices", summary);
        Assert.Contains("| device | result | transfer | sent | time | detail |", summary);
        Assert.Contains("| root@127.0.0.1:1 | FAILED | - | - |", summary);
    }

    [Fact]
    public void A_dry_run_on_GitHub_lists_the_tasks_as_ever_and_writes_no_summary()
    {
        var result = Run(GitHub, "--target=Deploy", "--dryrun");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Performing dry run", result.Output);
        Assert.DoesNotContain("::group::", result.Output);
        Assert.False(File.Exists(Summary));
    }

    [Fact]
    public void On_GitLab_each_task_is_a_collapsible_section()
    {
        var result = Run(GitLab, "--target=Boards");

        Assert.Equal(0, result.ExitCode);
        // GitLab's "\r" between marker and header: the test's reader of the output splits lines at it too.
        Assert.Matches($@"{Esc}\[0Ksection_start:\d+:task_Boards[\r\n]{Esc}\[0KBoards\n(.*\n)*?board\s+cpu(.*\n)*?{Esc}\[0Ksection_end:\d+:task_Boards[\r\n]{Esc}\[0K\n", result.Output);
        Assert.Contains("section_start:", result.Output.Split("task_Boards")[0]); // Setup's section comes first
        Assert.DoesNotContain("::group::", result.Output);
        Assert.DoesNotContain("##[group]", result.Output);
    }

    [Fact]
    public void On_GitLab_a_recipe_error_is_the_logs_own_line()
    {
        var result = Run(GitLab, "--target=ValidateRecipes", $"--recipes={BadRecipes()}");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("typo.toml(2,1): unknown key 'descriptoin'", result.All);
        Assert.DoesNotContain("::error", result.All);
    }

    [Fact]
    public void On_Azure_Pipelines_tasks_are_groups_errors_are_logged_issues_and_the_report_is_the_summary()
    {
        var passing = Run(Azure, "--target=Boards");
        var failing = Run(Azure, "--target=ValidateRecipes", $"--recipes={BadRecipes()}");

        Assert.Equal(0, passing.ExitCode);
        Assert.Matches(@"##\[group\]Boards\n(.*\n)*?board\s+cpu(.*\n)*?##\[endgroup\]\n", passing.Output);
        var upload = Regex.Match(passing.Output, @"^##vso\[task\.uploadsummary\](.+)$", RegexOptions.Multiline);
        Assert.True(upload.Success, passing.Output);
        Assert.StartsWith(_dir.Path, upload.Groups[1].Value);
        Assert.Matches(@"\| Boards \| [\d:.]+ \| Succeeded \|", File.ReadAllText(upload.Groups[1].Value));

        Assert.NotEqual(0, failing.ExitCode);
        Assert.Contains("##vso[task.logissue sourcepath=recipes/typo.toml;linenumber=2;columnnumber=1;type=error;]unknown key 'descriptoin'", failing.Output);
        Assert.DoesNotContain("::error", failing.All);

        // Without a file: a plain issue; a message of several lines stays one issue, escaped as Azure reads it.
        var switches = Run(Azure, "--target=Boards", "--parallel=0", "--transfer=carrier-pigeon");
        Assert.Matches(new Regex(@"^##vso\[task\.logissue type=error;\]2 switches have bad values:%0A  --.*%0A  --.*$", RegexOptions.Multiline), switches.Output);
    }

    [Fact]
    public void Without_a_CIs_variables_there_are_no_groups_no_error_records_and_no_summary()
    {
        // GITHUB_STEP_SUMMARY alone (no GITHUB_ACTIONS) is no GitHub run.
        var plain = new Dictionary<string, string?> { ["GITHUB_STEP_SUMMARY"] = Summary };
        var passing = Run(plain, "--target=Boards");
        var failing = Run(plain, "--target=ValidateRecipes", $"--recipes={BadRecipes()}");

        Assert.Equal(0, passing.ExitCode);
        Assert.StartsWith("\n----------------------------------------\nSetup\n", passing.Output);
        Assert.NotEqual(0, failing.ExitCode);
        foreach (var text in new[] { passing.All, failing.All })
        {
            Assert.DoesNotContain("::", text.Replace("::1", "")); // no workflow command (an IPv6 address aside)
            Assert.DoesNotContain("##[", text);
            Assert.DoesNotContain("##vso[", text);
            Assert.DoesNotContain("section_start", text);
            Assert.DoesNotContain(Esc[0], text);
        }

        Assert.False(File.Exists(Summary));
    }
}
