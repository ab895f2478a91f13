import HubKernel

/// `chat.leave {room}` → `{}`: ends the membership and the subscription. Leaving a private
/// room removes the caller from its member list; a DM is re-joined with `chat.openDm`.
struct LeaveRoom: CommandHandler {
    static let type: CommandType = "chat.leave"
    static let role: Role = .user
    static let rateLimit = RateLimit(10, per: .seconds(1), burst: 20, scope: .user)

    typealias Payload = RoomPayload

    let store: ChatStore
    let typing: TypingTracker

    func handle(_ payload: Payload, context: CommandContext) async throws -> EmptyReply {
        guard try await store.access(payload.room, for: context.identity.userID) != nil else {
            throw HubError.notFound("no room '\(payload.room)'")
        }
        try await store.removeMember(context.identity.userID, from: payload.room)
        try await typing.stop(room: payload.room, identity: context.identity)
        context.unsubscribe(from: ChatTopics.room(payload.room))
        return EmptyReply()
    }
}
