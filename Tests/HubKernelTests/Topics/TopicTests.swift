import NIOCore
import Testing
@testable import HubKernel

@Suite("Topics and their history")
struct TopicTests {
    @Test("valid names", arguments: ["chat:general", "user:42", "poll:a:b", "chsh:g1:dashboard"])
    func valid(_ name: String) { #expect(Topic(name) != nil) }

    @Test("invalid names", arguments: ["general", ":x", "chat:", "Chat:x", "ch at:x", "chat:a\u{0}b", "c-h:x",
                                       "chat:" + String(repeating: "x", count: 300)])
    func invalid(_ name: String) { #expect(Topic(name) == nil) }

    @Test("module and local name") func parts() {
        let topic = Topic(unchecked: "chsh:g1:dashboard")
        #expect(topic.module == "chsh")
        #expect(topic.localName == "g1:dashboard")
    }

    func frame(_ n: Int) -> ByteBuffer { ByteBuffer(string: "\(n)") }

    @Test("events after `since` are replayed while all are still held") func replay() {
        var history = TopicHistory(capacity: 3)
        for seq in 1...5 { history.append(seq: Int64(seq), frame: frame(seq)) }
        #expect(history.events(after: 2, latest: 5)?.map { String(buffer: $0) } == ["3", "4", "5"])
        #expect(history.events(after: 4, latest: 5)?.count == 1)
        #expect(history.events(after: 5, latest: 5)?.isEmpty == true)
    }

    @Test("a gap or a future `since` cannot be recovered") func gap() {
        var history = TopicHistory(capacity: 3)
        for seq in 1...5 { history.append(seq: Int64(seq), frame: frame(seq)) }
        #expect(history.events(after: 1, latest: 5) == nil)
        #expect(history.events(after: 9, latest: 5) == nil)
        #expect(TopicHistory(capacity: 3).events(after: 0, latest: 1) == nil)
    }

    @Test("sequence numbers start from the clock, so they grow across restarts") func seqBase() {
        let clock = TestClockStub(now: 1_000)
        let registry = TopicRegistry(historySize: 10, clock: clock)
        let first = registry.publish(type: "x.y", topic: "x:a", payload: .init("{}".utf8), sequenced: true).seq
        #expect(first == 1_000_001)
        let restarted = TopicRegistry(historySize: 10, clock: TestClockStub(now: 2_000))
        let second = restarted.publish(type: "x.y", topic: "x:a", payload: .init("{}".utf8), sequenced: true).seq
        #expect(second! > first!)
    }

    @Test("unsequenced events have no seq and no history") func ephemeral() {
        let registry = TopicRegistry(historySize: 10, clock: TestClockStub(now: 1))
        #expect(registry.publish(type: "x.t", topic: "x:a", payload: .init("{}".utf8), sequenced: false).seq == nil)
        #expect(registry.count == 0)
    }

    @Test("idle topics without subscribers are swept") func sweep() {
        let clock = TestClockStub(now: 0)
        let registry = TopicRegistry(historySize: 10, clock: clock)
        registry.publish(type: "x.y", topic: "x:a", payload: .init("{}".utf8), sequenced: true)
        clock.now = 1000
        #expect(registry.sweep(idleMs: 5000) == 0)
        clock.now = 10_000
        #expect(registry.sweep(idleMs: 5000) == 1)
    }
}

/// A minimal settable clock for unit tests of kernel internals.
final class TestClockStub: HubClock, @unchecked Sendable {
    // only mutated from the test's own task, never concurrently
    var now: Int64
    init(now: Int64) { self.now = now }
    func nowMs() -> Int64 { now }
}
