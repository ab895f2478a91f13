import HubKernel

/// `presence.list {topic}` → `{items: [{userId, connections}]}`: who is on a topic the caller
/// may subscribe to.
struct ListTopic: CommandHandler {
    static let type: CommandType = "presence.list"
    static let role: Role = .guest
    static let rateLimit = RateLimit(10, per: .seconds(1), burst: 20, scope: .connection)

    typealias Payload = TopicPayload
    struct Member: Encodable, Sendable { var userId: String; var connections: Int }
    struct Reply: Encodable, Sendable { var items: [Member] }

    let tracker: PresenceTracker
    let access: HubAccess

    func handle(_ payload: Payload, context: CommandContext) async throws -> Reply {
        try await TrackedTopic.authorize(payload.topic, access: access, identity: context.identity)
        return Reply(items: tracker.members(of: payload.topic).map { Member(userId: $0.userID, connections: $0.connections) })
    }
}
