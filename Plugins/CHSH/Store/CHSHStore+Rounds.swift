import Foundation
import HubKernel
import SQLKit

/// Rounds: dealing (balanced blocks, one open round per team) and answering (once per
/// slot, completing the round when both are in and dealing the next).
extension CHSHStore {
    /// What an answer did: the round after it, and the next round when it completed one.
    struct Answered: Sendable {
        var round: Round
        var team: Team
        var next: Dealt?
    }

    /// Deals the team's next round when the game runs, both slots are held and no round is
    /// open. - Returns: `nil` when it is not the moment.
    func dealIfReady(_ team: Team, game: GameView, on sql: any SQLDatabase) async throws -> Dealt? {
        guard game.state == "running", team.status == "active", team.members.count == 2 else { return nil }
        if try await sql.raw("SELECT 1 AS one FROM chsh_rounds WHERE team_id = \(bind: team.id) AND completed_at IS NULL").first() != nil {
            return nil
        }
        let last = try await sql.raw("SELECT MAX(number) AS number FROM chsh_rounds WHERE team_id = \(bind: team.id)")
            .first()?.decode(column: "number", as: Int?.self) ?? 0
        let number = last + 1
        var counts: [Pairing: Int] = [:]
        if number <= game.mode.blockSize {
            for row in try await sql.raw("""
                SELECT item1, item2, COUNT(*) AS n FROM chsh_rounds WHERE team_id = \(bind: team.id) AND number <= \(bind: game.mode.blockSize)
                GROUP BY item1, item2
                """).all() {
                guard let first = Item(rawValue: try row.decode(column: "item1", as: String.self)),
                      let second = Item(rawValue: try row.decode(column: "item2", as: String.self)) else { continue }
                counts[Pairing(first: first, second: second)] = try row.decode(column: "n", as: Int.self)
            }
        }
        var random = SystemRandomNumberGenerator()
        let pairing = BalancedDealer(mode: game.mode).deal(round: number, dealtInBlock: counts, using: &random)
        let round = Round(id: UUID().uuidString.lowercased(), gameID: game.id, teamID: team.id, number: number, pairing: pairing,
                          answers: [nil, nil], completed: false)
        try await sql.raw("""
            INSERT INTO chsh_rounds (id, game_id, team_id, number, mode, item1, item2, dealt_at)
            VALUES (\(bind: round.id), \(bind: game.id), \(bind: team.id), \(bind: number), \(bind: game.mode.rawValue),
                    \(bind: pairing.first.rawValue), \(bind: pairing.second.rawValue), \(bind: clock.nowMs()))
            """).run()
        return Dealt(round: round, users: team.usersBySlot)
    }

    /// Deals to every full team of a running game that has no open round (start, resume).
    static func dealAll(_ game: GameView, store: CHSHStore, on sql: any SQLDatabase) async throws -> [Dealt] {
        var dealt: [Dealt] = []
        for team in try await teams(of: game.id, on: sql) {
            if let round = try await store.dealIfReady(team, game: game, on: sql) { dealt.append(round) }
        }
        return dealt
    }

    /// The open round of `teamID`, if any.
    static func openRound(of teamID: String, on sql: any SQLDatabase) async throws -> Round? {
        try await sql.raw("SELECT \(unsafeRaw: roundColumns) FROM chsh_rounds WHERE team_id = \(bind: teamID) AND completed_at IS NULL")
            .first().map(Self.round)
    }

    /// The team's latest completed round.
    static func lastCompleted(of teamID: String, on sql: any SQLDatabase) async throws -> Round? {
        try await sql.raw("""
            SELECT \(unsafeRaw: roundColumns) FROM chsh_rounds WHERE team_id = \(bind: teamID) AND completed_at IS NOT NULL
            ORDER BY number DESC LIMIT 1
            """).first().map(Self.round)
    }

    /// Records `userID`'s answer to round `roundID`: only the current round of the caller's
    /// team, once per slot, while the game runs and `bothPresent` says both teammates are
    /// connected. - Throws: `not_found` (no such round for the caller), `conflict` otherwise.
    func answer(_ value: Bool, round roundID: String, by userID: String, bothPresent: @Sendable (Team) -> Bool) async throws -> Answered {
        guard let gameID = try await database.withConnection({ sql in
            try await sql.raw("SELECT game_id FROM chsh_rounds WHERE id = \(bind: roundID)").first()?.decode(column: "game_id", as: String.self)
        }) else { throw HubError.notFound("no round '\(roundID)'") }
        return try await locked(gameID) { game, sql in
            let player = try await Self.requirePlayer(game, userID, on: sql)
            guard let round = try await sql.raw("SELECT \(unsafeRaw: Self.roundColumns) FROM chsh_rounds WHERE id = \(bind: roundID)").first().map(Self.round),
                  let teamID = player.teamID, let slot = player.slot, round.teamID == teamID,
                  let team = try await Self.team(teamID, on: sql)
            else { throw HubError.notFound("round '\(roundID)' is not one of your team's") }
            guard !round.completed else { throw HubError.conflict("round \(round.number) is over; answer the current round") }
            switch game.state {
            case "running": break
            case "paused": throw HubError.conflict("the game is paused")
            default: throw HubError.conflict("the game is not running")
            }
            guard round.answers[slot - 1] == nil else { throw HubError.conflict("you already answered round \(round.number)") }
            guard team.members.count == 2, bothPresent(team) else { throw HubError.conflict("your teammate is not here; wait for them") }
            let other = slot == 1 ? "answer2" : "answer1"
            let now = clock.nowMs()
            guard let after = try await sql.raw("""
                UPDATE chsh_rounds SET answer\(unsafeRaw: String(slot)) = \(bind: value ? 1 : 0), player\(unsafeRaw: String(slot)) = \(bind: player.id),
                    answered\(unsafeRaw: String(slot))_at = \(bind: now),
                    completed_at = CASE WHEN \(unsafeRaw: other) IS NOT NULL THEN \(bind: now) ELSE NULL END
                WHERE id = \(bind: roundID) AND answer\(unsafeRaw: String(slot)) IS NULL
                RETURNING \(unsafeRaw: Self.roundColumns)
                """).first().map(Self.round)
            else { throw HubError.conflict("you already answered round \(round.number)") }
            guard after.completed else { return Answered(round: after, team: team, next: nil) }
            try await Self.count(after, on: sql)
            let next = try await dealIfReady(team, game: game, on: sql)
            return Answered(round: after, team: team, next: next)
        }
    }

    /// Adds a just-completed round to its team's tally, in the transaction that completed it.
    static func count(_ round: Round, on sql: any SQLDatabase) async throws {
        let agreed = round.answers[0] == round.answers[1] ? 1 : 0
        try await sql.raw("""
            INSERT INTO chsh_tallies (team_id, game_id, item1, item2, agreed, n)
            VALUES (\(bind: round.teamID), \(bind: round.gameID), \(bind: round.pairing.first.rawValue), \(bind: round.pairing.second.rawValue), \(bind: agreed), 1)
            ON CONFLICT (team_id, item1, item2, agreed) DO UPDATE SET n = chsh_tallies.n + 1
            """).run()
    }
}
