import Foundation
import HubKernel
import SQLKit

/// Games, players, teams and rounds in the database: every rule that two requests could race
/// on is decided inside one transaction that first locks the game's row, so team changes,
/// answers, dealing and host controls of one game never interleave (SQLite serialises writers
/// anyway; on PostgreSQL the row lock does it).
struct CHSHStore: Sendable {
    /// A player of one game: a user (or guest) with, maybe, a team and a slot.
    struct Player: Sendable, Equatable {
        var id: String
        var gameID: String
        var userID: String
        var name: String
        var teamID: String?
        var slot: Int?
    }

    /// A round as stored.
    struct Round: Sendable, Equatable {
        var id: String
        var gameID: String
        var teamID: String
        var number: Int
        var pairing: Pairing
        var answers: [Bool?]
        var completed: Bool

        func item(ofSlot slot: Int) -> Item { slot == 1 ? pairing.first : pairing.second }
    }

    /// A round just dealt, with the users who hold its slots (the question goes to each).
    struct Dealt: Sendable {
        var round: Round
        var users: [Int: String]
    }

    let database: Database
    let clock: any HubClock

    static let gameColumns = "id, join_code, mode, state, host_id, created_at"
    static let playerColumns = "id, game_id, user_id, display_name, team_id, slot"
    static let roundColumns = "id, game_id, team_id, number, item1, item2, answer1, answer2, completed_at"

    static func game(_ row: any SQLRow) throws -> GameView {
        GameView(id: try row.decode(column: "id", as: String.self), joinCode: try row.decode(column: "join_code", as: String.self),
                 mode: GameMode(rawValue: try row.decode(column: "mode", as: String.self)) ?? .simplified,
                 state: try row.decode(column: "state", as: String.self), hostId: try row.decode(column: "host_id", as: String.self),
                 createdAt: try row.decode(column: "created_at", as: Int64.self))
    }

    static func player(_ row: any SQLRow) throws -> Player {
        Player(id: try row.decode(column: "id", as: String.self), gameID: try row.decode(column: "game_id", as: String.self),
               userID: try row.decode(column: "user_id", as: String.self), name: try row.decode(column: "display_name", as: String.self),
               teamID: try row.decode(column: "team_id", as: String?.self), slot: try row.decode(column: "slot", as: Int?.self))
    }

    static func round(_ row: any SQLRow) throws -> Round {
        let first = Item(rawValue: try row.decode(column: "item1", as: String.self)) ?? .a
        let second = Item(rawValue: try row.decode(column: "item2", as: String.self)) ?? .x
        return Round(id: try row.decode(column: "id", as: String.self), gameID: try row.decode(column: "game_id", as: String.self),
                     teamID: try row.decode(column: "team_id", as: String.self), number: try row.decode(column: "number", as: Int.self),
                     pairing: Pairing(first: first, second: second),
                     answers: [try row.decode(column: "answer1", as: Int?.self).map { $0 == 1 }, try row.decode(column: "answer2", as: Int?.self).map { $0 == 1 }],
                     completed: try row.decode(column: "completed_at", as: Int64?.self) != nil)
    }

    // MARK: - Games

    /// A new game in `lobby` with a fresh join code (drawn again on the rare collision).
    func createGame(host: String, mode: GameMode) async throws -> GameView {
        let now = clock.nowMs()
        for attempt in 1...8 {
            let game = GameView(id: UUID().uuidString.lowercased(), joinCode: JoinCode.make(), mode: mode, state: "lobby", hostId: host, createdAt: now)
            do {
                try await database.withConnection { sql in
                    try await sql.raw("""
                        INSERT INTO chsh_games (id, join_code, host_id, mode, state, created_at, updated_at)
                        VALUES (\(bind: game.id), \(bind: game.joinCode), \(bind: host), \(bind: mode.rawValue), 'lobby', \(bind: now), \(bind: now))
                        """).run()
                }
                return game
            } catch where error.isUniqueViolation && attempt < 8 {
                continue
            }
        }
        throw HubError.unavailable("no free join code; try again")
    }

