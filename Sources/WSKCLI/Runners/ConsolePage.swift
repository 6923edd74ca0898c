/// The browser console `serve-echo` serves at `GET /`: connect, send text, see messages.
///
/// With `?autotest=MESSAGE` it connects to the page's own server, sends MESSAGE and writes
/// the echo into `#log`, so a headless browser can check the page end to end.
enum ConsolePage {
    static let html = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>wsk console</title>
        <style>
          body { font: 14px/1.4 ui-monospace, Menlo, Consolas, monospace; margin: 2em; max-width: 60em; }
          input[type=text] { width: 30em; }
          #log { border: 1px solid #ccc; padding: .5em; height: 24em; overflow-y: auto; white-space: pre-wrap; }
          .out { color: #06c; } .in { color: #080; } .sys { color: #888; } .err { color: #c00; }
        </style>
        </head>
        <body>
        <h1>wsk console</h1>
        <p>
          <input id="url" type="text" aria-label="WebSocket URL">
          <button id="connect">Connect</button>
          <button id="disconnect" disabled>Close</button>
          <span id="state">disconnected</span>
        </p>
        <p>
          <input id="message" type="text" aria-label="Message" placeholder="message" disabled>
          <button id="send" disabled>Send</button>
        </p>
        <div id="log" role="log" aria-live="polite"></div>
        <script>
        "use strict";
        const $ = (id) => document.getElementById(id);
        const scheme = location.protocol === "https:" ? "wss:" : "ws:";
        $("url").value = scheme + "//" + location.host + "/";
        let socket = null;
        function line(kind, text) {
          const div = document.createElement("div");
          div.className = kind;
          const marker = { out: "> ", in: "< ", sys: "# ", err: "! " }[kind];
          div.textContent = marker + text;
          $("log").appendChild(div);
          $("log").scrollTop = $("log").scrollHeight;
        }
        function setConnected(connected) {
          $("connect").disabled = connected;
          $("disconnect").disabled = !connected;
          $("message").disabled = !connected;
          $("send").disabled = !connected;
          $("state").textContent = connected ? "connected" : "disconnected";
        }
        function connect(onOpen) {
          socket = new WebSocket($("url").value);
          socket.binaryType = "arraybuffer";
          socket.onopen = () => {
            setConnected(true);
            line("sys", "connected to " + socket.url + (socket.protocol ? " protocol " + socket.protocol : "") + (socket.extensions ? " extensions " + socket.extensions : ""));
            if (onOpen) onOpen();
          };
          socket.onmessage = (event) => {
            if (typeof event.data === "string") {
              line("in", event.data);
            } else {
              const bytes = Array.from(new Uint8Array(event.data), (b) => b.toString(16).padStart(2, "0"));
              line("in", "binary " + bytes.join(" "));
            }
          };
          socket.onerror = () => line("err", "error");
          socket.onclose = (event) => {
            setConnected(false);
            line("sys", "closed " + event.code + (event.reason ? " " + event.reason : "") + (event.wasClean ? "" : " (not clean)"));
          };
        }
        function send() {
          const text = $("message").value;
          socket.send(text);
          line("out", text);
          $("message").value = "";
        }
        $("connect").onclick = () => connect();
        $("disconnect").onclick = () => socket.close(1000, "bye");
        $("send").onclick = send;
        $("message").onkeydown = (event) => { if (event.key === "Enter") send(); };
        const autotest = new URLSearchParams(location.search).get("autotest");
        if (autotest !== null) {
          connect(() => { $("message").value = autotest; send(); });
        }
        </script>
        </body>
        </html>
        """#
}
