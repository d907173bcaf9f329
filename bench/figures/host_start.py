import os
import subprocess

from .base import BUILD_SH, Comparison, Figure, ROOT


class HostStart(Figure):
    """Figure 1: `./build.sh --target=Boards` warm, vs the Frosting template's `dotnet run`."""
    name = "host-start"
    title = "Host start: ./build.sh --target=Boards, warm"

    def comparisons(self):
        # "well under 0.5 s" where `dotnet run` costs ~1.5 s
        return [Comparison("Host start (warm): ./build.sh vs dotnet run", "build.sh", "dotnet run", target=0.33)]

    def measure(self, runs, work_dir, timed):
        env = self.env()
        build_sh = [BUILD_SH, "--target=Boards"]
        dotnet_run = ["dotnet", "run", "--project", os.path.join(ROOT, "build", "Build.csproj"), "-c", "Release", "--", "--target=Boards"]
        try:
            return self.interleave(runs, {
                "build.sh": lambda: timed(build_sh, env),
                "dotnet run": lambda: timed(dotnet_run, env),
            })
        finally:
            # `dotnet run` leaves MSBuild nodes and the compiler server running for minutes; on a
            # small machine they would take CPU from the figures measured after this one.
            subprocess.run(["dotnet", "build-server", "shutdown"], env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
