import NIOCore
import Testing
@testable import HubKernel

/// A topic's history against a model that remembers everything (seeded, reproducible).
@Suite("Topic history properties")
struct TopicHistoryPropertyTests {
    @Test("a replay is exactly the events after since, in order, or nil when any of them fell out", arguments: [UInt64(21), 22, 23])
    func replay(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        for _ in 0..<200 {
            let capacity = Int.random(in: 0...12, using: &random)
            var history = TopicHistory(capacity: capacity)
            let first = Int64.random(in: 1...1_000_000, using: &random)
            var latest = first
            var all: [Int64] = []
            for _ in 0..<Int.random(in: 0...40, using: &random) {
                latest += 1
                all.append(latest)
                history.append(seq: latest, frame: ByteBuffer(string: "e\(latest)"))
                #expect(history.count == min(capacity, all.count))
            }
            for since in (first - 2)...(latest + 1) {
                let replay = history.events(after: since, latest: latest)?.map { String(buffer: $0) }
                let wanted = all.filter { $0 > since }
                let kept = all.suffix(capacity)
                let expected: [String]?
                if since == latest {
                    expected = []
                } else if since < latest, kept.contains(since + 1) {
                    expected = wanted.map { "e\($0)" }
                } else {
                    // ahead of the topic, an event after `since` no longer kept, or a `since` from
                    // before the topic's first event (the history cannot prove nothing came between)
                    expected = nil
                }
                #expect(replay == expected, "seed \(seed): capacity \(capacity), events \(all.first ?? 0)…\(latest), since \(since)")
            }
        }
    }
}
