"""A network namespace of the bench's own (its own loopback and 127.0.0.0/8), removed afterwards."""
import contextlib
import os
import subprocess


def _run(*args):
    subprocess.run(list(args), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@contextlib.contextmanager
def namespace(label):
    """`ip netns add` a namespace with its loopback up; yields its name. The figure's devices, their
    links (bench/deploy/LinkRelay.cs: this kernel has no tc netem) and its clients all run in it, so
    nothing the figure does meets the machine's other loopback users (port 8000, 127.0.0.x)."""
    if os.geteuid() != 0:
        raise RuntimeError("needs root (a network namespace)")
    name = f"cb-bench-{label}-{os.getpid()}"
    _run("ip", "netns", "add", name)
    try:
        _run("ip", "-n", name, "link", "set", "lo", "up")
        yield name
    finally:
        # Whatever the figure started there and left running (by id: only this namespace's).
        left = subprocess.run(["ip", "netns", "pids", name], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout.split()
        for pid in left:
            subprocess.run(["kill", "-KILL", pid], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run(["ip", "netns", "del", name], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
