import HubKernel

/// `presence.track {topic}` → `{topic, users, connections}`: "this user is here" on a topic the
/// caller may subscribe to (its owning module decides); also subscribes the connection to
/// `presence:<topic>` for the diffs. Ends with `presence.untrack` or the connection.
struct TrackTopic: CommandHandler {
    static let type: CommandType = "presence.track"
    static let role: Role = .guest
    static let rateLimit = RateLimit(10, per: .seconds(1), burst: 20, scope: .connection)

    typealias Payload = TopicPayload
    struct Reply: Encodable, Sendable { var topic: String; var users: Int; var connections: Int }

    let tracker: PresenceTracker
    let access: HubAccess

    func handle(_ payload: Payload, context: CommandContext) async throws -> Reply {
        try await TrackedTopic.authorize(payload.topic, access: access, identity: context.identity)
        await context.subscribe(to: Topic(unchecked: "presence:\(payload.topic)"))
        try await tracker.track(payload.topic, connectionID: context.connectionID, userID: context.identity.userID)
        let members = try await tracker.members(of: payload.topic)
        return Reply(topic: payload.topic, users: members.count, connections: members.reduce(0) { $0 + $1.connections })
    }
}
