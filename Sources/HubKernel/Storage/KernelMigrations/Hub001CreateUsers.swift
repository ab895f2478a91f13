import SQLKit

/// Accounts: registered users (with a unique lowercase username) and guests (without one).
struct Hub001CreateUsers: Migration {
    let name = "hub.001_create_users"

    func prepare(on database: any SQLDatabase) async throws {
        try await database.raw("""
            CREATE TABLE hub_users (
                id TEXT PRIMARY KEY,
                username TEXT UNIQUE,
                password_hash TEXT,
                display_name TEXT NOT NULL CHECK (length(display_name) BETWEEN 1 AND 64),
                role TEXT NOT NULL CHECK (role IN ('guest', 'user', 'agent', 'host', 'admin')),
                created_at BIGINT NOT NULL,
                CHECK ((role = 'guest' AND username IS NULL AND password_hash IS NULL)
                    OR (role <> 'guest' AND username IS NOT NULL AND password_hash IS NOT NULL))
            )
            """).run()
        try await database.raw("CREATE INDEX hub_users_role ON hub_users (role)").run()
    }

    func revert(on database: any SQLDatabase) async throws {
        try await database.raw("DROP TABLE hub_users").run()
    }
}
