import HubKernel
import SQLKit

/// Votes: one per user and poll (the primary key), each for an existing option.
struct Poll002CreateVotes: Migration {
    let name = "poll.002_create_votes"

    func prepare(on database: any SQLDatabase) async throws {
        try await database.raw("""
            CREATE TABLE poll_votes (
                poll_id TEXT NOT NULL,
                user_id TEXT NOT NULL REFERENCES hub_users (id),
                option_idx INTEGER NOT NULL,
                voted_at BIGINT NOT NULL,
                PRIMARY KEY (poll_id, user_id),
                FOREIGN KEY (poll_id, option_idx) REFERENCES poll_options (poll_id, idx) ON DELETE CASCADE
            )
            """).run()
        try await database.raw("CREATE INDEX poll_votes_tally ON poll_votes (poll_id, option_idx)").run()
    }

    func revert(on database: any SQLDatabase) async throws {
        try await database.raw("DROP TABLE poll_votes").run()
    }
}
