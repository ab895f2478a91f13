import HubKernel

/// `chat.delete {messageId}` → `{message}` (the tombstone), then `chat.deleted` once. The
/// author or an admin; deleting again returns the tombstone and announces nothing.
struct DeleteMessage: CommandHandler {
    static let type: CommandType = "chat.delete"
    static let role: Role = .user
    static let rateLimit = RateLimit(20, per: .seconds(60), burst: 10, scope: .user)

    struct Payload: Decodable, Sendable, Validatable {
        var messageId: String
        func validate() throws(ValidationFailure) {
            guard (1...64).contains(messageId.count) else { throw ValidationFailure("messageId", "messageId must be a message id") }
        }
    }
    struct Reply: Encodable, Sendable { var message: MessageView }

    let store: ChatStore
    let events: EventPublisher<ChatModule>

    func handle(_ payload: Payload, context: CommandContext) async throws -> Reply {
        // a message in a room the caller cannot read does not exist for them
        guard let original = try await store.message(id: payload.messageId),
              try await store.canRead(original.room, by: context.identity)
        else { throw HubError.notFound("no message '\(payload.messageId)'") }
        guard original.authorId == context.identity.userID || context.identity.role == .admin else {
            throw HubError.forbidden("only the author or an admin may delete a message")
        }
        // published in the transaction (only when it changed): the next command need not wait
        guard let (tombstone, _) = try await store.delete(original, announce: { [events] tombstone, transaction in
            try await events.publish(MessageDeleted(message: tombstone), on: ChatTopics.room(tombstone.room), in: transaction)
        }) else { throw HubError.notFound("no message '\(payload.messageId)'") }
        return Reply(message: tombstone)
    }
}
