import Foundation
import Testing
import HubKernel
import HubTesting
@testable import Switchboard

@Suite("Operations endpoints")
struct OperationsTests {
    @Test("healthz, readyz and metrics") func health() async throws {
        try await TestHub.run(modules: Catalog.modules, .live) { hub in
            let http = HTTP(baseURL: hub.baseURL!)
            #expect(try await http.get("/healthz").status == 200)
            // in cluster mode (the PostgreSQL run) the node is ready once its bus listener
            // listens, a moment after start: on a loaded machine it may not be at once
            var ready = try await http.get("/readyz")
            for _ in 0..<100 where ready.body["status"] != "ready" {
                try await Task.sleep(for: .milliseconds(100))
                ready = try await http.get("/readyz")
            }
            #expect(ready.status == 200 && ready.body["status"] == "ready", "\(ready.body)")
            let client = try await hub.client()
            _ = try await client.send("hub.ping")
            _ = try await client.send("nope.x")
            let metrics = try await http.get("/metrics")
            #expect(metrics.headers["content-type"]?.hasPrefix("text/plain") == true)
            #expect(metrics.text.contains("sb_connections_open 1"))
            #expect(metrics.text.contains(#"sb_commands_total{module="hub",type="hub.ping",code="ok"} 1"#))
            #expect(metrics.text.contains(#"code="unknown_type""#))
            #expect(metrics.text.contains("sb_command_duration_seconds_bucket"))
        }
    }

