namespace Crossboard.Tests.Fixtures.Ssh;

/// <summary>
/// OpenWrt's procd cannot be fetched here (no OpenWrt packages, and procd talks ubus to a C
/// daemon), so a procd device gets stand-ins with the real thing's shape and behaviour:
/// <list type="bullet">
/// <item>/etc/rc.common: init scripts run as "/bin/sh /etc/rc.common /etc/init.d/NAME ACTION";
/// enable/disable manage /etc/rc.d/S{START}NAME and K{STOP}NAME; with USE_PROCD=1, start runs the
/// script's start_service, whose procd_open_instance / procd_set_param command / respawn /
/// procd_close_instance define the instance; start of an unchanged running instance does nothing
/// (procd compares), restart stops and starts.</item>
/// <item>the instance is supervised like procd does it: respawned when it dies, output to the log.</item>
/// <item>ubus call service list '{"name":"NAME"}' answers procd's JSON shape ("running": true).</item>
/// <item>logread [-f] [-e PATTERN] prints the log lines ("NAME: line") like ubox's logread.</item>
/// </list>
/// Such a device's /bin/sh is dash, not busybox-static's ash: that ash is built "standalone" and
/// runs its own applets (logread among them) before looking at PATH, which would hide the
/// stand-ins. OpenWrt's ash is not standalone and looks up PATH, as dash does; the other commands
/// are still busybox's applets.
/// </summary>
public static class ProcdStandIn
{
    public const string RcCommon = """
        #!/bin/sh
        # Stand-in for OpenWrt's /etc/rc.common with procd (see ProcdStandIn.cs).
        initscript=$1
        action=${2:-help}
        [ $# -ge 2 ] && shift 2
        name=${initscript##*/}
        state=/var/run/procd
        mkdir -p "$state" /etc/rc.d

        procd_open_instance() { _cmd=; _respawn=0; }
        procd_set_param() {
            _key=$1; shift
            case "$_key" in
                command) _cmd="$*" ;;
                respawn) _respawn=1 ;;
            esac
        }
        procd_append_param() { _key=$1; shift; [ "$_key" = command ] && _cmd="$_cmd $*"; }
        procd_close_instance() { printf '%s\n%s\n' "$_cmd" "$_respawn" > "$state/$name.new"; }

        . "$initscript"

        alive() { [ -f "$state/$name.pid" ] && kill -0 "$(cat "$state/$name.pid")" 2>/dev/null; }

        enable() {
            [ -n "$START" ] && ln -sf "../init.d/$name" "/etc/rc.d/S$START$name"
            [ -n "$STOP" ] && ln -sf "../init.d/$name" "/etc/rc.d/K$STOP$name"
            return 0
        }
        disable() { rm -f /etc/rc.d/S??"$name" /etc/rc.d/K??"$name"; }
        enabled() { [ -e "/etc/rc.d/S$START$name" ]; }

        stop() {
            alive && kill -TERM -"$(cat "$state/$name.pid")" 2>/dev/null
            rm -f "$state/$name.pid" "$state/$name.instance"
            return 0
        }

        start() {
            [ "$USE_PROCD" = 1 ] || { echo "stand-in handles USE_PROCD scripts only" >&2; return 1; }
            start_service
            # procd leaves an unchanged, running instance alone.
            if alive && [ -f "$state/$name.instance" ] && [ "$(cat "$state/$name.new")" = "$(cat "$state/$name.instance")" ]; then
                rm -f "$state/$name.new"; return 0
            fi
            stop
            mv "$state/$name.new" "$state/$name.instance"
            cmd=$(sed -n 1p "$state/$name.instance")
            respawn=$(sed -n 2p "$state/$name.instance")
            setsid sh -c "while :; do $cmd 2>&1 | while IFS= read -r l; do echo \"$name: \$l\"; done; [ $respawn = 1 ] || break; sleep 1; done" >> "$state/log" 2>&1 < /dev/null &
            echo $! > "$state/$name.pid"
        }

        restart() { stop; start; }

        "$action" "$@"
        """;

    public const string Ubus = """
        #!/bin/sh
        # Stand-in for ubus: "ubus call service list '{"name":"NAME"}'" in procd's JSON shape.
        [ "$1 $2 $3" = "call service list" ] || { echo "stand-in ubus: only 'call service list'" >&2; exit 1; }
        name=$(echo "$4" | sed -n 's/.*"name" *: *"\([^"]*\)".*/\1/p')
        pidfile=/var/run/procd/$name.pid
        if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
            printf '{\n\t"%s": {\n\t\t"instances": {\n\t\t\t"instance1": {\n\t\t\t\t"running": true,\n\t\t\t\t"pid": %s\n\t\t\t}\n\t\t}\n\t}\n}\n' "$name" "$(cat "$pidfile")"
        else
            echo '{ }'
        fi
        """;

    public const string Logread = """
        #!/bin/sh
        # Stand-in for ubox's logread: [-f] [-e PATTERN] over the log procd's instances write.
        follow=0; pattern=.
        while [ $# -gt 0 ]; do
            case "$1" in
                -f) follow=1 ;;
                -e) shift; pattern=$1 ;;
            esac
            shift
        done
        log=/var/run/procd/log
        touch "$log"
        if [ $follow = 1 ]; then
            tail -n 20 -f "$log" | while IFS= read -r l; do case "$l" in *"$pattern"*) echo "$l" ;; esac; done
        else
            grep -e "$pattern" "$log"
        fi
        exit 0
        """;

    /// <summary>Installs the stand-ins into a device's /etc and /usr/bin (host paths).</summary>
    public static void Install(string etc, string usrBin)
    {
        Write(Path.Combine(etc, "rc.common"), RcCommon);
        Write(Path.Combine(usrBin, "ubus"), Ubus);
        File.Delete(Path.Combine(usrBin, "logread"));
        Write(Path.Combine(usrBin, "logread"), Logread);
        Directory.CreateDirectory(Path.Combine(etc, "rc.d"));
        File.Delete(Path.Combine(usrBin, "sh"));
        File.Copy("/usr/bin/dash", Path.Combine(usrBin, "sh"));
    }

    private static void Write(string path, string text)
    {
        File.WriteAllText(path, text.ReplaceLineEndings("\n") + "\n");
        if (OperatingSystem.IsLinux())
        {
            File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
        }
    }
}
