import HubKernel
import Logging
import ServiceLifecycle
import Synchronization

/// Who is typing where, and until when. A client renews `typing: true` while the user types;
/// when it stops renewing, this service announces `typing: false` after the TTL, so no
/// indicator is left on after a closed tab. Typing events are ephemeral: no `seq`, no history.
final class TypingTracker: Service, Sendable {
    /// Tells a room's subscribers that a user's indicator changed (in a cluster, through the
    /// database, so it can fail while the database is unreachable).
    typealias Announce = @Sendable (TypingChanged) async throws -> Void

    private struct Key: Hashable { var room: String; var userID: String }
    private let typing = Mutex<[Key: (expiresAt: Int64, displayName: String)]>([:])
    private let announce: Announce
    private let clock: any HubClock
    private let logger: Logger
    let ttlMs: Int

    init(clock: any HubClock, ttlMs: Int, logger: Logger, announce: @escaping Announce) {
        self.announce = announce
        self.clock = clock
        self.logger = logger
        self.ttlMs = ttlMs
    }

    /// Announces on the room's topic through the chat module's publisher.
    convenience init(events: EventPublisher<ChatModule>, clock: any HubClock, ttlMs: Int, logger: Logger) {
        self.init(clock: clock, ttlMs: ttlMs, logger: logger) { event in
            try await events.publish(event, on: ChatTopics.room(event.room))
        }
    }

    /// Announces that `identity` types in `room` (renewing an indicator already on).
    func start(room: String, identity: Identity) async throws {
        let expiresAt = clock.nowMs() + Int64(ttlMs)
        typing.withLock { $0[Key(room: room, userID: identity.userID)] = (expiresAt, identity.displayName) }
        try await announce(changed(room: room, userID: identity.userID, displayName: identity.displayName, typing: true))
    }

    /// Ends an indicator, announcing it only when one was on.
    func stop(room: String, identity: Identity) async throws {
        let wasTyping = typing.withLock { $0.removeValue(forKey: Key(room: room, userID: identity.userID)) } != nil
        if wasTyping { try await announce(changed(room: room, userID: identity.userID, displayName: identity.displayName, typing: false)) }
    }

    /// Ends indicators whose TTL passed and announces each. An announcement that fails is
    /// logged and not retried: the indicator is off anyway, and every client also lapses it
    /// by itself after the `expiresInMs` it was given.
    /// - Returns: how many indicators ended.
    @discardableResult
    func expire() async -> Int {
        let now = clock.nowMs()
        let expired = typing.withLock { typing -> [(Key, String)] in
            let due = typing.filter { $0.value.expiresAt <= now }
            for key in due.keys { typing.removeValue(forKey: key) }
            return due.map { ($0.key, $0.value.displayName) }
        }
        for (key, displayName) in expired {
            do {
                try await announce(changed(room: key.room, userID: key.userID, displayName: displayName, typing: false))
            } catch {
                logger.warning("typing indicator lapsed unannounced", metadata: ["room": .string(key.room), "error": .string(String(describing: error))])
            }
        }
        return expired.count
    }

    private func changed(room: String, userID: String, displayName: String, typing: Bool) -> TypingChanged {
        TypingChanged(room: room, userId: userID, displayName: displayName, typing: typing, expiresInMs: typing ? ttlMs : nil)
    }

    /// Expires indicators four times a second until the node shuts down. Nothing but the
    /// shutdown ends it: a module service that returns takes the node down with it.
    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: .milliseconds(250))
                await self.expire()
            }
        }
    }
}
