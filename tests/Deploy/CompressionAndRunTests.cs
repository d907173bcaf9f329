using Crossboard.Deploy;
using Crossboard.Tests.Fixtures.Ssh;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Deploy;

/// <summary>Compression decided by measurement on a slow link, and Run streaming a foreground app until stopped.</summary>
[Tier(TestTier.NeedsNamespaces)]
public sealed class CompressionAndRunTests : IDisposable
{
    private readonly DeployKit _kit = new("gzip");

    public void Dispose() => _kit.Dispose();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public void On_a_slow_link_the_binary_goes_gzip_compressed_and_arrives_intact()
    {
        var server = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.Dropbear, Password = "pw" });
        // 256 KiB/s: faster than the seed's 93 KB/s, slow enough that gzip pays for a 1.5 MB binary.
        var slow = LinkRelay.Throttled(server.Port, 256 * 1024);
        _kit.Own(slow);
        var app = _kit.App("v1", paddingBytes: 1_500_000, compressiblePadding: true);
        var sent = 0L;
        var settings = _kit.Settings(passwordVariable: _kit.Secret("pw"), smokeVersion: "v1") with
        {
            OnUploadProgress = (done, _) => Interlocked.Exchange(ref sent, done),
        };

        var result = new Deployer(settings, _kit.Log).Deploy(DeployKit.Target(server) with { Port = slow.Port }, app, cancellation: Cancel);

        Assert.Equal(TransferMethod.ExecGzip, result.Method);
        Assert.True(result.BytesSent < app.Size / 2, $"sent {result.BytesSent} of {app.Size}");
        Assert.Equal(result.BytesSent, Interlocked.Read(ref sent));
        Assert.Matches(@"gzip-compressed \([\d.]+ KiB instead of 1\.\d MiB\): slow link: link [\d.]+ KiB/s raw", _kit.Log.Text);
        Assert.Equal(app.Sha256, DeployKit.Sha256(Path.Combine(server.UsrBin, _kit.AppName)));
        Assert.Equal("v1", _kit.VersionOnDevice(server));
    }

    [Fact]
    public void On_loopback_the_same_binary_goes_uncompressed_because_the_link_is_fast()
    {
        var server = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.Dropbear, Password = "pw" });
        var app = _kit.App("v1", paddingBytes: 1_500_000, compressiblePadding: true);

        var result = new Deployer(_kit.Settings(passwordVariable: _kit.Secret("pw"), smokeVersion: "v1"), _kit.Log)
            .Deploy(DeployKit.Target(server), app, cancellation: Cancel);

        Assert.Equal(TransferMethod.Exec, result.Method);
        Assert.Equal(app.Size, result.BytesSent);
        Assert.Matches(@"Compression: no, fast link \([\d.]+ [KM]iB/s measured\)", _kit.Log.Text);
    }

    [Fact]
    public void Run_with_service_none_starts_the_app_streams_its_output_and_stops_it_on_request()
    {
        var server = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.Dropbear, Password = "pw" });
        var settings = _kit.Settings(passwordVariable: _kit.Secret("pw"), service: ServiceStyle.None, smokeVersion: "v1");
        var deployed = new Deployer(settings, _kit.Log).Deploy(DeployKit.Target(server), _kit.App("v1"), cancellation: Cancel);
        Assert.Equal("smoke check runs with --target=Run", deployed.Detail);
        Assert.Contains("Not started (service = none): --target=Run starts", _kit.Log.Text);

        var lines = new List<string>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        var exit = new AppRunner(settings, _kit.Log).Run(DeployKit.Target(server), _kit.AppName, line =>
        {
            lock (lines)
            {
                lines.Add(line);
            }

            // busybox httpd -v logs each request: the smoke check's GET ends the run.
            if (line.Contains("GET /text", StringComparison.Ordinal) || line.Contains("response:200", StringComparison.Ordinal))
            {
                stop.CancelAfter(TimeSpan.FromMilliseconds(300));
            }
        }, stop.Token);

        Assert.Null(exit);
        Assert.Contains(lines, l => l.Contains($"{_kit.AppName} v1 listening on 127.0.0.1:{_kit.AppPort}", StringComparison.Ordinal));
        Assert.Contains("Smoke check passed", _kit.Log.Text);
        Assert.Contains($"Stopped {_kit.AppName} on the device.", _kit.Log.Text);
        var running = server.Shell($"ps | grep -v grep | grep -c httpd || true").StandardOutput.Trim();
        Assert.Equal("0", running);
    }
}
