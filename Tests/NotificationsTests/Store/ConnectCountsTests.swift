import Foundation
import HubTesting
import SQLKit
import Testing
@testable import HubKernel
@testable import Notifications

/// On PostgreSQL the unread counts of connections opening together are read in one statement
/// (issue #16): each connection must still get its own user's count.
@Suite("the unread count on connect, counted in batches", .enabled(if: (try? TestDatabase.kind()) == .postgres))
struct ConnectCountsTests {
    @Test("lookups made together each get their own user's unread count, 0 for a user with none")
    func ownCounts() async throws {
        try await TestHub.run(modules: [NotificationsModule.self]) { hub in
            let module = try #require(hub.hub.modules.first as? NotificationsModule)
            var users: [String] = []
            for _ in 0..<6 { users.append(try await hub.client().identity.userID) }
            // u-n has n notifications, the first of them read
            for (n, user) in users.enumerated() where n > 0 {
                for k in 0..<n {
                    _ = try await module.store.insert(OutgoingNotification(userIDs: [user], category: .info, title: "t\(k)", source: "test"), to: [user])
                }
                try await hub.hub.database.withConnection { sql in
                    try await sql.raw("UPDATE notifications_items SET read_at = 1 WHERE id = (SELECT id FROM notifications_items WHERE user_id = \(bind: user) ORDER BY created_at, id LIMIT 1)").run()
                }
            }
            let store = module.store
            let counts = try await withThrowingTaskGroup(of: (String, Int).self) { group in
                for _ in 0..<5 {
                    for user in users { group.addTask { (user, try await store.unreadCountOnConnect(of: user)) } }
                }
                return try await group.reduce(into: [(String, Int)]()) { $0.append($1) }
            }
            #expect(counts.count == 30)
            for (user, count) in counts {
                let n = try #require(users.firstIndex(of: user))
                #expect(count == max(0, n - 1), "user \(n) got \(count)")
            }
        }
    }
}
