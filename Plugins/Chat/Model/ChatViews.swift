/// A room as clients see it.
public struct RoomView: Codable, Sendable, Equatable {
    public var name: String
    public var kind: String
    /// Member user ids, for private and DM rooms.
    public var members: [String]?
}

/// A message as clients see it; a deleted one keeps `id` and `seq`, with `text: null`.
public struct MessageView: Codable, Sendable, Equatable {
    public var id: String
    public var room: String
    public var authorId: String
    /// The author's display name, for showing without another lookup.
    public var authorName: String
    public var text: String?
    public var sentAt: Int64
    public var editedAt: Int64?
    public var deleted: Bool
    public var seq: Int64

    enum CodingKeys: String, CodingKey { case id, room, authorId, authorName, text, sentAt, editedAt, deleted, seq }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(room, forKey: .room)
        try container.encode(authorId, forKey: .authorId)
        try container.encode(authorName, forKey: .authorName)
        try container.encode(text, forKey: .text)  // null for a tombstone, never absent
        try container.encode(sentAt, forKey: .sentAt)
        try container.encodeIfPresent(editedAt, forKey: .editedAt)
        try container.encode(deleted, forKey: .deleted)
        try container.encode(seq, forKey: .seq)
    }
}
