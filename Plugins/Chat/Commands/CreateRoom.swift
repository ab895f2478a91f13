import HubKernel

/// `chat.createRoom {room, visibility: public|private, members?}` → `{room}`. The creator is a
/// member; a private room's other members are given as user ids, and each hears
/// `chat.room {room}` on their user topic.
struct CreateRoom: CommandHandler {
    static let type: CommandType = "chat.createRoom"
    static let role: Role = .user
    static let rateLimit = RateLimit(10, per: .seconds(60), scope: .user)

    struct Payload: Decodable, Sendable, Validatable {
        var room: String
        var visibility: String
        var members: [String]?
        func validate() throws(ValidationFailure) {
            try RoomName.validate(room)
            guard visibility == "public" || visibility == "private" else {
                throw ValidationFailure("visibility", "visibility must be public or private")
            }
            if let members {
                guard visibility == "private" else { throw ValidationFailure("members", "only private rooms take members") }
                guard members.count <= 500 else { throw ValidationFailure("members", "at most 500 members") }
            }
        }
    }
    struct Reply: Encodable, Sendable { var room: RoomView }

    let store: ChatStore
    let events: EventPublisher<ChatModule>

    func handle(_ payload: Payload, context: CommandContext) async throws -> Reply {
        let members = [context.identity.userID] + (payload.members ?? [])
        // asked before the transaction: the directory is read outside it (the members' foreign
        // keys still guard the insert)
        let unknown = try await store.unknownUsers(members)
        guard unknown.isEmpty else { throw HubError.validation("members", "unknown user \(unknown[0])") }
        let access: ChatStore.Access? = try await context.database.transaction { sql in
            guard try await store.createRoom(payload.room, kind: payload.visibility, createdBy: context.identity.userID,
                                             members: members, on: sql) else { return nil }
            return try await store.access(payload.room, for: context.identity.userID, on: sql)
        }
        guard let access else { throw HubError.conflict("room '\(payload.room)' already exists") }
        await context.subscribe(to: ChatTopics.room(payload.room))
        for member in Set(members).subtracting([context.identity.userID]).sorted() {
            try await events.publish(RoomAdded(room: access.room), toUser: member)
        }
        return Reply(room: access.room)
    }
}
