import HubKernel

/// `presence.list {topic}` → `{items: [{userId, displayName, connections}]}`: who is on a
/// topic the caller may subscribe to, with their names (one directory lookup) so a client can
/// show "who is here" as people.
struct ListTopic: CommandHandler {
    static let type: CommandType = "presence.list"
    static let role: Role = .guest
    static let rateLimit = RateLimit(10, per: .seconds(1), burst: 20, scope: .connection)

    typealias Payload = TopicPayload
    struct Member: Encodable, Sendable { var userId: String; var displayName: String; var connections: Int }
    struct Reply: Encodable, Sendable { var items: [Member] }

    let tracker: PresenceTracker
    let access: HubAccess
    let users: any UserDirectory

    func handle(_ payload: Payload, context: CommandContext) async throws -> Reply {
        try await TrackedTopic.authorize(payload.topic, access: access, identity: context.identity)
        let members = try await tracker.members(of: payload.topic)
        let names = members.isEmpty ? [:] : try await users.displayNames(of: members.map(\.userID))
        return Reply(items: members.map { Member(userId: $0.userID, displayName: names[$0.userID] ?? $0.userID, connections: $0.connections) })
    }
}
