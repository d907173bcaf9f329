using Crossboard.Deploy;
using Crossboard.Machine;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Deploy;

/// <summary>What the service manager writes, checked by the tools that will read it (no device needed).</summary>
[Tier(TestTier.Unit)]
public sealed class ServiceManagerTests : IDisposable
{
    private readonly TempDir _dir = new("service");

    public void Dispose() => _dir.Dispose();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public void The_systemd_unit_is_one_systemd_accepts_and_its_install_script_is_valid_sh()
    {
        // No systemd runs here to start it: systemd's own checker reads the unit, sh -n the script.
        if (ProcessRunner.Which("systemd-analyze") is null)
        {
            Assert.Skip("systemd-analyze (package systemd) is not installed.");
        }

        var service = new ServiceManager(null!, ServiceStyle.Systemd, "hello", "/bin/true");
        var unit = _dir.Write("hello.service", service.SystemdUnit);
        var verify = ProcessRunner.Run(new ProcessSpec("systemd-analyze", "verify", unit), Cancel);
        var script = _dir.Write("install.sh", service.SystemdScript(restart: true) + service.SystemdScript(restart: false));
        var syntax = ProcessRunner.Run(new ProcessSpec("/bin/busybox", "sh", "-n", script), Cancel);

        Assert.Equal((0, ""), (verify.ExitCode, verify.StandardError.Trim()));
        Assert.Contains("ExecStart=/bin/true\nRestart=on-failure\n", service.SystemdUnit);
        Assert.Equal((0, ""), (syntax.ExitCode, syntax.StandardError.Trim()));
    }
}
