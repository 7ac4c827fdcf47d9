"""Conan 2 recipe for mtproto-cpp, kept in the repository: `conan create . -s compiler.cppstd=20`.

CMake consumers get the package's own installed CMake config (lib/cmake/mtproto), not one made by
CMakeDeps: it is the only one that defines mtproto::tlgen and mtproto_generate_tl() (consumers
compile their own TL schemas with the packaged generator) and the Asio target with the definitions
our headers need. So CMakeDeps generates nothing for mtproto (cmake_find_mode "none") and
`builddirs` puts that directory on the consumer's CMAKE_PREFIX_PATH (CMakeToolchain); its
find_dependency() calls find the Conan-made OpenSSL, ZLIB and fmt configs, and its find_path for
asio.hpp searches CMAKE_INCLUDE_PATH, which CMakeToolchain fills with the dependencies' include
directories. The components below describe the same libraries for non-CMake generators.

scripts/replay-packaging.py runs this recipe with stand-ins for Conan's classes (no Conan here).
"""
import os
import re

from conan import ConanFile
from conan.tools.build import check_min_cppstd
from conan.tools.cmake import CMake, CMakeDeps, CMakeToolchain, cmake_layout
from conan.tools.files import copy, load

required_conan_version = ">=2.0"


class MtprotoConan(ConanFile):
    name = "mtproto"
    description = "MTProto 2.0 client library: the tlgen TL schema compiler, a sans-IO protocol core and an Asio client runtime"
    license = "MIT"
    topics = ("telegram", "mtproto", "tl", "asio")
    package_type = "library"
    settings = "os", "arch", "compiler", "build_type"
    options = {"shared": [True, False], "fPIC": [True, False]}
    default_options = {"shared": False, "fPIC": True}
    # What the library and tlgen build from (tests, examples, benchmarks, fuzz, testing/ are ours).
    exports_sources = ("CMakeLists.txt", "LICENSE", "cmake/*", "codegen/*", "include/*", "src/*", "tl-schema/*")

    def set_version(self):
        # The one version: project(VERSION) in CMakeLists.txt.
        text = load(self, os.path.join(self.recipe_folder, "CMakeLists.txt"))
        self.version = re.search(r"project\(mtproto\s+VERSION\s+([0-9.]+)", text).group(1)

    def config_options(self):
        if self.settings.os == "Windows":
            del self.options.fPIC

    def configure(self):
        if self.options.shared:
            self.options.rm_safe("fPIC")

    def layout(self):
        cmake_layout(self, src_folder=".")

    def requirements(self):
        # Our public headers include Asio's and fmt's; OpenSSL and zlib are used inside only.
        self.requires("asio/1.22.1", transitive_headers=True)
        self.requires("fmt/9.1.0", transitive_headers=True)
        self.requires("openssl/[>=3 <4]")
        self.requires("zlib/[>=1.2.11 <2]")

    def validate(self):
        check_min_cppstd(self, 20)

    def generate(self):
        tc = CMakeToolchain(self)
        # The library and tlgen only, with install rules (the same options as ports/mtproto).
        tc.cache_variables["MTPROTO_BUILD_TESTING"] = False
        tc.cache_variables["MTPROTO_BUILD_EXAMPLES"] = False
        tc.cache_variables["MTPROTO_BUILD_BENCHMARKS"] = False
        tc.cache_variables["MTPROTO_BUILD_EMULATOR"] = False
        tc.cache_variables["MTPROTO_BUILD_FUZZERS"] = False
        tc.cache_variables["MTPROTO_INSTALL"] = True
        tc.generate()
        CMakeDeps(self).generate()

    def build(self):
        cmake = CMake(self)
        cmake.configure()
        cmake.build()

    def package(self):
        copy(self, "LICENSE", src=self.source_folder, dst=os.path.join(self.package_folder, "licenses"))
        cmake = CMake(self)
        cmake.install()  # lib/cmake/mtproto and lib/pkgconfig stay: they are the package's interface

    def package_info(self):
        self.cpp_info.set_property("cmake_find_mode", "none")
        self.cpp_info.builddirs = [os.path.join("lib", "cmake", "mtproto")]
        self.cpp_info.set_property("pkg_config_name", "mtproto")

        # For other generators: the layers (ARCHITECTURE.md), each on the ones below it. A static
        # layer's users define MTPROTO_<LAYER>_STATIC_DEFINE, as its CMake target says.
        def layer(name, requires, defines=(), **extra):
            c = self.cpp_info.components[name]
            c.libs = [f"mtproto_{name}"]
            c.requires = requires
            static = [] if self.options.get_safe("shared") else [f"MTPROTO_{name.upper()}_STATIC_DEFINE"]
            c.defines = list(defines) + static
            for key, value in extra.items():
                setattr(c, key, value)

        layer("tl", ["fmt::fmt", "zlib::zlib"])
        layer("crypto", ["openssl::crypto"])
        layer("mt", ["tl"])
        layer("core", ["crypto", "mt", "tl", "zlib::zlib"])
        layer("api", ["tl"])
        layer("client", ["core", "api", "asio::asio"],
              defines=["ASIO_STANDALONE", "ASIO_NO_DEPRECATED", "ASIO_DISABLE_STD_ALIGNED_ALLOC"],
              system_libs=["pthread"] if self.settings.os in ("Linux", "FreeBSD") else [])
