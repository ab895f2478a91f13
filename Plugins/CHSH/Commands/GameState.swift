import HubKernel

/// `chsh.state {gameId}` → `{game, playerId, team, teams, question, lastRound}`: everything a
/// player's page needs after a load, a reload or a reconnect: the same player, team and open
/// question as before (the page never re-enters anything). Subscribes to `chsh:<gameId>`.
struct GameState: CommandHandler {
    static let type: CommandType = "chsh.state"
    static let role: Role = .guest
    static let rateLimit = RateLimit(10, per: .seconds(1), burst: 20, scope: .user)

    struct Payload: Decodable, Sendable { var gameId: String }
    struct Reply: Encodable, Sendable {
        var game: GameView
        var playerId: String
        var team: TeamView?
        var teams: [TeamView]
        var question: QuestionView?
        var lastRound: RoundOutcomeView?
    }

    let store: CHSHStore
    let presence: PlayerPresence

    func handle(_ payload: Payload, context: CommandContext) async throws -> Reply {
        guard let game = try await store.game(id: payload.gameId) else { throw HubError.notFound("no game '\(payload.gameId)'") }
        guard let player = try await store.player(in: game.id, user: context.identity.userID) else {
            throw HubError.notFound("you have not joined game '\(game.id)'; join it with its code first")
        }
        await context.subscribe(to: CHSHTopics.game(game.id))
        try await presence.arrive(player, on: context.connectionID)
        let present = presence.attendance.isPresent
        let teams = try await store.teams(of: game.id)
        var question: QuestionView?
        var last: RoundOutcomeView?
        if let teamID = player.teamID, let slot = player.slot {
            try await store.database.withConnection { sql in
                if let open = try await CHSHStore.openRound(of: teamID, on: sql) {
                    question = QuestionView(gameId: game.id, teamId: teamID, roundId: open.id, roundNumber: open.number,
                                            item: open.item(ofSlot: slot), answered: open.answers[slot - 1] != nil)
                }
                last = try await CHSHStore.lastCompleted(of: teamID, on: sql).map(CHSHAnnouncer.outcome)
            }
        }
        return Reply(game: game, playerId: player.id, team: teams.first { $0.id == player.teamID }?.view(present: present),
                     teams: teams.map { $0.view(present: present) }, question: question, lastRound: last)
    }
}
