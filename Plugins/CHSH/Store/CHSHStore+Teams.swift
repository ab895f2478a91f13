import Foundation
import HubKernel
import SQLKit

/// Teams: create, join, leave, reactivate. Each change is one transaction under the game's
/// lock, and deals the team's first question when it fills up while the game runs.
extension CHSHStore {
    /// A team as stored, with its members.
    struct Team: Sendable, Equatable {
        var id: String
        var gameID: String
        var name: String
        var status: String
        var members: [Player]

        /// Who holds each slot: where a round's questions go.
        var usersBySlot: [Int: String] {
            Dictionary(members.compactMap { member in member.slot.map { ($0, member.userID) } }) { first, _ in first }
        }

        func view(present: (String) -> Bool) -> TeamView {
            TeamView(id: id, name: name, status: status,
                     members: members.map { MemberView(playerId: $0.id, name: $0.name, slot: $0.slot ?? 0, present: present($0.id)) })
        }
    }

    /// What a team change did: the team after, and the round dealt because it filled up.
    struct TeamChange: Sendable {
        var team: Team
        var dealt: Dealt?
    }

    /// Every team of the game with its members: two queries, whatever the number of teams.
    static func teams(of gameID: String, on sql: any SQLDatabase) async throws -> [Team] {
        let members = try await sql.raw("""
            SELECT \(unsafeRaw: playerColumns) FROM chsh_players WHERE game_id = \(bind: gameID) AND team_id IS NOT NULL ORDER BY slot
            """).all().map(Self.player)
        let byTeam = Dictionary(grouping: members) { $0.teamID ?? "" }
        return try await sql.raw("""
            SELECT id, game_id, name, status FROM chsh_teams WHERE game_id = \(bind: gameID) ORDER BY created_at, id
            """).all().map { row in
                let id = try row.decode(column: "id", as: String.self)
                return Team(id: id, gameID: gameID, name: try row.decode(column: "name", as: String.self),
                            status: try row.decode(column: "status", as: String.self), members: byTeam[id] ?? [])
            }
    }

    func teams(of gameID: String) async throws -> [Team] {
        try await database.withConnection { try await Self.teams(of: gameID, on: $0) }
    }

    static func team(_ id: String, on sql: any SQLDatabase) async throws -> Team? {
        guard let row = try await sql.raw("SELECT id, game_id, name, status FROM chsh_teams WHERE id = \(bind: id)").first() else { return nil }
        let members = try await sql.raw("SELECT \(unsafeRaw: playerColumns) FROM chsh_players WHERE team_id = \(bind: id) ORDER BY slot")
            .all().map(Self.player)
        return Team(id: id, gameID: try row.decode(column: "game_id", as: String.self), name: try row.decode(column: "name", as: String.self),
                    status: try row.decode(column: "status", as: String.self), members: members)
    }

    /// The team `playerID` sits in now (two indexed lookups, whatever the size of the game).
    func team(ofPlayer playerID: String) async throws -> Team? {
        try await database.withConnection { sql in
            guard let teamID = try await sql.raw("SELECT team_id FROM chsh_players WHERE id = \(bind: playerID)").first()?
                .decode(column: "team_id", as: String?.self) else { return nil }
            return try await Self.team(teamID, on: sql)
        }
    }

    private static func team(named name: TeamName, in gameID: String, on sql: any SQLDatabase) async throws -> Team? {
        guard let id = try await sql.raw("SELECT id FROM chsh_teams WHERE game_id = \(bind: gameID) AND name_key = \(bind: name.key)")
            .first()?.decode(column: "id", as: String.self) else { return nil }
        return try await team(id, on: sql)
    }

