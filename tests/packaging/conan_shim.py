"""Stand-ins for the part of Conan 2's Python API that conanfile.py and test_package/conanfile.py
use, and a driver that runs those recipes the way `conan create . -s compiler.cppstd=20` would with
the default options (shared=False, fPIC=True), build_type=Release, GCC on Linux; Conan itself is
not installed here. Importing a name the stand-ins lack fails, so the replay cannot skip a step.

What the stand-ins do, after Conan 2's documentation and sources:
  - export: exports_sources patterns are copied (fnmatch, as conan.tools.files.copy) from the
    recipe folder into the package's source folder, and the build uses only that copy;
  - CMakeToolchain writes a conan_toolchain.cmake with what matters here: BUILD_SHARED_LIBS (shared),
    CMAKE_POSITION_INDEPENDENT_CODE (fPIC), the C++ standard (compiler.cppstd), the install dirs
    (bin, lib, include, res), and the dependencies' builddirs (CMAKE_PREFIX_PATH and
    CMAKE_MODULE_PATH), includedirs (CMAKE_INCLUDE_PATH) and libdirs (CMAKE_LIBRARY_PATH);
    cache_variables become -D options of CMake.configure(), True/False as ON/OFF;
  - CMake.configure/build/install run cmake in the layout's folders, installing to the package
    folder (cmake --install --prefix);
  - CMakeDeps: generates nothing for a package with cmake_find_mode "none" (ours); the other
    dependencies (OpenSSL, zlib, fmt, Asio) come from the system here, not from ConanCenter, so
    their generated config files are not replayed.
"""
import fnmatch
import importlib.util
import os
import shlex
import shutil
import subprocess
import sys
import types

JOBS = 2
CXX = None  # a C++ compiler to use (CMAKE_CXX_COMPILER), or the default


class ReplayError(Exception):
    pass


def _run(cmd, cwd, log, env=None):
    """Runs cmd (a list) in cwd with its output in log; on failure raises with the end of it."""
    shown = " ".join(shlex.quote(c) for c in cmd)
    print(f"-- conan replay: {shown}", flush=True)
    with open(log, "w") as out:
        out.write(shown + "\n\n")
        out.flush()
        rc = subprocess.run(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env=env).returncode
    if rc != 0:
        with open(log) as f:
            tail = f.read()[-6000:]
        raise ReplayError(f"{cmd[0]} failed ({rc}); log {log}\n...{tail}")


# --- settings and options -------------------------------------------------------------------------

class _Value(str):
    """A setting's value: compares as a string; sub-settings as attributes (compiler.cppstd)."""

    def __new__(cls, value, values, path):
        v = super().__new__(cls, "" if value is None else value)
        v._values, v._path = values, path
        return v

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        key = f"{self._path}.{name}"
        return _Value(self._values.get(key), self._values, key)


class _Settings:
    def __init__(self, values):
        object.__setattr__(self, "_values", dict(values))

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return _Value(self._values.get(name), self._values, name)

    def get_safe(self, name, default=None):
        return self._values.get(name, default)

    def rm_safe(self, name):
        self._values.pop(name, None)


class _Options:
    def __init__(self, values):
        object.__setattr__(self, "_values", dict(values))

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        if name not in self._values:
            raise ReplayError(f"option '{name}' does not exist (or was removed)")
        return self._values[name]

    def __setattr__(self, name, value):
        self._values[name] = value

    def __delattr__(self, name):
        del self._values[name]

    def rm_safe(self, name):
        self._values.pop(name, None)

    def get_safe(self, name, default=None):
        return self._values.get(name, default)

    def items(self):
        return self._values.items()


# --- cpp_info, folders, layouts -------------------------------------------------------------------

class _CppInfo:
    def __init__(self):
        self.includedirs = ["include"]
        self.libdirs = ["lib"]
        self.bindirs = ["bin"]
        self.resdirs = []
        self.builddirs = []
        self.frameworkdirs = []
        self.libs = []
        self.defines = []
        self.system_libs = []
        self.requires = []
        self.cxxflags = []
        self._properties = {}
        self._components = {}

    def set_property(self, name, value):
        self._properties[name] = value

    def get_property(self, name, default=None):
        return self._properties.get(name, default)

    @property
    def components(self):
        info = self

        class _Components(dict):
            def __missing__(self, key):
                c = _CppInfo()
                info._components[key] = c
                self[key] = c
                return c

        view = _Components(self._components)
        return view

    def aggregated_dirs(self, kind):
        """The package's dirs of one kind, with those of its components (aggregated_components())."""
        dirs = list(getattr(self, kind))
        for c in self._components.values():
            dirs += [d for d in getattr(c, kind) if d not in dirs]
        return dirs


