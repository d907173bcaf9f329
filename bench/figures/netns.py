"""A network namespace of the bench's own, its loopback shaped by tc netem, removed afterwards."""
import contextlib
import os
import subprocess


def _run(*args):
    subprocess.run(list(args), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@contextlib.contextmanager
def shaped_namespace(label, netem):
    """`ip netns add` a namespace, loopback up with a 1500-byte MTU (a real link's, not lo's 64 KiB),
    `tc qdisc add dev lo root netem <netem>`; yields its name. Everything the figure starts in it
    talks over that loopback: each packet crosses it once, so a delay of D is an RTT of 2D."""
    if os.geteuid() != 0:
        raise RuntimeError("needs root (a network namespace and tc netem)")
    name = f"cb-bench-{label}-{os.getpid()}"
    _run("ip", "netns", "add", name)
    try:
        _run("ip", "-n", name, "link", "set", "lo", "mtu", "1500")
        _run("ip", "-n", name, "link", "set", "lo", "up")
        _run("tc", "-n", name, "qdisc", "add", "dev", "lo", "root", "netem", *netem.split())
        yield name
    finally:
        # Whatever the figure started there and left running (by id: only this namespace's).
        left = subprocess.run(["ip", "netns", "pids", name], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout.split()
        for pid in left:
            subprocess.run(["kill", "-KILL", pid], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run(["tc", "-n", name, "qdisc", "del", "dev", "lo", "root"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run(["ip", "netns", "del", name], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
