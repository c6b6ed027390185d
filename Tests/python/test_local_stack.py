"""scripts/local_stack.py, the driver of the one-command local stack (scripts/local-stack.sh without the installer):
the scripted session shows every step, and nothing it started outlives it, whether it ends by itself or by Ctrl-C.

Needs the gateway binary (`swift build --product gateway`, or GATEWAY_BIN), redis-server and the .venv tools, as
scripts/test.sh provides.
"""
import os
import pathlib
import re
import signal
import subprocess
import sys
import time

from repo_paths import ROOT, built_binary

DRIVER = ROOT / "scripts" / "local_stack.py"

# One line per step of the session (issue 5, point 3), as the driver prints them.
STEP_LINES = [
    r"-> Converse answered: 'stand-in reply from amazon\.titan-text-express-v1 via converse'",
    r"-> Streamed answer: stand-in reply from us\.anthropic\.claude-sonnet-4-5-20250929-v1:0 via converse-stream",
    r"-> auto -> simple: amazon\.titan-text-express-v1 .*\n\s+reason: \S.+",
    r"-> auto -> complex: us\.anthropic\.claude-sonnet-4-5-20250929-v1:0 .*\n\s+reason: \S.+",
    r"-> Model outside the allow-list refused: AccessDeniedException: .*claude-3-haiku.*titan-text-express",
    r"-> Caller outside the use case's groups refused: AccessDeniedException: .*UseCaseA.*genai-usecase-a",
    r"-> Credential cache: 20 requests, 1 STS call \(arn:aws:iam::222222222222:role/ACME-GenAI-UseCaseB-",
    r"verified (\d+) of \1 upstream requests' SigV4 signatures",
    r"Demo complete: every step behaved as expected\.",
]


def _python() -> str:
    venv = ROOT / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def _driver(*args: str) -> subprocess.Popen:
    return subprocess.Popen([_python(), str(DRIVER), "--gateway-bin", str(built_binary("gateway")), *args],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)


def _started_pids(output: str) -> list[int]:
    pids = sorted({int(pid) for pid in re.findall(r"^  \S.*\bpid (\d+)\b", output, re.MULTILINE)})
    assert len(pids) == 3, f"expected moto_server, redis-server and gateway pids in the output:\n{output}"
    return pids


def _assert_nothing_survives(pids: list[int], output: str) -> None:
    survivors = []
    for pid in pids:
        try:
            os.killpg(pid, 0)  # each child leads its own process group: this also catches anything it started
            survivors.append(pid)
        except ProcessLookupError:
            pass
    for pid in survivors:
        os.killpg(pid, signal.SIGKILL)
    assert not survivors, f"process groups {survivors} outlived the driver:\n{output}"
    for name in ("gateway", "redis-server", "moto_server"):
        assert re.search(rf"stopped {name} \(pid \d+, status", output), f"{name} was not reported stopped:\n{output}"


def test_demo_shows_every_step_and_stops_everything():
    driver = _driver("--demo")
    try:
        output, _ = driver.communicate(timeout=300)
    finally:
        if driver.poll() is None:
            os.killpg(driver.pid, signal.SIGKILL)
    assert driver.returncode == 0, f"the demo failed ({driver.returncode}):\n{output}"
    for pattern in STEP_LINES:
        assert re.search(pattern, output), f"missing /{pattern}/ in the demo's output:\n{output}"
    _assert_nothing_survives(_started_pids(output), output)


def test_serve_stops_everything_on_ctrl_c():
    driver = _driver("--serve")
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            line = driver.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "Press Ctrl-C to stop everything." in line:
                break
        output = "".join(lines)
        assert "Press Ctrl-C" in output, f"--serve never reached its serving state:\n{output}"
        tokens = pathlib.Path(re.search(r"are in (\S+)/:", output).group(1))
        assert (tokens / "alice.jwt").stat().st_mode & 0o077 == 0, "caller tokens must be readable by the owner only"
        driver.send_signal(signal.SIGINT)
        rest, _ = driver.communicate(timeout=60)
    finally:
        if driver.poll() is None:
            os.killpg(driver.pid, signal.SIGKILL)
    output += rest
    assert "SIGINT received: stopping." in output, output
    assert driver.returncode == 130, f"exit status {driver.returncode} after Ctrl-C:\n{output}"
    assert not tokens.exists(), "the caller tokens written for --serve must be removed on exit"
    _assert_nothing_survives(_started_pids(output), output)
