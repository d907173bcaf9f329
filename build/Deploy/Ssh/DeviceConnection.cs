using System.Net.Sockets;
using System.Text;
using Crossboard.FastPath;
using Crossboard.Machine;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace Crossboard.Deploy;

/// <summary>What a remote command did.</summary>
public sealed record RemoteResult(int? ExitStatus, string? ExitSignal, string Output, string Error)
{
    public bool Succeeded => ExitStatus == 0;

    /// <summary>The error output, else the output: what to show when the command failed.</summary>
    public string Diagnostic => (Error.Trim().Length > 0 ? Error : Output).Trim();
}

/// <summary>
/// One verified, authenticated SSH connection to a device, and the commands run over it. Every
/// failure becomes a <see cref="CrossboardException"/> that says what to check; host key refusals
/// carry the verifier's message.
/// </summary>
public sealed class DeviceConnection : IDisposable
{
    private readonly HostKeyVerifier _verifier;
    private readonly List<string> _described;
    private readonly List<IDisposable> _owned;
    private DeviceLog _log;
    private SftpClient? _sftp;
    private bool _firstCommand;

    private DeviceConnection(DeviceTarget target, ConnectionInfo info, HostKeyVerifier verifier, List<string> described, List<IDisposable> owned, DeviceLog log)
    {
        Target = target;
        Info = info;
        _verifier = verifier;
        _described = described;
        _owned = owned;
        _log = log;
        Ssh = NewClient();
    }

    public DeviceTarget Target { get; }
    public ConnectionInfo Info { get; }
    public SshClient Ssh { get; private set; }

    /// <summary>How the host key was trusted ("ssh-ed25519 SHA256:... (pinned)").</summary>
    public string? HostKey => _verifier.Accepted;

    /// <summary>"user@host:port" for messages.</summary>
    public string Address => $"{Target.User}@{Target.Host}:{Target.Port}";

    public static DeviceConnection Open(DeviceTarget target, DeployCredentials credentials, DeviceLog log, TimeSpan timeout, string defaultKnownHosts)
    {
        var (methods, described, owned) = credentials.MethodsFor(target, log);
        var info = new ConnectionInfo(target.Host, target.Port, target.User, methods.ToArray())
        {
            Timeout = timeout,
            Encoding = Encoding.UTF8,
        };
        PreferAesGcm(info);
        var verifier = new HostKeyVerifier(target, defaultKnownHosts);
        if (target.HostKeyPin is null)
        {
            PreferKnownKeyTypes(info, KnownHosts.KeyTypesFor(verifier.KnownHostsFile, target.Host, target.Port));
        }

        var connection = new DeviceConnection(target, info, verifier, described, owned, log);
        try
        {
            connection.Connect(connection.Ssh);
        }
        catch
        {
            connection.Dispose();
            throw;
        }

        return connection;
    }

    /// <summary>
    /// Offers AES-GCM first (SSH.NET's own order starts with AES-CTR and HMAC): an authenticated
    /// cipher that .NET runs on the CPU's AES and carry-less multiply instructions. A 50 MB upload
    /// on loopback takes 75 ms with it against 100-140 ms with aes128-ctr and hmac-sha2-256
    /// (bench/run.py, figure "upload"). A server without it (old dropbear) gets the rest of the
    /// list, in SSH.NET's order; nothing is dropped.
    /// </summary>
    private static void PreferAesGcm(ConnectionInfo info)
    {
        string[] first = ["aes128-gcm@openssh.com", "aes256-gcm@openssh.com"];
        var all = info.Encryptions.ToList();
        info.Encryptions.Clear();
        foreach (var (name, cipher) in all.Where(c => first.Contains(c.Key)).OrderBy(c => Array.IndexOf(first, c.Key)).Concat(all.Where(c => !first.Contains(c.Key))))
        {
            info.Encryptions.Add(name, cipher);
        }
    }

