// Node `ws` echo server on 127.0.0.1 with a free port (printed first).
// usage: node node_server.js [--deflate]
'use strict';
let WebSocket;
try { WebSocket = require('/usr/share/nodejs/ws'); } catch (e) { WebSocket = require('ws'); }
const server = new WebSocket.Server({ host: '127.0.0.1', port: 0, perMessageDeflate: process.argv.includes('--deflate'), maxPayload: 64 * 1024 * 1024 });
server.on('listening', () => console.log(server.address().port));
server.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
});

// The test that started this peer holds its stdin open: when the test (or its process) is
// gone, stdin ends and so does the peer, even if no signal reached it.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
