"""The benchmark figures, in README order. Each measures two variants in the same run."""
from .host_start import HostStart
from .noop_deploy import NoopDeploy
from .upload import Upload, UploadExec

FIGURES = [HostStart(), NoopDeploy(), Upload(), UploadExec()]
