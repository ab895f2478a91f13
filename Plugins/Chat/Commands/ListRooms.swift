import HubKernel

/// `chat.rooms {}` → `{items: [{room, unread, lastMessage?}], names}`: the caller's rooms,
/// most recently active first, with the count of others' messages after the read position,
/// and `names` (user id → display name) for the members of its private and DM rooms, so a
/// client can title a DM by the other person without another request.
struct ListRooms: CommandHandler {
    static let type: CommandType = "chat.rooms"
    static let role: Role = .user
    static let rateLimit = RateLimit(5, per: .seconds(1), burst: 10, scope: .user)

    struct Payload: Decodable, Sendable {}
    struct Item: Encodable, Sendable { var room: RoomView; var unread: Int; var lastMessage: MessageView? }
    struct Reply: Encodable, Sendable { var items: [Item]; var names: [String: String] }

    let store: ChatStore

    func handle(_ payload: Payload, context: CommandContext) async throws -> Reply {
        let items = try await store.rooms(of: context.identity.userID).map {
            Item(room: $0.room, unread: $0.unread, lastMessage: $0.lastMessage)
        }
        let members = Set(items.flatMap { $0.room.members ?? [] })
        return Reply(items: items, names: members.isEmpty ? [:] : try await store.users.displayNames(of: members.sorted()))
    }
}
