import HubKernel

/// `chat.edit {messageId, text}` → `{message}`, then `chat.edited`. Only the author, only
/// within `editWindowSeconds` of sending (`conflict` after), never a deleted message.
struct EditMessage: CommandHandler {
    static let type: CommandType = "chat.edit"
    static let role: Role = .user
    static let rateLimit = RateLimit(20, per: .seconds(60), burst: 10, scope: .user)

    struct Payload: Decodable, Sendable, Validatable {
        var messageId: String
        var text: String
        func validate() throws(ValidationFailure) {
            guard (1...64).contains(messageId.count) else { throw ValidationFailure("messageId", "messageId must be a message id") }
        }
    }
    struct Reply: Encodable, Sendable { var message: MessageView }

    let store: ChatStore
    let configuration: ChatConfiguration
    let events: EventPublisher<ChatModule>

    func handle(_ payload: Payload, context: CommandContext) async throws -> Reply {
        let text = try MessageText.clean(payload.text, maxLength: configuration.maxTextLength)
        // a message in a room the caller cannot read does not exist for them
        guard let original = try await store.message(id: payload.messageId),
              try await store.canRead(original.room, by: context.identity)
        else { throw HubError.notFound("no message '\(payload.messageId)'") }
        // permission before state: someone else's message is forbidden, even if it is also too old
        guard original.authorId == context.identity.userID else { throw HubError.forbidden("only the author may edit a message") }
        guard !original.deleted else { throw HubError.conflict("the message was deleted") }
        guard context.clock.nowMs() - original.sentAt <= Int64(configuration.editWindowSeconds) * 1000 else {
            throw HubError.conflict("messages can be edited for \(configuration.editWindowSeconds) seconds after sending")
        }
        // published in the transaction: the editor's next command need not wait for the flush
        guard let edited = try await store.edit(original, text: text, announce: { [events] edited, transaction in
            try await events.publish(MessageEdited(message: edited), on: ChatTopics.room(edited.room), in: transaction)
        }) else { throw HubError.conflict("the message was deleted") }
        return Reply(message: edited)
    }
}
