import HubKernel

/// `chat.openDm {userId}` or `{username}` → `{room}`: the direct conversation `dm:<a>:<b>`
/// with that user, created on first use; the caller is subscribed to it. A username lets a
/// person start a conversation with someone whose id they do not know.
struct OpenDm: CommandHandler {
    static let type: CommandType = "chat.openDm"
    static let role: Role = .user
    static let rateLimit = RateLimit(10, per: .seconds(60), scope: .user)

    struct Payload: Decodable, Sendable, Validatable {
        var userId: String?
        var username: String?
        func validate() throws(ValidationFailure) {
            switch (userId, username) {
            case (let userId?, nil):
                guard !userId.isEmpty, userId.utf8.count <= 64, !userId.contains(":") else {
                    throw ValidationFailure("userId", "userId must be a user id")
                }
            case (nil, let username?):
                guard (1...32).contains(username.utf8.count) else { throw ValidationFailure("username", "username must be 1 to 32 characters") }
            default:
                throw ValidationFailure("userId", "give either userId or username")
            }
        }
    }
    struct Reply: Encodable, Sendable { var room: RoomView }

    let store: ChatStore
    let events: EventPublisher<ChatModule>

    func handle(_ payload: Payload, context: CommandContext) async throws -> Reply {
        let me = context.identity.userID
        let peer: String
        if let username = payload.username {
            guard let user = try await store.users.user(username: username.lowercased()) else { throw HubError.notFound("no user '\(username)'") }
            peer = user.id
        } else {
            peer = payload.userId ?? ""
        }
        guard peer != me else { throw HubError.validation(payload.username == nil ? "userId" : "username", "a direct conversation needs another user") }
        let name = RoomName.dm(me, peer)
        // asked before the transaction: the directory is read outside it (the members' foreign
        // keys still guard the insert)
        guard try await store.unknownUsers([peer]).isEmpty else { throw HubError.notFound("no user '\(peer)'") }
        let (access, peerAdded) = try await context.database.transaction { sql in
            let created = try await store.createRoom(name, kind: "dm", createdBy: me, members: [me, peer], on: sql)
            // a member who left is back: a DM is always between exactly these two
            try await store.addMember(me, to: name, on: sql)
            let returned = try await store.addMember(peer, to: name, on: sql)
            return (try await store.access(name, for: me, on: sql), created || returned)
        }
        guard let access else { throw HubError.notFound("no room '\(name)'") }
        await context.subscribe(to: ChatTopics.room(name))
        if peerAdded { try await events.publish(RoomAdded(room: access.room), toUser: peer) }
        return Reply(room: access.room)
    }
}
