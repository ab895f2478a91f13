import HubKernel

/// `chat.send {room, text, clientMsgId?}` → `{message}`, then `chat.message {message}` to the
/// room. Stored before the reply and the event; a repeated `clientMsgId` from the same author
/// returns the original message and announces nothing. The reply is `{message}` like the
/// event, so a new message's reply is the event's JSON, encoded once (``EncodedReply``).
struct SendMessage: CommandHandler {
    static let type: CommandType = "chat.send"
    static let role: Role = .user
    static let rateLimit = RateLimit(10, per: .seconds(60), burst: 5, scope: .user)

    struct Payload: Decodable, Sendable, Validatable {
        var room: String
        var text: String
        var clientMsgId: String?
        func validate() throws(ValidationFailure) {
            try RoomName.validateAny(room)
            if let clientMsgId, !(1...64).contains(clientMsgId.count) {
                throw ValidationFailure("clientMsgId", "clientMsgId must be 1 to 64 characters")
            }
        }
    }
    /// `{message}`: the fields of ``MessageSent``, whose JSON a new message's reply reuses.
    struct MessageReply: Encodable, Sendable { var message: MessageView }

    let store: ChatStore
    let configuration: ChatConfiguration
    let typing: TypingTracker
    let events: EventPublisher<ChatModule>

    func handle(_ payload: Payload, context: CommandContext) async throws -> EncodedReply<MessageReply> {
        let text = try MessageText.clean(payload.text, maxLength: configuration.maxTextLength)
        // the membership check, the message and its event are one transaction (one statement on PostgreSQL)
        let (message, isNew, json) = try await store.send(
            room: payload.room, by: context.identity, text: text, clientMsgID: payload.clientMsgId, events: events)
        if isNew { try await typing.stop(room: payload.room, identity: context.identity) }
        guard let json else { return EncodedReply(MessageReply(message: message)) }
        return EncodedReply(MessageReply(message: message), json: json)
    }
}
