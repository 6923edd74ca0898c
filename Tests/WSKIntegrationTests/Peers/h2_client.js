// A WebSocket-over-HTTP/2 client (RFC 8441) built on Node's http2 module, framing by hand
// (Node has no WebSocket-over-HTTP/2 client). Opens STREAMS WebSocket streams on ONE
// connection, sends each stream's messages, reads the echoes, closes each WebSocket with
// 1000, and prints one JSON line: what the server's SETTINGS said, each stream's status,
// response headers, echoes and close code.
//
// With --streams 0 it opens none and reports when the server closes the connection.
//
//   node h2_client.js URL [--streams N] [--messages N] [--protocol P] [--subprotocol S]
//                         [--header name:value] [--size BYTES]
// URL: http://host:port/path (h2c, prior knowledge) or https://… (TLS, certificate not checked).
'use strict';
const http2 = require('http2');
const crypto = require('crypto');

const args = process.argv.slice(2);
const url = new URL(args[0]);
function option(name, fallback) {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
}
const streams = Number(option('--streams', '1'));
const messages = Number(option('--messages', '1'));
const protocol = option('--protocol', 'websocket');
const subprotocol = option('--subprotocol', null);
const header = option('--header', null);
const size = Number(option('--size', '0'));
// --pause: open the WebSocket, send nothing, read nothing (a reader that never reads);
// report how the stream ended.
const pause = args.includes('--pause');

function frame(opcode, payload) {
  const mask = crypto.randomBytes(4);
  const length = payload.length;
  let head;
  if (length < 126) {
    head = Buffer.from([0x80 | opcode, 0x80 | length]);
  } else if (length < 65536) {
    head = Buffer.alloc(4); head[0] = 0x80 | opcode; head[1] = 0x80 | 126; head.writeUInt16BE(length, 2);
  } else {
    head = Buffer.alloc(10); head[0] = 0x80 | opcode; head[1] = 0x80 | 127; head.writeBigUInt64BE(BigInt(length), 2);
  }
  const body = Buffer.alloc(length);
  for (let i = 0; i < length; i++) body[i] = payload[i] ^ mask[i % 4];
  return Buffer.concat([head, mask, body]);
}

// Parses unmasked server frames from a growing buffer; returns [frames, rest].
function parse(buffer) {
  const frames = [];
  for (;;) {
    if (buffer.length < 2) break;
    let length = buffer[1] & 0x7f, offset = 2;
    if (length === 126) { if (buffer.length < 4) break; length = buffer.readUInt16BE(2); offset = 4; }
    else if (length === 127) { if (buffer.length < 10) break; length = Number(buffer.readBigUInt64BE(2)); offset = 10; }
    if (buffer.length < offset + length) break;
    frames.push({ opcode: buffer[0] & 0x0f, fin: (buffer[0] & 0x80) !== 0, payload: buffer.subarray(offset, offset + length) });
    buffer = buffer.subarray(offset + length);
  }
  return [frames, buffer];
}

const result = { settings: null, streams: [] };
const session = http2.connect(url.origin, { rejectUnauthorized: false });
session.on('error', (error) => { result.error = String(error.message || error); finish(); });
let finished = false;
function finish() {
  if (finished) return;
  finished = true;
  console.log(JSON.stringify(result));
  session.close();
  setTimeout(() => process.exit(0), 200).unref();
}
setTimeout(() => { result.error = 'timeout'; finish(); }, 20000).unref();

const started = Date.now();
session.on('close', () => { result.closedAfterMs = Date.now() - started; if (streams === 0) finish(); });
session.on('remoteSettings', (settings) => {
  if (result.settings) return;
  result.settings = { enableConnectProtocol: settings.enableConnectProtocol, maxConcurrentStreams: settings.maxConcurrentStreams };
  // --streams 0: open none, and report when the server closes the connection.
  let done = 0;
  for (let s = 0; s < streams; s++) {
    const entry = { echoes: [], closeCode: null, status: null };
    result.streams.push(entry);
    const headers = { ':method': 'CONNECT', ':protocol': protocol, ':scheme': url.protocol.replace(':', ''), ':path': url.pathname + url.search, ':authority': url.host, 'sec-websocket-version': '13' };
    if (subprotocol) headers['sec-websocket-protocol'] = subprotocol;
    if (header) { const colon = header.indexOf(':'); headers[header.slice(0, colon).trim().toLowerCase()] = header.slice(colon + 1).trim(); }
    let stream;
    try {
      stream = session.request(headers, { endStream: false });
    } catch (error) {
      entry.error = String(error.message || error);
      if (++done === streams) finish();
      continue;
    }
    let buffer = Buffer.alloc(0);
    let ended = false;
    const end = () => { if (ended) return; ended = true; if (++done === streams) finish(); };
    stream.on('response', (response) => {
      entry.status = response[':status'];
      entry.headers = response;
      if (entry.status !== 200) return;
      if (pause) { stream.pause(); console.error('paused'); return; }
      for (let m = 0; m < messages; m++) {
        const text = size > 0 ? 'x'.repeat(size) : `stream ${s} message ${m}`;
        stream.write(frame(1, Buffer.from(text)));
      }
    });
    stream.on('data', (chunk) => {
      if (entry.status !== 200) { entry.body = (entry.body || '') + chunk.toString(); return; }
      buffer = Buffer.concat([buffer, chunk]);
      const [frames, rest] = parse(buffer);
      buffer = rest;
      for (const f of frames) {
        if (f.opcode === 1) {
          entry.echoes.push(size > 0 ? f.payload.length : f.payload.toString());
          if (entry.echoes.length === messages) {
            const code = Buffer.alloc(2); code.writeUInt16BE(1000);
            stream.write(frame(8, code));
          }
        } else if (f.opcode === 8) {
          entry.closeCode = f.payload.length >= 2 ? f.payload.readUInt16BE(0) : 1005;
        }
      }
    });
    stream.on('end', () => { entry.endStream = true; stream.end(); });
    stream.on('close', () => { entry.rstCode = stream.rstCode; end(); });
    stream.on('error', (error) => { entry.error = String(error.message || error); });
  }
});
