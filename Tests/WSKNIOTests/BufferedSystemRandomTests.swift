import Testing

@testable import WSKNIO

/// The client's masking-key source: kernel bytes, 4 KiB per refill, each used once.
@Suite("BufferedSystemRandom")
struct BufferedSystemRandomTests {
    @Test func drawsAcrossRefillsAreDistinctAndFullWidth() {
        var generator = BufferedSystemRandom()
        // Three refills' worth: no word repeats (a repeat among 1,536 random 64-bit words has
        // probability ~1e-13) and every bit position is used.
        let words = (0..<1536).map { _ in generator.next() as UInt64 }
        #expect(Set(words).count == words.count)
        #expect(words.reduce(0, |) == UInt64.max)
        #expect(words.reduce(UInt64.max, &) == 0)
    }

    @Test func eachThreadHasItsOwnPoolAndNoneRepeatsAnother() async {
        let batches = await withTaskGroup(of: [UInt64].self) { group in
            for _ in 0..<4 {
                group.addTask {
                    var generator = BufferedSystemRandom()
                    return (0..<600).map { _ in generator.next() as UInt64 }
                }
            }
            var all: [[UInt64]] = []
            for await batch in group { all.append(batch) }
            return all
        }
        let words = batches.flatMap { $0 }
        #expect(Set(words).count == words.count)
    }
}
