import HubKernel
import HubTesting
import SQLKit
import Testing
@testable import Chat

@Suite("chat queries use indexes")
struct QueryPlanTests {
    func plan(_ sql: String, in hub: TestHub) async throws -> String {
        try await hub.hub.database.withConnection { db in
            try await db.raw(SQLQueryString(stringLiteral: "EXPLAIN QUERY PLAN " + sql)).all()
                .map { try $0.decode(column: "detail", as: String.self) }.joined(separator: "; ")
        }
    }

    @Test("history and unread counts search the (room, seq) index; memberships the user index") func plans() async throws {
        guard TestDatabase.postgresURL == nil else { return }  // SQLite plans; PostgreSQL's are in docs/modules/chat.md
        try await TestHub.run(modules: [ChatModule.self]) { hub in
            let history = try await plan("SELECT * FROM chat_messages WHERE room = 'g' AND seq < 10 ORDER BY seq DESC LIMIT 50", in: hub)
            #expect(history.contains("USING INDEX sqlite_autoindex_chat_messages_2"), "\(history)")
            #expect(!history.contains("TEMP B-TREE"), "\(history)")
            let unread = try await plan("SELECT COUNT(*) FROM chat_messages WHERE room = 'g' AND seq > 3 AND author_id <> 'u' AND deleted_at IS NULL", in: hub)
            #expect(unread.contains("USING INDEX sqlite_autoindex_chat_messages_2"), "\(unread)")
            let mine = try await plan("SELECT room FROM chat_members WHERE user_id = 'u'", in: hub)
            #expect(mine.contains("chat_members_user"), "\(mine)")
            let idempotency = try await plan("SELECT id FROM chat_messages WHERE author_id = 'u' AND client_msg_id = 'c'", in: hub)
            #expect(idempotency.contains("USING INDEX"), "\(idempotency)")
        }
    }
}
