function __wsk_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __wsk_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __wsk_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __wsk_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __wsk_parse_tokens -S
    set -l unparsed_tokens (__wsk_tokens -pc)
    switch $unparsed_tokens[1]
    case 'wsk'
        __wsk_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'serve-echo'
            __wsk_parse_subcommand 0 'host=' 'p/port=' 'threads=' 'broadcast' 'pubsub' 'exclude-sender' 'subprotocol=+' 'no-compression' 'server-no-context-takeover' 'client-no-context-takeover' 'server-max-window-bits=' 'client-max-window-bits=' 'compression-level=' 'max-message-size=' 'max-frame-size=' 'max-connections=' 'handshake-timeout=' 'idle-timeout=' 'max-backpressure=' 'allow-origin=+' 'require-header=+' 'tls-cert=' 'tls-key=' 'tls-client-ca=' 'http2' 'no-http2' 'v/verbose' 'log-format=' 'version' 'h/help'
        case 'connect'
            __wsk_parse_subcommand 1 'H/header=+' 'subprotocol=+' 'origin=' 'auth=' 'no-compression' 'server-no-context-takeover' 'client-no-context-takeover' 'server-max-window-bits=' 'client-max-window-bits=' 'compression-level=' 'connect-timeout=' 'max-message-size=' 'max-frame-size=' 'ping-interval=' 'ping-timeout=' 'reconnect' 'proxy=' 'no-proxy' 'http2' 'cacert=' 'k/insecure' 'cert=' 'key=' 'tls-server-name=' 'binary' '0/null' 'base64' 'hex' 'invalid-utf8=' 'x/execute=+' 'exit-after=' 'until=' 'wait=' 'wait-for-close' 'echo' 'show-handshake' 'timestamps' 'v/verbose' 'interactive' 'no-interactive' 'jsonl' 'json-pretty' 'raw-output' 'color' 'no-color' 'listen=' 'keep-listening' 'tls-cert=' 'tls-key=' 'tls-client-ca=' 'version' 'h/help'
        case 'proxy'
            __wsk_parse_subcommand 1 'exec=' 'exec-binary' 'kill-grace=' 'forward-header=+' 'H/header=+' 'upstream-proxy=' 'host=' 'p/port=' 'threads=' 'no-compression' 'server-no-context-takeover' 'client-no-context-takeover' 'server-max-window-bits=' 'client-max-window-bits=' 'compression-level=' 'subprotocol=+' 'no-upstream-compression' 'max-message-size=' 'max-frame-size=' 'max-connections=' 'handshake-timeout=' 'idle-timeout=' 'max-backpressure=' 'allow-origin=+' 'require-header=+' 'tls-cert=' 'tls-key=' 'tls-client-ca=' 'http2' 'no-http2' 'cacert=' 'k/insecure' 'cert=' 'key=' 'tls-server-name=' 'v/verbose' 'log-format=' 'version' 'h/help'
        case 'bench'
            __wsk_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'run'
                __wsk_parse_subcommand 1 'c/connections=' 's/size=' 'd/depth=' 'r/rate=' 't/duration=' 'warmup=' 'binary' 'compression' 'connect-rate=' 'ramp-up=' 'message-rate-per-connection=' 'hold' 'ping-interval=' 'channel-lifetime=' 'source-ip=' 'stage=+' 'connect-timeout=' 'proxy=' 'http2' 'streams-per-connection=' 'threads=' 'json' 'threshold=+' 'hgrm=' 'svg=' 'start-at=' 'verify' 'progress' 'no-progress' 'H/header=+' 'subprotocol=+' 'origin=' 'auth=' 'cacert=' 'k/insecure' 'cert=' 'key=' 'tls-server-name=' 'version' 'h/help'
            case 'merge'
                __wsk_parse_subcommand -r 1 'json' 'threshold=+' 'version' 'h/help'
            end
        case 'frame-dump'
            __wsk_parse_subcommand 1 'hex' 'base64' 'pcap=' 'port=+' 'role=' 'deflate' 'extensions=' 'json' 'full' 'count' 'quiet' 'strict' 'assume-ws' 'color' 'no-color' 'max-frame-size=' 'version' 'h/help'
        case 'help'
            __wsk_parse_subcommand -r 1 'version'
        end
    end
end

