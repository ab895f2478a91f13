/// A game as clients see it (modules.md pins `{id, joinCode, mode, state}`).
struct GameView: Sendable, Encodable, Equatable {
    var id: String
    var joinCode: String
    var mode: GameMode
    /// `lobby` (not started, or reset), `running`, `paused`, or `closed` (no one may join).
    var state: String
    var hostId: String
    var createdAt: Int64
}

/// A team member: who holds which slot, and whether they are connected to the game now.
struct MemberView: Sendable, Encodable, Equatable {
    var playerId: String
    var name: String
    var slot: Int
    var present: Bool
}

/// A team (modules.md pins `{id, name, status, members}`); `status` is `active` or
/// `inactive`.
struct TeamView: Sendable, Encodable, Equatable {
    var id: String
    var name: String
    var status: String
    var members: [MemberView]
}

/// The question a player has to answer now.
struct QuestionView: Sendable, Encodable, Equatable {
    var gameId: String
    var teamId: String
    var roundId: String
    var roundNumber: Int
    var item: Item
    /// Whether this player already answered it (the teammate has not yet).
    var answered: Bool
}

/// A finished round, as both teammates see it: the items and answers by slot.
struct RoundOutcomeView: Sendable, Encodable, Equatable {
    var roundId: String
    var roundNumber: Int
    var teamId: String
    var items: [Item]
    var answers: [Bool]
    /// Whether the team won this round under the CHSH rule (`nil` for pairings outside it).
    var won: Bool?
}
