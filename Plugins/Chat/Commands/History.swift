import HubKernel

/// `chat.history {room, before?, limit?}` → `{items, nextCursor}`: newest first, paged by the
/// room's message sequence (a unique, monotonic key), so pages never skip or repeat a message
/// when new ones arrive in between. Deleted messages appear as tombstones.
struct History: CommandHandler {
    static let type: CommandType = "chat.history"
    static let role: Role = .user
    static let rateLimit = RateLimit(10, per: .seconds(1), burst: 20, scope: .user)

    struct Payload: Decodable, Sendable, Validatable {
        var room: String
        var before: String?
        var limit: Int?
        func validate() throws(ValidationFailure) {
            try RoomName.validateAny(room)
            if let before, CursorNumber.parse(before).map({ $0 > 0 }) != true {
                throw ValidationFailure("before", "before must be a cursor from nextCursor")
            }
            if let limit, !(1...100).contains(limit) { throw ValidationFailure("limit", "limit must be 1 to 100") }
        }
    }

    /// A page of history.
    typealias Page = HubKernel.Page<MessageView>

    let store: ChatStore
    let configuration: ChatConfiguration

    func handle(_ payload: Payload, context: CommandContext) async throws -> Page {
        _ = try await store.readable(payload.room, by: context.identity)
        return try await Self.page(store: store, room: payload.room, before: payload.before.flatMap { Int64($0) },
                                   limit: payload.limit ?? configuration.historyPageSize)
    }

    static func page(store: ChatStore, room: String, before: Int64?, limit: Int) async throws -> Page {
        let items = try await store.history(room: room, before: before, limit: limit)
        let next = items.count == limit ? items.last.map { String($0.seq) } : nil
        return Page(items: items, nextCursor: next.flatMap { $0 == "1" ? nil : $0 })
    }
}
