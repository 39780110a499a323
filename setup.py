"""Builds the extension module sparsecode._core with this source tree's CMake project and packages python/sparsecode.

CMake runs in Release with SPARSECODE_PYTHON=ON and builds only the library and the module
(JOBS parallel jobs, default 2). Any CMake option of the C++ build can be passed in the
environment variable CMAKE_ARGS, e.g. CMAKE_ARGS="-DSPARSECODE_NATIVE=OFF" for a portable build.
"""
import os
import shlex
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = os.path.dirname(os.path.abspath(__file__))


class CMakeExtension(Extension):
    def __init__(self, name):
        super().__init__(name, sources=[])


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        module_dir = os.path.dirname(os.path.abspath(self.get_ext_fullpath(ext.name)))
        build_dir = os.path.abspath(os.path.join(self.build_temp, "cmake"))
        configure = ["cmake", "-S", ROOT, "-B", build_dir, "-DCMAKE_BUILD_TYPE=Release", "-DSPARSECODE_PYTHON=ON",
                     "-DPython3_EXECUTABLE=" + sys.executable, "-DSPARSECODE_PYTHON_MODULE_DIR=" + module_dir,
                     "-DSPARSECODE_BUILD_TESTS=OFF", "-DSPARSECODE_BUILD_EXAMPLES=OFF",
                     "-DSPARSECODE_BUILD_BENCH=OFF"] + shlex.split(os.environ.get("CMAKE_ARGS", ""))
        subprocess.check_call(configure)
        subprocess.check_call(["cmake", "--build", build_dir, "--target", "sparsecode_python",
                               "-j", os.environ.get("JOBS", "2")])


setup(
    packages=["sparsecode"],
    package_dir={"": "python"},
    ext_modules=[CMakeExtension("sparsecode._core")],
    cmdclass={"build_ext": CMakeBuild},
    zip_safe=False,
)
