import HubKernel

/// The rules every host control shares: who may run it, and what a mode is.
enum HostRules {
    /// `raw` as a mode. - Throws: `validation_failed` naming `mode`.
    static func mode(_ raw: String) throws(ValidationFailure) -> GameMode {
        guard let mode = GameMode(rawValue: raw) else { throw ValidationFailure("mode", "mode must be 'simplified' or 'classic'") }
        return mode
    }

    /// - Throws: `forbidden` unless `identity` hosts `game` or is an admin.
    static func requireHost(_ game: GameView, _ identity: Identity) throws(HubError) {
        guard game.hostId == identity.userID || identity.role == .admin else { throw HubError.forbidden("only the game's host may do this") }
    }

    /// The game, for its host. - Throws: `not_found`, `forbidden`.
    static func hostedGame(_ gameID: String, store: CHSHStore, identity: Identity) async throws -> GameView {
        guard let game = try await store.game(id: gameID) else { throw HubError.notFound("no game '\(gameID)'") }
        try requireHost(game, identity)
        return game
    }
}
