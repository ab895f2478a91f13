import HubKernel

/// `presence.count {topic}` → `{users, connections}`: the cheap form of `presence.list`.
struct CountTopic: CommandHandler {
    static let type: CommandType = "presence.count"
    static let role: Role = .guest
    static let rateLimit = RateLimit(20, per: .seconds(1), burst: 40, scope: .connection)

    typealias Payload = TopicPayload
    struct Reply: Encodable, Sendable { var users: Int; var connections: Int }

    let tracker: PresenceTracker
    let access: HubAccess

    func handle(_ payload: Payload, context: CommandContext) async throws -> Reply {
        try await TrackedTopic.authorize(payload.topic, access: access, identity: context.identity)
        let members = try await tracker.members(of: payload.topic)
        return Reply(users: members.count, connections: members.reduce(0) { $0 + $1.connections })
    }
}
