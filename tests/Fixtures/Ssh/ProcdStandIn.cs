namespace Crossboard.Tests.Fixtures.Ssh;

/// <summary>
/// OpenWrt's procd cannot be fetched here (no OpenWrt packages, and procd talks ubus to a C
/// daemon), so a procd device gets stand-ins with the real thing's shape and behaviour, failures
/// included (what procd does is read from its source, github.com/openwrt/procd, service/instance.c
/// and service/service.c):
/// <list type="bullet">
/// <item>/etc/rc.common: init scripts run as "/bin/sh /etc/rc.common /etc/init.d/NAME ACTION";
/// enable/disable manage /etc/rc.d/S{START}NAME and K{STOP}NAME; with USE_PROCD=1, start runs the
/// script's start_service, whose procd_open_instance / procd_set_param command / env / respawn /
/// procd_close_instance define the instance ("instance1"); start leaves an unchanged instance that
/// runs alone and (re)starts a changed one or one that does not run (instance_update); stop
/// deletes the service (SIGTERM, SIGKILL after term_timeout, 5 s).</item>
/// <item>the instance is supervised as procd_instance_exit does it: when it exits it is not
/// running; with respawn (threshold, timeout, retry: 3600, 5, 5 by default) it is started again
/// after timeout seconds, an exit within threshold seconds of its start counts as a crash, and
/// after more than retry crashes procd logs "in a crash loop" and gives up: the instance stays
/// listed, not running, with its exit code.</item>
/// <item>ubus call service list '{"name":"NAME"}' answers in procd's JSON shape, as the ubus CLI
/// prints it: "running": true with "pid" while it runs; "running": false with "exit_code" when
/// it does not; "respawn" while procd still respawns it; "{ }" for a service procd does not have.</item>
/// <item>logread [-f] [-e PATTERN] prints the log as ubox's logread does: "DATE daemon.info
/// COMMAND[PID]: line" for the instance's output (procd's ident is the command's basename and pid).</item>
/// </list>
/// One difference, on purpose: real procd's stop returns before the instance has exited; the
/// stand-in waits for it (as procd waits before it sends SIGKILL), so that a restart in a test
/// never races the old instance for its port.
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

        # procd.sh's instance API: the defaults of procd_set_param respawn are procd's own.
        procd_open_instance() { _cmd=; _respawn=; _env=; }
        procd_set_param() {
            _key=$1; shift
            case "$_key" in
                command) _cmd="$*" ;;
                respawn) _respawn="${1:-3600} ${2:-5} ${3:-5}" ;;
                env) _env="$*" ;;
            esac
        }
        procd_append_param() { _key=$1; shift; [ "$_key" = command ] && _cmd="$_cmd $*"; }
        procd_close_instance() { printf '%s\n%s\n%s\n' "$_cmd" "$_respawn" "$_env" > "$state/$name.new"; }

        . "$initscript"

        # A pid that runs (kill -0 also succeeds on a zombie: look at its state).
        alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }
        running() { alive "$(cat "$state/$name.pid" 2>/dev/null)"; }

        enable() {
            [ -n "$START" ] && ln -sf "../init.d/$name" "/etc/rc.d/S$START$name"
            [ -n "$STOP" ] && ln -sf "../init.d/$name" "/etc/rc.d/K$STOP$name"
            return 0
        }
        disable() { rm -f /etc/rc.d/S??"$name" /etc/rc.d/K??"$name"; }
        enabled() { [ -e "/etc/rc.d/S$START$name" ]; }

        # ubus call service delete: the supervisor and the instance get SIGTERM, SIGKILL after term_timeout.
        stop() {
            if [ -f "$state/$name.sup" ]; then
                pid=$(cat "$state/$name.pid" 2>/dev/null)
                kill -TERM -"$(cat "$state/$name.sup")" 2>/dev/null
                i=0; while alive "$pid" && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
                alive "$pid" && kill -KILL "$pid" 2>/dev/null
            fi
            rm -f "$state/$name.sup" "$state/$name.pid" "$state/$name.instance" "$state/$name.exit" "$state/$name.halted" "$state/$name.out"
            return 0
        }

        start() {
            [ "$USE_PROCD" = 1 ] || { echo "stand-in handles USE_PROCD scripts only" >&2; return 1; }
            start_service
            # procd leaves an unchanged instance that runs alone; a changed one, or one that does
            # not run (exited, or given up on in a crash loop), is started (instance_update).
            if running && [ -f "$state/$name.instance" ] && [ "$(cat "$state/$name.new")" = "$(cat "$state/$name.instance")" ]; then
                rm -f "$state/$name.new"; return 0
            fi
            stop
            mv "$state/$name.new" "$state/$name.instance"
            # A session of its own: stop signals the supervisor and the instance as one group.
            setsid procd-instance "$name" > /dev/null 2>&1 < /dev/null &
            echo $! > "$state/$name.sup"
            # procd starts the instance before the init script returns.
            i=0; while [ ! -f "$state/$name.pid" ] && [ ! -f "$state/$name.exit" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
            return 0
        }

        restart() { stop; start; }

        "$action" "$@"
        """;

    /// <summary>One instance, supervised as procd's instance_exit does it (see the class comment).</summary>
    public const string Instance = """
        #!/bin/sh
        # Stand-in for procd's supervision of one instance: procd-instance NAME (see ProcdStandIn.cs).
        name=$1
        state=/var/run/procd
        cmd=$(sed -n 1p "$state/$name.instance")
        # procd_set_param env: the instance's environment (this stand-in splits it at spaces).
        envs=$(sed -n 3p "$state/$name.instance")
        set -- $(sed -n 2p "$state/$name.instance")
        respawn=$#; threshold=${1:-3600}; timeout=${2:-5}; retry=${3:-5}
        arg0=${cmd%% *}; arg0=${arg0##*/}
        log() { echo "$(date '+%a %b %e %H:%M:%S %Y') daemon.$1 $2" >> "$state/log"; }
        count=0
        while :; do
            started=$(date +%s)
            out=$state/$name.out
            rm -f "$out"; mkfifo "$out"
            env $envs $cmd > "$out" 2>&1 < /dev/null &
            pid=$!
            echo "$pid" > "$state/$name.pid"; rm -f "$state/$name.exit"
            # procd's stdout 1 / stderr 1: each line to the log, as COMMAND[PID].
            while IFS= read -r line; do log info "$arg0[$pid]: $line"; done < "$out"
            wait "$pid"; code=$?
            rm -f "$state/$name.pid" "$out"; echo "$code" > "$state/$name.exit"
            [ "$respawn" -gt 0 ] || exit 0
            runtime=$(( $(date +%s) - started ))
            if [ "$runtime" -lt "$threshold" ]; then count=$((count + 1)); else count=0; fi
            if [ "$count" -gt "$retry" ] && [ "$retry" -gt 0 ]; then
                log info "procd: Instance $name::instance1 s in a crash loop $count crashes, $runtime seconds since last crash"
                touch "$state/$name.halted"
                exit 0
            fi
            sleep "$timeout"
        done
        """;

    public const string Ubus = """
        #!/bin/sh
        # Stand-in for ubus: "ubus call service list '{"name":"NAME"}'" in procd's JSON shape (see ProcdStandIn.cs).
        [ "$1 $2 $3" = "call service list" ] || { echo "stand-in ubus: only 'call service list'" >&2; exit 1; }
        name=$(echo "$4" | sed -n 's/.*"name" *: *"\([^"]*\)".*/\1/p')
        state=/var/run/procd
        [ -f "$state/$name.instance" ] || { echo '{ }'; exit 0; }
        cmd=$(sed -n 1p "$state/$name.instance")
        set -- $(sed -n 2p "$state/$name.instance")
        pid=$(cat "$state/$name.pid" 2>/dev/null)
        t='	'
        echo '{'
        echo "$t\"$name\": {"
        echo "$t$t\"instances\": {"
        echo "$t$t$t\"instance1\": {"
        if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && ! grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null; then
            echo "$t$t$t$t\"running\": true,"
            echo "$t$t$t$t\"pid\": $pid,"
            running=1
        else
            echo "$t$t$t$t\"running\": false,"
            running=
        fi
        echo "$t$t$t$t\"command\": ["
        n=0; for word in $cmd; do n=$((n + 1)); done
        i=0; for word in $cmd; do i=$((i + 1)); [ $i -lt $n ] && c=, || c=; echo "$t$t$t$t$t\"$word\"$c"; done
        echo "$t$t$t$t],"
        respawning=
        [ $# -gt 0 ] && [ ! -f "$state/$name.halted" ] && respawning=1
        if [ -n "$running" ]; then
            echo "$t$t$t$t\"term_timeout\": 5${respawning:+,}"
        else
            echo "$t$t$t$t\"term_timeout\": 5,"
            echo "$t$t$t$t\"exit_code\": $(cat "$state/$name.exit" 2>/dev/null || echo 0)${respawning:+,}"
        fi
        if [ -n "$respawning" ]; then
            echo "$t$t$t$t\"respawn\": {"
            echo "$t$t$t$t$t\"threshold\": $1,"
            echo "$t$t$t$t$t\"timeout\": $2,"
            echo "$t$t$t$t$t\"retry\": $3"
            echo "$t$t$t$t}"
        fi
        echo "$t$t$t}"
        echo "$t$t}"
        echo "$t}"
        echo '}'
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
        mkdir -p /var/run/procd; touch "$log"
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
        Write(Path.Combine(usrBin, "procd-instance"), Instance);
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
