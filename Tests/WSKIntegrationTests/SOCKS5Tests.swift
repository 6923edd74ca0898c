import Foundation
import Testing

/// SOCKS5 (RFC 1928, username/password per RFC 1929) for connect, bench and proxy's
/// upstream, against a small SOCKS5 server in Python's standard library
/// (Peers/socks5_server.py), which logs each request.
@Suite("SOCKS5 proxies", .timeLimit(.minutes(3)))
struct SOCKS5Tests {
    /// The proxy's log lines, once `count` of them start with `prefix`.
    func log(_ proxy: PeerProcess, _ prefix: String, count: Int = 1) -> [Substring] {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            let lines = proxy.standardError.split(separator: "\n").filter { $0.hasPrefix(prefix) }
            if lines.count >= count { return lines }
            usleep(20_000)
        }
        return proxy.standardError.split(separator: "\n").filter { $0.hasPrefix(prefix) }
    }

    @Test func socks5hLetsTheProxyResolveAndSocks5ResolvesHere() throws {
        let server = try EchoServerProcess()
        let proxy = try PeerProcess("python3", "socks5_server.py")
        let remote = try shell("WSK connect --proxy socks5h://127.0.0.1:\(proxy.port) ws://localhost:\(server.port)/ -x 'through socks5h ✓' --exit-after 1")
        #expect(remote.status == 0, "\(remote.stderr)")
        #expect(remote.stdout == "through socks5h ✓\n")
        #expect(log(proxy, "CONNECT name localhost \(server.port)").count == 1, "\(proxy.standardError)")
        let local = try shell("WSK connect --proxy socks5://127.0.0.1:\(proxy.port) ws://localhost:\(server.port)/ -x local --exit-after 1")
        #expect(local.status == 0 && local.stdout == "local\n", "\(local.stderr)")
        #expect(log(proxy, "CONNECT ipv4 127.0.0.1 \(server.port)").count == 1, "\(proxy.standardError)")
        withExtendedLifetime(server) {}
    }

    @Test func usernameAndPasswordAreCheckedAndFailuresNameTheProxy() throws {
        let server = try EchoServerProcess()
        let proxy = try PeerProcess("python3", "socks5_server.py", ["--auth", "alice:s3cr@t"])
        let url = "ws://localhost:\(server.port)/"
        let none = try shell("WSK connect --proxy socks5h://127.0.0.1:\(proxy.port) \(url) -x x")
        #expect(none.status == 1)
        #expect(none.stderr == "wsk: the SOCKS5 proxy 127.0.0.1:\(proxy.port) requires a username and password: give them as socks5://USER:PASSWORD@HOST:PORT\n", "\(none.stderr)")
        let wrong = try shell("WSK connect --proxy socks5h://alice:nope@127.0.0.1:\(proxy.port) \(url) -x x")
        #expect(wrong.status == 1)
        #expect(wrong.stderr == "wsk: the SOCKS5 proxy 127.0.0.1:\(proxy.port) rejected the username or password\n", "\(wrong.stderr)")
        // The password is percent-encoded in the URL (s3cr@t).
        let right = try shell("WSK connect --proxy 'socks5h://alice:s3cr%40t@127.0.0.1:\(proxy.port)' \(url) -x in --exit-after 1")
        #expect(right.status == 0 && right.stdout == "in\n", "\(right.stderr)")
        #expect(log(proxy, "AUTH ok alice").count == 1, "\(proxy.standardError)")
        // A target the proxy cannot reach: one line naming the proxy and the target.
        let refused = try shell("WSK connect --proxy 'socks5h://alice:s3cr%40t@127.0.0.1:\(proxy.port)' ws://127.0.0.1:1/ -x x")
        #expect(refused.status == 1)
        #expect(refused.stderr == "wsk: the SOCKS5 proxy 127.0.0.1:\(proxy.port) could not connect to 127.0.0.1:1: connection refused\n", "\(refused.stderr)")
        // A proxy that is not there.
        let dead = try shell("WSK connect --proxy socks5h://127.0.0.1:1 \(url) -x x")
        #expect(dead.status == 1)
        #expect(dead.stderr == "wsk: cannot connect to the SOCKS5 proxy 127.0.0.1:1: connection refused; check --proxy or $all_proxy\n", "\(dead.stderr)")
        withExtendedLifetime(server) {}
    }

    @Test func allProxyIsHonouredAndNoProxyExcludes() throws {
        let server = try EchoServerProcess()
        let proxy = try PeerProcess("python3", "socks5_server.py")
        let url = "ws://localhost:\(server.port)/"
        let via = try shell("WSK connect \(url) -x env --exit-after 1", environment: ["ALL_PROXY": "socks5h://127.0.0.1:\(proxy.port)"])
        #expect(via.status == 0 && via.stdout == "env\n", "\(via.stderr)")
        #expect(log(proxy, "CONNECT name localhost").count == 1, "\(proxy.standardError)")
        let lower = try shell("WSK connect \(url) -x env --exit-after 1", environment: ["all_proxy": "socks5h://127.0.0.1:\(proxy.port)"])
        #expect(lower.status == 0, "\(lower.stderr)")
        #expect(log(proxy, "CONNECT name localhost", count: 2).count == 2, "\(proxy.standardError)")
        // NO_PROXY: straight to the server (the proxy sees nothing more); --no-proxy too.
        let direct = try shell("WSK connect \(url) -x direct --exit-after 1", environment: ["ALL_PROXY": "socks5h://127.0.0.1:\(proxy.port)", "NO_PROXY": "localhost"])
        #expect(direct.status == 0 && direct.stdout == "direct\n", "\(direct.stderr)")
        let flag = try shell("WSK connect --no-proxy \(url) -x direct --exit-after 1", environment: ["ALL_PROXY": "socks5h://127.0.0.1:\(proxy.port)"])
        #expect(flag.status == 0, "\(flag.stderr)")
        #expect(proxy.standardError.split(separator: "\n").filter { $0.hasPrefix("CONNECT") }.count == 2, "\(proxy.standardError)")
        withExtendedLifetime(server) {}
    }

    @Test func benchAndProxyUpstreamsGoThroughIt() throws {
        let server = try EchoServerProcess()
        let proxy = try PeerProcess("python3", "socks5_server.py", ["--auth", "u:p"])
        // bench: every connection through the proxy; its handshake has a proxy step.
        let bench = try WSKProcess.run(["bench", "-c", "3", "--duration", "0.3", "--warmup", "0", "--json", "--proxy", "socks5h://u:p@127.0.0.1:\(proxy.port)", "ws://localhost:\(server.port)/"])
        #expect(bench.status == 0, "\(bench.stderr)")
        let result = try #require(try JSONSerialization.jsonObject(with: Data(bench.stdout.utf8)) as? [String: Any])
        #expect((result["messages"] as? Int ?? 0) > 0)
        let steps = try #require(result["handshake_steps_us"] as? [String: Any])
        #expect(Set(steps.keys) == ["tcp", "proxy", "upgrade"], "\(steps)")
        #expect(log(proxy, "CONNECT name localhost", count: 3).count == 3, "\(proxy.standardError)")
        // wsk proxy: a ws:// upstream and a tcp:// upstream, each reached through SOCKS5.
        let relay = try WSKProcess(["proxy", "-p", "0", "--upstream-proxy", "socks5h://u:p@127.0.0.1:\(proxy.port)", "ws://localhost:\(server.port)/"])
        var relayPort: Int?
        relay.waitForOutput { out, _ in
            guard let line = out.split(separator: "\n").first(where: { $0.hasPrefix("listening on ") }) else { return false }
            relayPort = Int(line.split(separator: ":").last ?? "")
            return true
        }
        let port = try #require(relayPort, "\(relay.standardError)")
        let relayed = try shell("WSK connect ws://127.0.0.1:\(port)/ -x relayed --exit-after 1")
        #expect(relayed.status == 0 && relayed.stdout == "relayed\n", "\(relayed.stderr)")
        #expect(log(proxy, "CONNECT name localhost", count: 4).count == 4, "\(proxy.standardError)")
        // A TCP service that speaks first: its greeting, sent the moment the tunnel is up,
        // reaches the client whole (nothing is dropped between the tunnel and the relay).
        let greeter = try PeerProcess("python3", "tcp_greeter.py")
        let tcpRelay = try WSKProcess(["proxy", "-p", "0", "--upstream-proxy", "socks5h://u:p@127.0.0.1:\(proxy.port)", "tcp://localhost:\(greeter.port)"])
        var tcpPort: Int?
        tcpRelay.waitForOutput { out, _ in
            guard let line = out.split(separator: "\n").first(where: { $0.hasPrefix("listening on ") }) else { return false }
            tcpPort = Int(line.split(separator: ":").last ?? "")
            return true
        }
        let tcp = try #require(tcpPort, "\(tcpRelay.standardError)")
        let greeted = try shell("WSK connect ws://127.0.0.1:\(tcp)/ -x 'echo me' --exit-after 2")
        #expect(greeted.status == 0, "\(greeted.stderr)")
        // tcp:// relays bytes: the greeting is one message with its newline, the echo another.
        #expect(greeted.stdout == "hello from tcp\n\necho me\n", "\(greeted.stdout)")
        #expect(log(proxy, "CONNECT name localhost \(greeter.port)").count == 1, "\(proxy.standardError)")
        withExtendedLifetime((server, relay, tcpRelay)) {}
    }

    @Test(arguments: [
        (["connect", "--proxy", "socks4://h:1", "ws://h/"], "the proxy must be http://, socks5:// or socks5h://"),
        (["bench", "--proxy", "ftp://h", "ws://h/"], "--proxy"),
        (["proxy", "--upstream-proxy", "socks9://x", "ws://h/"], "--upstream-proxy"),
        (["proxy", "--upstream-proxy", "socks5://h:1", "--exec", "cat"], "not --exec"),
    ])
    func malformedProxiesNameTheFlag(arguments: [String], message: String) throws {
        let result = try WSKProcess.run(arguments)
        #expect(result.status == 64)
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }
}