function __wsk_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __wsk_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __wsk_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __wsk_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__wsk_tokens -p)
    if test -z "$(__wsk_tokens -t)"
        set -l index (count (__wsk_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'wsk' -f
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk" version' -l 'version' -d 'Show the version.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_positional "wsk" -eq 1' -fa 'serve-echo' -d 'Run a strict, fast WebSocket echo server (also broadcast and pub/sub).'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_positional "wsk" -eq 1' -fa 'connect' -d 'Connect to a WebSocket server: an interactive client on a terminal, a pipe tool off it.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_positional "wsk" -eq 1' -fa 'proxy' -d 'Relay WebSocket clients to another WebSocket server, a TCP service or a program, logging what passes.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_positional "wsk" -eq 1' -fa 'bench' -d 'Load-test a WebSocket echo server: throughput and round-trip latency percentiles.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_positional "wsk" -eq 1' -fa 'frame-dump' -d 'Decode WebSocket frames from bytes, hex, base64 or a pcap, and explain every protocol violation.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_positional "wsk" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk serve-echo" host' -l 'host' -d 'Address to listen on (IPv4 or IPv6, e.g. 0.0.0.0 or ::1).' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk serve-echo" p port' -s 'p' -l 'port' -d 'Port to listen on; 0 picks a free port and prints it.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk serve-echo" threads' -l 'threads' -d 'Event-loop threads.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk serve-echo" broadcast' -l 'broadcast' -d 'Send every message to all connected clients.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk serve-echo" pubsub' -l 'pubsub' -d 'Pub/sub: the request path names the topic; messages go to every client on that topic.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk serve-echo" exclude-sender' -l 'exclude-sender' -d 'With --broadcast or --pubsub, do not send a message back to its sender.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk serve-echo"' -l 'subprotocol' -d 'A subprotocol the server speaks (repeatable).' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk serve-echo" no-compression' -l 'no-compression' -d 'Do not use permessage-deflate (a server refuses it, a client does not offer it).'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk serve-echo" server-no-context-takeover' -l 'server-no-context-takeover' -d 'server_no_context_takeover: the server resets its compressor after every message.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk serve-echo" client-no-context-takeover' -l 'client-no-context-takeover' -d 'client_no_context_takeover: the client resets its compressor after every message.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk serve-echo" server-max-window-bits' -l 'server-max-window-bits' -d 'server_max_window_bits, 8-15: the largest LZ77 window the server compresses with.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk serve-echo" client-max-window-bits' -l 'client-max-window-bits' -d 'client_max_window_bits, 8-15: the largest LZ77 window the client compresses with.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk serve-echo" compression-level' -l 'compression-level' -d 'zlib level for outgoing messages, 0-9.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk serve-echo" max-message-size' -l 'max-message-size' -d 'Largest message accepted (sum of fragments, or inflated size); larger ones close with 1009.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk serve-echo" max-frame-size' -l 'max-frame-size' -d 'Largest frame payload accepted; larger ones close with 1009.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk serve-echo" max-connections' -l 'max-connections' -d 'Most concurrent WebSocket clients; further upgrades get HTTP 503.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk serve-echo" handshake-timeout' -l 'handshake-timeout' -d 'Seconds a client has to send its upgrade request.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk serve-echo" idle-timeout' -l 'idle-timeout' -d 'Ping a client silent this long; close it (1001) if still silent as long again.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk serve-echo" max-backpressure' -l 'max-backpressure' -d 'Bytes queued for a client that does not read before it is closed with 1008.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk serve-echo"' -l 'allow-origin' -d 'An Origin allowed to connect (repeatable); others get HTTP 403.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk serve-echo"' -l 'require-header' -d 'A header every upgrade request must carry, \'Name: value\' (repeatable); else HTTP 401.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk serve-echo" tls-cert' -l 'tls-cert' -d 'PEM certificate chain; serve wss:// (needs --tls-key).' -rF
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk serve-echo" tls-key' -l 'tls-key' -d 'PEM private key for --tls-cert.' -rF
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk serve-echo" tls-client-ca' -l 'tls-client-ca' -d 'PEM CA bundle; require client certificates signed by it.' -rF
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk serve-echo" http2' -l 'http2' -d '--http2: also accept HTTP/2 without TLS (h2c with prior knowledge) beside HTTP/1.1; --no-http2: HTTP/1.1 only. WebSockets over HTTP/2 use extended CONNECT (RFC 8441). Default: HTTP/2 on TLS (ALPN h2), HTTP/1.1 on cleartext.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk serve-echo" no-http2' -l 'no-http2' -d '--http2: also accept HTTP/2 without TLS (h2c with prior knowledge) beside HTTP/1.1; --no-http2: HTTP/1.1 only. WebSockets over HTTP/2 use extended CONNECT (RFC 8441). Default: HTTP/2 on TLS (ALPN h2), HTTP/1.1 on cleartext.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk serve-echo" v verbose' -s 'v' -l 'verbose' -d 'Log every message, not just connections.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk serve-echo" log-format' -l 'log-format' -d 'Log line format: text or json.' -rfka 'text json'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk serve-echo" version' -l 'version' -d 'Show the version.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk serve-echo" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk connect"' -s 'H' -l 'header' -d 'Extra request header, \'Name: value\' (repeatable).' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk connect"' -l 'subprotocol' -d 'Subprotocol to offer, most preferred first (repeatable).' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk connect" origin' -l 'origin' -d 'Origin header to send.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk connect" auth' -l 'auth' -d 'Basic authentication, user:password.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk connect" no-compression' -l 'no-compression' -d 'Do not use permessage-deflate (a server refuses it, a client does not offer it).'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk connect" server-no-context-takeover' -l 'server-no-context-takeover' -d 'server_no_context_takeover: the server resets its compressor after every message.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk connect" client-no-context-takeover' -l 'client-no-context-takeover' -d 'client_no_context_takeover: the client resets its compressor after every message.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk connect" server-max-window-bits' -l 'server-max-window-bits' -d 'server_max_window_bits, 8-15: the largest LZ77 window the server compresses with.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk connect" client-max-window-bits' -l 'client-max-window-bits' -d 'client_max_window_bits, 8-15: the largest LZ77 window the client compresses with.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk connect" compression-level' -l 'compression-level' -d 'zlib level for outgoing messages, 0-9.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk connect" connect-timeout' -l 'connect-timeout' -d 'Seconds to wait for the connection and handshake.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk connect" max-message-size' -l 'max-message-size' -d 'Largest message accepted from the server; larger ones close with 1009.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk connect" max-frame-size' -l 'max-frame-size' -d 'Largest frame accepted from the server (default: the message limit).' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk connect" ping-interval' -l 'ping-interval' -d 'Send a ping every this many seconds.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk connect" ping-timeout' -l 'ping-timeout' -d 'With --ping-interval: exit (status 4) when no pong arrives within this many seconds.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk connect" reconnect' -l 'reconnect' -d 'Reconnect with backoff (0.5 s doubling to 30 s) when the connection drops or the server closes with 1001, 1012 or 1013. Lines read after a connection ended go to the next one; a line already handed to a connection that drops may be lost with it.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk connect" proxy' -l 'proxy' -d 'Proxy to tunnel through: http://[user:pass@]host:port (CONNECT), socks5://… (names resolved here) or socks5h://… (by the proxy) (default: $https_proxy / $http_proxy / $all_proxy, minus $no_proxy).' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk connect" no-proxy' -l 'no-proxy' -d 'Ignore the proxy environment variables.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk connect" http2' -l 'http2' -d 'Open the WebSocket on an HTTP/2 stream (RFC 8441 extended CONNECT): ws:// by prior knowledge (h2c), wss:// by ALPN, HTTP/1.1 when the server picks it or does not allow WebSockets over HTTP/2. With --listen: accept HTTP/2 clients too.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk connect" cacert' -l 'cacert' -d 'PEM CA bundle to trust instead of the system store.' -rF
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk connect" insecure k' -s 'k' -l 'insecure' -d 'Do not verify the server\'s certificate.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk connect" cert' -l 'cert' -d 'PEM client certificate.' -rF
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk connect" key' -l 'key' -d 'PEM private key for --cert.' -rF
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk connect" tls-server-name' -l 'tls-server-name' -d 'Server name for SNI and certificate checks, instead of the URL\'s host.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk connect" binary' -l 'binary' -d 'Send stdin as binary messages (one per read; with -0, one per NUL-delimited record).'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk connect" 0 null' -s '0' -l 'null' -d 'Records are NUL-delimited instead of newline-delimited, both ways.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk connect" base64' -l 'base64' -d 'Binary messages are base64 lines, both ways.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk connect" hex' -l 'hex' -d 'Binary messages are hex lines, both ways.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk connect" invalid-utf8' -l 'invalid-utf8' -d 'A stdin line that is not valid UTF-8: refuse (stop, naming the line) or binary (send it as a binary message). Text is never altered.' -rfka 'refuse binary'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk connect"' -s 'x' -l 'execute' -d 'Send this text message, then wait (repeatable; stdin is not read).' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk connect" exit-after' -l 'exit-after' -d 'Close after receiving this many messages (stdin ending does not close before that).' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk connect" until' -l 'until' -d 'Close after receiving a message that matches this regular expression (stdin ending does not close before that).' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk connect" wait' -l 'wait' -d 'After stdin ends (or -x messages are sent), keep receiving this long before closing (default: close at once; 2 s with -x).' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk connect" wait-for-close' -l 'wait-for-close' -d 'After stdin ends, send no close frame: wait for the server to close.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk connect" echo' -l 'echo' -d 'Send every received message back (a reflector); stdin is not read and the server ends the connection.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk connect" show-handshake' -l 'show-handshake' -d 'Print the request and response heads of the handshake on stderr.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk connect" timestamps' -l 'timestamps' -d 'Prefix received lines with the time they arrived.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk connect" v verbose' -s 'v' -l 'verbose' -d 'Report pings, pongs and closes on stderr.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk connect" interactive' -l 'interactive' -d 'Run the interactive client, or not (--no-interactive: pipe mode on a terminal). Default: interactive when stdin and stdout are terminals, without -x or --echo.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk connect" no-interactive' -l 'no-interactive' -d 'Run the interactive client, or not (--no-interactive: pipe mode on a terminal). Default: interactive when stdin and stdout are terminals, without -x or --echo.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk connect" jsonl' -l 'jsonl' -d 'Pipe mode: print one JSON object per line for every event (open, message, ping, pong, close, closed, error) with its time; text messages as "text", binary as "base64". Implies pipe mode.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk connect" json-pretty' -l 'json-pretty' -d 'Interactive: pretty-print JSON text messages.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk connect" raw-output' -l 'raw-output' -d 'Interactive: print received text as it is; by default control characters are shown as \\x1b, \\r, \\u{9b} so a server cannot drive the terminal (pipe mode is always exact).'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk connect" color' -l 'color' -d 'Interactive: colour the output, or not (--no-color). Default: colour on a terminal, unless NO_COLOR is set.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk connect" no-color' -l 'no-color' -d 'Interactive: colour the output, or not (--no-color). Default: colour on a terminal, unless NO_COLOR is set.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk connect" listen' -l 'listen' -d 'Listen mode: accept a WebSocket client on [HOST:]PORT (host 127.0.0.1 unless given; port 0 picks one) instead of connecting to a URL.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk connect" keep-listening' -l 'keep-listening' -d 'With --listen: after a client leaves, wait for the next one.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk connect" tls-cert' -l 'tls-cert' -d 'PEM certificate chain; serve wss:// (needs --tls-key).' -rF
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk connect" tls-key' -l 'tls-key' -d 'PEM private key for --tls-cert.' -rF
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk connect" tls-client-ca' -l 'tls-client-ca' -d 'PEM CA bundle; require client certificates signed by it.' -rF
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk connect" version' -l 'version' -d 'Show the version.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk connect" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk proxy" exec' -l 'exec' -d 'Run this shell command per client and relay its stdin/stdout lines.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk proxy" exec-binary' -l 'exec-binary' -d 'With --exec: relay raw bytes (stdout chunks become binary messages) instead of lines.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk proxy" kill-grace' -l 'kill-grace' -d 'With --exec: seconds a program has after SIGTERM before SIGKILL.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk proxy"' -l 'forward-header' -d 'Pass this client request header on to a WebSocket upstream (repeatable; Origin, Authorization, Cookie …).' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk proxy"' -s 'H' -l 'header' -d 'Add this header to upstream requests, \'Name: value\' (repeatable).' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk proxy" upstream-proxy' -l 'upstream-proxy' -d 'Reach the upstream (ws://, wss:// or tcp://) through this proxy: http://[user:pass@]host:port, socks5://… or socks5h://… (environment variables are not read).' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk proxy" host' -l 'host' -d 'Address to listen on (IPv4 or IPv6, e.g. 0.0.0.0 or ::1).' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk proxy" p port' -s 'p' -l 'port' -d 'Port to listen on; 0 picks a free port and prints it.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk proxy" threads' -l 'threads' -d 'Event-loop threads.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk proxy" no-compression' -l 'no-compression' -d 'Do not use permessage-deflate (a server refuses it, a client does not offer it).'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk proxy" server-no-context-takeover' -l 'server-no-context-takeover' -d 'server_no_context_takeover: the server resets its compressor after every message.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk proxy" client-no-context-takeover' -l 'client-no-context-takeover' -d 'client_no_context_takeover: the client resets its compressor after every message.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk proxy" server-max-window-bits' -l 'server-max-window-bits' -d 'server_max_window_bits, 8-15: the largest LZ77 window the server compresses with.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk proxy" client-max-window-bits' -l 'client-max-window-bits' -d 'client_max_window_bits, 8-15: the largest LZ77 window the client compresses with.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk proxy" compression-level' -l 'compression-level' -d 'zlib level for outgoing messages, 0-9.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk proxy"' -l 'subprotocol' -d 'A subprotocol clients may use (repeatable): only these are offered to a WebSocket upstream; for tcp:// and --exec, the one selected. Default: any, for a WebSocket upstream.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk proxy" no-upstream-compression' -l 'no-upstream-compression' -d 'Do not offer permessage-deflate to a WebSocket upstream.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk proxy" max-message-size' -l 'max-message-size' -d 'Largest message accepted (sum of fragments, or inflated size); larger ones close with 1009.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk proxy" max-frame-size' -l 'max-frame-size' -d 'Largest frame payload accepted; larger ones close with 1009.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk proxy" max-connections' -l 'max-connections' -d 'Most concurrent WebSocket clients; further upgrades get HTTP 503.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk proxy" handshake-timeout' -l 'handshake-timeout' -d 'Seconds a client has to send its upgrade request.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk proxy" idle-timeout' -l 'idle-timeout' -d 'Ping a client silent this long; close it (1001) if still silent as long again.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk proxy" max-backpressure' -l 'max-backpressure' -d 'Bytes queued for a client that does not read before it is closed with 1008.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk proxy"' -l 'allow-origin' -d 'An Origin allowed to connect (repeatable); others get HTTP 403.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk proxy"' -l 'require-header' -d 'A header every upgrade request must carry, \'Name: value\' (repeatable); else HTTP 401.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk proxy" tls-cert' -l 'tls-cert' -d 'PEM certificate chain; serve wss:// (needs --tls-key).' -rF
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk proxy" tls-key' -l 'tls-key' -d 'PEM private key for --tls-cert.' -rF
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk proxy" tls-client-ca' -l 'tls-client-ca' -d 'PEM CA bundle; require client certificates signed by it.' -rF
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk proxy" http2' -l 'http2' -d '--http2: also accept HTTP/2 without TLS (h2c with prior knowledge) beside HTTP/1.1; --no-http2: HTTP/1.1 only. WebSockets over HTTP/2 use extended CONNECT (RFC 8441). Default: HTTP/2 on TLS (ALPN h2), HTTP/1.1 on cleartext.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk proxy" no-http2' -l 'no-http2' -d '--http2: also accept HTTP/2 without TLS (h2c with prior knowledge) beside HTTP/1.1; --no-http2: HTTP/1.1 only. WebSockets over HTTP/2 use extended CONNECT (RFC 8441). Default: HTTP/2 on TLS (ALPN h2), HTTP/1.1 on cleartext.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk proxy" cacert' -l 'cacert' -d 'PEM CA bundle to trust instead of the system store.' -rF
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk proxy" insecure k' -s 'k' -l 'insecure' -d 'Do not verify the server\'s certificate.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk proxy" cert' -l 'cert' -d 'PEM client certificate.' -rF
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk proxy" key' -l 'key' -d 'PEM private key for --cert.' -rF
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk proxy" tls-server-name' -l 'tls-server-name' -d 'Server name for SNI and certificate checks, instead of the URL\'s host.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk proxy" v verbose' -s 'v' -l 'verbose' -d 'Log every message, not just connections.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk proxy" log-format' -l 'log-format' -d 'Log line format: text or json.' -rfka 'text json'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk proxy" version' -l 'version' -d 'Show the version.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk proxy" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk bench" version' -l 'version' -d 'Show the version.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk bench" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_positional "wsk bench" -eq 1' -fa 'run' -d 'Load-test a WebSocket echo server (the default: `wsk bench URL`).'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_positional "wsk bench" -eq 1' -fa 'merge' -d 'Merge the --json results of several bench runs (several generators) into one report.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk bench run" c connections' -s 'c' -l 'connections' -d 'Connections to open.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk bench run" s size' -s 's' -l 'size' -d 'Message payload size (16, 1KiB, 64KiB…).' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk bench run" d depth' -s 'd' -l 'depth' -d 'Messages in flight per connection (closed loop).' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk bench run" r rate' -s 'r' -l 'rate' -d 'Send at this many messages per second in total (open loop) instead of --depth.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk bench run" duration t' -s 't' -l 'duration' -d 'Seconds to measure.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk bench run" warmup' -l 'warmup' -d 'Seconds to run before measuring.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk bench run" binary' -l 'binary' -d 'Send binary messages (default: text).'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk bench run" compression' -l 'compression' -d 'Offer permessage-deflate (default: off, to measure the transport).'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk bench run" connect-rate' -l 'connect-rate' -d 'Open connections at this many per second (default: as fast as 64 handshakes in flight allow).' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk bench run" ramp-up' -l 'ramp-up' -d 'Spread the connections\' opening over this many seconds (--connect-rate = connections / seconds).' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk bench run" message-rate-per-connection' -l 'message-rate-per-connection' -d 'Send this many messages per second on each connection (open loop; many slow clients) instead of --depth.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk bench run" hold' -l 'hold' -d 'Send no messages: open the connections and hold them for --duration (with --ping-interval, ping them), to measure how many the server takes.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk bench run" ping-interval' -l 'ping-interval' -d 'Ping every connection this often; the pongs\' round trips are reported (ping_us).' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk bench run" channel-lifetime' -l 'channel-lifetime' -d 'Close each connection after this long and open a new one in its place.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk bench run" source-ip' -l 'source-ip' -d 'Local addresses to connect from, in turn, comma-separated (127.0.0.2,127.0.0.3): each gives another ~28,000 local ports.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk bench run"' -l 'stage' -d 'A stage DURATION:CONNECTIONS[:LOAD] (repeatable; run in order): LOAD is rate=N (msgs/s in total), rate-per-connection=N, depth=N or hold; without it, the load flags\'. Replaces -c and --duration.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk bench run" connect-timeout' -l 'connect-timeout' -d 'Seconds a connection may take to open (TCP, TLS and the upgrade) before it counts as failed.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk bench run" proxy' -l 'proxy' -d 'Connect through this proxy: http://[user:pass@]host:port, socks5://… or socks5h://… (environment variables are not read).' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk bench run" http2' -l 'http2' -d 'Open the WebSockets on HTTP/2 streams (RFC 8441 extended CONNECT): h2c on ws://, ALPN h2 on wss://. A server that does not allow it fails the connections.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk bench run" streams-per-connection' -l 'streams-per-connection' -d 'With --http2 (implied): this many WebSockets on each TCP connection (1-256; the server\'s SETTINGS_MAX_CONCURRENT_STREAMS may be lower).' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk bench run" threads' -l 'threads' -d 'Event-loop threads.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk bench run" json' -l 'json' -d 'Print the result as one JSON object.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk bench run"' -l 'threshold' -d 'A pass/fail condition, METRIC OP VALUE (repeatable): p50, p90, p99, p99.9, max, mean, min (with us, ms or s), errors, rate (msgs/s), messages, connections (open at the end); OP is <, <=, >, >=, == or !=. A violated one exits 2.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk bench run" hgrm' -l 'hgrm' -d 'Also write the round-trip latency distribution in HdrHistogram\'s percentile text format (.hgrm, values in milliseconds) to this file.' -rF
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk bench run" svg' -l 'svg' -d 'Also write a latency-by-percentile plot (self-contained SVG, log scale like HdrHistogram\'s plotter) to this file.' -rF
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk bench run" start-at' -l 'start-at' -d 'Wait until this time before connecting (Unix seconds, or an RFC 3339 time such as 2026-12-01T18:00:00Z), so generators on several hosts start together.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk bench run" verify' -l 'verify' -d 'Compare every byte of every echo (default: the length, the sequence number at its start and its last byte).'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk bench run" progress' -l 'progress' -d 'Show progress on stderr (default: when stderr is a terminal).'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk bench run" no-progress' -l 'no-progress' -d 'Show progress on stderr (default: when stderr is a terminal).'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk bench run"' -s 'H' -l 'header' -d 'Extra request header, \'Name: value\' (repeatable).' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk bench run"' -l 'subprotocol' -d 'Subprotocol to offer, most preferred first (repeatable).' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk bench run" origin' -l 'origin' -d 'Origin header to send.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk bench run" auth' -l 'auth' -d 'Basic authentication, user:password.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk bench run" cacert' -l 'cacert' -d 'PEM CA bundle to trust instead of the system store.' -rF
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk bench run" insecure k' -s 'k' -l 'insecure' -d 'Do not verify the server\'s certificate.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk bench run" cert' -l 'cert' -d 'PEM client certificate.' -rF
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk bench run" key' -l 'key' -d 'PEM private key for --cert.' -rF
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk bench run" tls-server-name' -l 'tls-server-name' -d 'Server name for SNI and certificate checks, instead of the URL\'s host.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk bench run" version' -l 'version' -d 'Show the version.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk bench run" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_positional "wsk bench merge" -ge 1' -F
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk bench merge" json' -l 'json' -d 'Print the merged result as one JSON object.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk bench merge"' -l 'threshold' -d 'A pass/fail condition on the merged result, as for bench (repeatable); a violated one exits 2.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk bench merge" version' -l 'version' -d 'Show the version.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk bench merge" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_positional "wsk frame-dump" -eq 1' -F
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk frame-dump" hex' -l 'hex' -d 'Read hex text: spaces, colons, 0x prefixes, newlines, and xxd, hexdump -C, od -t x1 and tshark -x output (their offsets checked) are accepted.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk frame-dump" base64' -l 'base64' -d 'Read base64 text (standard or URL alphabet).'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk frame-dump" pcap' -l 'pcap' -d 'Read a pcap or pcapng capture (\'-\' for standard input) and decode every WebSocket connection in it.' -rfa '(set -l exts \'pcap\' \'pcapng\' \'cap\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk frame-dump"' -l 'port' -d 'Only decode capture connections with this port on either side (repeatable).' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk frame-dump" role' -l 'role' -d 'Who wrote raw input: client (frames masked), server, or auto (from the first frame\'s mask bit).' -rfka 'auto client server'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk frame-dump" deflate' -l 'deflate' -d 'Raw input uses permessage-deflate with default parameters: inflate messages with RSV1 set.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk frame-dump" extensions' -l 'extensions' -d 'Raw input uses the extensions of this Sec-WebSocket-Extensions response value, e.g. \'permessage-deflate; server_no_context_takeover\'.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk frame-dump" json' -l 'json' -d 'One JSON object per line instead of text.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk frame-dump" full' -l 'full' -d 'Show whole payloads instead of previews.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk frame-dump" count' -l 'count' -d 'Print only the totals (no per-frame output): the fastest mode.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk frame-dump" quiet' -l 'quiet' -d 'Print only violations and the totals.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk frame-dump" strict' -l 'strict' -d 'Exit with status 1 if any violation was found, or anything could not be decoded (a frame cut short, a connection without a handshake, encrypted or cut packets, a capture file cut short).'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk frame-dump" assume-ws' -l 'assume-ws' -d 'Captures: decode connections without an HTTP upgrade (a capture started mid-connection) from their first plausible frame; the masked side is the client.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk frame-dump" color' -l 'color' -d 'Colour the output (default: on a terminal, unless NO_COLOR is set).'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk frame-dump" no-color' -l 'no-color' -d 'Colour the output (default: on a terminal, unless NO_COLOR is set).'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk frame-dump" max-frame-size' -l 'max-frame-size' -d 'The largest frame payload, and inflated message, decoded, in bytes.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk frame-dump" version' -l 'version' -d 'Show the version.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk frame-dump" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk help" version' -l 'version' -d 'Show the version.'
