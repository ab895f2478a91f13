import HubKernel

/// The host's controls, each one transaction under the game's lock and idempotent: asking
/// for the state the game is already in changes nothing and answers the game.
///
/// | control | from | to |
/// | --- | --- | --- |
/// | start | lobby, paused | running (deals to every full team) |
/// | pause | running | paused (answers refused; questions stay) |
/// | resume | paused | running (deals where a round is missing) |
/// | reset | any but closed | lobby, every round and answer deleted, teams kept |
/// | setMode | a game without rounds (lobby after create or reset) | same state, new mode |
/// | close | any | closed (no joins, no answers; statistics and export stay) |
struct GameControls: Sendable {
    enum Control: String, Sendable { case start, pause, resume, reset, close }

    /// The game after a control, and the rounds it dealt.
    struct Outcome: Sendable {
        var game: GameView
        var changed: Bool
        var dealt: [CHSHStore.Dealt]
    }

    let store: CHSHStore

    func apply(_ control: Control, to gameID: String, by identity: Identity) async throws -> Outcome {
        try await store.locked(gameID) { game, sql in
            try HostRules.requireHost(game, identity)
            let now = store.clock.nowMs()
            let target: String
            switch (control, game.state) {
            case (.close, "closed"): return Outcome(game: game, changed: false, dealt: [])
            case (_, "closed"): throw HubError.conflict("the game is closed")
            case (.start, "running"), (.pause, "paused"), (.resume, "running"): return Outcome(game: game, changed: false, dealt: [])
            case (.start, _): target = "running"
            case (.pause, "running"): target = "paused"
            case (.pause, _): throw HubError.conflict("the game has not started")
            case (.resume, "paused"): target = "running"
            case (.resume, _): throw HubError.conflict("the game has not started; start it")
            case (.reset, _):
                let hasRounds = try await CHSHStore.hasRounds(game.id, on: sql)
                guard game.state != "lobby" || hasRounds else {
                    return Outcome(game: game, changed: false, dealt: [])
                }
                try await CHSHStore.deleteRounds(game.id, on: sql)
                target = "lobby"
            case (.close, _): target = "closed"
            }
            let after = try await CHSHStore.update(game, state: target, at: now, on: sql)
            let dealt = target == "running" ? try await CHSHStore.dealAll(after, store: store, on: sql) : []
            return Outcome(game: after, changed: true, dealt: dealt)
        }
    }

    /// Sets the mode of a game without rounds. - Throws: `conflict` once rounds exist (reset first).
    func setMode(_ mode: GameMode, of gameID: String, by identity: Identity) async throws -> Outcome {
        try await store.locked(gameID) { game, sql in
            try HostRules.requireHost(game, identity)
            guard game.mode != mode else { return Outcome(game: game, changed: false, dealt: []) }
            guard game.state != "closed" else { throw HubError.conflict("the game is closed") }
            guard !(try await CHSHStore.hasRounds(game.id, on: sql)) else {
                throw HubError.conflict("the game has rounds in \(game.mode.rawValue) mode; reset it to change the mode")
            }
            return Outcome(game: try await CHSHStore.update(game, state: game.state, mode: mode, at: store.clock.nowMs(), on: sql), changed: true, dealt: [])
        }
    }
}
