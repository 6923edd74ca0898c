#!/usr/bin/env bash
# Records the loopback captures under Tests/WSKCLITests/Resources/Captures/ and tshark's
# view of each, which the tests compare frame-dump's JSON with (so CI needs no tshark).
#
#   scripts/record-captures.sh      needs root for capturing, tshark, node-ws, python websockets
#                                   (apt-get install -y tshark node-ws; pip install websockets)
#
# Captures (peer echo servers from ../shared/peers, clients in scripts/captures/):
#   py-websockets-deflate.pcapng  Python websockets client and server, permessage-deflate (lo, Ethernet)
#   node-ws.pcap                  Node ws client and server, no compression (classic pcap)
#   node-ws-deflate-any.pcapng    Node ws both sides with permessage-deflate, captured on
#                                 "any" (Linux cooked capture link type: SLL v1 with tshark 4.0)
# For each, NAME.tshark.jsonl holds one normalised object per WebSocket frame that tshark's
# dissector reports (scripts/captures/tshark-normalise.py).
set -euo pipefail
cd "$(dirname "$0")/.."
out=Tests/WSKCLITests/Resources/Captures
peers=${PEERS:-../shared/peers}
[ -d "$peers" ] || peers=/work/shared/peers
mkdir -p "$out"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# record NAME INTERFACE FORMAT SERVER-COMMAND CLIENT-COMMAND (PORT is substituted)
record() {
    local name=$1 interface=$2 format=$3 server=$4 client=$5
    local port file
    port=$(free_port)
    file="$out/$name"
    rm -f "$file"
    tshark -q -i "$interface" -f "tcp port $port" -F "$format" -w "$file" 2>/tmp/record-tshark.log &
    local tshark_pid=$!
    # Wait until tshark says it is capturing.
    for _ in $(seq 50); do grep -q Capturing /tmp/record-tshark.log 2>/dev/null && break; sleep 0.1; done
    sleep 0.5
    ${server//PORT/$port} >/dev/null 2>&1 &
    local server_pid=$!
    sleep 1.5
    ${client//PORT/$port}
    sleep 0.5
    kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
    sleep 0.5
    kill -INT "$tshark_pid"; wait "$tshark_pid" 2>/dev/null || true
    chmod 644 "$file"
    tshark -r "$file" -T json -x -o tcp.desegment_tcp_streams:TRUE -Y websocket 2>/dev/null \
        | python3 scripts/captures/tshark-normalise.py "$port" >"${file%.*}.tshark.jsonl"
    echo "$file: $(stat -c %s "$file") bytes, $(wc -l <"${file%.*}.tshark.jsonl") frames per tshark"
}

record py-websockets-deflate.pcapng lo pcapng \
    "python3 $peers/py-websockets-echo.py PORT --deflate" \
    "python3 scripts/captures/py-client.py PORT"
record node-ws.pcap lo pcap \
    "node $peers/node-ws-echo.js PORT" \
    "node scripts/captures/node-client.js PORT"
record node-ws-deflate-any.pcapng any pcapng \
    "node $peers/node-ws-echo.js PORT --deflate" \
    "node scripts/captures/node-client.js PORT --deflate"
