// Interop client: Node `ws` (Debian's node-ws) against a wsk server.
// usage: node node_client.js URL [--deflate]
// Sends text, unicode, binary, a 1 MiB message and a ping; checks every echo; closes with
// 1000. Prints one line starting with OK and exits 0; else exits 1.
'use strict';
let WebSocket;
try { WebSocket = require('/usr/share/nodejs/ws'); } catch (e) { WebSocket = require('ws'); }

const url = process.argv[2];
const deflate = process.argv.includes('--deflate');
const ws = new WebSocket(url, { perMessageDeflate: deflate, maxPayload: 4 * 1024 * 1024 });
const messages = [
  { data: 'hello', binary: false },
  { data: 'κόσμε ✓ 日本語 🎉', binary: false },
  { data: Buffer.from([0, 1, 254, 255]), binary: true },
  { data: 'y'.repeat(1 << 20), binary: false },
  { data: Buffer.alloc(70000, 7), binary: true },
];
let index = 0;
const fail = (why) => { console.log('FAIL: ' + why); process.exit(1); };
setTimeout(() => fail('timeout'), 15000).unref();

ws.on('open', () => {
  const extensions = ws.extensions || '';
  if (deflate && !extensions.includes('permessage-deflate')) fail('compression not negotiated: ' + extensions);
  if (!deflate && extensions) fail('unexpected extensions ' + extensions);
  ws.send(messages[0].data, { binary: messages[0].binary });
});
ws.on('message', (data, isBinary) => {
  const expected = messages[index];
  const same = isBinary === expected.binary &&
    Buffer.compare(Buffer.from(data), Buffer.from(expected.data)) === 0;
  if (!same) fail('echo mismatch at message ' + index);
  index += 1;
  if (index < messages.length) {
    ws.send(messages[index].data, { binary: messages[index].binary });
  } else {
    ws.ping(Buffer.from('js'));
  }
});
ws.on('pong', (data) => {
  if (data.toString() !== 'js') fail('pong payload');
  ws.close(1000, 'bye');
});
ws.on('close', (code) => {
  if (code !== 1000) fail('close code ' + code);
  console.log('OK ws extensions=' + JSON.stringify(ws.extensions || ''));
  process.exit(0);
});
ws.on('error', (error) => fail(String(error)));
