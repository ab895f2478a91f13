/// `chat.message|edited|deleted {message}` on `chat:<room>`.
struct MessageEvent: Encodable, Sendable {
    static let sent = "chat.message"
    static let edited = "chat.edited"
    static let deleted = "chat.deleted"
    var message: MessageView
}

/// `chat.typing {room, userId, displayName, typing, expiresInMs}` on `chat:<room>`, unsequenced.
struct TypingEvent: Encodable, Sendable {
    static let type = "chat.typing"
    var room: String
    var userId: String
    var displayName: String
    var typing: Bool
    var expiresInMs: Int?
}

/// `chat.read {room, lastReadSeq, unread}` on `user:<id>`: another device of the user read.
struct ReadEvent: Encodable, Sendable {
    static let type = "chat.read"
    var room: String
    var lastReadSeq: Int64
}
