import HubKernel

/// `presence.query {userIds}` → `{items: [entry]}` for up to `queryMaxUsers` users; users who
/// never connected are left out.
struct QueryPresence: CommandHandler {
    static let type: CommandType = "presence.query"
    static let role: Role = .guest
    static let rateLimit = RateLimit(10, per: .seconds(1), burst: 20, scope: .connection)

    struct Payload: Decodable, Sendable { var userIds: [String] }
    struct Reply: Encodable, Sendable { var items: [PresenceEntry] }

    let store: PresenceStore
    let tracker: PresenceTracker
    let maxUsers: Int

    func handle(_ payload: Payload, context: CommandContext) async throws -> Reply {
        guard (1...maxUsers).contains(payload.userIds.count) else {
            throw HubError.validation("userIds", "userIds must list 1 to \(maxUsers) users")
        }
        let now = context.clock.nowMs()
        let rows = try await store.rows(Array(Set(payload.userIds)))
        let byID = Dictionary(uniqueKeysWithValues: rows.map { ($0.userID, $0) })
        let statuses = try await tracker.statuses(of: Array(byID.keys))
        var items: [PresenceEntry] = []
        for id in payload.userIds {
            guard let row = byID[id] else { continue }
            let status = statuses[id] ?? (false, 0)
            items.append(PresenceEntry(userId: id, online: status.online, state: row.state, text: row.text,
                                       lastSeen: status.online ? now : row.lastSeen, connections: status.connections))
        }
        return Reply(items: items)
    }
}
