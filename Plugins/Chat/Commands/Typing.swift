import HubKernel

/// `chat.typing {room, typing}` → `{}`: an ephemeral `chat.typing` to the room (no `seq`, not
/// stored). Renew `typing: true` while typing; it lapses after `typingTtlMs`.
struct Typing: CommandHandler {
    static let type: CommandType = "chat.typing"
    static let role: Role = .user
    static let rateLimit = RateLimit(1, per: .seconds(1), scope: .user)

    struct Payload: Decodable, Sendable, Validatable {
        var room: String
        var typing: Bool
        func validate() throws(ValidationFailure) { try RoomName.validateAny(room) }
    }

    let store: ChatStore
    let tracker: TypingTracker

    func handle(_ payload: Payload, context: CommandContext) async throws -> EmptyReply {
        _ = try await store.joined(payload.room, by: context.identity)
        if payload.typing {
            try await tracker.start(room: payload.room, identity: context.identity)
        } else {
            try await tracker.stop(room: payload.room, identity: context.identity)
        }
        return EmptyReply()
    }
}