    @Test("admins toggle modules over HTTP; everyone else is refused") func features() async throws {
        try await TestHub.run(modules: Catalog.modules, .live) { hub in
            let http = HTTP(baseURL: hub.baseURL!)
            let admin = try await hub.client(role: .admin)
            let user = try await hub.client()
            #expect(try await http.get("/admin/features").status == 401)
            #expect(try await http.get("/admin/features", token: user.accessToken).status == 403)
            #expect(try await http.get("/admin/features", token: admin.accessToken).body["modules"] == [["name": "chat", "enabled": true], ["name": "presence", "enabled": true],
                                                                                                 ["name": "notifications", "enabled": true], ["name": "tickets", "enabled": true], ["name": "betting", "enabled": true], ["name": "chsh", "enabled": true],
                                                                                                 ["name": "poll", "enabled": true],
                                                                                                 ["name": "web", "enabled": true]])
            let off = try await http.put("/admin/features/poll", ["enabled": false], token: admin.accessToken)
            #expect(off.body == ["name": "poll", "enabled": false])
            #expect(try await user.expectEvent("hub.feature").data == ["module": "poll", "enabled": false])
            #expect(try await user.send("poll.create", ["question": "Q", "options": ["a", "b"]]).error?.code == .featureDisabled)
            let route = try await http.get("/poll/polls/x", token: user.accessToken)
            #expect(route.status == 503)
            #expect(route.body["error"]["code"] == "feature_disabled")
            #expect(try await http.put("/admin/features/nope", ["enabled": false], token: admin.accessToken).status == 404)
            #expect(try await http.put("/admin/features/poll", ["enabled": "yes"], token: admin.accessToken).status == 400)
            _ = try await http.put("/admin/features/poll", ["enabled": true], token: admin.accessToken)
            #expect(try await user.send("poll.create", ["question": "Q", "options": ["a", "b"]]).ok)
        }
    }

    @Test("admins change roles; the next token carries the role") func roles() async throws {
        try await TestHub.run(modules: Catalog.modules, .live) { hub in
            let http = HTTP(baseURL: hub.baseURL!)
            let admin = try await hub.client(role: .admin)
            _ = try await http.post("/auth/register", ["username": "agent-to-be", "password": "password123"])
            #expect(try await http.put("/admin/users/agent-to-be/role", ["role": "agent"], token: admin.accessToken).body["user"]["role"] == "agent")
            #expect(try await http.post("/auth/login", ["username": "agent-to-be", "password": "password123"]).body["user"]["role"] == "agent")
            #expect(try await http.put("/admin/users/ghost/role", ["role": "agent"], token: admin.accessToken).status == 404)
            #expect(try await http.put("/admin/users/agent-to-be/role", ["role": "wizard"], token: admin.accessToken).status == 400)
            let user = try await hub.client()
            #expect(try await http.put("/admin/users/agent-to-be/role", ["role": "admin"], token: user.accessToken).status == 403)
            let agents = try await http.get("/admin/users?role=agent", token: admin.accessToken)
            #expect(agents.body["items"].array?.map { $0["username"] } == ["agent-to-be"], "\(agents)")
            #expect(agents.body["items"][0]["role"] == "agent" && !agents.body["items"][0].has("passwordHash"))
            #expect(try await http.get("/admin/users?role=admin", token: admin.accessToken).body["items"].array?.count == 1)
            #expect(try await http.get("/admin/users?role=guest", token: admin.accessToken).body["error"]["field"] == "role")
            #expect(try await http.get("/admin/users", token: admin.accessToken).status == 400)
            #expect(try await http.get("/admin/users?role=agent", token: user.accessToken).status == 403)
        }
    }

    @Test("the overview counts this node's connections, users by role, each module's topics and the busiest topics")
    func overview() async throws {
        try await TestHub.run(modules: Catalog.modules, .live) { hub in
            let http = HTTP(baseURL: hub.baseURL!)
            let admin = try await hub.client(role: .admin)
            let alice = try await hub.client()
            let alicePhone = try await hub.connect(accessToken: alice.accessToken)
            let bob = try await hub.client()
            let guest = try await hub.client(role: .guest)
            for client in [alice, alicePhone, bob] { _ = try await client.send("chat.join", ["room": "general"]) }
            _ = try await bob.send("chat.join", ["room": "quiet"])
            #expect(try await http.get("/admin/overview").status == 401)
            #expect(try await http.get("/admin/overview", token: alice.accessToken).status == 403)
            let overview = try await http.get("/admin/overview", token: admin.accessToken).body
            #expect(overview["connections"] == 5 && overview["users"] == 4, "\(overview)")
            #expect(overview["usersByRole"] == ["admin": 1, "user": 2, "guest": 1])
            #expect(overview["topics"][0] == ["topic": "chat:general", "subscribers": 3], "the busiest first: \(overview["topics"])")
            let chat = overview["modules"].array?.first { $0["name"] == "chat" }
            #expect(chat == ["name": "chat", "enabled": true, "topics": 2, "subscriptions": 4])
            _ = try await http.put("/admin/features/chat", ["enabled": false], token: admin.accessToken)
            let off = try await http.get("/admin/overview", token: admin.accessToken).body["modules"].array?.first { $0["name"] == "chat" }
            #expect(off?["enabled"] == false)
            await guest.close()
            try await Task.sleep(for: .milliseconds(100))
            #expect(try await http.get("/admin/overview", token: admin.accessToken).body["connections"] == 4)
        }
    }

    @Test("draining: readiness turns 503, sockets get hub.shutdown then close 1012") func drain() async throws {
        try await TestHub.run(modules: Catalog.modules, .live) { hub in
            let http = HTTP(baseURL: hub.baseURL!)
            let client = try await hub.client()
            let drained = Task { await hub.hub.drain() }
            let shutdown = try await client.expectEvent("hub.shutdown")
            #expect(shutdown.data["reconnectAfterMs"].int != nil)
            #expect(try await client.expectClose() == 1012)
            await drained.value
            let ready = try await http.get("/readyz")
            #expect(ready.status == 503)
            #expect(ready.body["error"]["code"] == "unavailable")
            #expect(try await http.get("/healthz").status == 200)
            // a draining node takes no new sockets
            let refused = try await http.get("/ws", token: client.accessToken, headers: upgrade)
            #expect(refused.status == 503)
            #expect(refused.body["error"]["code"] == "unavailable")
        }
    }

    @Test("a restart keeps accounts, polls and votes") func restart() async throws {
        try await TestDatabase.withRestartable { store in
            let id: String = try await TestHub.run(modules: Catalog.modules, .live, database: store) { hub in
                let http = HTTP(baseURL: hub.baseURL!)
                let pair = try await http.post("/auth/register", ["username": "persist", "password": "password123"])
                let client = try await hub.connect(accessToken: pair.body["accessToken"].string!)
                let created = try await client.send("poll.create", ["question": "Survive?", "options": ["yes", "no"]])
                let id = created.data["poll"]["id"].string!
                #expect(try await client.send("poll.vote", ["pollId": .string(id), "option": 0]).ok)
                return id
            }
            try await TestHub.run(modules: Catalog.modules, .live, database: store) { hub in
                let http = HTTP(baseURL: hub.baseURL!)
                let login = try await http.post("/auth/login", ["username": "persist", "password": "password123"])
                #expect(login.status == 200)
                let client = try await hub.connect(accessToken: login.body["accessToken"].string!)
                let poll = try await client.send("poll.get", ["pollId": .string(id)])
                #expect(poll.data["poll"]["options"][0]["votes"] == 1)
                #expect(poll.data["myVote"] == 0)
            }
        }
    }
}
