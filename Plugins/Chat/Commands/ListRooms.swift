import HubKernel

/// `chat.rooms {}` → `{items: [{room, unread, lastMessage?}]}`: the caller's rooms, most
/// recently active first, with the count of others' messages after the read position.
struct ListRooms: CommandHandler {
    static let type: CommandType = "chat.rooms"
    static let role: Role = .user
    static let rateLimit = RateLimit(5, per: .seconds(1), burst: 10, scope: .user)

    struct Payload: Decodable, Sendable {}
    struct Item: Encodable, Sendable { var room: RoomView; var unread: Int; var lastMessage: MessageView? }
    struct Reply: Encodable, Sendable { var items: [Item] }

    let store: ChatStore

    func handle(_ payload: Payload, context: CommandContext) async throws -> Reply {
        Reply(items: try await store.rooms(of: context.identity.userID).map {
            Item(room: $0.room, unread: $0.unread, lastMessage: $0.lastMessage)
        })
    }
}
