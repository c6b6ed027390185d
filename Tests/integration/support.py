"""Process and network helpers for the integration suite: free ports, readiness polling, child processes, RESP."""
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_get(url: str, timeout: float = 5.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


class ChildProcess:
    """A child process whose stdout and stderr go to a log file; stopped with SIGTERM, then SIGKILL."""

    def __init__(self, name: str, argv: list[str], log_dir: pathlib.Path, env: dict[str, str] | None = None,
                 cwd: pathlib.Path | None = None):
        self.name = name
        self.argv = argv
        self.log_path = log_dir / f"{name}.log"
        self._log = open(self.log_path, "wb")
        self.process = subprocess.Popen(argv, stdout=self._log, stderr=subprocess.STDOUT, env=env, cwd=cwd,
                                        start_new_session=True)

    def log_text(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def tail(self, lines: int = 60) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def alive(self) -> bool:
        return self.process.poll() is None

    def wait_until(self, ready, timeout: float, what: str) -> None:
        """Polls `ready()` until true; fails with the process's log if it exits or times out first."""
        deadline = time.monotonic() + timeout
        last_error = None
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"{self.name} exited with status {self.process.returncode} before {what}.\n"
                                   f"command: {' '.join(self.argv)}\n--- {self.name} log ---\n{self.tail()}")
            try:
                if ready():
                    return
            except OSError as error:
                last_error = error
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.name} did not reach {what} within {timeout:.0f} s (last error: {last_error}).\n"
                           f"command: {' '.join(self.argv)}\n--- {self.name} log ---\n{self.tail()}")

    def stop(self, timeout: float = 10.0) -> int | None:
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self._log.close()
        return self.process.returncode


def port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def gateway_binary() -> pathlib.Path:
    """The gateway built from this tree: $GATEWAY_BIN, else `swift build --show-bin-path`/gateway."""
    explicit = os.environ.get("GATEWAY_BIN")
    if explicit:
        path = pathlib.Path(explicit)
        if not path.is_file():
            raise FileNotFoundError(f"GATEWAY_BIN={explicit} does not exist; build it with `swift build --product gateway`")
        return path
    if shutil.which("swift") is None:
        raise FileNotFoundError("`swift` is not on PATH and GATEWAY_BIN is not set; cannot locate the gateway binary")
    bin_dir = subprocess.run(["swift", "build", "--show-bin-path"], cwd=ROOT, check=True, capture_output=True,
                             text=True, timeout=300).stdout.strip()
    path = pathlib.Path(bin_dir) / "gateway"
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: run `swift build --product gateway` in {ROOT} "
                                "(scripts/test.sh does), or point GATEWAY_BIN at a built gateway")
    return path


class RespClient:
    """A minimal Redis RESP2 client (enough to inspect what the gateway stored)."""

    def __init__(self, port: int):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.reader = self.sock.makefile("rb")

    def close(self) -> None:
        self.reader.close()
        self.sock.close()

    def command(self, *args: str | bytes):
        out = b"*%d\r\n" % len(args)
        for arg in args:
            raw = arg.encode() if isinstance(arg, str) else arg
            out += b"$%d\r\n%s\r\n" % (len(raw), raw)
        self.sock.sendall(out)
        return self._read()

    def _read(self):
        line = self.reader.readline()
        kind, rest = line[:1], line[1:-2]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            raise RuntimeError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            size = int(rest)
            if size < 0:
                return None
            data = self.reader.read(size + 2)[:-2]
            return data
        if kind == b"*":
            size = int(rest)
            return None if size < 0 else [self._read() for _ in range(size)]
        raise RuntimeError(f"unexpected RESP reply {line!r}")
