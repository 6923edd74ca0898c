import Foundation
import Testing

/// A `wsk proxy` on a free port.
final class ProxyProcess: @unchecked Sendable {
    let process: WSKProcess
    let port: Int

    init(_ arguments: [String], fixedPort: Bool = false) throws {
        process = try WSKProcess(["proxy"] + (fixedPort ? [] : ["--port", "0"]) + ["--threads", "1"] + arguments)
        var found: Int?
        process.waitForOutput(timeout: 15) { out, _ in
            guard let line = out.split(separator: "\n").first(where: { $0.hasPrefix("listening on ") }),
                let colon = line.lastIndex(of: ":")
            else { return false }
            found = Int(line[line.index(after: colon)...])
            return found != nil
        }
        guard let found else { throw TestFailure("proxy did not print its port; stderr: \(process.standardError)") }
        port = found
    }

    var log: String { process.standardError }

    deinit {
        if process.process.isRunning { process.signal(SIGKILL) }
    }
}

/// `wsk proxy` relaying to `wsk serve-echo`, a TCP service and programs, driven by
/// `wsk connect` in pipe mode.
@Suite("proxy")
struct ProxyTests {
    @Test func relaysToAWebSocketServerKeepingThePath() throws {
        let upstream = try EchoServerProcess()
        let proxy = try ProxyProcess(["-v", "ws://127.0.0.1:\(upstream.port)/"])
        let result = try shell("printf 'one\\ntwo\\n' | WSK connect ws://127.0.0.1:\(proxy.port)/room/7")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "one\ntwo\n")
        #expect(upstream.process.waitForOutput { _, err in err.contains("path=/room/7") }, "\(upstream.log)")
        #expect(proxy.process.waitForOutput { _, err in err.contains("from=upstream type=text bytes=3 preview=two") }, "\(proxy.log)")
        #expect(proxy.log.contains("from=client type=text bytes=3 preview=one"))
        #expect(proxy.process.waitForOutput { _, err in err.contains("to_upstream=2 to_client=2") }, "\(proxy.log)")
    }

    @Test func theAgreedSubprotocolIsOfferedUpstream() throws {
        let upstream = try EchoServerProcess(["--subprotocol", "chat.v2"])
        let proxy = try ProxyProcess(["--subprotocol", "chat.v2", "ws://127.0.0.1:\(upstream.port)/"])
        let result = try shell("WSK connect -v --subprotocol chat.v2 -x hi ws://127.0.0.1:\(proxy.port)/")
        #expect(result.stdout == "hi\n")
        #expect(result.stderr.contains("subprotocol=chat.v2"), "\(result.stderr)")
        #expect(upstream.process.waitForOutput { _, err in err.contains("subprotocol=chat.v2") }, "\(upstream.log)")
    }

    @Test func upstreamCloseCodeReachesTheClient() throws {
        // The upstream fails the connection with 1009 (RFC 6455 §7.4.1); the proxy passes
        // the code on, so the client sees why.
        let upstream = try EchoServerProcess(["--max-message-size", "10"])
        let proxy = try ProxyProcess(["ws://127.0.0.1:\(upstream.port)/"])
        let result = try shell("echo 'longer than ten bytes' | WSK connect --wait-for-close ws://127.0.0.1:\(proxy.port)/")
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("1009"), "\(result.stderr)")
    }

    @Test func relaysToATCPService() throws {
        // A TCP service that answers every chunk upper-cased, until the client ends.
        let service = try ScriptedServer { peer in
            while let bytes = try peer.readSome(timeout: 10), !bytes.isEmpty {
                try peer.sendRaw(Array(String(decoding: bytes, as: UTF8.self).uppercased().utf8))
            }
        }
        let proxy = try ProxyProcess(["tcp://127.0.0.1:\(service.port)"])
        let result = try shell("printf 'shout' | WSK connect --binary ws://127.0.0.1:\(proxy.port)/")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "SHOUT")
    }

    @Test func runsAProgramPerClient() throws {
        let proxy = try ProxyProcess(["--exec", "while read line; do echo \"got $line from $REMOTE_ADDR\"; done"])
        let result = try shell("printf 'a\\nb\\n' | WSK connect ws://127.0.0.1:\(proxy.port)/")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "got a from 127.0.0.1\ngot b from 127.0.0.1\n", "\(result.stdout)")

        // A program that fails: its output arrives, then 1011 with its status.
        let failing = try ProxyProcess(["--exec", "echo bye; exit 3"])
        let ended = try shell("WSK connect --wait-for-close ws://127.0.0.1:\(failing.port)/ < /dev/null")
        #expect(ended.stdout == "bye\n")
        #expect(ended.status == 4)
        #expect(ended.stderr.contains("1011") && ended.stderr.contains("status 3"), "\(ended.stderr)")
    }

    @Test(arguments: [
        (["proxy"], "<upstream>"),
        (["proxy", "tcp://host"], "tcp://HOST:PORT"),
        (["proxy", "ftp://x"], "unsupported scheme"),
        (["proxy", "ws://x", "--exec", "cat"], "--exec"),
        (["proxy", "--exec", " "], "--exec"),
        (["proxy", "--port", "-1", "ws://x"], "--port must be between 0 and 65535, got -1"),
    ])
    func malformedArgumentsNameTheFlag(arguments: [String], fragment: String) throws {
        let result = try WSKProcess.run(arguments)
        #expect(result.status == 64)
        #expect(result.stderr.contains(fragment), "\(result.stderr)")
    }
}
