// A WebSocket-over-HTTP/2 echo server (RFC 8441) on Node's http2 module, framing by hand
// (Node has no WebSocket-over-HTTP/2 server). Prints its port on stdout, then one line per
// request on stderr: "CONNECT websocket PATH" or "HTTP/1.1 upgrade PATH".
//
//   node h2_server.js [--tls CERT KEY] [--no-connect-protocol]
// Without --tls: h2c (prior knowledge). With --tls: h2 by ALPN, and HTTP/1.1 WebSocket
// upgrades (Node ws) for clients that do not speak h2. --no-connect-protocol leaves
// SETTINGS_ENABLE_CONNECT_PROTOCOL out (a client must then not send :protocol).
'use strict';
const http2 = require('http2');
const fs = require('fs');

const args = process.argv.slice(2);
const tlsAt = args.indexOf('--tls');
const connectProtocol = !args.includes('--no-connect-protocol');
const settings = { enableConnectProtocol: connectProtocol };

function frame(opcode, payload) {
  const length = payload.length;
  let head;
  if (length < 126) head = Buffer.from([0x80 | opcode, length]);
  else if (length < 65536) { head = Buffer.alloc(4); head[0] = 0x80 | opcode; head[1] = 126; head.writeUInt16BE(length, 2); }
  else { head = Buffer.alloc(10); head[0] = 0x80 | opcode; head[1] = 127; head.writeBigUInt64BE(BigInt(length), 2); }
  return Buffer.concat([head, payload]);
}

// Echoes a WebSocket whose client frames arrive on `stream` (masked, as RFC 6455 requires).
function echo(stream) {
  let buffer = Buffer.alloc(0);
  let fragments = [];
  stream.on('data', (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      if (buffer.length < 2) return;
      let length = buffer[1] & 0x7f, offset = 2;
      if (length === 126) { if (buffer.length < 4) return; length = buffer.readUInt16BE(2); offset = 4; }
      else if (length === 127) { if (buffer.length < 10) return; length = Number(buffer.readBigUInt64BE(2)); offset = 10; }
      const masked = (buffer[1] & 0x80) !== 0;
      if (!masked) { stream.close(http2.constants.NGHTTP2_PROTOCOL_ERROR); return; }
      if (buffer.length < offset + 4 + length) return;
      const mask = buffer.subarray(offset, offset + 4);
      const payload = Buffer.alloc(length);
      for (let i = 0; i < length; i++) payload[i] = buffer[offset + 4 + i] ^ mask[i % 4];
      const fin = (buffer[0] & 0x80) !== 0, opcode = buffer[0] & 0x0f;
      buffer = buffer.subarray(offset + 4 + length);
      if (opcode === 0x8) { stream.end(frame(0x8, payload.subarray(0, 2))); return; }
      if (opcode === 0x9) { stream.write(frame(0xA, payload)); continue; }
      if (opcode === 0xA) continue;
      fragments.push({ opcode, payload });
      if (fin) {
        const whole = Buffer.concat(fragments.map((f) => f.payload));
        stream.write(frame(fragments[0].opcode, whole));
        fragments = [];
      }
    }
  });
}

function onStream(stream, headers) {
  if (headers[':method'] === 'CONNECT' && headers[':protocol'] === 'websocket') {
    console.error(`CONNECT websocket ${headers[':path']}`);
    const response = { ':status': 200 };
    const offered = headers['sec-websocket-protocol'];
    if (offered) response['sec-websocket-protocol'] = offered.split(',')[0].trim();
    stream.respond(response);
    echo(stream);
  } else {
    stream.respond({ ':status': 404 });
    stream.end('not found\n');
  }
}

let server;
if (tlsAt >= 0) {
  server = http2.createSecureServer({ cert: fs.readFileSync(args[tlsAt + 1]), key: fs.readFileSync(args[tlsAt + 2]), allowHTTP1: true, settings });
  let ws;
  try { ws = require('/usr/share/nodejs/ws'); } catch (e) { ws = require('ws'); }
  const { WebSocketServer } = ws;
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (request, socket, head) => {
    console.error(`HTTP/1.1 upgrade ${request.url}`);
    wss.handleUpgrade(request, socket, head, (ws) => ws.on('message', (data, binary) => ws.send(data, { binary })));
  });
} else {
  server = http2.createServer({ settings });
}
server.on('stream', onStream);
server.listen(0, '127.0.0.1', () => console.log(`${server.address().port}`));
process.on('SIGTERM', () => process.exit(0));

// The test that started this peer holds its stdin open: when the test (or its process) is
// gone, stdin ends and so does the peer, even if no signal reached it.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
