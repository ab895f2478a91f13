import HubKernel
import SQLKit

/// Per-team counts of completed rounds by pairing and agreement, kept in the transaction that
/// completes a round, so the dashboard reads at most 32 rows per team however long the game
/// runs (aggregating `chsh_rounds` made its cost grow with every answer). Existing rounds are
/// counted into it here.
struct CHSH002AddTallies: Migration {
    let name = "chsh.002_add_tallies"

    func prepare(on database: any SQLDatabase) async throws {
        try await database.raw("""
            CREATE TABLE chsh_tallies (
                team_id TEXT NOT NULL REFERENCES chsh_teams (id),
                game_id TEXT NOT NULL REFERENCES chsh_games (id),
                item1 TEXT NOT NULL CHECK (item1 IN ('A', 'B', 'X', 'Y')),
                item2 TEXT NOT NULL CHECK (item2 IN ('A', 'B', 'X', 'Y')),
                agreed INTEGER NOT NULL CHECK (agreed IN (0, 1)),
                n INTEGER NOT NULL CHECK (n > 0),
                PRIMARY KEY (team_id, item1, item2, agreed)
            )
            """).run()
        try await database.raw("CREATE INDEX chsh_tallies_game ON chsh_tallies (game_id)").run()
        try await database.raw("""
            INSERT INTO chsh_tallies (team_id, game_id, item1, item2, agreed, n)
            SELECT team_id, game_id, item1, item2, CASE WHEN answer1 = answer2 THEN 1 ELSE 0 END, COUNT(*)
            FROM chsh_rounds WHERE completed_at IS NOT NULL
            GROUP BY team_id, game_id, item1, item2, CASE WHEN answer1 = answer2 THEN 1 ELSE 0 END
            """).run()
    }

    func revert(on database: any SQLDatabase) async throws {
        try await database.raw("DROP TABLE chsh_tallies").run()
    }
}
