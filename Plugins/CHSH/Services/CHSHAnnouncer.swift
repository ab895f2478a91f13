import HubKernel

/// Tells everyone concerned what a committed change did: questions to their players only,
/// round outcomes to both teammates, team and game changes to the game's topic, and a dirty
/// mark for the dashboard. Called after the change's transaction has committed.
struct CHSHAnnouncer: Sendable {
    let events: EventPublisher<CHSHModule>
    let attendance: Attendance
    let throttle: DashboardThrottle

    func dealt(_ rounds: [CHSHStore.Dealt]) async throws {
        for dealt in rounds {
            for (slot, user) in dealt.users.sorted(by: { $0.key < $1.key }) {
                try await events.publish(QuestionDealt(gameId: dealt.round.gameID, teamId: dealt.round.teamID, roundId: dealt.round.id,
                                                       roundNumber: dealt.round.number, item: dealt.round.item(ofSlot: slot)), toUser: user)
            }
        }
        if let game = rounds.first?.round.gameID { throttle.changed(game) }
    }

    func completed(_ round: CHSHStore.Round, team: CHSHStore.Team) async throws {
        let event = RoundCompleted(Self.outcome(round))
        for user in Set(team.members.map(\.userID)).sorted() { try await events.publish(event, toUser: user) }
        throttle.changed(round.gameID)
    }

    func team(_ team: CHSHStore.Team) async throws {
        try await events.publish(TeamChanged(team: team.view(present: attendance.isPresent)), on: CHSHTopics.game(team.gameID))
        throttle.changed(team.gameID)
    }

    func game(_ game: GameView) async throws {
        try await events.publish(GameChanged(game: game), on: CHSHTopics.game(game.id))
        throttle.changed(game.id)
    }

    /// A completed round as its players see it.
    static func outcome(_ round: CHSHStore.Round) -> RoundOutcomeView {
        let answers = round.answers.compactMap { $0 }
        let won: Bool? = round.pairing.isCHSHPair && answers.count == 2 ? ((answers[0] != answers[1]) == round.pairing.wantsDifferentAnswers) : nil
        return RoundOutcomeView(roundId: round.id, roundNumber: round.number, teamId: round.teamID,
                                items: [round.pairing.first, round.pairing.second], answers: answers, won: won)
    }
}
