import HubKernel

/// `chsh.createGame {mode?}` → `{game}`: a new game in the lobby with its join code, hosted
/// by the caller (role `host`, or admin), who is subscribed to its dashboard.
struct CreateGame: CommandHandler {
    static let type: CommandType = "chsh.createGame"
    static let role: Role = .host
    static let rateLimit = RateLimit(10, per: .seconds(60), scope: .user)

    struct Payload: Decodable, Sendable, Validatable {
        var mode: String?
        func validate() throws(ValidationFailure) { _ = try HostRules.mode(mode ?? "simplified") }
    }
    struct Reply: Encodable, Sendable { var game: GameView }

    let store: CHSHStore

    func handle(_ payload: Payload, context: CommandContext) async throws -> Reply {
        let game = try await store.createGame(host: context.identity.userID, mode: try HostRules.mode(payload.mode ?? "simplified"))
        await context.subscribe(to: CHSHTopics.game(game.id))
        await context.subscribe(to: CHSHTopics.dashboard(game.id))
        return Reply(game: game)
    }
}
