#!/usr/bin/env python3
"""Writes the fixed ConverseStream answer that nginx serves in bench/compare.sh.

The body is a real application/vnd.amazon.eventstream response (prelude and message CRCs, Bedrock's `p` padding),
framed by the suite's encoder (Tests/integration/eventstream.py) in the order Bedrock sends the events:
messageStart, one contentBlockDelta per word, contentBlockStop, messageStop, metadata.

    standin_stream.py --out FILE     # prints the text the deltas carry (what a client must reassemble)
"""
import argparse
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "Tests" / "integration"))

import eventstream  # noqa: E402

TEXT = "stand-in reply from amazon.titan-text-express-v1 via converse-stream"


def body() -> bytes:
    words = TEXT.split()
    frames = [eventstream.event_frame("messageStart", {"role": "assistant"})]
    frames += [
        eventstream.event_frame("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": word + " "}})
        for word in words
    ]
    frames += [
        eventstream.event_frame("contentBlockStop", {"contentBlockIndex": 0}),
        eventstream.event_frame("messageStop", {"stopReason": "end_turn"}),
        eventstream.event_frame(
            "metadata",
            {
                "usage": {"inputTokens": 12, "outputTokens": len(words), "totalTokens": 12 + len(words)},
                "metrics": {"latencyMs": 9},
            },
        ),
    ]
    return b"".join(frames)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, help="file to write the event-stream body to")
    args = parser.parse_args()
    data = body()
    frames, rest = eventstream.split_frames(data)
    if rest or len(frames) != len(TEXT.split()) + 4:
        sys.exit("standin_stream.py: the encoded stream does not split back into its frames")
    pathlib.Path(args.out).write_bytes(data)
    print(TEXT)


if __name__ == "__main__":
    main()
