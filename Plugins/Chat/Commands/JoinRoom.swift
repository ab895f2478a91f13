import HubKernel

/// `chat.join {room}` → `{room, seq}` (the topic's current `seq`): becomes a member (a public room is created on first
/// join) and subscribes to `chat:<room>`. Private and DM rooms admit only their members.
struct JoinRoom: CommandHandler {
    static let type: CommandType = "chat.join"
    static let role: Role = .user
    static let rateLimit = RateLimit(10, per: .seconds(1), burst: 20, scope: .user)

    typealias Payload = RoomPayload
    struct Reply: Encodable, Sendable { var room: RoomView; var seq: Int64 }

    let store: ChatStore

    func handle(_ payload: Payload, context: CommandContext) async throws -> Reply {
        let me = context.identity.userID
        let access = try await context.database.transaction { sql -> ChatStore.Access in
            if let access = try await store.access(payload.room, for: me, on: sql) {
                // to an outsider a private room or a DM is not there (as in chat.history)
                guard access.room.kind == "public" || access.isMember else { throw HubError.notFound("no room '\(payload.room)'") }
                if !access.isMember { try await store.addMember(me, to: payload.room, on: sql) }
            } else {
                guard RoomName.isValidPublicName(payload.room) else { throw HubError.notFound("no room '\(payload.room)'") }
                _ = try await store.createRoom(payload.room, kind: "public", createdBy: me, members: [me], on: sql)
                try await store.addMember(me, to: payload.room, on: sql)
            }
            guard let access = try await store.access(payload.room, for: me, on: sql) else { throw HubError.notFound("no room '\(payload.room)'") }
            return access
        }
        let seq = await context.subscribe(to: ChatTopics.room(payload.room))
        return Reply(room: access.room, seq: seq)
    }
}
