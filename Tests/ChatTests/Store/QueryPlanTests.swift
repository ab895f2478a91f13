import HubKernel
import HubTesting
import SQLKit
import Testing
@testable import Chat

/// Each of chat's hot queries can be served by an index, on the engine the suite runs on.
///
/// SQLite: `EXPLAIN QUERY PLAN` names the index it picks. PostgreSQL: with sequential scans
/// switched off for the connection, `EXPLAIN` still falls back to one when no index fits, so
/// the index's name in the plan proves that one does (tables are empty in a test, and the
/// planner would otherwise prefer a scan whatever the indexes).
@Suite("chat queries use indexes")
struct QueryPlanTests {
    func plan(_ sql: String, in hub: TestHub) async throws -> String {
        let postgres = hub.hub.database.kind == .postgres
        return try await hub.hub.database.withConnection { db in
            if postgres {
                try await db.raw("SET enable_seqscan = off").run()
                return try await db.raw(SQLQueryString(stringLiteral: "EXPLAIN " + sql)).all()
                    .map { try $0.decode(column: "QUERY PLAN", as: String.self) }.joined(separator: "; ")
            }
            return try await db.raw(SQLQueryString(stringLiteral: "EXPLAIN QUERY PLAN " + sql)).all()
                .map { try $0.decode(column: "detail", as: String.self) }.joined(separator: "; ")
        }
    }

    @Test("history and unread counts search the (room, seq) index; memberships the user index") func plans() async throws {
        try await TestHub.run(modules: [ChatModule.self]) { hub in
            let postgres = hub.hub.database.kind == .postgres
            let roomSeq = postgres ? "chat_messages_room_seq_key" : "USING INDEX sqlite_autoindex_chat_messages_2"
            let history = try await plan("SELECT * FROM chat_messages WHERE room = 'g' AND seq < 10 ORDER BY seq DESC LIMIT 50", in: hub)
            #expect(history.contains(roomSeq), "\(history)")
            #expect(!history.contains(postgres ? "Sort" : "TEMP B-TREE"), "\(history)")
            let unread = try await plan("SELECT COUNT(*) FROM chat_messages WHERE room = 'g' AND seq > 3 AND author_id <> 'u' AND deleted_at IS NULL", in: hub)
            #expect(unread.contains(roomSeq), "\(unread)")
            let mine = try await plan("SELECT room FROM chat_members WHERE user_id = 'u'", in: hub)
            #expect(mine.contains("chat_members_user"), "\(mine)")
            let idempotency = try await plan("SELECT id FROM chat_messages WHERE author_id = 'u' AND client_msg_id = 'c'", in: hub)
            #expect(idempotency.contains(postgres ? "chat_messages_author_id_client_msg_id_key" : "USING INDEX"), "\(idempotency)")
        }
    }
}
