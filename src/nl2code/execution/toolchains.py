"""What each language needs installed on the machine, and installing it with the system's package
managers (Debian's apt, npm), idempotently.

The packages, executables and version command of a language are facts of its `Language`
(`nl2code.execution.languages`, field `packages`: {"apt": (...), "npm": (...)}): this module reads
them from the registry, so the installer, `doctor` and the executor never disagree. Only the
languages without a module yet (`PENDING`, empty now) are listed here. Julia and Swift, which no
registry here packages, are path-only: used where their executables are on PATH, never
installed, and `doctor` says where to get them. Nothing here runs a sample; the sandbox runs
compilers and programs.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache

from nl2code.errors import ConfigError, ExecutionError

log = logging.getLogger(__name__)

APT_LOCK_WAIT_S = 900  # several installs at once (CI and a user's shell) queue on dpkg's lock

# Debian packages whose tool may come from elsewhere: NodeSource's nodejs bundles npm, and
# Debian's `npm` package would then conflict with it. The executable stands for the package.
STANDS_IN: dict[str, str] = {"nodejs": "node", "npm": "npm"}


@dataclass(frozen=True, slots=True)
class AptPackage:
    """A Debian package. `command`: an executable that stands for it where the tool came from
    elsewhere."""

    name: str
    command: str = ""


@dataclass(frozen=True, slots=True)
class NpmPackage:
    """A package installed globally with npm: `npm install -g name[@version]`; without a
    version any installed one will do."""

    name: str
    version: str = ""

    @property
    def spec(self) -> str:
        return f"{self.name}@{self.version}" if self.version else self.name

    @classmethod
    def parse(cls, spec: str) -> NpmPackage:
        name, at, version = spec.rpartition("@") if spec.rfind("@") > 0 else (spec, "", "")
        return cls(name, version) if at else cls(spec)


@dataclass(frozen=True, slots=True)
class Toolchain:
    """The packages a language needs, the executables they must provide, and its version command.

    `path_only`: no package in Debian 12, npm or PyPI provides it (Julia, Swift); the language is
    used where its executables are on PATH and never installed. `note` says what is special."""

    apt: tuple[AptPackage, ...] = ()
    npm: tuple[NpmPackage, ...] = ()
    executables: tuple[str, ...] = ()
    version: tuple[str, ...] = ()
    path_only: bool = False
    note: str = ""


def apt(*names: str) -> tuple[AptPackage, ...]:
    return tuple(AptPackage(n, STANDS_IN.get(n, "")) for n in names)


# Languages without a module in the registry yet, used where their toolchain is on PATH (none
# now: Julia and Swift have modules that say where to get them, `Language.install_from`).
PENDING: dict[str, Toolchain] = {}

PENDING_ALIASES: dict[str, str] = {}


def _from_language(language) -> Toolchain:  # noqa: ANN001 - a languages.Language
    packages = language.packages or {}
    executables = tuple(language.executable(t) or t for t in language.toolchain)
    version = language.version_argv or (language.toolchain[0], "--version")
    return Toolchain(
        apt=apt(*packages.get("apt", ())), npm=tuple(NpmPackage.parse(p) for p in packages.get("npm", ())),
        executables=executables, version=version, path_only=bool(language.install_from),
        note=language.how_to_install() if language.install_from else "",
    )


def all_toolchains() -> dict[str, Toolchain]:
    """Every language's toolchain, by canonical name: the registered languages', then PENDING."""
    from nl2code.execution import languages

    found = {language.name: _from_language(language) for language in languages.all_languages()}
    for name, chain in PENDING.items():
        found.setdefault(name, chain)
    return found


def canonical(name: str) -> str:
    """The canonical name of a language from any of its names, or an error listing them."""
    from nl2code.execution import languages

    key = name.strip().lower()
    key = PENDING_ALIASES.get(key, key)
    if key in PENDING:
        return key
    try:
        return languages.get(key).name
    except ConfigError:
        known = ", ".join(sorted(all_toolchains()))
        raise ConfigError(f"unknown language {name!r}: use one of {known} (or a MultiPL-E code such as cs, rs, ts)") from None


def toolchain(name: str) -> Toolchain:
    return all_toolchains()[canonical(name)]


def which(executable: str) -> str | None:
    """The path of an executable (absolute names are checked as they are)."""
    if os.path.isabs(executable):
        return executable if os.access(executable, os.X_OK) else None
    return shutil.which(executable)


@dataclass(slots=True)
class Plan:
    """What is missing for a set of languages, and what cannot be installed here."""

    languages: tuple[str, ...]
    apt: list[str] = field(default_factory=list)
    npm: list[str] = field(default_factory=list)
    unavailable: dict[str, str] = field(default_factory=dict)  # path-only languages not on PATH

    @property
    def empty(self) -> bool:
        return not self.apt and not self.npm


def dpkg_installed(packages: Iterable[str]) -> set[str]:
    """The subset of `packages` that dpkg reports installed (one dpkg-query for all)."""
    names = sorted(set(packages))
    if not names or shutil.which("dpkg-query") is None:
        return set()
    result = subprocess.run(
        ["dpkg-query", "-W", "-f=${Package}\t${db:Status-Abbrev}\n", *names],
        capture_output=True, text=True, check=False,
    )
    return {line.split("\t")[0].split(":")[0] for line in result.stdout.splitlines() if "\tii" in line}


@cache
def npm_root() -> str | None:
    """npm's global node_modules directory (where `npm install -g` puts packages)."""
    npm = shutil.which("npm")
    if npm is None:
        return None
    result = subprocess.run([npm, "root", "-g"], capture_output=True, text=True, check=False)
    root = result.stdout.strip()
    return root or None