class _Folders:
    def __init__(self):
        self.source = ""
        self.build = ""
        self.generators = ""


class _Layout:
    def __init__(self):
        self.includedirs = ["include"]
        self.libdirs = ["lib"]
        self.bindirs = ["bin"]
        self.resdirs = ["res"]

    @property
    def bindir(self):
        return self.bindirs[0] if self.bindirs else None

    @property
    def libdir(self):
        return self.libdirs[0] if self.libdirs else None


class _Cpp:
    def __init__(self):
        self.source = _Layout()
        self.build = _Layout()
        self.package = _Layout()


def cmake_layout(conanfile, generator=None, src_folder=".", build_folder="build"):
    """conan.tools.cmake.cmake_layout for a single-configuration generator."""
    conanfile.folders.source = src_folder
    build_type = str(conanfile.settings.build_type)
    conanfile.folders.build = os.path.join(build_folder, build_type)
    conanfile.folders.generators = os.path.join(conanfile.folders.build, "generators")
    conanfile.cpp.source.includedirs = ["include"]
    conanfile.cpp.build.libdirs = ["."]
    conanfile.cpp.build.bindirs = ["."]


# --- the recipe base class ------------------------------------------------------------------------

class _Output:
    def __init__(self, name):
        self._name = name

    def info(self, msg):
        print(f"-- conan replay: {self._name}: {msg}", flush=True)

    highlight = success = warning = info

    def error(self, msg):
        print(f"-- conan replay: {self._name}: ERROR: {msg}", flush=True)


class ConanFile:
    name = None
    version = None
    settings = ()
    options = {}
    default_options = {}
    exports_sources = ()
    generators = ()
    package_type = None
    test_type = None

    def _replay_init(self, settings, options, recipe_folder, base_folder, package_folder):
        declared = type(self).options or {}
        defaults = dict(type(self).default_options or {})
        values = {k: defaults.get(k) for k in declared}
        values.update({k: v for k, v in options.items() if k in declared})
        self.settings = _Settings({k: v for k, v in settings.items()
                                   if k.split(".")[0] in (type(self).settings or ())})
        self.options = _Options(values)
        self.recipe_folder = recipe_folder
        self._base_folder = base_folder
        self.package_folder = package_folder
        self.folders = _Folders()
        self.cpp = _Cpp()
        self.cpp_info = _CppInfo()
        self.output = _Output(type(self).__name__)
        self._requires = []
        self._deps = []  # replayed packages this one depends on: (reference, package folder, cpp_info)
        self._cache_variables = {}
        self._toolchain_file = None

    @property
    def source_folder(self):
        return os.path.normpath(os.path.join(self._base_folder, self.folders.source))

    @property
    def build_folder(self):
        return os.path.normpath(os.path.join(self._base_folder, self.folders.build))

    @property
    def generators_folder(self):
        return os.path.normpath(os.path.join(self._base_folder, self.folders.generators))

    def requires(self, ref, **traits):
        self._requires.append((ref, traits))

    def run(self, command, env=None, cwd=None, **_):
        run_env = dict(os.environ)
        if env == "conanrun":  # VirtualRunEnv: the dependencies' libdirs for shared libraries
            libdirs = [os.path.join(folder, d) for _, folder, info in self._deps for d in info.aggregated_dirs("libdirs")]
            run_env["LD_LIBRARY_PATH"] = os.pathsep.join(libdirs + [run_env.get("LD_LIBRARY_PATH", "")])
        print(f"-- conan replay: run {command}", flush=True)
        rc = subprocess.run(command, shell=True, cwd=cwd or os.getcwd(), env=run_env).returncode
        if rc != 0:
            raise ReplayError(f"'{command}' failed ({rc})")


# --- conan.tools.* --------------------------------------------------------------------------------

def load(conanfile, path, encoding="utf-8"):
    with open(path, encoding=encoding) as f:
        return f.read()


def save(conanfile, path, content, append=False, encoding="utf-8"):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "a" if append else "w", encoding=encoding) as f:
        f.write(content)


