"""Encoder for the AWS event-stream binary framing (application/vnd.amazon.eventstream).

Frame layout (big-endian), as botocore's `eventstream.py` decodes it:

    uint32 total_length | uint32 headers_length | uint32 prelude_crc (CRC-32 of the first 8 bytes)
    headers | payload | uint32 message_crc (CRC-32 of everything before it)

Only string headers (type 7) are needed by Bedrock's streams.
"""
import base64
import json
import os
import struct
import zlib

_STRING_HEADER = 7


def encode_headers(headers: dict[str, str]) -> bytes:
    out = bytearray()
    for name, value in headers.items():
        raw_name = name.encode("utf-8")
        raw_value = value.encode("utf-8")
        out += struct.pack(">B", len(raw_name)) + raw_name
        out += struct.pack(">BH", _STRING_HEADER, len(raw_value)) + raw_value
    return bytes(out)


def encode_frame(headers: dict[str, str], payload: bytes) -> bytes:
    """One complete event-stream message with valid prelude and message CRCs."""
    raw_headers = encode_headers(headers)
    total = 12 + len(raw_headers) + len(payload) + 4
    prelude = struct.pack(">II", total, len(raw_headers))
    prelude += struct.pack(">I", zlib.crc32(prelude) & 0xFFFFFFFF)
    body = prelude + raw_headers + payload
    return body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def padding() -> str:
    """Bedrock's random-length `p` field, which parsers must ignore."""
    return base64.b32encode(os.urandom(15)).decode("ascii").lower()[: 4 + os.urandom(1)[0] % 20]


def event_frame(event_type: str, body: dict) -> bytes:
    """An `:message-type event` frame with a JSON payload (with Bedrock's `p` padding)."""
    payload = dict(body)
    payload["p"] = padding()
    return encode_frame(
        {":event-type": event_type, ":content-type": "application/json", ":message-type": "event"},
        json.dumps(payload, separators=(",", ":")).encode("utf-8"),
    )


def chunk_frame(inner: dict) -> bytes:
    """An InvokeModelWithResponseStream `chunk` event carrying `inner` as base64 JSON bytes."""
    raw = json.dumps(inner, separators=(",", ":")).encode("utf-8")
    return event_frame("chunk", {"bytes": base64.b64encode(raw).decode("ascii")})


def exception_frame(exception_type: str, message: str) -> bytes:
    """An `:message-type exception` frame, as Bedrock sends for a failure after the stream started."""
    return encode_frame(
        {
            ":exception-type": exception_type,
            ":content-type": "application/json",
            ":message-type": "exception",
        },
        json.dumps({"message": message}, separators=(",", ":")).encode("utf-8"),
    )


def split_frames(data: bytes) -> tuple[list[bytes], bytes]:
    """Complete frames at the front of `data`, and the incomplete rest."""
    frames = []
    while len(data) >= 4:
        (total,) = struct.unpack(">I", data[:4])
        if len(data) < total:
            break
        frames.append(data[:total])
        data = data[total:]
    return frames, data
