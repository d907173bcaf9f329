using Crossboard.Machine;

namespace Crossboard.Deploy;

/// <summary>How the app runs on the device (the recipe's [deploy] service).</summary>
public static class ServiceStyle
{
    /// <summary>An OpenWrt init script in /etc/init.d using procd (respawned, output to logread).</summary>
    public const string Procd = "procd";
    /// <summary>A systemd unit in /etc/systemd/system.</summary>
    public const string Systemd = "systemd";
    /// <summary>No init system to register with: started detached with a pid file, restarted on deploy.</summary>
    public const string Background = "background";
    /// <summary>Not started by Deploy: Run starts it in the foreground.</summary>
    public const string None = "none";

    public static readonly string[] All = [Procd, Systemd, Background, None];
}

/// <summary>What the service step did, and where the app's output can be read.</summary>
public sealed record ServiceOutcome(string Summary, bool Running);

/// <summary>How a service definition a deploy writes is recorded (see <see cref="InstallRecord"/>).</summary>
/// <param name="Manifest">Where the record is on the device (null: the script runs inside the look, which set $mf).</param>
/// <param name="Time">When (the build host's clock).</param>
/// <param name="Board">The board the app was checked for.</param>
public sealed record ServiceRecording(string? Manifest, string Time, string Board);