def copy(conanfile, pattern, src, dst, keep_path=True, excludes=None, ignore_case=True):
    """conan.tools.files.copy: files under src whose relative path matches pattern (fnmatch)."""
    copied = []
    excludes = [excludes] if isinstance(excludes, str) else list(excludes or ())
    for root, dirs, files in os.walk(src):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(root, name)
            rel = os.path.relpath(path, src).replace(os.sep, "/")
            match = fnmatch.fnmatch if ignore_case else fnmatch.fnmatchcase
            if not match(rel, pattern) or any(match(rel, e) for e in excludes):
                continue
            target = os.path.join(dst, rel if keep_path else name)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copy2(path, target)
            copied.append(target)
    return copied


def rmdir(conanfile, path):
    shutil.rmtree(path, ignore_errors=True)


def check_min_cppstd(conanfile, cppstd, gnu_extensions=False):
    value = conanfile.settings.get_safe("compiler.cppstd")
    if value is None:
        return
    if int(str(value).replace("gnu", "")) < int(cppstd):
        raise ConanInvalidConfiguration(f"requires at least C++{cppstd}; compiler.cppstd={value}")


def can_run(conanfile):
    return True  # not cross-building


class ConanException(Exception):
    pass


class ConanInvalidConfiguration(ConanException):
    pass


def _cmake_value(value):
    if isinstance(value, bool):
        return "ON" if value else "OFF"
    return str(value)


def _cmake_paths(paths):
    return " ".join('"{}"'.format(p.replace("\\", "/")) for p in paths)


class CMakeToolchain:
    generator = "Unix Makefiles"  # Conan's default on Linux (tools.cmake.cmaketoolchain:generator)

    def __init__(self, conanfile, generator=None):
        self._conanfile = conanfile
        self.variables = {}
        self.cache_variables = {}
        self.preprocessor_definitions = {}

    def generate(self):
        cf = self._conanfile
        lines = ["# conan_toolchain.cmake as written by the replay's CMakeToolchain stand-in"]
        fpic = cf.options.get_safe("fPIC")
        if fpic is not None:
            lines.append(f'set(CMAKE_POSITION_INDEPENDENT_CODE {_cmake_value(bool(fpic))} CACHE BOOL "Position independent code")')
        shared = cf.options.get_safe("shared")
        if shared is not None:
            lines.append(f'set(BUILD_SHARED_LIBS {_cmake_value(bool(shared))} CACHE BOOL "Build shared libraries")')
        cppstd = cf.settings.get_safe("compiler.cppstd")
        if cppstd:
            lines += [f"set(CMAKE_CXX_STANDARD {cppstd.replace('gnu', '')})",
                      f"set(CMAKE_CXX_EXTENSIONS {'ON' if cppstd.startswith('gnu') else 'OFF'})",
                      "set(CMAKE_CXX_STANDARD_REQUIRED ON)"]
        lines.append("set(CMAKE_FIND_PACKAGE_PREFER_CONFIG ON)")
        build_paths, include_paths, lib_paths = [], [], []
        for _, folder, info in cf._deps:
            build_paths += [os.path.join(folder, d) for d in info.aggregated_dirs("builddirs")]
            include_paths += [os.path.join(folder, d) for d in info.aggregated_dirs("includedirs")]
            lib_paths += [os.path.join(folder, d) for d in info.aggregated_dirs("libdirs")]
        gen = cf.generators_folder
        if build_paths:
            lines.append(f"list(PREPEND CMAKE_MODULE_PATH {_cmake_paths(build_paths)})")
        lines.append(f"list(PREPEND CMAKE_MODULE_PATH {_cmake_paths([gen])})")
        if build_paths:
            lines.append(f"list(PREPEND CMAKE_PREFIX_PATH {_cmake_paths(build_paths)})")
        lines.append(f"list(PREPEND CMAKE_PREFIX_PATH {_cmake_paths([gen])})")
        if lib_paths:
            lines.append(f"list(PREPEND CMAKE_LIBRARY_PATH {_cmake_paths(lib_paths)})")
        if include_paths:
            lines.append(f"list(PREPEND CMAKE_INCLUDE_PATH {_cmake_paths(include_paths)})")
        if cf.package_folder:
            lines.append(f'set(CMAKE_INSTALL_PREFIX "{cf.package_folder}")')
        lines += ['set(CMAKE_INSTALL_BINDIR "bin")', 'set(CMAKE_INSTALL_SBINDIR "bin")',
                  'set(CMAKE_INSTALL_LIBEXECDIR "bin")', 'set(CMAKE_INSTALL_LIBDIR "lib")',
                  'set(CMAKE_INSTALL_INCLUDEDIR "include")', 'set(CMAKE_INSTALL_OLDINCLUDEDIR "include")',
                  'set(CMAKE_INSTALL_DATAROOTDIR "res")']
        for name, value in self.variables.items():
            lines.append(f'set({name} "{_cmake_value(value)}" CACHE STRING "Variable {name} conan-toolchain defined")')
        for name, value in self.preprocessor_definitions.items():
            lines.append(f'add_compile_definitions("{name}={value}")')
        os.makedirs(gen, exist_ok=True)
        cf._toolchain_file = os.path.join(gen, "conan_toolchain.cmake")
        save(cf, cf._toolchain_file, "\n".join(lines) + "\n")
        cache = {name: _cmake_value(value) for name, value in self.cache_variables.items()}
        cache.setdefault("CMAKE_POLICY_DEFAULT_CMP0091", "NEW")
        cache["CMAKE_BUILD_TYPE"] = str(cf.settings.build_type)
        cf._cache_variables = cache
        cf._replay_recipe_cache_variables = {n: _cmake_value(v) for n, v in self.cache_variables.items()}


