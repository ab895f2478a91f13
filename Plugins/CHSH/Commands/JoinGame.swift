import HubKernel

/// `chsh.joinGame {joinCode}` → `{gameId, playerId, game}`: the caller becomes (or, on a
/// reload, is again) a player of the game, and is subscribed to `chsh:<gameId>`.
struct JoinGame: CommandHandler {
    static let type: CommandType = "chsh.joinGame"
    static let role: Role = .guest
    static let rateLimit = RateLimit(5, per: .seconds(1), burst: 10, scope: .user)

    struct Payload: Decodable, Sendable, Validatable {
        var joinCode: String
        func validate() throws(ValidationFailure) {
            guard JoinCode.normalized(joinCode) != nil else { throw ValidationFailure("joinCode", "a join code is 6 letters and digits") }
        }
    }
    struct Reply: Encodable, Sendable {
        var gameId: String
        var playerId: String
        var game: GameView
    }

    let store: CHSHStore
    let presence: PlayerPresence

    func handle(_ payload: Payload, context: CommandContext) async throws -> Reply {
        guard let code = JoinCode.normalized(payload.joinCode), let game = try await store.game(joinCode: code) else {
            throw HubError.notFound("no game with code '\(payload.joinCode)'")
        }
        guard game.state != "closed" else { throw HubError.conflict("the game is closed") }
        let player = try await store.join(game, as: context.identity)
        await context.subscribe(to: CHSHTopics.game(game.id))
        try await presence.arrive(player, on: context.connectionID)
        return Reply(gameId: game.id, playerId: player.id, game: game)
    }
}
