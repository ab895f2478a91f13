import HubKernel

/// `chsh.game {game}` on `chsh:<gameId>`: the game started, paused, resumed, was reset (state
/// `lobby`, every round gone), changed mode or closed.
struct GameChanged: HubEvent {
    typealias Module = CHSHModule
    static let name = "game"
    var game: GameView
}

/// `chsh.team {team}` on `chsh:<gameId>`: a team was created, joined, left, reactivated, or a
/// member came or went.
struct TeamChanged: HubEvent {
    typealias Module = CHSHModule
    static let name = "team"
    var team: TeamView
}

/// `chsh.question {gameId, teamId, roundId, roundNumber, item}` on the player's `user:<id>`
/// only: no one else sees a player's item.
struct QuestionDealt: HubEvent {
    typealias Module = CHSHModule
    static let name = "question"
    var gameId: String
    var teamId: String
    var roundId: String
    var roundNumber: Int
    var item: Item
}

/// `chsh.roundComplete {roundId, roundNumber, teamId, items, answers, won}` to both teammates:
/// the items and answers by slot (index 0 is slot 1).
struct RoundCompleted: HubEvent {
    typealias Module = CHSHModule
    static let name = "roundComplete"
    var outcome: RoundOutcomeView
    init(_ outcome: RoundOutcomeView) { self.outcome = outcome }
    func encode(to encoder: any Encoder) throws { try outcome.encode(to: encoder) }
}

/// `chsh.dashboard` on `chsh:<gameId>:dashboard`: the host's statistics, throttled with a
/// trailing update. Ephemeral: each one replaces the last, and `chsh.stats` reloads it.
struct DashboardUpdated: HubEvent {
    typealias Module = CHSHModule
    static let name = "dashboard"
    static let isSequenced = false
    var view: DashboardView
    init(_ view: DashboardView) { self.view = view }
    func encode(to encoder: any Encoder) throws { try view.encode(to: encoder) }
}
