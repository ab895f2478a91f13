import Foundation
import HubKernel

/// `presence.set {state: online|away|busy, text?}` → `{entry}`, then `presence.updated` on
/// `presence:users`. Persisted: it survives reconnects and restarts.
struct SetStatus: CommandHandler {
    static let type: CommandType = "presence.set"
    static let role: Role = .guest
    static let rateLimit = RateLimit(10, per: .seconds(60), burst: 5, scope: .user)

    struct Payload: Decodable, Sendable, Validatable {
        var state: String
        var text: String?
        func validate() throws(ValidationFailure) {
            guard PresenceState(rawValue: state) != nil else { throw ValidationFailure("state", "state must be online, away or busy") }
            if let text { _ = try Self.textRule.clean(text) }
        }

        /// The status text: at most 100 code points after trimming (the CHECK on `presence_status.text`).
        static let textRule = TextRule("text", length: 0...100)
    }
    struct Reply: Encodable, Sendable { var entry: PresenceEntry }

    let store: PresenceStore
    let tracker: PresenceTracker
    let node: String
    let events: EventPublisher<PresenceModule>

    func handle(_ payload: Payload, context: CommandContext) async throws -> Reply {
        let text = payload.text.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 }
        let status = try await tracker.status(of: context.identity.userID)
        let now = context.clock.nowMs()
        let entry: @Sendable (PresenceStore.Row) -> PresenceEntry = { row in
            PresenceEntry(userId: row.userID, online: status.online, state: row.state, text: row.text,
                          lastSeen: status.online ? now : row.lastSeen, connections: status.connections)
        }
        // published in the transaction: the sender's next command need not wait for the flush
        let row = try await store.setStatus(context.identity.userID, state: payload.state, text: text, online: status.online,
                                            node: node, nowMs: now) { [events] row, transaction in
            try await events.publish(PresenceUpdated(entry: entry(row)), on: PresenceTopics.users, in: transaction)
        }
        return Reply(entry: entry(row))
    }
}
