#!/usr/bin/env python3
"""The local STS of bench/sts-economics.sh: one moto_server behind the suite's counting proxy.

Runs one listener per gateway replica (Tests/integration/sts_counting_proxy.py), all forwarding to the same
moto_server, so every AssumeRoleWithWebIdentity lands in one log and the log says which replica made it (each
replica is given its own listener as GATEWAY_STS_ENDPOINT). With --lifetime the `<Expiration>` of every answer
is rewritten to now + LIFETIME seconds (STS's minimum DurationSeconds is 900), so credentials expire, and are
refreshed, within a short run.

Each call is appended to --calls as one JSON line, flushed at once: replica, role, session name, the
DurationSeconds asked for, moto's status, when the call arrived and was answered, the expiration returned and the
one moto gave. The web-identity token is never written. Writes {"ports": [...]} to --ports once every listener
is up; runs until SIGTERM or SIGINT.
"""
import argparse
import json
import pathlib
import signal
import sys
import threading

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "Tests" / "integration"))

from sts_counting_proxy import STSCountingProxy  # noqa: E402

_LOGGED = ("role_arn", "session_name", "duration", "status", "received_at", "answered_at", "expiration",
           "upstream_expiration", "client_port")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--target", required=True, help="moto_server URL")
    parser.add_argument("--replicas", type=int, required=True, help="number of listeners (one per gateway)")
    parser.add_argument("--lifetime", type=int, help="rewrite each credential's Expiration to now + LIFETIME s")
    parser.add_argument("--calls", required=True, help="JSON-lines file receiving one line per call")
    parser.add_argument("--ports", required=True, help="file receiving {\"ports\": [...]} once listening")
    args = parser.parse_args()
    if args.replicas < 1:
        parser.error("--replicas must be at least 1")

    log = open(args.calls, "a", encoding="utf-8")
    log_lock = threading.Lock()

    def recorder(replica: int):
        def record(call: dict) -> None:
            line = {"replica": replica, **{key: call.get(key) for key in _LOGGED}}
            line["has_session_policy"] = bool(call.get("policy"))
            with log_lock:
                log.write(json.dumps(line) + "\n")
                log.flush()
        return record

    proxies = [STSCountingProxy(args.target, lifetime_seconds=args.lifetime, on_call=recorder(index)).start()
               for index in range(args.replicas)]
    ports = pathlib.Path(args.ports)
    ports.with_suffix(".tmp").write_text(json.dumps({"ports": [proxy.port for proxy in proxies]}))
    ports.with_suffix(".tmp").rename(ports)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    while not stop.wait(0.5):
        pass
    for proxy in proxies:
        proxy.stop()
    log.close()


if __name__ == "__main__":
    main()
