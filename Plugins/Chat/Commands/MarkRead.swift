import HubKernel

/// `chat.read {room, messageId}` → `{room, lastReadSeq}`: moves the caller's read position to
/// that message (never backwards) and tells the caller's other devices (`chat.read` on
/// `user:<id>`).
struct MarkRead: CommandHandler {
    static let type: CommandType = "chat.read"
    static let role: Role = .user
    static let rateLimit = RateLimit(10, per: .seconds(1), burst: 20, scope: .user)

    struct Payload: Decodable, Sendable, Validatable {
        var room: String
        var messageId: String
        func validate() throws(ValidationFailure) {
            try RoomName.validateAny(room)
            guard (1...64).contains(messageId.count) else { throw ValidationFailure("messageId", "messageId must be a message id") }
        }
    }
    struct Reply: Encodable, Sendable { var room: String; var lastReadSeq: Int64 }

    let store: ChatStore
    let events: EventPublisher<ChatModule>

    func handle(_ payload: Payload, context: CommandContext) async throws -> Reply {
        _ = try await store.joined(payload.room, by: context.identity)
        guard let message = try await store.message(id: payload.messageId), message.room == payload.room else {
            throw HubError.notFound("no message '\(payload.messageId)' in '\(payload.room)'")
        }
        let user = context.identity.userID
        // published in the transaction: the reader's next command need not wait for the flush
        let position = try await store.markRead(room: payload.room, userID: user, seq: message.seq) { [events] position, transaction in
            try await events.publish(ReadPositionMoved(room: payload.room, lastReadSeq: position), toUser: user, in: transaction)
        }
        return Reply(room: payload.room, lastReadSeq: position)
    }
}
