import Foundation
import NIOCore
import Testing
import WSKCore

/// `wsk proxy`'s relay: nothing lost, nothing stalled, nothing unbounded (the defects of the
/// first proxy, each reproduced with real processes on loopback; loops where a defect was
/// intermittent).
@Suite("proxy: flow and lifecycle", .serialized, .timeLimit(.minutes(3)))
struct ProxyFlowTests {
    @Test func messagesFlowWhicheverSideSpeaksFirst() throws {
        // An upstream that greets right after the 101 (and pings), then echoes: the client's
        // message must be relayed at once, not when the client closes.
        let upstream = try ScriptedServer { peer -> Int in
            try peer.acceptHandshake()
            try peer.send(.ping(ByteBuffer(string: "early")))
            try peer.send(.text("welcome"))
            var echoed = 0
            while let message = try peer.nextMessage(timeout: 20) {
                try peer.send(.text("echo:" + message.text))
                echoed += 1
            }
            return echoed
        }
        let proxy = try ProxyProcess(["ws://127.0.0.1:\(upstream.port)/"])
        for _ in 0..<5 {
            let client = try WSKProcess(["connect", "ws://127.0.0.1:\(proxy.port)/"], standardInput: true)
            #expect(client.waitForOutput { out, _ in out == "welcome\n" }, "\(client.standardError)")
            try client.write("hello\n")
            // Relayed while the client keeps its side open.
            #expect(client.waitForOutput { out, _ in out == "welcome\necho:hello\n" }, "\(client.standardError) \(proxy.log)")
            try client.closeInput()
            #expect(client.waitForExit(timeout: 15) == 0, "\(client.standardError)")
        }
        #expect(try upstream.outcomes(count: 5) == [1, 1, 1, 1, 1])
    }

    @Test func everyLineOfAProgramArrivesBeforeTheClose() throws {
        // All output, the last line included even without a newline, then a clean 1000.
        let proxy = try ProxyProcess(["--exec", "seq 1 300000; printf 'last line'"])
        for _ in 0..<3 {
            // 300,001 messages through two debug builds take 15-30 s a round here, and more
            // beside the rest of the suite on a 2-core CI machine (one round passed 60 s
            // there): the deadline is for a stall, not a speed limit.
            let result = try shell(
                "out=$(mktemp); WSK connect --wait-for-close ws://127.0.0.1:\(proxy.port)/ < /dev/null > $out; echo status=$?; wc -l < $out; sed -n '300000p;300001p' $out; rm -f $out",
                timeout: 180
            )
            #expect(result.stdout == "status=0\n300001\n300000\nlast line\n", "\(result.stderr)")
        }
        // A 1 MB line arrives whole.
        let long = try ProxyProcess(["-v", "--exec", "head -c 1000000 /dev/zero | tr '\\\\0' a; echo"])
        do {
            let result = try shell("WSK connect -v --wait-for-close ws://127.0.0.1:\(long.port)/ < /dev/null | wc -c")
            #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1000001", "\(result.stderr)")
        } catch {
            // Once seen in CI (a fresh clone under load): the client still waiting after 60 s.
            // The proxy's log says how far the relay got.
            Issue.record("\(error)\nproxy log:\n\(long.log)")
        }
    }

    @Test(arguments: ["ws", "tcp"])
    func aSlowClientSlowsAFloodingUpstreamDown(kind: String) throws {
        // 20 MB from an upstream that writes as fast as it can, to a client that reads
        // slowly: the proxy must stop reading the upstream (TCP backpressure), not queue past
        // its 16 MiB limit and drop the client with 1008.
        let count = 20_000
        let upstream = try ScriptedServer { peer -> Int in
            if kind == "ws" { try peer.acceptHandshake() }
            for sequence in 0..<count {
                var payload = ByteBuffer()
                payload.writeInteger(UInt32(sequence))
                payload.writeRepeatingByte(0x61, count: 1020)
                if kind == "ws" { try peer.send(.binary(payload)) } else { try peer.sendRaw(payload) }
            }
            if kind == "ws" { try peer.send(.close(CloseFrame(code: .normalClosure))) }
            return count
        }
        let proxy = try ProxyProcess([kind == "ws" ? "ws://127.0.0.1:\(upstream.port)/" : "tcp://127.0.0.1:\(upstream.port)"])
        let client = try RawClient.connect(port: proxy.port)
        var received = ByteBuffer()
        var messages = 0
        while let message = try client.nextMessage(timeout: 20) {
            var data = message.data
            received.writeBuffer(&data)
            messages += 1
            if messages % 100 == 0 { usleep(5_000) }  // the slow reader (part of the scenario)
        }
        // In order, nothing lost (TCP chunks arrive in any sizes: compare the bytes).
        #expect(received.readableBytes == count * 1024, "\(received.readableBytes) bytes; \(proxy.log.suffix(400))")
        var sequence: UInt32 = 0
        while received.readableBytes >= 1024, let value = received.readInteger(as: UInt32.self) {
            if value != sequence { break }
            received.moveReaderIndex(forwardBy: 1020)
            sequence += 1
        }
        #expect(sequence == UInt32(count), "out of order at \(sequence)")
        #expect(!proxy.log.contains("code=1008"), "\(proxy.log)")
        #expect(try upstream.outcomes(count: 1) == [count])
    }