    /// Creates team `name` with the caller in slot 1, or reactivates the inactive team of
    /// that name (its history kept). - Throws: `conflict` when an active team has the name or
    /// the caller is in another team; `not_found` when the caller has not joined the game.
    func createTeam(_ name: TeamName, in gameID: String, by userID: String) async throws -> TeamChange {
        try await locked(gameID) { game, sql in
            let player = try await Self.requirePlayer(game, userID, on: sql)
            if let existing = try await Self.team(named: name, in: gameID, on: sql) {
                if existing.status == "active" {
                    if player.teamID == existing.id { return TeamChange(team: existing) }
                    throw HubError.conflict("a team named '\(existing.name)' is already playing; join it or pick another name")
                }
                return try await seat(player, in: existing, game: game, on: sql)
            }
            try Self.requireTeamless(player)
            let now = clock.nowMs()
            let id = UUID().uuidString.lowercased()
            try await sql.raw("""
                INSERT INTO chsh_teams (id, game_id, name, name_key, status, created_at, updated_at)
                VALUES (\(bind: id), \(bind: gameID), \(bind: name.text), \(bind: name.key), 'active', \(bind: now), \(bind: now))
                """).run()
            let team = Team(id: id, gameID: gameID, name: name.text, status: "active", members: [])
            return try await seat(player, in: team, game: game, on: sql)
        }
    }

    /// Puts the caller in the first free slot of team `name` (reactivating it when inactive).
    /// - Throws: `not_found` (no such team), `conflict` (full, or the caller is in another team).
    func joinTeam(_ name: TeamName, in gameID: String, by userID: String) async throws -> TeamChange {
        try await locked(gameID) { game, sql in
            let player = try await Self.requirePlayer(game, userID, on: sql)
            guard let team = try await Self.team(named: name, in: gameID, on: sql) else {
                throw HubError.notFound("no team named '\(name.text)' in this game")
            }
            if player.teamID == team.id { return TeamChange(team: team) }
            return try await seat(player, in: team, game: game, on: sql)
        }
    }

    /// Takes the caller out of their team; a team left empty becomes inactive (its rounds kept).
    /// - Throws: `conflict` when the caller is in no team.
    func leaveTeam(in gameID: String, by userID: String) async throws -> Team {
        try await locked(gameID) { game, sql in
            let player = try await Self.requirePlayer(game, userID, on: sql)
            guard let teamID = player.teamID else { throw HubError.conflict("you are not in a team") }
            let now = clock.nowMs()
            try await sql.raw("UPDATE chsh_players SET team_id = NULL, slot = NULL WHERE id = \(bind: player.id)").run()
            try await sql.raw("""
                UPDATE chsh_teams SET updated_at = \(bind: now),
                    status = CASE WHEN EXISTS (SELECT 1 FROM chsh_players WHERE team_id = \(bind: teamID)) THEN status ELSE 'inactive' END
                WHERE id = \(bind: teamID)
                """).run()
            guard let team = try await Self.team(teamID, on: sql) else { throw HubError.notFound("no team") }
            return team
        }
    }

    private func seat(_ player: Player, in team: Team, game: GameView, on sql: Transaction) async throws -> TeamChange {
        try Self.requireTeamless(player)
        guard game.state != "closed" else { throw HubError.conflict("the game is closed") }
        guard let slot = [1, 2].first(where: { slot in !team.members.contains { $0.slot == slot } }) else {
            throw HubError.conflict("team '\(team.name)' is full")
        }
        try await sql.raw("UPDATE chsh_players SET team_id = \(bind: team.id), slot = \(bind: slot) WHERE id = \(bind: player.id)").run()
        try await sql.raw("UPDATE chsh_teams SET status = 'active', updated_at = \(bind: clock.nowMs()) WHERE id = \(bind: team.id)").run()
        guard let after = try await Self.team(team.id, on: sql) else { throw HubError.notFound("no team") }
        if let dealt = try await dealIfReady(after, game: game, on: sql) { return TeamChange(team: after, dealt: dealt) }
        return TeamChange(team: after, dealt: try await Self.reissue(after, game: game, on: sql))
    }

    /// The round a team left open when its members went, for the pair that now holds its
    /// slots: they were never sent its question.
    private static func reissue(_ team: Team, game: GameView, on sql: any SQLDatabase) async throws -> Dealt? {
        guard game.state == "running", team.members.count == 2, let open = try await openRound(of: team.id, on: sql) else { return nil }
        return Dealt(round: open, users: team.usersBySlot)
    }

    static func requirePlayer(_ game: GameView, _ userID: String, on sql: any SQLDatabase) async throws -> Player {
        guard let player = try await player(in: game.id, user: userID, on: sql) else {
            throw HubError.notFound("you have not joined game '\(game.id)'; join it with its code first")
        }
        return player
    }

    private static func requireTeamless(_ player: Player) throws {
        guard player.teamID == nil else { throw HubError.conflict("you are already in a team of this game; leave it first") }
    }
}
