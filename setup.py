"""Build of marp's compiled kernels (Cython). Metadata lives in pyproject.toml.

Built kernels are kept in ``build/kernel-cache`` under a key of everything that decides the
binary (the kernel's .pyx, every .pxd, the compiler flags and directives, the Cython, NumPy
and Python versions, the platform), so installing again, e.g. to add an extra, reuses them
instead of compiling for a minute. Delete ``build/`` to force a rebuild.
"""
import hashlib
import os
import shutil
import sys
import sysconfig
from pathlib import Path

import Cython
import numpy
from Cython.Build import cythonize
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).resolve().parent
KERNEL_DIR = HERE / "marp" / "_kernels"
CACHE = HERE / "build" / "kernel-cache"
KERNELS = ["maxrects", "skyline", "engine", "verify", "tight", "goal", "repack", "refine",
           "residency"]
COMPILE_ARGS = ["-O3"]
MACROS = [("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")]

# set once for every kernel; Python-side code validates before calling them
DIRECTIVES = {
    "language_level": 3,
    "boundscheck": False,
    "wraparound": False,
    "cdivision": True,
    "initializedcheck": False,
}


def kernel_key(name: str) -> str:
    """Hash of every input that decides the binary of kernel ``name``."""
    h = hashlib.sha256()
    for path in [KERNEL_DIR / f"{name}.pyx", *sorted(KERNEL_DIR.glob("*.pxd"))]:
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    for part in (COMPILE_ARGS, MACROS, sorted(DIRECTIVES.items()), Cython.__version__,
                 numpy.__version__, sys.version, sysconfig.get_platform(),
                 sysconfig.get_config_var("EXT_SUFFIX")):
        h.update(repr(part).encode() + b"\0")
    return h.hexdigest()[:20]


class CachedBuildExt(build_ext):
    """build_ext that copies a kernel from the cache when its key matches."""

    def build_extension(self, ext):
        name = ext.name.rsplit(".", 1)[-1]
        cached = CACHE / f"{name}-{kernel_key(name)}{sysconfig.get_config_var('EXT_SUFFIX')}"
        target = Path(self.get_ext_fullpath(ext.name))
        if cached.is_file():
            print(f"marp: reusing the compiled kernel {cached.relative_to(HERE)}")
            target.parent.mkdir(parents=True, exist_ok=True)
            # a fresh mtime: an editable install copies the build into the source tree
            # only when it is newer than the kernel there (copy2 kept the cache's older
            # time, so going back to an earlier kernel silently kept the later binary)
            shutil.copy(cached, target)
            return
        # .pyx -> .c here, not at import: a cached kernel is never cythonized again
        ext.sources = cythonize([ext], compiler_directives=DIRECTIVES, quiet=True)[0].sources
        super().build_extension(ext)
        CACHE.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_name(cached.name + f".{os.getpid()}.tmp")
        shutil.copy2(target, tmp)
        os.replace(tmp, cached)            # atomic: a concurrent build never sees half a file


extensions = [
    Extension(
        f"marp._kernels.{name}",
        [f"marp/_kernels/{name}.pyx"],
        include_dirs=[numpy.get_include()],
        extra_compile_args=COMPILE_ARGS,
        define_macros=MACROS,
    )
    for name in KERNELS
]

setup(ext_modules=extensions, cmdclass={"build_ext": CachedBuildExt})
