#!/usr/bin/env python3
"""Independent check of the Swift event-stream codec against botocore.

  decode IN.hex OUT.json   decode the frames in IN.hex with botocore's EventStreamBuffer (fed in uneven
                           chunks) and write what botocore saw as JSON.
  encode SEED OUT.hex OUT.json
                           build frames by hand with struct and zlib.crc32 (botocore has no encoder), with
                           headers of every wire type, and write the bytes plus the intended headers/payloads.

Exit status 3 means botocore is not importable.
"""
import json
import random
import struct
import sys
import zlib

try:
    from botocore.eventstream import EventStreamBuffer
except ImportError as error:  # pragma: no cover - reported by the Swift test
    print(f"botocore is not importable: {error}", file=sys.stderr)
    sys.exit(3)


def describe_value(value):
    if isinstance(value, bool):
        return {"kind": "bool", "value": value}
    if isinstance(value, int):
        return {"kind": "int", "value": value}
    if isinstance(value, (bytes, bytearray)):
        return {"kind": "bytes", "value": bytes(value).hex()}
    if isinstance(value, str):
        return {"kind": "string", "value": value}
    raise TypeError(f"unexpected header value {value!r}")


def decode(in_path, out_path):
    data = bytes.fromhex(open(in_path).read().strip())
    buffer = EventStreamBuffer()
    messages = []
    offset, step = 0, 1
    while offset < len(data):
        buffer.add_data(data[offset:offset + step])
        offset += step
        step = step * 3 % 251 + 1
        for message in buffer:
            messages.append({
                "headers": {name: describe_value(value) for name, value in message.headers.items()},
                "payload": message.payload.hex(),
            })
    with open(out_path, "w") as out:
        json.dump(messages, out)


def encode_header(name, type_code, value):
    raw_name = name.encode("utf-8")
    out = struct.pack("!B", len(raw_name)) + raw_name + struct.pack("!B", type_code)
    if type_code in (0, 1):
        return out
    if type_code == 2:
        return out + struct.pack("!b", value)
    if type_code == 3:
        return out + struct.pack("!h", value)
    if type_code == 4:
        return out + struct.pack("!i", value)
    if type_code in (5, 8):
        return out + struct.pack("!q", value)
    if type_code == 6:
        raw = bytes.fromhex(value)
        return out + struct.pack("!H", len(raw)) + raw
    if type_code == 7:
        raw = value.encode("utf-8")
        return out + struct.pack("!H", len(raw)) + raw
    if type_code == 9:
        raw = bytes.fromhex(value)
        assert len(raw) == 16
        return out + raw
    raise ValueError(type_code)


def encode_frame(headers, payload):
    header_bytes = b"".join(encode_header(h["name"], h["type"], h["value"]) for h in headers)
    total = 16 + len(header_bytes) + len(payload)
    prelude = struct.pack("!II", total, len(header_bytes))
    prelude += struct.pack("!I", zlib.crc32(prelude) & 0xFFFFFFFF)
    body = prelude + header_bytes + payload
    return body + struct.pack("!I", zlib.crc32(body) & 0xFFFFFFFF)


def random_value(rng, type_code):
    if type_code in (0, 1):
        return type_code == 0
    if type_code == 2:
        return rng.randint(-128, 127)
    if type_code == 3:
        return rng.randint(-32768, 32767)
    if type_code == 4:
        return rng.randint(-2**31, 2**31 - 1)
    if type_code in (5, 8):
        return rng.randint(-2**63, 2**63 - 1)
    if type_code == 6:
        return bytes(rng.randrange(256) for _ in range(rng.randint(0, 30))).hex()
    if type_code == 7:
        return "".join(rng.choice("abcXYZ019 -:é€😀") for _ in range(rng.randint(0, 20)))
    return bytes(rng.randrange(256) for _ in range(16)).hex()


def encode(seed, hex_path, json_path):
    rng = random.Random(seed)
    frames, described = [], []
    for index in range(60):
        count = rng.randint(0, 11)
        headers = []
        for number in range(count):
            type_code = rng.randint(0, 9) if index % 10 else number % 10
            headers.append({"name": f"h{number}-{rng.choice(['x', 'é', ':a'])}", "type": type_code,
                            "value": random_value(rng, type_code)})
        payload = bytes(rng.randrange(256) for _ in range(rng.randint(0, 300)))
        frames.append(encode_frame(headers, payload))
        described.append({"headers": headers, "payload": payload.hex()})
    with open(hex_path, "w") as out:
        out.write(b"".join(frames).hex())
    with open(json_path, "w") as out:
        json.dump(described, out)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "decode":
        decode(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 5 and sys.argv[1] == "encode":
        encode(int(sys.argv[2]), sys.argv[3], sys.argv[4])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
