"""The benchmark figures, in README order. Each measures its variants in the same run."""
from .boot import Boot
from .clone import Clone
from .cold_start import ColdStart
from .compile_cache import CompileCache
from .fleet import Fleet
from .host_start import HostStart
from .noop_deploy import NoopDeploy
from .size import Size
from .slow_link import SlowLink
from .toolchain import ToolchainReuse
from .upload import Upload, UploadSftp

FIGURES = [HostStart(), NoopDeploy(), Upload(), UploadSftp(), Size(), ToolchainReuse(), Clone(), Boot(), CompileCache(), ColdStart(), SlowLink(), Fleet()]
