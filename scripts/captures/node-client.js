// Node `ws` client for scripts/record-captures.sh. Usage: node node-client.js PORT [--deflate]
// Sends text, a 300-byte binary, a fragmented text message and a ping, waits for the
// echoes, then closes with 4000 "done". With --deflate every message is compressed.
'use strict';
const WebSocket = require('/usr/share/nodejs/ws');
const port = process.argv[2];
const deflate = process.argv.includes('--deflate');
const ws = new WebSocket(`ws://127.0.0.1:${port}/echo`, {
  perMessageDeflate: deflate ? { threshold: 0 } : false,
});
let echoes = 0;
ws.on('open', () => {
  ws.send('Hello from node ws');
  ws.send(Buffer.alloc(300, 7));
  ws.send('frag-1 ', { fin: false });
  ws.send('frag-2 ', { fin: false });
  ws.send('frag-3', { fin: true });
  ws.ping('ping?');
});
ws.on('message', () => {
  echoes += 1;
  if (echoes === 3) ws.close(4000, 'done');
});
ws.on('close', () => process.exit(0));
setTimeout(() => process.exit(1), 5000);
