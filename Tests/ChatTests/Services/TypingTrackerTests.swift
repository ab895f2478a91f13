import HubKernel
import HubTesting
import Logging
import Synchronization
import Testing
@testable import Chat

/// The typing service against an announcer that fails the way a cluster's does while
/// PostgreSQL is unreachable: the indicator lapses, the failure is logged, and the service
/// keeps running (a module service that ends takes the node down).
@Suite("chat typing service")
struct TypingTrackerTests {
    /// Records announcements; fails those about the rooms in `failing`.
    final class Announcements: Sendable {
        let failing = Mutex<Set<String>>([])
        let attempts = Mutex(0)
        let made = Mutex<[TypingChanged]>([])

        func announce(_ event: TypingChanged) throws {
            attempts.withLock { $0 += 1 }
            if failing.withLock({ $0.contains(event.room) }) { throw HubError(.unavailable, "the database is unavailable, retry later") }
            made.withLock { $0.append(event) }
        }

        var lapsed: [String] { made.withLock { $0.filter { !$0.typing }.map(\.room) } }
    }

    func tracker(_ clock: TestClock, _ announcements: Announcements) -> TypingTracker {
        TypingTracker(clock: clock, ttlMs: 5000, logger: Logger(label: "test")) { try announcements.announce($0) }
    }

    let alice = Identity(userID: "u-alice", displayName: "Alice", role: .user)

    @Test("an expiry whose announcement fails still ends, and the others in the same sweep are announced")
    func failedAnnouncementInASweep() async throws {
        let clock = TestClock()
        let announcements = Announcements()
        let typing = tracker(clock, announcements)
        try await typing.start(room: "a", identity: alice)
        try await typing.start(room: "b", identity: alice)
        announcements.failing.withLock { $0 = ["a"] }
        clock.advance(by: .seconds(6))
        #expect(await typing.expire() == 2)
        #expect(announcements.attempts.withLock { $0 } == 4)
        #expect(announcements.lapsed == ["b"])
        announcements.failing.withLock { $0 = [] }
        #expect(await typing.expire() == 0)  // lapsed, not kept for another try
    }

    @Test("the service keeps expiring after an announcement failed")
    func serviceOutlivesAFailure() async throws {
        let clock = TestClock()
        let announcements = Announcements()
        let typing = tracker(clock, announcements)
        let service = Task { try await typing.run() }
        defer { service.cancel() }
        try await typing.start(room: "a", identity: alice)
        announcements.failing.withLock { $0 = ["a"] }
        clock.advance(by: .seconds(6))
        // the service sweeps every 250 ms; a test machine running every other suite at once
        // may keep its task waiting for seconds
        #expect(try await eventually(within: .seconds(30)) { announcements.attempts.withLock { $0 } == 2 })
        try await typing.start(room: "b", identity: alice)
        clock.advance(by: .seconds(6))
        #expect(try await eventually(within: .seconds(30)) { announcements.lapsed == ["b"] })
    }
}
