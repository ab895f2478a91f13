import SQLKit

/// Operators' runtime switches per module; a module without a row is enabled.
struct Hub003CreateFeatureFlags: Migration {
    let name = "hub.003_create_feature_flags"

    func prepare(on database: any SQLDatabase) async throws {
        try await database.raw("""
            CREATE TABLE hub_feature_flags (
                module TEXT PRIMARY KEY,
                enabled BOOLEAN NOT NULL,
                updated_at BIGINT NOT NULL,
                updated_by TEXT
            )
            """).run()
    }

    func revert(on database: any SQLDatabase) async throws {
        try await database.raw("DROP TABLE hub_feature_flags").run()
    }
}
