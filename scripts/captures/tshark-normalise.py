#!/usr/bin/env python3
"""Reads `tshark -T json -x -Y websocket` from stdin and prints one JSON object per
WebSocket frame tshark's dissector reports, in capture order, with frame-dump's field
names. Usage: tshark-normalise.py SERVER_PORT."""
import json
import sys

server_port = sys.argv[1]
packets = json.load(sys.stdin)


def first(value):
    return value[0] if isinstance(value, list) else value


for packet in packets:
    layers = packet["_source"]["layers"]
    frames = layers.get("websocket")
    if frames is None:
        continue
    if isinstance(frames, dict):
        frames = [frames]
    tcp = layers["tcp"]
    direction = "server" if first(tcp["tcp.srcport"]) == server_port else "client"
    for ws in frames:
        length = int(ws["websocket.payload_length"])
        if "websocket.payload_length_ext_16" in ws:
            length = int(ws["websocket.payload_length_ext_16"])
        elif "websocket.payload_length_ext_64" in ws:
            length = int(ws["websocket.payload_length_ext_64"])
        out = {
            "frame_number": int(layers["frame"]["frame.number"]),
            "direction": direction,
            "fin": ws["websocket.fin"] == "1",
            "rsv1": int(ws["websocket.rsv"], 16) & 4 != 0,
            "opcode": int(ws["websocket.opcode"]),
            "masked": ws["websocket.mask"] == "1",
            "mask": ws["websocket.masking_key_raw"][0] if "websocket.masking_key_raw" in ws else None,
            "length": length,
            "payload_hex": ws["websocket.payload_raw"][0] if "websocket.payload_raw" in ws else "",
        }
        payload = ws.get("websocket.payload")
        if isinstance(payload, dict):
            close = payload.get("websocket.payload.close")
            if isinstance(close, dict):
                out["close_code"] = int(close["websocket.payload.close.status_code"])
                if "websocket.payload.close.reason" in close:
                    out["close_reason"] = close["websocket.payload.close.reason"]
            if "websocket.payload.text" in payload:
                out["text"] = payload["websocket.payload.text"]
        print(json.dumps(out, sort_keys=True))
