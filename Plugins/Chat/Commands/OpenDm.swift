import HubKernel

/// `chat.openDm {userId}` → `{room}`: the direct conversation `dm:<a>:<b>` with that user,
/// created on first use; the caller is subscribed to it.
struct OpenDm: CommandHandler {
    static let type: CommandType = "chat.openDm"
    static let role: Role = .user
    static let rateLimit = RateLimit(10, per: .seconds(60), scope: .user)

    struct Payload: Decodable, Sendable, Validatable {
        var userId: String
        func validate() throws(ValidationFailure) {
            guard !userId.isEmpty, userId.count <= 64, !userId.contains(":") else {
                throw ValidationFailure("userId", "userId must be a user id")
            }
        }
    }
    struct Reply: Encodable, Sendable { var room: RoomView }

    let store: ChatStore

    func handle(_ payload: Payload, context: CommandContext) async throws -> Reply {
        let me = context.identity.userID
        guard payload.userId != me else { throw HubError.validation("userId", "a direct conversation needs another user") }
        let name = RoomName.dm(me, payload.userId)
        // asked before the transaction: the directory is read outside it (the members' foreign
        // keys still guard the insert)
        guard try await store.unknownUsers([payload.userId]).isEmpty else { throw HubError.notFound("no user '\(payload.userId)'") }
        let access = try await context.database.transaction { sql in
            _ = try await store.createRoom(name, kind: "dm", createdBy: me, members: [me, payload.userId], on: sql)
            // a member who left is back: a DM is always between exactly these two
            try await store.addMember(me, to: name, on: sql)
            try await store.addMember(payload.userId, to: name, on: sql)
            return try await store.access(name, for: me, on: sql)
        }
        guard let access else { throw HubError.notFound("no room '\(name)'") }
        context.subscribe(to: ChatTopics.room(name))
        return Reply(room: access.room)
    }
}
