import json
import os
import subprocess
import tempfile

from .base import Comparison, Figure, ROOT

# One run of the deploy benchmark program serves both figures (they measure the same servers).
_cache = {}


def _samples(runs):
    """{variant: [seconds]} from bench/deploy's figure-upload mode (real OpenSSH sshd on 127.0.0.1, as root)."""
    if runs not in _cache:
        with tempfile.TemporaryDirectory(prefix="crossboard-bench-upload-") as tmp:
            out = os.path.join(tmp, "samples.json")
            result = subprocess.run([os.path.join(ROOT, "bench", "deploy", "run.sh"), "figure-upload", str(runs), out],
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            if result.returncode != 0:
                raise RuntimeError(f"bench/deploy/run.sh figure-upload failed ({result.returncode}): {result.stdout[-2000:]}")
            with open(out) as f:
                data = json.load(f)
        megabytes = data["bytes"] / 1e6
        # Throughput in MB/s: the figure is about it.
        _cache[runs] = {name: [megabytes / s for s in values] for name, values in data["seconds"].items()}
    return _cache[runs]


class Upload(Figure):
    """Figure 3: crossboard's deploy of a 50 MB binary vs OpenSSH's scp of it, to the same sshd on loopback.

    "Our deploy" is the whole deploy stage, in process (what --target=Deploy does after the build,
    without the host's start): connect and log in, one look at the device (old binary, free
    space), then one command that takes the upload over an exec channel (the automatic choice),
    checks its md5sum on the device, fsyncs it, keeps the backup link and renames it into place.
    The device holds another 50 MB build each time. scp only connects and sends. Both include
    connecting.
    """
    name = "upload"
    title = "Upload 50 MB, loopback: crossboard's whole deploy stage (verified, atomic) vs OpenSSH scp, MB/s incl. connect"

    def comparisons(self):
        # The target: at least 0.9x scp's throughput.
        return [Comparison("Upload 50 MB, loopback: whole deploy stage (exec channel, verified, atomic) vs scp, MB/s",
                           "deploy", "scp", unit="MB/s", target=0.9, higher_is_better=True),
                Comparison("Upload 50 MB, transfer only (SFTP, incl. connect) vs scp, MB/s",
                           "upload-sftp-with-connect", "scp", unit="MB/s", higher_is_better=True),
                Comparison("Upload 50 MB, transfer only (exec channel, incl. connect) vs scp, MB/s",
                           "upload-exec-with-connect", "scp", unit="MB/s", higher_is_better=True)]

    def measure(self, runs, work_dir, timed):
        return _samples(runs)


class UploadSftp(Figure):
    """The automatic exec channel vs SFTP (--transfer=sftp, a second connection): whole deploys to the same server."""
    name = "upload-sftp"
    title = "Deploy 50 MB over the exec channel (automatic) vs over SFTP (--transfer=sftp), MB/s (ratio: exec's / SFTP's)"

    def comparisons(self):
        return [Comparison("Deploy 50 MB over the exec channel (automatic) vs over SFTP, MB/s", "deploy", "deploy-sftp",
                           unit="MB/s", higher_is_better=True)]

    def measure(self, runs, work_dir, timed):
        return _samples(runs)
