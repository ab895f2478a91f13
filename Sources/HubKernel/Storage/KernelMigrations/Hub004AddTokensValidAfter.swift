import SQLKit

/// When an account's access tokens start to count: a logout, a reused refresh token or a role
/// change moves it to now, so every token issued before it is refused, also after a restart.
struct Hub004AddTokensValidAfter: Migration {
    let name = "hub.004_add_tokens_valid_after"

    func prepare(on database: any SQLDatabase) async throws {
        try await database.raw("ALTER TABLE hub_users ADD COLUMN tokens_valid_after BIGINT NOT NULL DEFAULT 0 CHECK (tokens_valid_after >= 0)").run()
    }

    func revert(on database: any SQLDatabase) async throws {
        try await database.raw("ALTER TABLE hub_users DROP COLUMN tokens_valid_after").run()
    }
}