    func game(id: String) async throws -> GameView? {
        try await database.withConnection { try await Self.game(id: id, on: $0) }
    }

    static func game(id: String, on sql: any SQLDatabase) async throws -> GameView? {
        try await sql.raw("SELECT \(unsafeRaw: gameColumns) FROM chsh_games WHERE id = \(bind: id)").first().map(Self.game)
    }

    func game(joinCode: String) async throws -> GameView? {
        try await database.withConnection { sql in
            try await sql.raw("SELECT \(unsafeRaw: Self.gameColumns) FROM chsh_games WHERE join_code = \(bind: joinCode)").first().map(Self.game)
        }
    }

    /// Games hosted by `host` (every game for `nil`), newest first.
    func games(hostedBy host: String?, limit: Int) async throws -> [GameView] {
        try await database.withConnection { sql in
            try await sql.raw("""
                SELECT \(unsafeRaw: Self.gameColumns) FROM chsh_games WHERE (\(bind: host) IS NULL OR host_id = \(bind: host))
                ORDER BY created_at DESC, id LIMIT \(bind: limit)
                """).all().map(Self.game)
        }
    }

    /// Runs `body` in a transaction holding the game's row lock. - Throws: `not_found`.
    func locked<T: Sendable>(_ gameID: String, _ body: (GameView, Transaction) async throws -> T) async throws -> T {
        try await database.transaction { sql in
            try await sql.raw("UPDATE chsh_games SET updated_at = updated_at WHERE id = \(bind: gameID)").run()
            guard let game = try await Self.game(id: gameID, on: sql) else { throw HubError.notFound("no game '\(gameID)'") }
            return try await body(game, sql)
        }
    }

    /// Moves the game to `state` (and `mode`); the caller checked the move is legal.
    static func update(_ game: GameView, state: String, mode: GameMode? = nil, at now: Int64, on sql: any SQLDatabase) async throws -> GameView {
        var next = game
        next.state = state
        next.mode = mode ?? game.mode
        try await sql.raw("""
            UPDATE chsh_games SET state = \(bind: state), mode = \(bind: next.mode.rawValue), updated_at = \(bind: now) WHERE id = \(bind: game.id)
            """).run()
        return next
    }

    /// Whether the game has any round (then its mode is fixed until a reset).
    static func hasRounds(_ gameID: String, on sql: any SQLDatabase) async throws -> Bool {
        try await sql.raw("SELECT 1 AS one FROM chsh_rounds WHERE game_id = \(bind: gameID) LIMIT 1").first() != nil
    }

    /// Deletes every round, answer and tally of the game (teams and players stay).
    static func deleteRounds(_ gameID: String, on sql: any SQLDatabase) async throws {
        try await sql.raw("DELETE FROM chsh_tallies WHERE game_id = \(bind: gameID)").run()
        try await sql.raw("DELETE FROM chsh_rounds WHERE game_id = \(bind: gameID)").run()
    }

    // MARK: - Players

    /// The caller's player in `game`, created on first join (a reload finds the same one).
    func join(_ game: GameView, as identity: Identity) async throws -> Player {
        try await database.withConnection { sql in
            try await sql.raw("""
                INSERT INTO chsh_players (id, game_id, user_id, display_name, joined_at)
                VALUES (\(bind: UUID().uuidString.lowercased()), \(bind: game.id), \(bind: identity.userID), \(bind: identity.displayName), \(bind: clock.nowMs()))
                ON CONFLICT (game_id, user_id) DO NOTHING
                """).run()
            guard let player = try await Self.player(in: game.id, user: identity.userID, on: sql) else { throw HubError.notFound("no player") }
            return player
        }
    }

    func player(in gameID: String, user: String) async throws -> Player? {
        try await database.withConnection { try await Self.player(in: gameID, user: user, on: $0) }
    }

    static func player(in gameID: String, user: String, on sql: any SQLDatabase) async throws -> Player? {
        try await sql.raw("SELECT \(unsafeRaw: playerColumns) FROM chsh_players WHERE game_id = \(bind: gameID) AND user_id = \(bind: user)")
            .first().map(Self.player)
    }
}
