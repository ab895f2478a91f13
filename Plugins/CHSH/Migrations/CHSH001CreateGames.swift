import HubKernel
import SQLKit

/// Games, players, teams and rounds. The invariants live here: one team per player per game
/// (a player row holds its team), one player per slot, one team per name per game
/// (case-insensitive), one open round per team, items a mode can deal, answers 0/1 written
/// once with their time and player, and a round complete exactly when both answers are in.
struct CHSH001CreateGames: Migration {
    let name = "chsh.001_create_games"

    func prepare(on database: any SQLDatabase) async throws {
        try await database.raw("""
            CREATE TABLE chsh_games (
                id TEXT PRIMARY KEY,
                join_code TEXT NOT NULL UNIQUE CHECK (length(join_code) = 6),
                host_id TEXT NOT NULL,
                mode TEXT NOT NULL CHECK (mode IN ('simplified', 'classic')),
                state TEXT NOT NULL CHECK (state IN ('lobby', 'running', 'paused', 'closed')),
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            )
            """).run()
        try await database.raw("CREATE INDEX chsh_games_host ON chsh_games (host_id, created_at)").run()
        try await database.raw("""
            CREATE TABLE chsh_teams (
                id TEXT PRIMARY KEY,
                game_id TEXT NOT NULL REFERENCES chsh_games (id),
                name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 40),
                name_key TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('active', 'inactive')),
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                UNIQUE (game_id, name_key)
            )
            """).run()
        try await database.raw("""
            CREATE TABLE chsh_players (
                id TEXT PRIMARY KEY,
                game_id TEXT NOT NULL REFERENCES chsh_games (id),
                user_id TEXT NOT NULL,
                display_name TEXT NOT NULL,
                team_id TEXT REFERENCES chsh_teams (id),
                slot INTEGER CHECK (slot IN (1, 2)),
                joined_at BIGINT NOT NULL,
                CHECK ((team_id IS NULL) = (slot IS NULL)),
                UNIQUE (game_id, user_id),
                UNIQUE (team_id, slot)
            )
            """).run()
        try await database.raw("""
            CREATE TABLE chsh_rounds (
                id TEXT PRIMARY KEY,
                game_id TEXT NOT NULL REFERENCES chsh_games (id),
                team_id TEXT NOT NULL REFERENCES chsh_teams (id),
                number INTEGER NOT NULL CHECK (number > 0),
                mode TEXT NOT NULL CHECK (mode IN ('simplified', 'classic')),
                item1 TEXT NOT NULL CHECK (item1 IN ('A', 'B', 'X', 'Y')),
                item2 TEXT NOT NULL CHECK (item2 IN ('A', 'B', 'X', 'Y')),
                answer1 INTEGER CHECK (answer1 IN (0, 1)),
                answer2 INTEGER CHECK (answer2 IN (0, 1)),
                player1 TEXT REFERENCES chsh_players (id),
                player2 TEXT REFERENCES chsh_players (id),
                answered1_at BIGINT,
                answered2_at BIGINT,
                dealt_at BIGINT NOT NULL,
                completed_at BIGINT,
                CHECK (mode = 'classic' OR (item1 IN ('A', 'B') AND item2 IN ('X', 'Y'))),
                CHECK ((answer1 IS NULL) = (answered1_at IS NULL) AND (answer1 IS NULL) = (player1 IS NULL)),
                CHECK ((answer2 IS NULL) = (answered2_at IS NULL) AND (answer2 IS NULL) = (player2 IS NULL)),
                CHECK ((completed_at IS NOT NULL) = (answer1 IS NOT NULL AND answer2 IS NOT NULL)),
                UNIQUE (team_id, number)
            )
            """).run()
        try await database.raw("CREATE UNIQUE INDEX chsh_rounds_one_open ON chsh_rounds (team_id) WHERE completed_at IS NULL").run()
        try await database.raw("CREATE INDEX chsh_rounds_game ON chsh_rounds (game_id, completed_at)").run()
    }

    func revert(on database: any SQLDatabase) async throws {
        for table in ["chsh_rounds", "chsh_players", "chsh_teams", "chsh_games"] { try await database.raw("DROP TABLE \(unsafeRaw: table)").run() }
    }
}
