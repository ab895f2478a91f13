import Foundation
import NIOCore
import Testing
@testable import HubKernel

/// The registry's side of cluster mode, without a database: events the database numbered
/// arrive in any order (the publisher's own delivery, other nodes' NOTIFYs, a catch-up) and
/// each subscriber still gets every event once, in `seq` order.
@Suite("Cluster delivery order")
struct ClusterDeliveryTests {
    func subscriber() -> Connection {
        Connection(id: "c-\(UUID().uuidString.prefix(6))", identity: Identity(userID: "u", displayName: "U", role: .user),
                   tokenExpiresAtMs: .max, remoteAddress: "127.0.0.1", outbound: OutboundQueue(maxFrames: 100, maxBytes: 1 << 20))
    }

    /// The `seq` of every frame queued to `connection`, in order.
    func received(_ connection: Connection) -> [Int64] {
        guard case .frames(let frames) = connection.outbound.drain() else { return [] }
        return frames.compactMap { frame in
            (try? JSONSerialization.jsonObject(with: Data(frame.readableBytesView)) as? [String: Any])?["seq"] as? Int64
        }
    }

    func deliver(_ registry: TopicRegistry, _ seq: Int64, force: Bool = false) {
        registry.deliver(seq: seq, type: "x.said", topic: "x:t", payload: Data("{}".utf8), force: force)
    }

    @Test("before its position is read a topic holds events back; then it delivers in order, each once") func anchoring() {
        let clock = TestClockStub(now: 1000)
        let registry = TopicRegistry(historySize: 10, clock: clock, clustered: true)
        let connection = subscriber()
        registry.subscribe(connection, to: "x:t", since: nil) { _ in }
        #expect(!registry.isAnchored("x:t"))
        deliver(registry, 6)
        deliver(registry, 5)
        #expect(received(connection) == [], "nothing before the position is known")
        registry.anchor("x:t", latest: 4, events: [])
        #expect(received(connection) == [5, 6])
        deliver(registry, 6)  // the NOTIFY of what the publisher already delivered
        deliver(registry, 8)
        #expect(received(connection) == [], "8 waits for 7")
        deliver(registry, 7)
        #expect(received(connection) == [7, 8])
    }

    @Test("a gap is reported for repair after 300 ms; a forced catch-up jumps what is no longer stored") func repair() {
        let clock = TestClockStub(now: 1000)
        let registry = TopicRegistry(historySize: 10, clock: clock, clustered: true)
        let connection = subscriber()
        registry.subscribe(connection, to: "x:t", since: nil) { _ in }
        registry.anchor("x:t", latest: 10, events: [])
        deliver(registry, 13)
        #expect(registry.needingRepair(olderThanMs: 300).gapped.isEmpty)
        clock.now += 300
        #expect(registry.needingRepair(olderThanMs: 300).gapped.map(\.seq) == [10])
        deliver(registry, 12, force: true)  // 11 was trimmed from the history
        #expect(received(connection) == [12, 13])
        #expect(registry.needingRepair(olderThanMs: 300).gapped.isEmpty)
    }

    @Test("a subscriber to a topic no one here followed yet is anchored by the repair pass") func unanchored() {
        let registry = TopicRegistry(historySize: 10, clock: TestClockStub(now: 0), clustered: true)
        registry.subscribe(subscriber(), to: "x:t", since: nil) { _ in }
        #expect(registry.needingRepair(olderThanMs: 300).unanchored == ["x:t"])
        registry.anchor("x:t", latest: 0, events: [])
        #expect(registry.needingRepair(olderThanMs: 300).unanchored.isEmpty)
    }
}
