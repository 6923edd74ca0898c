import ArgumentParser
import Foundation
import Histogram

/// `wsk bench merge A.json B.json …`: runs from several generators as one.
public struct BenchMerge: WSKCommand {
    public static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge the --json results of several bench runs (several generators) into one report.",
        discussion: """
            Each file is the output of `wsk bench --json`. The latency histograms are added \
            bucket by bucket (exact: the percentiles are those of all the echoes together), \
            messages, errors and skipped sends are summed, and the rate is the sum of the runs' \
            rates, over the window they all measured (from the latest start to the earliest \
            end; a note says when the runs did not overlap well — use --start-at). The merge is \
            printed like a single run, as text or --json, and --threshold applies to it.

            EXAMPLES:
              wsk bench merge gen-*.json
              wsk bench merge --json --threshold 'p99<5ms' a.json b.json c.json > all.json
            """
    )

    @Argument(help: ArgumentHelp("Result files of `wsk bench --json` ('-' for standard input, one object per line).", valueName: "file"), completion: .file())
    var files: [String]

    @Flag(help: "Print the merged result as one JSON object.")
    var json = false

    @Option(help: ArgumentHelp("A pass/fail condition on the merged result, as for bench (repeatable); a violated one exits 2.", valueName: "condition"))
    var threshold: [String] = []

    public init() {}

    public func validate() throws {
        guard !files.isEmpty else { throw ValidationError("<file>: give at least one result of `wsk bench --json`") }
        for text in threshold { _ = try BenchThreshold(parsing: text) }
    }

    public func execute() async throws {
        let thresholds = try threshold.map { try BenchThreshold(parsing: $0) }
        var results: [(name: String, result: BenchResult, histogram: Histogram<UInt64>)] = []
        for file in files {
            let text: String
            do {
                text = file == "-"
                    ? String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
                    : try String(contentsOfFile: file, encoding: .utf8)
            } catch {
                throw UserFacingError("merge", "cannot read \(file): \(UserFacingError.describe(error))")
            }
            let lines = text.split(separator: "\n").filter { !$0.allSatisfy(\.isWhitespace) }
            guard !lines.isEmpty else {
                throw UserFacingError("merge", "\(file) is empty (is its bench run still going?)", hint: "merge the --json output of finished bench runs")
            }
            for line in lines {
                let result: BenchResult
                do {
                    result = try JSONDecoder().decode(BenchResult.self, from: Data(line.utf8))
                } catch {
                    throw UserFacingError("merge", "\(file) is not the output of `wsk bench --json`", hint: "run bench with --json and merge those files")
                }
                guard let encoded = result.histogramEncoded else {
                    throw UserFacingError("merge", "\(file) has no latency_histogram (made by an older wsk?)", hint: "run bench again with this wsk")
                }
                do {
                    results.append((file, result, try HistogramCodec.decode(encoded)))
                } catch {
                    throw UserFacingError("merge", "\(file): latency_histogram: \(error)")
                }
            }
        }
        var merged = Self.merge(results.map { ($0.result, $0.histogram) })
        merged.thresholds = thresholds.map { $0.check(merged) }
        if let start = merged.start, let end = merged.end, end - start < 0.9 * results.map({ $0.result.seconds }).min()! {
            Diagnostics.note("the runs overlapped for \(String(format: "%.1f", max(0, end - start))) s only: start them together with --start-at")
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            FileOutput.writeAll(Array(try encoder.encode(merged)) + [0x0A], to: 1)
        } else {
            FileOutput.writeAll(Array(("merged \(results.count) runs\n" + BenchRunner.report(merged) + "\n").utf8), to: 1)
        }
        if merged.thresholds.contains(where: { !$0.passed }) { throw ExitCode(2) }
        if merged.errors > 0 && !thresholds.contains(where: { $0.metric == .errors }) { throw ExitCode(1) }
    }

    /// The runs as one: histograms added, counts summed, rates summed.
    static func merge(_ runs: [(result: BenchResult, histogram: Histogram<UInt64>)]) -> BenchResult {
        var histogram = runs[0].histogram
        for run in runs.dropFirst() { histogram.add(run.histogram) }
        var merged = runs[0].result
        let starts = runs.compactMap(\.result.start)
        let ends = runs.compactMap(\.result.end)
        merged.url = Set(runs.map(\.result.url)).sorted().joined(separator: ", ")
        merged.connections = runs.reduce(0) { $0 + $1.result.connections }
        merged.messages = runs.reduce(0) { $0 + $1.result.messages }
        merged.errors = runs.reduce(0) { $0 + $1.result.errors }
        merged.behindSchedule = runs.reduce(0) { $0 + $1.result.behindSchedule }
        merged.messagesPerSecond = runs.reduce(0) { $0 + $1.result.messagesPerSecond }
        merged.bytesPerSecond = runs.reduce(0) { $0 + $1.result.bytesPerSecond }
        merged.rate = runs.allSatisfy({ $0.result.rate != nil }) ? runs.reduce(0) { $0 + ($1.result.rate ?? 0) } : nil
        merged.endedEarly = runs.contains { $0.result.endedEarly }
        merged.errorDetails = Array(Set(runs.flatMap(\.result.errorDetails)).sorted().prefix(BenchTotals.maxErrorDetails))
        merged.start = starts.max()
        merged.end = ends.min()
        if let start = merged.start, let end = merged.end { merged.seconds = max(0, ((end - start) * 1000).rounded() / 1000) }
        merged.latencyMicroseconds = BenchResult.Latency(histogram)
        merged.histogram = histogram
        merged.histogramEncoded = HistogramCodec.encode(histogram)
        // Connection counts add up.
        func total(_ value: (BenchResult) -> Int?) -> Int? {
            let values = runs.compactMap { value($0.result) }
            return values.count == runs.count ? values.reduce(0, +) : nil
        }
        merged.connectionsOpen = total(\.connectionsOpen)
        merged.connectionsPeak = total(\.connectionsPeak)
        merged.connectionsFailed = total(\.connectionsFailed)
        merged.connectionsLost = total(\.connectionsLost)
        merged.reconnects = total(\.reconnects)
        merged.pingsSent = total(\.pingsSent)
        merged.pongs = total(\.pongs)
        // Pong round trips and handshakes merge exactly, when every run has them.
        (merged.pingMicroseconds, merged.pingHistogramEncoded) = mergedHistogram(runs.map(\.result.pingHistogramEncoded))
        (merged.handshakeMicroseconds, merged.handshakeHistogramEncoded) = mergedHistogram(runs.map(\.result.handshakeHistogramEncoded))
        merged.maxRSSBytes = nil
        merged.stages = nil
        merged.handshakeSteps = nil
        var failures: [BenchResult.Failure] = []
        for failure in runs.flatMap({ $0.result.failures ?? [] }) {
            if let index = failures.firstIndex(where: { $0.step == failure.step && $0.reason == failure.reason }) {
                failures[index].count += failure.count
            } else {
                failures.append(failure)
            }
        }
        merged.failures = runs.contains { $0.result.failures != nil } ? failures : nil
        merged.thresholds = []
        return merged
    }

    /// The runs' encoded histograms added bucket by bucket, with their figures; nil when
    /// a run has none.
    static func mergedHistogram(_ encoded: [String?]) -> (BenchResult.Latency?, String?) {
        let histograms = encoded.compactMap { $0.flatMap { try? HistogramCodec.decode($0) } }
        guard histograms.count == encoded.count, var sum = histograms.first else { return (nil, nil) }
        for other in histograms.dropFirst() { sum.add(other) }
        return (BenchResult.Latency(sum), HistogramCodec.encode(sum))
    }
}