    @Test func aProxyPointedAtItselfIsRefusedNotFlooded() throws {
        // At start, when the upstream is its own listening address.
        let direct = try WSKProcess.run(["proxy", "--port", "9", "ws://localhost:9/"])
        #expect(direct.status == 64)
        #expect(direct.stderr.contains("<upstream>: ws://localhost:9/ is this proxy's own address"), "\(direct.stderr)")
        // At run time (an address that reaches it another way): the looped request carries
        // this proxy's Via marker and gets 508, which passes back to the client (the
        // upstream is dialled before the client's upgrade is answered).
        let port = try freePort()
        let proxy = try ProxyProcess(["--host", "0.0.0.0", "--port", "\(port)", "ws://127.0.0.2:\(port)/"], fixedPort: true)
        let client = try shell("WSK connect --wait-for-close ws://127.0.0.1:\(port)/ < /dev/null")
        #expect(client.status == 2, "\(client.stderr)")
        #expect(client.stderr.contains("HTTP 508"), "\(client.stderr)")
        // One client, one looped request, both refused: no flood.
        #expect(proxy.process.waitForOutput { _, err in err.components(separatedBy: " refused remote=").count - 1 == 2 }, "\(proxy.log)")
        #expect(proxy.log.components(separatedBy: "status=508").count - 1 == 2, "\(proxy.log)")
        #expect(!proxy.log.contains(" open "), "\(proxy.log)")
    }

    @Test func aClientsCloseEndsAProgramThatIgnoresItsInput() throws {
        let proxy = try ProxyProcess(["--exec", "sleep 25; echo late"])
        let client = try WSKProcess(["connect", "ws://127.0.0.1:\(proxy.port)/"], standardInput: true)
        #expect(proxy.process.waitForOutput { _, err in err.contains("upstream_detail=\"pid ") }, "\(proxy.log)")
        let program = childProcesses(of: proxy.process.process.processIdentifier).first ?? 0
        #expect(program != 0)
        try client.closeInput()
        // The close reply comes within wsk connect's own close timeout: a clean exit.
        #expect(client.waitForExit(timeout: 15) == 0, "\(client.standardError)")
        #expect(client.standardOutput.isEmpty)
        // The program's whole process group is gone, and reaped.
        #expect(waitUntil { !isRunning(program) && processGroupMembers(program).isEmpty }, "sleep outlived its client")
    }
}

/// A TCP port nothing listens on right now.
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = INADDR_ANY
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let ok = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard ok else { throw TestFailure("no free port: errno \(errno)") }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// The fields of `/proc/PID/stat` after the command name: state, ppid, pgrp, …; `nil` when
/// the process is gone.
func processStat(_ pid: pid_t) -> [Substring]? {
    guard pid > 0, let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
    else { return nil }
    return stat[stat.index(after: close)...].split(separator: " ")
}

/// Every pid on the machine.
func allProcesses() -> [pid_t] {
    ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { pid_t($0) }
}

/// The pids whose parent is `parent`.
func childProcesses(of parent: pid_t) -> [pid_t] {
    allProcesses().filter { processStat($0).map { $0.count > 2 && pid_t($0[1]) == parent } ?? false }
}

/// The pids in process group `group` (not zombies).
func processGroupMembers(_ group: pid_t) -> [pid_t] {
    allProcesses().filter { processStat($0).map { $0.count > 3 && pid_t($0[2]) == group && $0[0] != "Z" } ?? false }
}

/// Whether `pid` exists and is not a zombie.
func isRunning(_ pid: pid_t) -> Bool {
    processStat(pid).map { $0.first != "Z" } ?? false
}

/// Where the kernel has `pid` waiting (`/proc/PID/wchan`), e.g. `pipe_write`.
func kernelWaitChannel(_ pid: pid_t) -> String {
    (try? String(contentsOfFile: "/proc/\(pid)/wchan", encoding: .utf8)) ?? ""
}

/// Whether `pid` sleeps in a write to its stdout: the kernel's wait channel says
/// pipe_write, or (where wchan is hidden) /proc/PID/syscall shows write(1, …).
func blockedWritingStdout(_ pid: pid_t) -> Bool {
    if kernelWaitChannel(pid).hasSuffix("pipe_write") { return true }
    let syscall = (try? String(contentsOfFile: "/proc/\(pid)/syscall", encoding: .utf8)) ?? ""
    return syscall.hasPrefix("1 0x1 ")
}

/// The resident set size of `pid` in KiB.
func residentKiB(_ pid: pid_t) -> Int {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
    else { return 0 }
    return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
}

/// Polls `condition` until it holds or `timeout` seconds pass.
func waitUntil(timeout: Double = 10, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if condition() { return true }
        usleep(10_000)
    }
    return condition()
}
