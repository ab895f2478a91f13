import HubKernel

/// The payload of `chsh.createTeam` and `chsh.joinTeam`: a game and a team name (trimmed,
/// 1–40 characters, no control characters).
struct TeamPayload: Decodable, Sendable, Validatable {
    var gameId: String
    var name: String
    func validate() throws(ValidationFailure) { _ = try TeamName(name) }
}

/// The reply of every team command: the team after the change.
struct TeamReply: Encodable, Sendable {
    var team: TeamView

    /// Tells the game about a committed team change (and the round it dealt) and answers it.
    init(announcing change: CHSHStore.TeamChange, with announcer: CHSHAnnouncer) async throws {
        try await announcer.team(change.team)
        if let dealt = change.dealt { try await announcer.dealt([dealt]) }
        team = change.team.view(present: announcer.attendance.isPresent)
    }
}

/// `chsh.createTeam {gameId, name}` → `{team}`: a new team with the caller in slot 1, or the
/// inactive team of that name reactivated with its history. A name an active team uses (in
/// any case) is `conflict`.
struct CreateTeam: CommandHandler {
    static let type: CommandType = "chsh.createTeam"
    static let role: Role = .guest
    static let rateLimit = RateLimit(5, per: .seconds(1), burst: 10, scope: .user)

    let store: CHSHStore
    let announcer: CHSHAnnouncer

    func handle(_ payload: TeamPayload, context: CommandContext) async throws -> TeamReply {
        try await TeamReply(announcing: try await store.createTeam(try TeamName(payload.name), in: payload.gameId, by: context.identity.userID),
                            with: announcer)
    }
}

/// `chsh.joinTeam {gameId, name}` → `{team}`: the caller takes the first free slot (slot 1
/// asks A/B, slot 2 X/Y in simplified mode). A full team is `conflict`; when the team fills
/// up while the game runs, its first question is dealt at once.
struct JoinTeam: CommandHandler {
    static let type: CommandType = "chsh.joinTeam"
    static let role: Role = .guest
    static let rateLimit = RateLimit(5, per: .seconds(1), burst: 10, scope: .user)

    let store: CHSHStore
    let announcer: CHSHAnnouncer

    func handle(_ payload: TeamPayload, context: CommandContext) async throws -> TeamReply {
        try await TeamReply(announcing: try await store.joinTeam(try TeamName(payload.name), in: payload.gameId, by: context.identity.userID),
                            with: announcer)
    }
}

/// `chsh.leaveTeam {gameId}` → `{team}`: frees the caller's slot; the last member leaving
/// makes the team inactive (reactivated later by its name, history kept).
struct LeaveTeam: CommandHandler {
    static let type: CommandType = "chsh.leaveTeam"
    static let role: Role = .guest
    static let rateLimit = RateLimit(5, per: .seconds(1), burst: 10, scope: .user)

    struct Payload: Decodable, Sendable { var gameId: String }

    let store: CHSHStore
    let announcer: CHSHAnnouncer

    func handle(_ payload: Payload, context: CommandContext) async throws -> TeamReply {
        try await TeamReply(announcing: CHSHStore.TeamChange(team: try await store.leaveTeam(in: payload.gameId, by: context.identity.userID)),
                            with: announcer)
    }
}
