import HubKernel

/// `chsh.games {}` → `{items: [game]}`: the caller's games, newest first (an admin sees
/// every game), so a host's dashboard finds its games again after a reload.
struct ListGames: CommandHandler {
    static let type: CommandType = "chsh.games"
    static let role: Role = .host
    static let rateLimit = RateLimit(5, per: .seconds(1), scope: .user)

    struct Payload: Decodable, Sendable {}
    struct Reply: Encodable, Sendable { var items: [GameView] }

    let store: CHSHStore

    func handle(_ payload: Payload, context: CommandContext) async throws -> Reply {
        let host = context.identity.role == .admin ? nil : context.identity.userID
        return Reply(items: try await store.games(hostedBy: host, limit: 50))
    }
}
