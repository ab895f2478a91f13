import HubKernel
import ServiceLifecycle
import Synchronization

/// Who is typing where, and until when. A client renews `typing: true` while the user types;
/// when it stops renewing, this service announces `typing: false` after the TTL, so no
/// indicator is left on after a closed tab. Typing events are ephemeral: no `seq`, no history.
final class TypingTracker: Service, Sendable {
    private struct Key: Hashable { var room: String; var userID: String }
    private let typing = Mutex<[Key: (expiresAt: Int64, displayName: String)]>([:])
    private let events: EventPublisher<ChatModule>
    private let clock: any HubClock
    let ttlMs: Int

    init(events: EventPublisher<ChatModule>, clock: any HubClock, ttlMs: Int) {
        self.events = events
        self.clock = clock
        self.ttlMs = ttlMs
    }

    /// Announces that `identity` types in `room` (renewing an indicator already on).
    func start(room: String, identity: Identity) async throws {
        let expiresAt = clock.nowMs() + Int64(ttlMs)
        typing.withLock { $0[Key(room: room, userID: identity.userID)] = (expiresAt, identity.displayName) }
        try await announce(room: room, userID: identity.userID, displayName: identity.displayName, typing: true)
    }

    /// Ends an indicator, announcing it only when one was on.
    func stop(room: String, identity: Identity) async throws {
        let wasTyping = typing.withLock { $0.removeValue(forKey: Key(room: room, userID: identity.userID)) } != nil
        if wasTyping { try await announce(room: room, userID: identity.userID, displayName: identity.displayName, typing: false) }
    }

    /// Ends indicators whose TTL passed. - Returns: how many.
    @discardableResult
    func expire() async throws -> Int {
        let now = clock.nowMs()
        let expired = typing.withLock { typing -> [(Key, String)] in
            let due = typing.filter { $0.value.expiresAt <= now }
            for key in due.keys { typing.removeValue(forKey: key) }
            return due.map { ($0.key, $0.value.displayName) }
        }
        for (key, displayName) in expired {
            try await announce(room: key.room, userID: key.userID, displayName: displayName, typing: false)
        }
        return expired.count
    }

    private func announce(room: String, userID: String, displayName: String, typing: Bool) async throws {
        let event = TypingChanged(room: room, userId: userID, displayName: displayName, typing: typing, expiresInMs: typing ? ttlMs : nil)
        try await events.publish(event, on: ChatTopics.room(room))
    }

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: .milliseconds(250))
                try await self.expire()
            }
        }
    }
}
