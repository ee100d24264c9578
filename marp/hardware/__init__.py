"""Hardware: validated accelerator descriptions (``Arch``) loaded from YAML configs, and
the physics of one array op (input cycles, row groups, ADC rounds, conversion energy)."""
from marp.hardware.arch import Arch, ArchError, available_archs, load_arch

__all__ = ["Arch", "ArchError", "load_arch", "available_archs"]
