import Testing

@testable import WSKCLI

/// `--stage DURATION:CONNECTIONS[:LOAD]`.
@Suite struct BenchStageTests {
    @Test func stagesParseTheirDurationConnectionsAndLoad() throws {
        let depth = BenchStage.Load.depth(1)
        #expect(try BenchStage(parsing: "30s:1000c", defaultLoad: depth) == BenchStage(duration: 30, connections: 1000, load: .depth(1)))
        #expect(try BenchStage(parsing: "60s:5000c:rate=20000", defaultLoad: depth) == BenchStage(duration: 60, connections: 5000, load: .rate(20000)))
        #expect(try BenchStage(parsing: "2m:200:depth=4", defaultLoad: depth) == BenchStage(duration: 120, connections: 200, load: .depth(4)))
        #expect(try BenchStage(parsing: "500ms:0c:hold", defaultLoad: depth) == BenchStage(duration: 0.5, connections: 0, load: .hold))
        #expect(try BenchStage(parsing: "10s:100c:rate-per-connection=5", defaultLoad: .hold) == BenchStage(duration: 10, connections: 100, load: .ratePerConnection(5)))
        // Without a load, the flags' load.
        #expect(try BenchStage(parsing: "1s:3c", defaultLoad: .hold).load == .hold)
    }

    @Test func aStageSaysWhatItDoesAndRoundTrips() throws {
        for text in ["30s:1000c:depth=1", "1.5s:10c:rate=250", "1s:4c:rate-per-connection=2.5", "5s:20000c:hold"] {
            let stage = try BenchStage(parsing: text, defaultLoad: .depth(1))
            #expect(stage.description == text)
            #expect(try BenchStage(parsing: stage.description, defaultLoad: .hold) == stage)
        }
    }

    @Test func ratesPerConnectionAndInTotal() throws {
        let total = BenchStage(duration: 1, connections: 4, load: .rate(100))
        #expect(total.perConnectionRate == 25 && total.totalRate == 100)
        let each = BenchStage(duration: 1, connections: 4, load: .ratePerConnection(10))
        #expect(each.perConnectionRate == 10 && each.totalRate == 40)
        #expect(BenchStage(duration: 1, connections: 4, load: .hold).perConnectionRate == nil)
    }

    @Test(arguments: [
        ("1s", "too few fields"), ("fast:10c", "'fast' is not a duration"), ("0s:10c", "'0s' is not a duration"),
        ("1s:lots", "'lots' is not a number of connections"), ("1s:200000c", "'200000c' is not a number"),
        ("1s:10c:rate=0", "'rate=0' is not a load"), ("1s:10c:depth=1.5", "'depth=1.5' is not a load"),
        ("1s:10c:speed=3", "'speed=3' is not a load"), ("1s:10c:hold:depth=2", "give one load per stage"),
        ("1s:10c:hold=1", "'hold=1' is not a load"),
    ])
    func malformedStagesAreRefusedWithTheReason(text: String, reason: String) {
        do {
            _ = try BenchStage(parsing: text, defaultLoad: .depth(1))
            Issue.record("'\(text)' was accepted")
        } catch {
            let message = "\(error)"
            #expect(message.contains("--stage '\(text)': \(reason)"), "\(message)")
        }
    }
}
