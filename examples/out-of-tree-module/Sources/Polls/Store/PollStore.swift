import Foundation
import HubKernel
import SQLKit

/// The poll module's SQL, and nothing else. Votes are counted from `poll_votes`, where a
/// UNIQUE key allows one vote per user and poll.
struct PollStore: Sendable {
    let database: Database
    let clock: any HubClock

    func create(question: String, options: [String], by userID: String) async throws -> PollView {
        let id = UUID().uuidString.lowercased()
        let now = clock.nowMs()
        try await database.transaction { sql in
            try await sql.raw("""
                INSERT INTO poll_polls (id, question, created_by, created_at, closed)
                VALUES (\(bind: id), \(bind: question), \(bind: userID), \(bind: now), \(bind: false))
                """).run()
            for (index, text) in options.enumerated() {
                try await sql.raw("INSERT INTO poll_options (poll_id, idx, text) VALUES (\(bind: id), \(bind: index), \(bind: text))").run()
            }
        }
        return PollView(id: id, question: question,
                        options: options.enumerated().map { .init(index: $0.offset, text: $0.element, votes: 0) },
                        createdBy: userID, createdAt: now, closed: false)
    }

    func poll(id: String) async throws -> PollView? {
        try await database.withConnection { try await load(id: id, on: $0) }
    }

    private func load(id: String, on sql: any SQLDatabase) async throws -> PollView? {
        guard let row = try await sql.raw("SELECT id, question, created_by, created_at, closed FROM poll_polls WHERE id = \(bind: id)").first() else {
            return nil
        }
        let options = try await sql.raw("""
            SELECT o.idx, o.text, (SELECT COUNT(*) FROM poll_votes v WHERE v.poll_id = o.poll_id AND v.option_idx = o.idx) AS votes
            FROM poll_options o WHERE o.poll_id = \(bind: id) ORDER BY o.idx
            """).all().map {
                PollView.Option(index: try $0.decode(column: "idx", as: Int.self), text: try $0.decode(column: "text", as: String.self),
                                votes: try $0.decode(column: "votes", as: Int.self))
            }
        return PollView(id: try row.decode(column: "id", as: String.self), question: try row.decode(column: "question", as: String.self),
                        options: options, createdBy: try row.decode(column: "created_by", as: String.self),
                        createdAt: try row.decode(column: "created_at", as: Int64.self), closed: try row.decode(column: "closed", as: Bool.self))
    }

    /// Records a vote and returns the new tally.
    /// - Throws: `not_found` (no poll), `conflict` (closed, or already voted),
    ///   `validation_failed` on `option` (no such option).
    func vote(pollID: String, option: Int, by userID: String) async throws -> PollView {
        let now = clock.nowMs()
        return try await database.transaction { sql in
            guard let poll = try await load(id: pollID, on: sql) else { throw HubError.notFound("no poll '\(pollID)'") }
            guard !poll.closed else { throw HubError.conflict("the poll is closed") }
            guard poll.options.indices.contains(option) else {
                throw HubError.validation("option", "option must be 0 to \(poll.options.count - 1)")
            }
            do {
                try await sql.raw("""
                    INSERT INTO poll_votes (poll_id, user_id, option_idx, voted_at) VALUES (\(bind: pollID), \(bind: userID), \(bind: option), \(bind: now))
                    """).run()
            } catch where error.isUniqueViolation {
                throw HubError.conflict("you already voted in this poll")
            }
            guard let updated = try await load(id: pollID, on: sql) else { throw HubError.notFound("no poll '\(pollID)'") }
            return updated
        }
    }

    func vote(of userID: String, in pollID: String) async throws -> Int? {
        try await database.withConnection { sql in
            try await sql.raw("SELECT option_idx FROM poll_votes WHERE poll_id = \(bind: pollID) AND user_id = \(bind: userID)")
                .first()?.decode(column: "option_idx", as: Int.self)
        }
    }

    /// Closes a poll. - Returns: the poll and whether this call closed it.
    func close(id: String) async throws -> (PollView, Bool) {
        try await database.transaction { sql in
            let changed = try await sql.raw("UPDATE poll_polls SET closed = \(bind: true) WHERE id = \(bind: id) AND closed = \(bind: false) RETURNING id")
                .first() != nil
            guard let poll = try await load(id: id, on: sql) else { throw HubError.notFound("no poll '\(id)'") }
            return (poll, changed)
        }
    }
}
