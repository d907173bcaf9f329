"""The benchmark figures, in README order. Each measures its variants in the same run."""
from .boot import Boot
from .clone import Clone
from .host_start import HostStart
from .size import Size
from .toolchain import ToolchainReuse

FIGURES = [HostStart(), Size(), ToolchainReuse(), Clone(), Boot()]