def npm_installed(package: NpmPackage) -> bool:
    """Whether `package` (its pinned version, where it has one) is installed globally."""
    import json

    root = npm_root()
    if root is None:
        return False
    try:
        with open(os.path.join(root, package.name, "package.json")) as f:
            found = json.load(f).get("version")
    except (OSError, ValueError):
        return False
    return bool(found) and (not package.version or found == package.version)


def plan(languages: Sequence[str]) -> Plan:
    """What `install` would do for `languages` (canonical names or aliases; none: all)."""
    table = all_toolchains()
    names = tuple(dict.fromkeys(canonical(n) for n in languages)) if languages else tuple(table)
    chains = [table[n] for n in names]
    wanted = [p for chain in chains for p in chain.apt]
    have = dpkg_installed(p.name for p in wanted)
    result = Plan(names)
    for package in dict.fromkeys(wanted):
        if package.name in have or (package.command and shutil.which(package.command)):
            continue
        result.apt.append(package.name)
    result.npm = list(dict.fromkeys(p.spec for chain in chains for p in chain.npm if not npm_installed(p)))
    for name, chain in zip(names, chains):
        if chain.path_only and not all(which(e) for e in chain.executables):
            result.unavailable[name] = chain.note
    return result


Runner = Callable[[Sequence[str]], int]


def run_inherited(argv: Sequence[str]) -> int:
    """Run a package manager with the caller's terminal: its own progress output is the progress."""
    log.info("running %s", " ".join(argv))
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    return subprocess.run(list(argv), env=env, check=False).returncode


def commands(todo: Plan) -> list[list[str]]:
    """The package-manager commands that install what `todo` lists, in order."""
    argvs: list[list[str]] = []
    if todo.apt:
        argvs.append(["apt-get", "update", "-q"])
        argvs.append([
            "apt-get", "install", "-y", "-q", "--no-install-recommends",
            "-o", f"DPkg::Lock::Timeout={APT_LOCK_WAIT_S}", *todo.apt,
        ])
    if todo.npm:
        argvs.append(["npm", "install", "--global", "--no-audit", "--no-fund", *todo.npm])
    return argvs


def install(todo: Plan, runner: Runner = run_inherited) -> None:
    """Install what `todo` lists. Needs root for apt (and for npm's global directory when it is
    a system one); an error names the commands to run otherwise."""
    if todo.empty:
        return
    argvs = commands(todo)
    if os.geteuid() != 0 and (todo.apt or not _writable(npm_root())):
        shown = "\n  ".join(" ".join(a) for a in argvs)
        raise ConfigError(f"installing toolchains needs root; run as root, or run these yourself:\n  {shown}")
    for argv in argvs:
        if argv[0] == "npm" and shutil.which("npm") is None:
            raise ExecutionError("npm is still missing after the apt step; install Debian's npm package or NodeSource's nodejs")
        code = runner(argv)
        if code != 0:
            raise ExecutionError(f"`{' '.join(argv)}` failed with exit status {code}; its output above says why")
    npm_root.cache_clear()
    left = plan(todo.languages)
    if not left.empty:
        raise ExecutionError(f"still missing after installing: apt {left.apt or '-'}, npm {left.npm or '-'}")


def prepare(names: Iterable[str]) -> dict[str, list[str]]:
    """Build each language's shared artifacts (precompiled headers, class-data archives, the warm
    Go cache, ...) now rather than in the middle of a run: name -> what exists afterwards.
    Idempotent and quick when they are there."""
    from nl2code.execution import languages

    registered = set(languages.names())
    built = {}
    for name in names:
        language = languages.get(name) if name in registered else None
        hook = getattr(language, "prepare", None)
        if hook is not None and language.available():
            built[name] = hook()
    return built


def _writable(path: str | None) -> bool:
    return path is not None and os.access(path, os.W_OK)


def version(name: str, timeout: float = 60) -> str | None:
    """The first line a language's version command prints, or None where its toolchain is missing.

    Runs the installed (trusted) compiler or runtime with a fixed argument, never a sample."""
    chain = toolchain(name)
    if not chain.version or which(chain.version[0]) is None or not all(which(e) for e in chain.executables):
        return None
    try:
        result = subprocess.run(
            [which(chain.version[0]) or chain.version[0], *chain.version[1:]],
            capture_output=True, text=True, timeout=timeout, check=False, stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.warning("%s: version command failed: %s", name, exc)
        return None
    lines = [line.strip() for line in (result.stdout + "\n" + result.stderr).splitlines()]
    # the JVM's option warnings come first on some versions (Debian's kotlinc)
    lines = [line for line in lines if line and "warning" not in line.lower()]
    return lines[0] if lines else None


def versions(names: Iterable[str]) -> dict[str, str | None]:
    """`version` of each language, run side by side: the JVM-based ones take seconds each."""
    from concurrent.futures import ThreadPoolExecutor

    names = list(names)
    with ThreadPoolExecutor(max_workers=max(1, min(8, len(names)))) as pool:
        return dict(zip(names, pool.map(version, names)))