    /// <summary>
    /// Asks first for the host key types known_hosts holds for this host, as ssh does: a device with
    /// ed25519 and ECDSA keys whose ECDSA key is the one on record would otherwise present ed25519
    /// (SSH.NET's first choice) and be refused as unknown. Only the order changes: nothing is
    /// dropped (dropbear may advertise RSA algorithms it has no key for).
    /// </summary>
    private static void PreferKnownKeyTypes(ConnectionInfo info, IReadOnlyList<string> keyTypes)
    {
        if (keyTypes.Count == 0)
        {
            return;
        }

        var preferred = keyTypes.SelectMany(t => t == "ssh-rsa" ? ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"] : new[] { t }).ToList();
        var all = info.HostKeyAlgorithms.ToList();
        var ordered = all.Where(a => preferred.Contains(a.Key)).OrderBy(a => preferred.IndexOf(a.Key))
            .Concat(all.Where(a => !preferred.Contains(a.Key)))
            .ToList();
        info.HostKeyAlgorithms.Clear();
        foreach (var (name, factory) in ordered)
        {
            info.HostKeyAlgorithms.Add(name, factory);
        }
    }

    /// <summary>Runs a shell script on the device; the exit status decides, nothing is thrown for a non-zero one.</summary>
    public RemoteResult Run(string script, string label, TimeSpan? timeout = null)
    {
        _log.Detail($"$ {label}{Environment.NewLine}{script}");
        using var command = Ssh.CreateCommand(script);
        command.CommandTimeout = timeout ?? TimeSpan.FromMinutes(2);
        try
        {
            command.Execute();
            if (_firstCommand)
            {
                _firstCommand = false;
                AckNudge.Stop(Ssh);
            }
        }
        catch (SshOperationTimeoutException)
        {
            throw new CrossboardException(
                $"'{label}' did not finish on device '{Target.Name}' within {command.CommandTimeout.TotalSeconds:0} s.", _log.LogFile);
        }
        catch (Exception ex) when (ex is SshConnectionException or SshException or SocketException or ObjectDisposedException)
        {
            throw Lost(ex, label);
        }

        var result = new RemoteResult(command.ExitStatus, command.ExitSignal, command.Result, command.Error);
        _log.Detail($"exit {result.ExitStatus?.ToString() ?? "signal " + result.ExitSignal}" +
            (result.Output.Length > 0 ? Environment.NewLine + result.Output.TrimEnd() : "") +
            (result.Error.Length > 0 ? Environment.NewLine + "stderr: " + result.Error.TrimEnd() : ""));
        return result;
    }

    /// <summary>Runs a script and throws, with its error output, when it fails.</summary>
    public string RunChecked(string script, string label, string whatFailed, TimeSpan? timeout = null)
    {
        var result = Run(script, label, timeout);
        if (!result.Succeeded)
        {
            throw new CrossboardException(
                $"{whatFailed} on device '{Target.Name}' (exit {result.ExitStatus?.ToString() ?? "signal " + result.ExitSignal}): {result.Diagnostic}",
                _log.LogFile);
        }

        return result.Output;
    }

    /// <summary>
    /// An SFTP session, or null when the device has no SFTP server (stock OpenWrt's dropbear has
    /// none: SSH.NET then fails with a bare "Channel was closed."). SSH.NET opens SFTP on a
    /// connection of its own, verified and authenticated the same way.
    /// </summary>
    public SftpClient? TryOpenSftp()
    {
        if (_sftp is { IsConnected: true })
        {
            return _sftp;
        }

        var sftp = new NudgedSftpClient(Info);
        sftp.HostKeyReceived += _verifier.OnHostKeyReceived;
        try
        {
            Connect(sftp);
            _sftp = sftp;
            return sftp;
        }
        catch (CrossboardException)
        {
            sftp.Dispose();
            throw;
        }
        catch (Exception ex) when (ex is SshException or InvalidOperationException)
        {
            // Authentication and connection failures surfaced above as CrossboardException; what is
            // left is the subsystem request failing: no sftp-server. SSH.NET reports that as an
            // SshException ("Channel was closed"), or, when the server closes the channel before
            // SSH.NET sends its first SFTP message, as InvalidOperationException ("The session is
            // not open"): a race seen under load against dropbear.
            _log.Detail($"SFTP unavailable: {ex.GetType().Name}: {ex.Message}");
            sftp.Dispose();
            return null;
        }
    }

    /// <summary>An SCP client on a connection of its own (SSH.NET's clients do not share one), verified and authenticated.</summary>
    public ScpClient OpenScp()
    {
        var scp = new ScpClient(Info, RemotePathTransformation.ShellQuote);
        scp.HostKeyReceived += _verifier.OnHostKeyReceived;
        try
        {
            Connect(scp);
        }
        catch
        {
            scp.Dispose();
            throw;
        }

        return scp;
    }

    /// <summary>Drops the connection and makes a new one (after an aborted upload left the channel stuck).</summary>
    public void Reconnect()
    {
        DisposeClients();
        Ssh = NewClient();
        Connect(Ssh);
    }

    /// <summary>Logs to <paramref name="log"/> from now on (a connection opened early, taken over by a deploy).</summary>
    public void UseLog(DeviceLog log) => _log = log;

    /// <summary>Whether the SSH session is still up.</summary>
    public bool IsConnected => Ssh.IsConnected;

    /// <summary>The failure to report when the connection broke during <paramref name="what"/>.</summary>
    public CrossboardException Lost(Exception ex, string what) => new(
        $"The connection to device '{Target.Name}' ({Address}) broke during {what}: {ex.Message.TrimEnd('.')}. " +
        "Check that the device is up and reachable, then deploy again.",
        _log.LogFile, ex);

    public void Dispose()
    {
        DisposeClients();
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }
    }