class CMakeDeps:
    def __init__(self, conanfile):
        self._conanfile = conanfile

    def generate(self):
        for ref, _, info in self._conanfile._deps:
            if info.get_property("cmake_find_mode") != "none":
                raise ReplayError(f"{ref}: the replay emulates CMakeDeps only for cmake_find_mode 'none'")
        for ref, _ in self._conanfile._requires:
            if not any(ref == r for r, _, _ in self._conanfile._deps):
                print(f"-- conan replay: CMakeDeps: {ref} not resolved (no ConanCenter here); the system's is used",
                      flush=True)


class CMake:
    def __init__(self, conanfile):
        self._conanfile = conanfile

    def configure(self, variables=None, build_script_folder=None, cli_args=None):
        cf = self._conanfile
        if not cf._toolchain_file:
            raise ReplayError("CMake.configure() without CMakeToolchain")
        source = cf.source_folder if not build_script_folder else os.path.join(cf.source_folder, build_script_folder)
        os.makedirs(cf.build_folder, exist_ok=True)
        cmd = ["cmake", "-G", CMakeToolchain.generator, f"-DCMAKE_TOOLCHAIN_FILE={cf._toolchain_file}"]
        if cf.package_folder:
            cmd.append(f"-DCMAKE_INSTALL_PREFIX={cf.package_folder}")
        cache = dict(cf._cache_variables)
        cache.update({k: _cmake_value(v) for k, v in (variables or {}).items()})
        if CXX:
            cache["CMAKE_CXX_COMPILER"] = CXX
        cmd += [f"-D{k}={v}" for k, v in cache.items()]
        cmd.append(source)
        cmd += list(cli_args or ())
        _run(cmd, cf.build_folder, os.path.join(cf.build_folder, "replay-configure.log"))

    def build(self, build_type=None, target=None, cli_args=None, build_tool_args=None):
        cf = self._conanfile
        cmd = ["cmake", "--build", cf.build_folder, "--config", str(cf.settings.build_type), "--parallel", str(JOBS)]
        if target:
            cmd += ["--target", target]
        _run(cmd, cf.build_folder, os.path.join(cf.build_folder, "replay-build.log"))

    def install(self, build_type=None, component=None):
        cf = self._conanfile
        cmd = ["cmake", "--install", cf.build_folder, "--config", str(cf.settings.build_type),
               "--prefix", cf.package_folder]
        if component:
            cmd += ["--component", component]
        _run(cmd, cf.build_folder, os.path.join(cf.build_folder, "replay-install.log"))


def install_modules():
    """Makes `from conan import ConanFile`, `from conan.tools.cmake import ...` etc. load these."""
    def module(name, **names):
        m = types.ModuleType(name)
        m.__dict__.update(names)
        sys.modules[name] = m
        return m

    conan = module("conan", ConanFile=ConanFile)
    conan.tools = module("conan.tools")
    conan.tools.cmake = module("conan.tools.cmake", CMake=CMake, CMakeToolchain=CMakeToolchain,
                               CMakeDeps=CMakeDeps, cmake_layout=cmake_layout)
    conan.tools.files = module("conan.tools.files", copy=copy, load=load, save=save, rmdir=rmdir)
    conan.tools.build = module("conan.tools.build", check_min_cppstd=check_min_cppstd, can_run=can_run)
    conan.errors = module("conan.errors", ConanException=ConanException,
                          ConanInvalidConfiguration=ConanInvalidConfiguration)


