import Foundation
import HubKernel
import HubTesting
import Testing
@testable import Notifications

@Suite("notifications commands")
struct NotificationCommandTests {
    /// Sends `count` notifications to `user` from an admin.
    func seed(_ hub: TestHub, to user: TestClient, count: Int) async throws {
        let admin = try await hub.client(role: .admin)
        for n in 1...count {
            let reply = try await admin.send("notifications.send", ["userIds": [.string(user.identity.userID)], "category": "info", "title": .string("n\(n)")])
            #expect(reply.ok, "\(reply)")
        }
    }

    @Test("on connect the unread count arrives after the welcome") func unreadOnConnect() async throws {
        try await TestHub.run(modules: [NotificationsModule.self], environment: ["RATE_LIMIT_NOTIFICATIONS_SEND": "off"]) { hub in
            let alice = try await hub.client()
            #expect(try await alice.expectEvent("notifications.unread").data["count"] == 0)
            try await seed(hub, to: alice, count: 3)
            let again = try await hub.connect(accessToken: alice.accessToken)
            let event = try await again.expectEvent("notifications.unread")
            #expect(event.data["count"] == 3)
            #expect(event.topic == nil)
        }
    }

    @Test("list: newest first, cursor-paged, unreadOnly") func list() async throws {
        let clock = TestClock()
        try await TestHub.run(modules: [NotificationsModule.self], environment: ["RATE_LIMIT_NOTIFICATIONS_SEND": "off"], clock: clock) { hub in
            let alice = try await hub.client()
            let admin = try await hub.client(role: .admin)
            for n in 1...5 {
                _ = try await admin.send("notifications.send", ["userIds": [.string(alice.identity.userID)], "category": "info", "title": .string("n\(n)")])
                if n != 3 { clock.advance(ms: 10) }  // two share a millisecond: the id breaks the tie
            }
            let first = try await alice.send("notifications.list", ["limit": 2])
            #expect(first.data["items"][0]["title"] == "n5")
            #expect(first.data["items"].array?.count == 2)
            let second = try await alice.send("notifications.list", ["limit": 2, "before": first.data["nextCursor"]])
            let third = try await alice.send("notifications.list", ["limit": 2, "before": second.data["nextCursor"]])
            let all = (first.data["items"].array! + second.data["items"].array! + third.data["items"].array!).map { $0["title"].string! }
            #expect(Set(all) == ["n1", "n2", "n3", "n4", "n5"] && all.count == 5)
            let firstID = try #require(first.data["items"][0]["id"].string)
            _ = try await alice.send("notifications.read", ["ids": [.string(firstID)]])
            let unread = try await alice.send("notifications.list", ["unreadOnly": true])
            #expect(unread.data["items"].array?.count == 4)
            #expect(unread.data["nextCursor"] == .null)
        }
    }

    @Test("list rules", arguments: [(JSON.object(["limit": 0]), "limit"), (["limit": 101], "limit"), (["before": "x"], "before"), (["before": "+5_n"], "before"), (["unreadOnly": "yes"], "unreadOnly")] as [(JSON, String)])
    func listRules(payload: JSON, field: String) async throws {
        try await TestHub.run(modules: [NotificationsModule.self]) { hub in
            let alice = try await hub.client()
            #expect(try await alice.send("notifications.list", payload).error?.field == field)
        }
    }

    @Test("read: own notifications only; another's is not_found and nothing changes; every device hears the count") func read() async throws {
        try await TestHub.run(modules: [NotificationsModule.self], environment: ["RATE_LIMIT_NOTIFICATIONS_SEND": "off"]) { hub in
            let alice = try await hub.client()
            let phone = try await hub.connect(accessToken: alice.accessToken)
            let bob = try await hub.client()
            try await seed(hub, to: alice, count: 2)
            try await seed(hub, to: bob, count: 1)
            let mine = try await alice.send("notifications.list").data["items"].array!.map { $0["id"] }
            let bobs = try await bob.send("notifications.list").data["items"][0]["id"]
            #expect(try await alice.send("notifications.read", ["ids": [mine[0], bobs]]).error?.code == .notFound)
            #expect(try await alice.send("notifications.unreadCount").data["count"] == 2)
            #expect(try await bob.send("notifications.unreadCount").data["count"] == 1)
            let read = try await alice.send("notifications.read", ["ids": [mine[0], mine[0]]])
            #expect(read.data == ["updated": 1, "unread": 1])
            _ = try await phone.expectEvent("notifications.unread")  // on connect
            #expect(try await phone.expectEvent("notifications.unread", on: "user:\(alice.identity.userID)").data["count"] == 1)
            #expect(try await alice.send("notifications.read", ["ids": [mine[0]]]).data["updated"] == 0)
            #expect(try await alice.send("notifications.readAll").data == ["updated": 1, "unread": 0])
            #expect(try await alice.send("notifications.unreadCount").data["count"] == 0)
            #expect(try await alice.send("notifications.read", ["ids": []]).error?.field == "ids")
            #expect(try await alice.send("notifications.read", ["ids": "x"]).error?.field == "ids")
        }
    }

    @Test("send: agents and admins only", arguments: [Role.guest, .user, .host])
    func sendRoles(_ role: Role) async throws {
        try await TestHub.run(modules: [NotificationsModule.self]) { hub in
            let sender = try await hub.client(role: role)
            let reply = try await sender.send("notifications.send", ["role": "user", "category": "info", "title": "hi"])
            #expect(reply.error?.code == .forbidden)
        }
    }

