import SQLKit

/// Refresh tokens, stored as SHA-256 hashes; one family per login, rotated on every use.
struct Hub002CreateRefreshTokens: Migration {
    let name = "hub.002_create_refresh_tokens"

    func prepare(on database: any SQLDatabase) async throws {
        try await database.raw("""
            CREATE TABLE hub_refresh_tokens (
                id TEXT PRIMARY KEY,
                user_id TEXT NOT NULL REFERENCES hub_users (id) ON DELETE CASCADE,
                family_id TEXT NOT NULL,
                token_hash TEXT NOT NULL UNIQUE,
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                used_at BIGINT,
                revoked_at BIGINT,
                CHECK (expires_at > created_at)
            )
            """).run()
        try await database.raw("CREATE INDEX hub_refresh_tokens_family ON hub_refresh_tokens (family_id)").run()
        try await database.raw("CREATE INDEX hub_refresh_tokens_user ON hub_refresh_tokens (user_id)").run()
    }

    func revert(on database: any SQLDatabase) async throws {
        try await database.raw("DROP TABLE hub_refresh_tokens").run()
    }
}