    private void DisposeClients()
    {
        try
        {
            _sftp?.Dispose();
            Ssh.Dispose();
        }
        catch (Exception ex) when (ex is SshException or SocketException or ObjectDisposedException)
        {
            // The connection is already gone; nothing to close.
        }

        _sftp = null;
    }

    private SshClient NewClient()
    {
        var client = new SshClient(Info);
        client.HostKeyReceived += _verifier.OnHostKeyReceived;
        return client;
    }

    private void Connect(BaseClient client)
    {
        var where = $"device '{Target.Name}' at {Target.Host}:{Target.Port}";
        try
        {
            client.Connect();
            if (client is not SftpClient)
            {
                // SFTP nudged while it opened its subsystem (NudgedSftpClient); these open their first channel now.
                AckNudge.Start(client);
                _firstCommand = client is SshClient;
            }
        }
        catch (Exception) when (_verifier.Refusal is { } refusal)
        {
            throw new CrossboardException(refusal);
        }
        catch (SocketException ex)
        {
            var why = ex.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => $"connection refused. Is the device on, and is its SSH server (dropbear or sshd) listening on port {Target.Port}?",
                SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData => $"the name '{Target.Host}' does not resolve. Check the spelling, or give its IP address.",
                SocketError.TimedOut => $"no answer within {Info.Timeout.TotalSeconds:0} s. Is the device on and on this network?",
                SocketError.NetworkUnreachable or SocketError.HostUnreachable => "no route to it. Is this machine on the device's network?",
                _ => ex.Message,
            };
            throw new CrossboardException($"Cannot reach {where}: {why}", _log.LogFile, ex);
        }
        catch (SshOperationTimeoutException ex)
        {
            throw new CrossboardException(
                $"Cannot reach {where}: no SSH answer within {Info.Timeout.TotalSeconds:0} s ({ex.Message.TrimEnd('.')}). Is the device on, and is this its SSH port?",
                _log.LogFile, ex);
        }
        catch (SshAuthenticationException ex)
        {
            throw new CrossboardException(
                $"The device '{Target.Name}' refused the login as {Target.User} ({ex.Message.TrimEnd('.')}). Tried: {string.Join(", ", _described)}. " +
                $"Check the user (--device=user@host), put your public key into the device's authorized_keys (on OpenWrt: /etc/dropbear/authorized_keys), " +
                "or pass --identity=FILE or --password-env=VAR.",
                _log.LogFile, ex);
        }
        catch (SshConnectionException ex)
        {
            throw new CrossboardException(
                $"The SSH connection to {where} failed: {ex.Message.TrimEnd('.')}. Is this port an SSH server?", _log.LogFile, ex);
        }
        catch (ProxyException ex)
        {
            throw new CrossboardException($"Cannot reach {where}: {ex.Message}", _log.LogFile, ex);
        }
    }
}
