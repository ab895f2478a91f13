import Foundation
import HubKernel
import HubTesting
import SQLKit
import Testing
@testable import CHSH

/// The database holds the game's invariants even against writes that skip the module's code
/// (a bug, a hand-made fix in psql): each statement below must be refused by a CHECK or a
/// UNIQUE constraint, and the tallies must always equal an aggregate over the rounds.
@Suite("CHSH constraints")
struct CHSHConstraintTests {
    /// A running game whose one team has round 1 open: the rows the statements below attack.
    private static func openRound(_ room: Classroom) async throws -> (gameID: String, teamID: String, roundID: String, players: [String]) {
        let host = try await room.hub.client(role: .host)
        let game = try await room.game(by: host)
        let (first, second, teamID) = try await room.pair(game.code, "Invariants")
        _ = try await host.send("chsh.start", ["gameId": .string(game.id)])
        let roundID = try #require(try await first.expectEvent("chsh.question").data["roundId"].string)
        _ = try await second.expectEvent("chsh.question")
        let team = try #require(try await room.module.store.teams(of: game.id).first)
        return (game.id, teamID, roundID, team.members.map(\.id))
    }

    private static func refused(_ room: Classroom, _ statement: SQLQueryString, _ comment: Comment) async throws {
        await #expect(throws: (any Error).self, comment) {
            try await room.module.store.database.withConnection { try await $0.raw(statement).run() }
        }
    }

    @Test("rounds: one open per team, items the mode deals, answers with their time and player, completion iff both answered")
    func rounds() async throws {
        try await Classroom.run { room in
            let (gameID, teamID, roundID, players) = try await Self.openRound(room)
            try await Self.refused(room, """
                INSERT INTO chsh_rounds (id, game_id, team_id, number, mode, item1, item2, dealt_at)
                VALUES ('second-open', \(bind: gameID), \(bind: teamID), 2, 'simplified', 'A', 'X', 0)
                """, "a second open round for one team")
            try await Self.refused(room, "UPDATE chsh_rounds SET item1 = 'X' WHERE id = \(bind: roundID)", "X in slot 1 of a simplified round")
            try await Self.refused(room, "UPDATE chsh_rounds SET item2 = 'Z' WHERE id = \(bind: roundID)", "an item that does not exist")
            try await Self.refused(room, "UPDATE chsh_rounds SET answer1 = 1 WHERE id = \(bind: roundID)", "an answer without its time and player")
            try await Self.refused(room, "UPDATE chsh_rounds SET answer1 = 2, answered1_at = 1, player1 = \(bind: players[0]) WHERE id = \(bind: roundID)",
                                   "an answer that is not 0 or 1")
            try await Self.refused(room, "UPDATE chsh_rounds SET completed_at = 1 WHERE id = \(bind: roundID)", "complete without answers")
            try await Self.refused(room, """
                UPDATE chsh_rounds SET answer1 = 1, answered1_at = 1, player1 = \(bind: players[0]),
                    answer2 = 0, answered2_at = 1, player2 = \(bind: players[1]) WHERE id = \(bind: roundID)
                """, "both answers in but the round left open")
            try await Self.refused(room, "UPDATE chsh_rounds SET number = 0 WHERE id = \(bind: roundID)", "round number 0")
            let state = try await room.module.store.database.withConnection { sql in
                try await sql.raw("SELECT answer1, completed_at FROM chsh_rounds WHERE id = \(bind: roundID)").first()
            }
            #expect(try state?.decode(column: "answer1", as: Int?.self) == nil && state?.decode(column: "completed_at", as: Int64?.self) == nil,
                    "nothing changed")
        }
    }

    @Test("players and teams: one player per slot, one team per name per game, a slot only with a team")
    func playersAndTeams() async throws {
        try await Classroom.run { room in
            let (gameID, teamID, _, players) = try await Self.openRound(room)
            let loner = try await room.hub.client(role: .guest)
            _ = try await loner.send("chsh.joinGame", ["joinCode": .string(try #require(try await room.module.store.game(id: gameID)?.joinCode))])
            let lonerID = try #require(try await room.module.store.player(in: gameID, user: loner.identity.userID)?.id)
            try await Self.refused(room, "UPDATE chsh_players SET team_id = \(bind: teamID), slot = 1 WHERE id = \(bind: lonerID)", "two players in slot 1")
            try await Self.refused(room, "UPDATE chsh_players SET team_id = \(bind: teamID), slot = 3 WHERE id = \(bind: lonerID)", "slot 3")
            try await Self.refused(room, "UPDATE chsh_players SET slot = NULL WHERE id = \(bind: players[0])", "a team without a slot")
            try await Self.refused(room, """
                INSERT INTO chsh_players (id, game_id, user_id, display_name, joined_at)
                VALUES ('twin', \(bind: gameID), \(bind: loner.identity.userID), 'Twin', 0)
                """, "one user twice in a game")
            try await Self.refused(room, """
                INSERT INTO chsh_teams (id, game_id, name, name_key, status, created_at, updated_at)
                VALUES ('dup', \(bind: gameID), 'INVARIANTS', 'invariants', 'active', 0, 0)
                """, "a second team with the same name key")
            try await Self.refused(room, """
                INSERT INTO chsh_teams (id, game_id, name, name_key, status, created_at, updated_at)
                VALUES ('empty', \(bind: gameID), '', 'empty', 'active', 0, 0)
                """, "an empty team name")
            try await Self.refused(room, "UPDATE chsh_games SET state = 'finished' WHERE id = \(bind: gameID)", "a state that does not exist")
            try await Self.refused(room, "UPDATE chsh_games SET join_code = 'ABC' WHERE id = \(bind: gameID)", "a join code of 3 characters")
            try await Self.refused(room, "INSERT INTO chsh_tallies (team_id, game_id, item1, item2, agreed, n) VALUES (\(bind: teamID), \(bind: gameID), 'A', 'X', 1, 0)",
                                   "a tally of zero rounds")
        }
    }

    @Test("the tallies equal an aggregate over the completed rounds, through play and reset")
    func talliesMatchRounds() async throws {
        try await Classroom.run { room in
            let host = try await room.hub.client(role: .host)
            let game = try await room.game(by: host, mode: "classic")
            let (first, second, _) = try await room.pair(game.code, "Counted")
            let (third, fourth, _) = try await room.pair(game.code, "Also counted")
            _ = try await host.send("chsh.start", ["gameId": .string(game.id)])
            async let one = room.play(first, second, rounds: 12) { round, _, _ in (round % 2 == 0, round % 3 == 0) }
            async let two = room.play(third, fourth, rounds: 7) { _, item1, _ in (item1 == "A", true) }
            _ = try await (one, two)
            func rows(_ query: SQLQueryString) async throws -> [String] {
                try await room.module.store.database.withConnection { sql in
                    try await sql.raw(query).all().map { row in
                        [try row.decode(column: "team_id", as: String.self), try row.decode(column: "item1", as: String.self),
                         try row.decode(column: "item2", as: String.self), String(try row.decode(column: "agreed", as: Int.self)),
                         String(try row.decode(column: "n", as: Int.self))].joined(separator: " ")
                    }.sorted()
                }
            }
            let kept = try await rows("SELECT team_id, item1, item2, agreed, n FROM chsh_tallies WHERE game_id = \(bind: game.id)")
            let aggregated = try await rows("""
                SELECT team_id, item1, item2, CASE WHEN answer1 = answer2 THEN 1 ELSE 0 END AS agreed, COUNT(*) AS n FROM chsh_rounds
                WHERE game_id = \(bind: game.id) AND completed_at IS NOT NULL GROUP BY team_id, item1, item2, CASE WHEN answer1 = answer2 THEN 1 ELSE 0 END
                """)
            #expect(kept == aggregated && kept.map { Int($0.split(separator: " ")[4])! }.reduce(0, +) == 19, "\(kept) vs \(aggregated)")
            _ = try await host.send("chsh.reset", ["gameId": .string(game.id)])
            #expect(try await rows("SELECT team_id, item1, item2, agreed, n FROM chsh_tallies WHERE game_id = \(bind: game.id)").isEmpty)
        }
    }
}
