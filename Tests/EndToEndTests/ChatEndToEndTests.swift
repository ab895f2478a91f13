import Foundation
import Testing
import HubKernel
import HubTesting
@testable import Switchboard

@Suite("Chat over real sockets")
struct ChatEndToEndTests {
    @Test("two users chat in a room, then in a DM") func conversation() async throws {
        try await TestHub.run(modules: Catalog.modules, .live) { hub in
            let alice = try await hub.client()
            let bob = try await hub.client()
            _ = try await alice.send("chat.join", ["room": "general"])
            _ = try await bob.send("chat.join", ["room": "general"])
            _ = try await alice.send("chat.send", ["room": "general", "text": "hi bob"])
            #expect(try await bob.expectEvent("chat.message", on: "chat:general").data["message"]["text"] == "hi bob")
            // the sender is a subscriber too and sees its own message as an event
            #expect(try await alice.expectEvent("chat.message").data["message"]["text"] == "hi bob")
            _ = try await bob.send("chat.typing", ["room": "general", "typing": true])
            #expect(try await alice.expectEvent("chat.typing").data["userId"].string == bob.identity.userID)
            _ = try await bob.send("chat.send", ["room": "general", "text": "hi alice"])
            #expect(try await alice.expectEvent("chat.message").data["message"]["text"] == "hi alice")

            let dm = try await alice.send("chat.openDm", ["userId": .string(bob.identity.userID)])
            let room = try #require(dm.data["room"]["name"].string)
            _ = try await bob.send("chat.join", ["room": .string(room)])
            _ = try await alice.send("chat.send", ["room": .string(room), "text": "just us"])
            #expect(try await bob.expectEvent("chat.message", on: "chat:\(room)").data["message"]["text"] == "just us")
            let rooms = try await bob.send("chat.rooms")
            #expect(rooms.data["items"].array?.compactMap { $0["room"]["name"].string }.contains(room) == true)
        }
    }

    @Test("a reload during a conversation recovers the missed messages with since") func reload() async throws {
        try await TestHub.run(modules: Catalog.modules, .live) { hub in
            let alice = try await hub.client()
            let bob = try await hub.client()
            _ = try await alice.send("chat.join", ["room": "general"])
            let joined = try await bob.send("chat.join", ["room": "general"])
            var lastSeq = try #require(joined.data["seq"].int)
            _ = try await alice.send("chat.send", ["room": "general", "text": "one"])
            lastSeq = try #require(try await bob.expectEvent("chat.message").seq)
            await bob.close()                                   // bob reloads the page
            _ = try await alice.send("chat.send", ["room": "general", "text": "two"])
            _ = try await alice.send("chat.send", ["room": "general", "text": "three"])
            let reloaded = try await hub.connect(accessToken: bob.accessToken)
            let resumed = try await reloaded.send("hub.subscribe", ["topic": "chat:general", "since": .int(lastSeq)])
            #expect(resumed.data["recovered"] == true)
            #expect(resumed.data["missed"].array?.map { $0["data"]["message"]["text"].string } == ["two", "three"])
            // and the durable history agrees
            let history = try await reloaded.send("chat.history", ["room": "general"])
            #expect(history.data["items"].array?.map { $0["text"].string } == ["three", "two", "one"])
        }
    }

    @Test("history over HTTP follows the same rules") func httpHistory() async throws {
        try await TestHub.run(modules: Catalog.modules, .live) { hub in
            let alice = try await hub.client()
            let eve = try await hub.client()
            _ = try await alice.send("chat.createRoom", ["room": "private-room", "visibility": "private"])
            for text in ["a", "b", "c"] { _ = try await alice.send("chat.send", ["room": "private-room", "text": .string(text)]) }
            let http = HTTP(baseURL: hub.baseURL!)
            let page = try await http.get("/chat/rooms/private-room/messages?limit=2", token: alice.accessToken)
            #expect(page.status == 200)
            #expect(page.body["items"].array?.map { $0["text"].string } == ["c", "b"])
            let next = try await http.get("/chat/rooms/private-room/messages?limit=2&before=\(page.body["nextCursor"].string ?? "")", token: alice.accessToken)
            #expect(next.body["items"].array?.map { $0["text"].string } == ["a"])
            let outsider = try await http.get("/chat/rooms/private-room/messages", token: eve.accessToken)
            let nowhere = try await http.get("/chat/rooms/no-such-room/messages", token: eve.accessToken)
            #expect(outsider.status == 404 && outsider.body["error"]["code"] == nowhere.body["error"]["code"], "no existence oracle")
            #expect(try await http.get("/chat/rooms/private-room/messages").status == 401)
            #expect(try await http.get("/chat/rooms/nowhere/messages", token: alice.accessToken).status == 404)
            #expect(try await http.get("/chat/rooms/private-room/messages?limit=500", token: alice.accessToken).body["error"]["field"] == "limit")
        }
    }
}
