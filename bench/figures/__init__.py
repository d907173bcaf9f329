"""The benchmark figures, in README order. Each measures two variants in the same run."""
from .host_start import HostStart

FIGURES = [HostStart()]
