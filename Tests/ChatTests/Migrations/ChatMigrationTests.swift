import HubKernel
import HubTesting
import SQLKit
import Testing
@testable import Chat

/// Each chat migration applied to a database that holds data written at the migration before it.
@Suite("chat migrations on existing data")
struct ChatMigrationTests {
    @Test("002 (messages) on rooms and members from 001: the rooms keep their members, who can write at once, numbered from 1")
    func messagesOnOldRooms() async throws {
        try await TestHub.run(modules: [ChatModule.self]) { hub in
            let alice = try await hub.client()
            #expect(try await hub.hub.migrator.revert(module: "chat", count: 1).map(\.name) == ["chat.002_create_messages"])
            try await hub.hub.database.withConnection { sql in
                try await sql.raw("INSERT INTO chat_rooms (name, kind, created_by, created_at) VALUES ('legacy', 'public', \(bind: alice.identity.userID), 1)").run()
                try await sql.raw("INSERT INTO chat_members (room, user_id, joined_at) VALUES ('legacy', \(bind: alice.identity.userID), 1)").run()
            }
            #expect(try await hub.hub.migrator.migrate().map(\.name) == ["chat.002_create_messages"])
            let rooms = try await alice.send("chat.rooms").data["items"].array?.map { $0["room"]["name"].string }
            #expect(rooms?.contains("legacy") == true)
            let sent = try await alice.send("chat.send", ["room": "legacy", "text": "first after the upgrade"])
            #expect(sent.data["message"]["seq"] == 1)
            #expect(try await alice.send("chat.history", ["room": "legacy"]).data["items"].array?.count == 1)
        }
    }
}