def _load_recipe(path):
    spec = importlib.util.spec_from_file_location(f"replayed_{abs(hash(path))}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    recipes = [v for v in vars(mod).values()
               if isinstance(v, type) and issubclass(v, ConanFile) and v is not ConanFile]
    if len(recipes) != 1:
        raise ReplayError(f"{path}: expected one ConanFile class, found {len(recipes)}")
    return recipes[0]


def _call(conanfile, method, cwd=None):
    fn = getattr(conanfile, method, None)
    if fn is None:
        return
    old = os.getcwd()
    if cwd:
        os.makedirs(cwd, exist_ok=True)
        os.chdir(cwd)
    try:
        fn()
    finally:
        os.chdir(old)


DEFAULT_SETTINGS = {"os": "Linux", "arch": "x86_64", "compiler": "gcc", "compiler.version": "12",
                    "compiler.libcxx": "libstdc++11", "compiler.cppstd": "20", "build_type": "Release"}


def create(recipe_folder, work, settings=None, options=None):
    """`conan create <recipe_folder>`: export, build, package; then the recipe's test_package.
    Returns a dict describing the package."""
    install_modules()
    settings = dict(DEFAULT_SETTINGS, **(settings or {}))
    cls = _load_recipe(os.path.join(recipe_folder, "conanfile.py"))
    base = os.path.join(work, "b")
    package_folder = os.path.join(work, "p")
    for d in (base, package_folder):
        shutil.rmtree(d, ignore_errors=True)
    recipe = cls()
    recipe._replay_init(settings, options or {}, recipe_folder, base, package_folder)
    _call(recipe, "set_version")
    ref = f"{recipe.name}/{recipe.version}"
    # export: the exports_sources, copied into what becomes the source folder
    patterns = [cls.exports_sources] if isinstance(cls.exports_sources, str) else list(cls.exports_sources or ())
    excludes = [p[1:] for p in patterns if p.startswith("!")]
    for p in patterns:
        if not p.startswith("!"):
            copy(recipe, p, recipe_folder, base, excludes=excludes)
    for method in ("config_options", "configure", "requirements", "validate", "layout"):
        _call(recipe, method)
    print(f"-- conan replay: {ref}: options {dict(recipe.options.items())}; requires "
          + ", ".join(r for r, _ in recipe._requires), flush=True)
    _call(recipe, "source", recipe.source_folder)
    _call(recipe, "generate", recipe.generators_folder)
    _call(recipe, "build", recipe.build_folder)
    _call(recipe, "package", recipe.build_folder)
    _call(recipe, "package_info")
    package = {"ref": ref, "folder": package_folder, "cpp_info": recipe.cpp_info,
               "requires": recipe._requires, "options": dict(recipe.options.items()),
               "cache_variables": getattr(recipe, "_replay_recipe_cache_variables", {}),
               "source_folder": recipe.source_folder}

    test_folder = os.path.join(recipe_folder, "test_package")
    if os.path.exists(os.path.join(test_folder, "conanfile.py")):
        tcls = _load_recipe(os.path.join(test_folder, "conanfile.py"))
        test_base = os.path.join(work, "test")
        shutil.rmtree(test_base, ignore_errors=True)
        shutil.copytree(test_folder, test_base)
        tester = tcls()
        tester._replay_init(settings, {}, test_folder, test_base, None)
        tester.tested_reference_str = ref
        tester._deps = [(ref, package_folder, recipe.cpp_info)]
        for method in ("config_options", "configure", "requirements", "validate", "layout"):
            _call(tester, method)
        gens = [tcls.generators] if isinstance(tcls.generators, str) else list(tcls.generators or ())
        for name in gens:
            generator = {"CMakeToolchain": CMakeToolchain, "CMakeDeps": CMakeDeps}.get(name)
            if generator is None:
                raise ReplayError(f"test_package: generator {name} has no stand-in")
            old = os.getcwd()
            os.makedirs(tester.generators_folder, exist_ok=True)
            os.chdir(tester.generators_folder)
            try:
                generator(tester).generate()
            finally:
                os.chdir(old)
        _call(tester, "generate", tester.generators_folder)
        _call(tester, "build", tester.build_folder)
        _call(tester, "test", tester.build_folder)
        package["test_build_folder"] = tester.build_folder
    return package