    @Test("send to a role reaches every account with it") func sendToRole() async throws {
        try await TestHub.run(modules: [NotificationsModule.self]) { hub in
            let agent = try await hub.client(role: .agent)
            let otherAgent = try await hub.client(role: .agent)
            let user = try await hub.client()
            let reply = try await agent.send("notifications.send", ["role": "agent", "category": "success", "title": "Shift starts", "body": "Queue is open", "link": "https://desk.example/queue"])
            #expect(reply.data["count"] == 2)
            #expect(try await otherAgent.expectEvent("notifications.new").data["notification"]["link"] == "https://desk.example/queue")
            try await user.expectNoEvent("notifications.new")
        }
    }

    static let invalidSends: [(JSON, String)] = [
        (["category": "info", "title": "x"], "userIds"),
        (["userIds": ["a"], "role": "user", "category": "info", "title": "x"], "userIds"),
        (["role": "wizard", "category": "info", "title": "x"], "role"),
        (["role": "user", "category": "urgent", "title": "x"], "category"),
        (["role": "user", "category": "info", "title": " "], "title"),
        (["role": "user", "category": "info", "title": .string(String(repeating: "t", count: 201))], "title"),
        (["role": "user", "category": "info", "title": "x", "body": .string(String(repeating: "b", count: 2001))], "body"),
        (["role": "user", "category": "info", "title": "x", "body": "a\u{0}b"], "body"),
        (["role": "user", "category": "info", "title": "x", "link": "javascript:alert(1)"], "link"),
        (["role": "user", "category": "info", "title": "x", "link": "//evil.example"], "link"),
        (["role": "user", "category": "info", "title": "x", "link": "/\\evil.example"], "link"),
        (["role": "user", "category": "info", "title": "x", "link": "/\t/evil.example"], "link"),
        (["role": "user", "category": "info", "title": "x", "link": "https:evil.example"], "link"),
        (["role": "user", "category": "info", "title": "x", "link": "https://user:pw@evil.example/"], "link"),
        (["role": "user", "category": "info", "title": "x", "link": "ftp://files.example/x"], "link"),
        (["role": "user", "category": "info", "title": "x", "link": "desk.example/queue"], "link"),
        (["userIds": ["nobody"], "category": "info", "title": "x"], "userIds"),
    ]

    @Test("links that stay links: http(s) URLs with a host, and paths from the root", arguments: [
        "https://desk.example/queue", "HTTP://desk.example", "/tickets/42?tab=comments#c3", "/",
    ])
    func goodLinks(_ link: String) async throws {
        try await TestHub.run(modules: [NotificationsModule.self], environment: ["RATE_LIMIT_NOTIFICATIONS_SEND": "off"]) { hub in
            let admin = try await hub.client(role: .admin)
            let reply = try await admin.send("notifications.send", ["role": "admin", "category": "info", "title": "x", "link": .string(link)])
            #expect(reply.ok, "\(reply)")
        }
    }

    @Test("send rules", arguments: invalidSends)
    func sendRules(payload: JSON, field: String) async throws {
        try await TestHub.run(modules: [NotificationsModule.self], environment: ["RATE_LIMIT_NOTIFICATIONS_SEND": "off"]) { hub in
            let admin = try await hub.client(role: .admin)
            let reply = try await admin.send("notifications.send", payload)
            #expect(reply.error?.code == .validationFailed)
            #expect(reply.error?.field == field)
        }
    }

    @Test("send is limited to sendPerMinute per sender") func sendLimit() async throws {
        try await TestHub.run(modules: [NotificationsModule.self], clock: TestClock()) { hub in
            let admin = try await hub.client(role: .admin)
            for _ in 0..<5 { #expect(try await admin.send("notifications.send", ["role": "admin", "category": "info", "title": "x"]).ok) }
            #expect(try await admin.send("notifications.send", ["role": "admin", "category": "info", "title": "x"]).error?.retryAfterMs == 12_000)
        }
        try await TestHub.run(modules: [NotificationsModule.self], environment: ["MODULES_NOTIFICATIONS_SEND_PER_MINUTE": "2"], clock: TestClock()) { hub in
            let admin = try await hub.client(role: .admin)
            for _ in 0..<2 { #expect(try await admin.send("notifications.send", ["role": "admin", "category": "info", "title": "x"]).ok) }
            #expect(try await admin.send("notifications.send", ["role": "admin", "category": "info", "title": "x"]).error?.code == .rateLimited)
        }
    }

    @Test("notifications and read state survive a restart") func persisted() async throws {
        try await TestDatabase.withRestartable { store in
            let token: String = try await TestHub.run(modules: [NotificationsModule.self], database: store) { hub in
                let alice = try await hub.client()
                try await seed(hub, to: alice, count: 2)
                let first = try await alice.send("notifications.list").data["items"][0]["id"]
                _ = try await alice.send("notifications.read", ["ids": [first]])
                return alice.accessToken
            }
            try await TestHub.run(modules: [NotificationsModule.self], database: store) { hub in
                let alice = try await hub.connect(accessToken: token)
                #expect(try await alice.expectEvent("notifications.unread").data["count"] == 1)
                let items = try await alice.send("notifications.list").data["items"]
                #expect(items.array?.count == 2 && items[0]["readAt"].int != nil)
            }
        }
    }
}