/// <summary>
/// Installs and (re)starts the app the way the board's init system wants. Every script is POSIX sh
/// with busybox applets; a start that dies at once is reported with the app's last output lines.
/// A service definition it writes goes into crossboard's record on the device, its previous
/// content kept beside the record until the next deploy, so that a failed deploy can put it back.
/// </summary>
/// <param name="launch">The app's arguments and environment (<see cref="AppLaunch"/>).</param>
public sealed class ServiceManager(DeviceConnection connection, string style, string name, string binary, string sudo = "", ServiceRecording? recording = null,
    AppLaunch? launch = null)
{
    private readonly AppLaunch _launch = launch ?? AppLaunch.Plain;

    /// <summary>Where a background app's output goes (RAM on OpenWrt: no flash wear).</summary>
    public string BackgroundLog => $"/tmp/{name}.log";

    public string InitScript => $"/etc/init.d/{name}";

    public string Unit => $"/etc/systemd/system/{name}.service";

    /// <summary>The file the style installs to run the app (init script, unit); null for background and none.</summary>
    public string? DefinitionFile => style switch
    {
        ServiceStyle.Procd => InitScript,
        ServiceStyle.Systemd => Unit,
        _ => null,
    };

    /// <summary>What <see cref="DefinitionFile"/> holds once crossboard wrote it.</summary>
    public string? DefinitionContent => style switch
    {
        ServiceStyle.Procd => ProcdScript,
        ServiceStyle.Systemd => SystemdUnit,
        _ => null,
    };

    /// <summary>The md5 of <see cref="DefinitionContent"/> (what md5sum prints for the file on the device).</summary>
    public string? DefinitionMd5 => DefinitionContent is { } content
        ? Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes(content)))
        : null;

    /// <summary>The record line of <see cref="DefinitionFile"/> as crossboard writes it.</summary>
    public InstalledFile? DefinitionRecord(string time, string board) => DefinitionFile is { } file
        ? new InstalledFile(name, "md5:" + DefinitionMd5, System.Text.Encoding.UTF8.GetByteCount(DefinitionContent!), time, board, file)
        : null;

    /// <summary>Installs the service definition if it changed and restarts the app (or starts it when <paramref name="restart"/> is false and it is not running).</summary>
    public ServiceOutcome Apply(bool restart)
    {
        if (Script(restart) is not { } script)
        {
            return Interpret(new RemoteResult(0, null, "", ""), restart);
        }

        var locate = recording?.Manifest is { } manifest ? InstallRecord.Locate(manifest) : "";
        return Interpret(connection.Run(Sudo(locate + script), restart ? $"restart {name}" : $"make sure {name} runs"), restart);
    }

    /// <summary>
    /// Stops the app; with <paramref name="remove"/>, also takes its service definition out of the
    /// init system (disable, delete): what a failed first install added is gone again.
    /// </summary>
    public string StopScript(bool remove) => style switch
    {
        ServiceStyle.Background => BackgroundFunctions + "stop\n",
        ServiceStyle.Procd => $"f={RemoteShell.Quote(InitScript)}\n" +
            "if [ -f \"$f\" ]; then \"$f\" stop; " + (remove ? "\"$f\" disable; rm -f \"$f\"; " : "") + "fi\n",
        ServiceStyle.Systemd => $"systemctl stop {RemoteShell.Quote(name)} 2>/dev/null\n" +
            (remove ? $"systemctl disable {RemoteShell.Quote(name)} 2>/dev/null; rm -f {RemoteShell.Quote(Unit)}; systemctl daemon-reload\n" : ""),
        _ => "",
    };

    /// <summary>
    /// The script <see cref="Apply"/> runs, without the sudo wrapper (null when nothing runs on the
    /// device: service = none). Deployer folds it into the one command that checks the installed
    /// binary, and reads that command's answer with <see cref="Interpret"/>.
    /// </summary>
    public string? Script(bool restart) => style switch
    {
        ServiceStyle.Background => BackgroundFunctions + (restart
            ? "stop\nstart\n"
            // Running, and started with the same arguments and environment: left as it is.
            : "p=; read -r p 2>/dev/null < \"$pidf\"; l=; read -r l 2>/dev/null < \"$launchf\"\n" +
              "if [ -n \"$p\" ] && alive \"$p\" && [ \"$l\" = \"$launch\" ]; then echo \"running $p\"; else\n" +
              // Running, started otherwise: if the new start dies, the one before comes back.
              "  prev=; prevl=$l; if [ -n \"$p\" ] && alive \"$p\" && [ -f \"$cmdf\" ]; then prev=$(cat \"$cmdf\"); fi\n" +
              "  stop; start\nfi\n"),
        ServiceStyle.Procd => ProcdApplyScript(restart),
        ServiceStyle.Systemd => SystemdScript(restart),
        ServiceStyle.None => null,
        _ => throw new CrossboardException($"Unknown service style '{style}' (the recipe's [deploy] service): use one of {string.Join(", ", ServiceStyle.All)}."),
    };

    /// <summary>What the service script's output and exit status say: the outcome, or a clear failure.</summary>
    public ServiceOutcome Interpret(RemoteResult result, bool restart) => style switch
    {
        ServiceStyle.Background => Background(result),
        ServiceStyle.Procd => Procd(result, restart),
        ServiceStyle.Systemd => Systemd(result, restart),
        ServiceStyle.None => new ServiceOutcome($"not started (service = none): --target=Run starts {binary} and shows its output", false),
        _ => throw new CrossboardException($"Unknown service style '{style}' (the recipe's [deploy] service): use one of {string.Join(", ", ServiceStyle.All)}."),
    };

    /// <summary>A command that prints the app's output as it comes (Run follows it; null for service = none).</summary>
    public string? FollowCommand => style switch
    {
        ServiceStyle.Background => $"tail -n 20 -f {RemoteShell.Quote(BackgroundLog)}",
        ServiceStyle.Procd => $"logread -f -e {RemoteShell.Quote(name)}",
        ServiceStyle.Systemd => $"{sudo}journalctl -f -n 20 -u {RemoteShell.Quote(name)}",
        _ => null,
    };

    /// <summary>
    /// Whether the app still runs, and its recent output, for a failure message (best effort): an
    /// app that starts but dies a little later (or slowly, on a loaded device) shows up here.
    /// </summary>
    public string RecentOutput()
    {
        var quoted = RemoteShell.Quote(name);
        var script = style switch
        {
            ServiceStyle.Background => BackgroundFunctions +
                "if [ -f \"$pidf\" ] && alive \"$(cat \"$pidf\")\"; then echo \"(it is running)\"; else echo \"(it is NOT running any more)\"; fi\n" +
                $"tail -n 20 {RemoteShell.Quote(BackgroundLog)} 2>/dev/null",
            ServiceStyle.Procd =>
                $"ubus call service list '{{\"name\":\"{name}\"}}' 2>/dev/null | grep -q '\"running\": true' && echo '(it is running)' || echo '(it is NOT running any more)'\n" +
                $"logread -e {quoted} 2>/dev/null | tail -n 20",
            ServiceStyle.Systemd =>
                $"systemctl is-active --quiet {quoted} && echo '(it is running)' || echo '(it is NOT running any more)'\n" +
                $"{sudo}journalctl -n 20 --no-pager -u {quoted} 2>/dev/null",
            _ => null,
        };
        if (script is null || !connection.IsConnected)
        {
            return "";
        }

        try
        {
            return _launch.Mask(connection.Run(script, "read the app's output").Output.TrimEnd());
        }
        catch (CrossboardException)
        {
            return "";
        }
    }

    /// <summary>Where the app's output is, for messages.</summary>
    public string OutputHint => style switch
    {
        ServiceStyle.Background => $"its output is in {BackgroundLog} on the device",
        ServiceStyle.Procd => $"its output is in the device's log: logread -e {name}",
        ServiceStyle.Systemd => $"its output is in the journal: journalctl -u {name}",
        _ => "--target=Run shows its output",
    };

    /// <summary>A smoke check runs once the app is started (it proves the app answers): the start waits less to see it does not die at once.</summary>
    public bool SmokeCheckFollows { get; init; }

    /// <summary>The shell functions that find, stop and start the background instance.</summary>
    private string BackgroundFunctions =>
        $"name={RemoteShell.Quote(name)}; bin={RemoteShell.Quote(binary)}; log={RemoteShell.Quote(BackgroundLog)}; launch={RemoteShell.Quote(_launch.Fingerprint)}\n" +
        // /var/run is tmpfs on OpenWrt and most systems; a read-only or missing one falls back to /tmp.
        "r=/var/run; { [ -d \"$r\" ] && [ -w \"$r\" ]; } || r=/tmp; pidf=\"$r/$name.pid\"; launchf=\"$r/$name.launch\"; cmdf=\"$r/$name.cmd\"\n" +
        // The start's shell words (env NAME='value' "$bin" 'arg'), kept root-only beside the pid:
        // a start with other arguments or environment that dies gives way to the one before.
        $"cmd={RemoteShell.Quote(_launch.ShellCommand("\"$bin\""))}; prev=; prevl=\n" +
        // kill -0 succeeds on a zombie: look at its state too ("pid (comm) S ...", comm may hold
        // spaces and parentheses). Shell builtins only: each fork costs milliseconds on a small
        // device, and Deploy runs this even when nothing changed.
        "alive() { kill -0 \"$1\" 2>/dev/null || return 1; s=; read -r s < \"/proc/$1/stat\" 2>/dev/null; s=${s##*) }; [ \"${s%% *}\" != Z ]; }\n" +
        "stop() {\n" +
        "  [ -f \"$pidf\" ] || return 0\n" +
        "  old=$(cat \"$pidf\"); rm -f \"$pidf\"\n" +
        "  { [ -n \"$old\" ] && alive \"$old\"; } || return 0\n" +
        // The app was started as a session leader: signal its whole group (a script's children too).
        "  kill -TERM -\"$old\" 2>/dev/null || kill -TERM \"$old\" 2>/dev/null\n" +
        // Up to 5 s, looked at every 0.1 s: an app that drains and exits in a moment costs that
        // moment, not a half-second step (0.4 s of a redeploy over a slow link, bench figure 9).
        "  i=0; while alive \"$old\" && [ $i -lt 50 ]; do sleep 0.1 2>/dev/null || { sleep 1; i=$((i+9)); }; i=$((i+1)); done\n" +
        "  if alive \"$old\"; then echo \"stuck: $(cat /proc/$old/stat 2>/dev/null)\"; kill -KILL -\"$old\" 2>/dev/null || kill -KILL \"$old\" 2>/dev/null; echo \"killed $old\"; else echo \"stopped $old\"; fi\n" +
        "}\n" +
        "start() {\n" +
        "  cd /\n" +
        "  if command -v setsid >/dev/null 2>&1; then ( eval \"exec setsid $cmd\" ) > \"$log\" 2>&1 < /dev/null &\n" +
        "  else ( trap '' HUP; eval \"exec $cmd\" ) > \"$log\" 2>&1 < /dev/null &\n" +
        "  fi\n" +
        "  new=$!; echo \"$new\" > \"$pidf\"; ( umask 077; printf '%s\\n' \"$cmd\" > \"$cmdf\" )\n" +
        "  if [ -n \"$launch\" ]; then echo \"$launch\" > \"$launchf\"; else rm -f \"$launchf\"; fi\n" +
        // An app that cannot start (wrong architecture, missing loader, bad config) dies at once.
        // With a smoke check to follow, a quarter second catches that: the check proves the rest
        // (a second here was 40 % of a one-line-change redeploy over a slow link, bench figure 9).
        $"  sleep {(SmokeCheckFollows ? "0.25 2>/dev/null || sleep 1" : "1")}\n" +
        "  if alive \"$new\"; then echo \"started $new\"; else rm -f \"$pidf\"; echo \"died\"; tail -n 20 \"$log\"; restore; exit 3; fi\n" +
        "}\n" +
        "restore() {\n" +
        "  [ -n \"$prev\" ] || return 0\n" +
        "  cmd=$prev; launch=$prevl; prev=\n" +
        "  if ( start ) > /dev/null 2>&1; then echo \"restored the previous start\"; fi\n" +
        "}\n";

    private ServiceOutcome Background(RemoteResult result)
    {
        var lines = _launch.Mask(result.Output).Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (!result.Succeeded)
        {
            const string Restored = "restored the previous start";
            var output = string.Join(Environment.NewLine, lines.SkipWhile(l => l != "died").Skip(1).Where(l => l != Restored).Select(l => "  " + l));
            throw new CrossboardException(
                $"{binary} exited right after it was started on device '{connection.Target.Name}'." +
                (output.Length > 0 ? $" Its last output ({BackgroundLog}):{Environment.NewLine}{output}" : $" {result.Diagnostic}") +
                Environment.NewLine + StartHint(output) +
                (lines.Contains(Restored) ? Environment.NewLine + $"It runs again as it was started before (its previous arguments and environment): the device is as it was." : ""));
        }

        var stopped = lines.FirstOrDefault(l => l.StartsWith("stopped ", StringComparison.Ordinal) || l.StartsWith("killed ", StringComparison.Ordinal));
        var started = lines.FirstOrDefault(l => l.StartsWith("started ", StringComparison.Ordinal));
        var running = lines.FirstOrDefault(l => l.StartsWith("running ", StringComparison.Ordinal));
        var summary = running is not null
            ? $"already running in the background (pid {running[8..]}); {OutputHint}"
            : $"started in the background (pid {started?[8..]}{(stopped is null ? "" : $", the previous one (pid {stopped.Split(' ')[1]}) {(stopped.StartsWith("killed") ? "killed" : "stopped")}")}); {OutputHint}";
        return new ServiceOutcome(summary, true);
    }

    /// <summary>Stops the background instance (Run in the foreground, or before a rollback restart).</summary>
    public string StopBackground()
    {
        var result = connection.Run(Sudo(BackgroundFunctions + "stop\n"), $"stop {name}");
        return result.Output.Trim();
    }

    /// <summary>The OpenWrt init script: procd runs the app, respawns it, and sends its output to logd.</summary>
    public string ProcdScript =>
        "#!/bin/sh /etc/rc.common\n" +
        $"# {name}: installed by crossboard. procd starts {binary}, respawns it if it dies,\n" +
        "# and sends its output to the system log (logread -e " + name + ").\n" +
        "\n" +
        "START=95\n" +
        "STOP=10\n" +
        "USE_PROCD=1\n" +
        "\n" +
        "start_service() {\n" +
        "\tprocd_open_instance\n" +
        _launch.ProcdLines(binary) +
        "\tprocd_set_param respawn\n" +
        "\tprocd_set_param stdout 1\n" +
        "\tprocd_set_param stderr 1\n" +
        "\tprocd_close_instance\n" +
        "}\n";

    public string SystemdUnit =>
        "[Unit]\n" +
        $"Description={name} (installed by crossboard)\n" +
        "After=network.target\n" +
        "\n" +
        "[Service]\n" +
        _launch.SystemdLines(binary) +
        "Restart=on-failure\n" +
        "\n" +
        "[Install]\n" +
        "WantedBy=multi-user.target\n";

    private string ProcdApplyScript(bool restart) =>
        WriteIfChanged(InitScript, ProcdScript, "755") +
        $"f={RemoteShell.Quote(InitScript)}\n" +
        "\"$f\" enable || exit 4\n" +
        (restart ? "\"$f\" restart\n" : "if [ \"$changed\" = 1 ]; then \"$f\" restart; else \"$f\" start; fi\n") +
        "sleep 1\n" +
        // procd keeps a respawning instance registered even while it crash-loops: ask for its pid.
        $"ubus call service list '{{\"name\":\"{name}\"}}' 2>/dev/null | grep -q '\"running\": true' && echo running || {{ echo died; logread -e {RemoteShell.Quote(name)} 2>/dev/null | tail -n 20; exit 3; }}\n";

    private ServiceOutcome Procd(RemoteResult result, bool restart) => Installed(result, restart, "procd service", InitScript);

    /// <summary>The script that installs the unit if it changed, enables it and (re)starts the app.</summary>
    public string SystemdScript(bool restart) =>
        WriteIfChanged(Unit, SystemdUnit, "644") +
        "[ \"$changed\" = 1 ] && { systemctl daemon-reload || exit 4; }\n" +
        $"systemctl enable {RemoteShell.Quote(name)} 2>&1 || exit 4\n" +
        (restart
            ? $"systemctl restart {RemoteShell.Quote(name)} || exit 4\n"
            : $"if [ \"$changed\" = 1 ]; then systemctl restart {RemoteShell.Quote(name)}; else systemctl start {RemoteShell.Quote(name)}; fi || exit 4\n") +
        "sleep 1\n" +
        $"systemctl is-active --quiet {RemoteShell.Quote(name)} && echo running || {{ echo died; journalctl -n 20 --no-pager -u {RemoteShell.Quote(name)}; exit 3; }}\n";

    private ServiceOutcome Systemd(RemoteResult result, bool restart) => Installed(result, restart, "systemd unit", Unit);

    /// <summary>What an init-system service's script reported: its file installed or unchanged, (re)started.</summary>
    private ServiceOutcome Installed(RemoteResult result, bool restart, string kind, string file)
    {
        Check(result, file);
        var changed = result.Output.Contains("changed", StringComparison.Ordinal);
        return new ServiceOutcome($"{kind} {file} {(changed ? "installed" : "unchanged")}, enabled and {(restart || changed ? "restarted" : "running")}; {OutputHint}", true);
    }

    private void Check(RemoteResult result, string file)
    {
        if (result.Succeeded)
        {
            return;
        }

        var lines = _launch.Mask(result.Output).Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (result.ExitStatus == 3)
        {
            var output = string.Join(Environment.NewLine, lines.SkipWhile(l => l != "died").Skip(1).Select(l => "  " + l));
            throw new CrossboardException(
                $"{binary} does not stay running under {style} on device '{connection.Target.Name}'." +
                (output.Length > 0 ? $" Its last output:{Environment.NewLine}{output}" : "") + Environment.NewLine + StartHint(output));
        }

        throw new CrossboardException(
            $"Installing or restarting {file} failed on device '{connection.Target.Name}' (exit {result.ExitStatus?.ToString() ?? "signal " + result.ExitSignal}): {result.Diagnostic}");
    }

    /// <summary>
    /// Writes <paramref name="content"/> to <paramref name="file"/> only when it differs (a here
    /// document, then an atomic rename), setting $changed for the rest of the script.
    /// </summary>
    /// <remarks>
    /// When it changes the file and the record is known ($mf), the previous content is kept beside
    /// the record (a failed deploy puts it back; the next deploy's install removes it) and the
    /// record lists the new file. Inside the look under sudo, $mf is not set: no record then
    /// (that is the unchanged binary's path; the next deploy that installs records it).
    /// </remarks>
    private string WriteIfChanged(string file, string content, string mode)
    {
        var record = recording is { } r ? DefinitionRecord(r.Time, r.Board) : null;
        var keep = record is null ? "" :
            InstallRecord.Functions +
            $"if [ -n \"$mf\" ]; then [ -f \"$f\" ] && {{ mkdir -p \"${{mf%/*}}\"; cp -p \"$f\" {InstallRecord.PreviousCopy(file)}; }}; " +
            InstallRecord.Set((file, record.Fields)).TrimEnd('\n') + "; fi; ";
        return $"f={RemoteShell.Quote(file)}; changed=0\n" +
            "mkdir -p \"$(dirname \"$f\")\" || exit 4\n" +
            "cat > \"$f.new\" <<'CROSSBOARD_EOF' || exit 4\n" +
            content +
            "CROSSBOARD_EOF\n" +
            "if [ -f \"$f\" ] && [ \"$(cat \"$f\")\" = \"$(cat \"$f.new\")\" ]; then rm -f \"$f.new\"; else " +
            keep +
            $"chmod {mode} \"$f.new\" && mv -f \"$f.new\" \"$f\" || exit 4; changed=1; echo changed; fi\n";
    }

    private string Sudo(string script) => sudo.Length == 0 ? script : $"{sudo}sh -c {RemoteShell.Quote(script)}";

    /// <summary>Common reasons a binary dies at once, recognised from its output.</summary>
    private string StartHint(string output)
    {
        if (output.Contains("not found", StringComparison.Ordinal) || output.Contains("No such file", StringComparison.Ordinal))
        {
            return "A binary that exists but is \"not found\" usually asks for a dynamic loader the device lacks (a glibc binary on a musl OpenWrt): " +
                "build for the device's libc or link statically (target-feature=+crt-static).";
        }

        if (output.Contains("Exec format error", StringComparison.OrdinalIgnoreCase) || output.Contains("syntax error", StringComparison.Ordinal))
        {
            return "\"Exec format error\" means the binary is for another CPU: check --board matches the device.";
        }

        return "Run it by hand on the device to see more: ssh to it and start " + binary + ".";
    }
}
