import Foundation
import HubKernel
import SQLKit

/// What the dashboard and the export read: aggregates over stored rounds, a fixed number of
/// queries per game whatever the number of teams or rounds.
extension CHSHStore {
    /// Completed rounds of every team of the game, counted by pairing and agreement: one query
    /// over `chsh_tallies` (kept by ``count(_:on:)``), at most 32 rows per team.
    static func tallies(of gameID: String, on sql: any SQLDatabase) async throws -> [String: Tally] {
        var tallies: [String: Tally] = [:]
        for row in try await sql.raw("SELECT team_id, item1, item2, agreed, n FROM chsh_tallies WHERE game_id = \(bind: gameID)").all() {
            guard let first = Item(rawValue: try row.decode(column: "item1", as: String.self)),
                  let second = Item(rawValue: try row.decode(column: "item2", as: String.self)) else { continue }
            tallies[try row.decode(column: "team_id", as: String.self), default: Tally()]
                .add(Pairing(first: first, second: second), agreed: try row.decode(column: "agreed", as: Int.self) == 1,
                     count: try row.decode(column: "n", as: Int.self))
        }
        return tallies
    }

    /// The number of each team's latest round (open or not): one query, an index lookup per
    /// team on `UNIQUE (team_id, number)`.
    static func currentRounds(of gameID: String, on sql: any SQLDatabase) async throws -> [String: Int] {
        var numbers: [String: Int] = [:]
        for row in try await sql.raw("""
            SELECT t.id AS team_id, (SELECT MAX(r.number) FROM chsh_rounds r WHERE r.team_id = t.id) AS number
            FROM chsh_teams t WHERE t.game_id = \(bind: gameID)
            """).all() {
            guard let number = try row.decode(column: "number", as: Int?.self) else { continue }
            numbers[try row.decode(column: "team_id", as: String.self)] = number
        }
        return numbers
    }

    /// One answer of the export.
    struct AnswerRecord: Sendable {
        var answeredAt: Int64
        var teamID: String
        var teamName: String
        var roundID: String
        var roundNumber: Int
        var slot: Int
        var playerID: String
        var playerName: String
        var item: Item
        var answer: Bool
    }

    /// Every answer of the game, oldest first.
    func answers(of gameID: String) async throws -> [AnswerRecord] {
        try await database.withConnection { sql in
            var records: [AnswerRecord] = []
            for row in try await sql.raw("""
                SELECT r.id, r.number, r.team_id, t.name AS team_name, r.item1, r.item2, r.answer1, r.answer2,
                       r.answered1_at, r.answered2_at, r.player1, r.player2, p1.display_name AS name1, p2.display_name AS name2
                FROM chsh_rounds r JOIN chsh_teams t ON t.id = r.team_id
                LEFT JOIN chsh_players p1 ON p1.id = r.player1 LEFT JOIN chsh_players p2 ON p2.id = r.player2
                WHERE r.game_id = \(bind: gameID) AND (r.answer1 IS NOT NULL OR r.answer2 IS NOT NULL)
                """).all() {
                for slot in [1, 2] {
                    guard let answer = try row.decode(column: "answer\(slot)", as: Int?.self),
                          let at = try row.decode(column: "answered\(slot)_at", as: Int64?.self),
                          let item = Item(rawValue: try row.decode(column: "item\(slot)", as: String.self)) else { continue }
                    records.append(AnswerRecord(answeredAt: at, teamID: try row.decode(column: "team_id", as: String.self),
                                                teamName: try row.decode(column: "team_name", as: String.self),
                                                roundID: try row.decode(column: "id", as: String.self), roundNumber: try row.decode(column: "number", as: Int.self),
                                                slot: slot, playerID: try row.decode(column: "player\(slot)", as: String?.self) ?? "",
                                                playerName: try row.decode(column: "name\(slot)", as: String?.self) ?? "", item: item, answer: answer == 1))
                }
            }
            return records.sorted { ($0.answeredAt, $0.roundID, $0.slot) < ($1.answeredAt, $1.roundID, $1.slot) }
        }
    }
}
