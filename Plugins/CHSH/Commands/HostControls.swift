import HubKernel

/// The payload of the host controls: the game.
struct GamePayload: Decodable, Sendable { var gameId: String }

/// The reply of the host controls: the game after.
struct GameReply: Encodable, Sendable { var game: GameView }

/// Runs one control and tells players, teams and the dashboard what changed.
struct ControlRunner: Sendable {
    let controls: GameControls
    let announcer: CHSHAnnouncer

    func run(_ control: GameControls.Control, _ gameID: String, _ context: CommandContext) async throws -> GameReply {
        try await announce(try await controls.apply(control, to: gameID, by: context.identity))
    }

    func announce(_ outcome: GameControls.Outcome) async throws -> GameReply {
        if outcome.changed { try await announcer.game(outcome.game) }
        try await announcer.dealt(outcome.dealt)
        return GameReply(game: outcome.game)
    }
}

/// `chsh.start {gameId}` → `{game}`: the game runs; every full team gets its question.
struct StartGame: CommandHandler {
    static let type: CommandType = "chsh.start"
    static let role: Role = .user
    static let rateLimit = RateLimit(10, per: .seconds(1), scope: .user)
    let runner: ControlRunner
    func handle(_ payload: GamePayload, context: CommandContext) async throws -> GameReply { try await runner.run(.start, payload.gameId, context) }
}

/// `chsh.pause {gameId}` → `{game}`: answers are refused until `chsh.resume`.
struct PauseGame: CommandHandler {
    static let type: CommandType = "chsh.pause"
    static let role: Role = .user
    static let rateLimit = RateLimit(10, per: .seconds(1), scope: .user)
    let runner: ControlRunner
    func handle(_ payload: GamePayload, context: CommandContext) async throws -> GameReply { try await runner.run(.pause, payload.gameId, context) }
}

/// `chsh.resume {gameId}` → `{game}`: a paused game runs again.
struct ResumeGame: CommandHandler {
    static let type: CommandType = "chsh.resume"
    static let role: Role = .user
    static let rateLimit = RateLimit(10, per: .seconds(1), scope: .user)
    let runner: ControlRunner
    func handle(_ payload: GamePayload, context: CommandContext) async throws -> GameReply { try await runner.run(.resume, payload.gameId, context) }
}

/// `chsh.reset {gameId}` → `{game}`: every round and answer deleted, teams kept, back to the lobby.
struct ResetGame: CommandHandler {
    static let type: CommandType = "chsh.reset"
    static let role: Role = .user
    static let rateLimit = RateLimit(10, per: .seconds(1), scope: .user)
    let runner: ControlRunner
    func handle(_ payload: GamePayload, context: CommandContext) async throws -> GameReply { try await runner.run(.reset, payload.gameId, context) }
}

/// `chsh.closeGame {gameId}` → `{game}`: no more joins or answers; statistics and export stay.
struct CloseGame: CommandHandler {
    static let type: CommandType = "chsh.closeGame"
    static let role: Role = .user
    static let rateLimit = RateLimit(10, per: .seconds(1), scope: .user)
    let runner: ControlRunner
    func handle(_ payload: GamePayload, context: CommandContext) async throws -> GameReply { try await runner.run(.close, payload.gameId, context) }
}

/// `chsh.setMode {gameId, mode}` → `{game}`: `simplified` or `classic`, while the game has no rounds.
struct SetMode: CommandHandler {
    static let type: CommandType = "chsh.setMode"
    static let role: Role = .user
    static let rateLimit = RateLimit(10, per: .seconds(1), scope: .user)

    struct Payload: Decodable, Sendable, Validatable {
        var gameId: String
        var mode: String
        func validate() throws(ValidationFailure) { _ = try HostRules.mode(mode) }
    }

    let runner: ControlRunner
    func handle(_ payload: Payload, context: CommandContext) async throws -> GameReply {
        try await runner.announce(try await runner.controls.setMode(try HostRules.mode(payload.mode), of: payload.gameId, by: context.identity))
    }
}

/// `chsh.stats {gameId}` → the dashboard (per team and for the game): for the game's host, who
/// is subscribed to `chsh:<gameId>:dashboard` for the live updates.
struct GameStats: CommandHandler {
    static let type: CommandType = "chsh.stats"
    static let role: Role = .user
    static let rateLimit = RateLimit(5, per: .seconds(1), burst: 10, scope: .user)

    let store: CHSHStore
    let builder: DashboardBuilder

    func handle(_ payload: GamePayload, context: CommandContext) async throws -> DashboardView {
        let game = try await HostRules.hostedGame(payload.gameId, store: store, identity: context.identity)
        await context.subscribe(to: CHSHTopics.game(game.id))
        await context.subscribe(to: CHSHTopics.dashboard(game.id))
        guard let view = try await store.database.withConnection({ try await builder.build(game.id, on: $0) }) else {
            throw HubError.notFound("no game '\(payload.gameId)'")
        }
        return view
    }
}
