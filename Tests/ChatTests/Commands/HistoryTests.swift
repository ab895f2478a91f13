import HubKernel
import HubTesting
import Testing
@testable import Chat

@Suite("chat.history")
struct HistoryTests {
    @Test("newest first, cursor-paged, no gaps or duplicates when messages arrive between pages") func paging() async throws {
        try await TestHub.run(modules: [ChatModule.self], environment: unlimitedSends) { hub in
            let alice = try await hub.client()
            try await alice.join("general")
            for n in 1...7 { _ = try await alice.say("m\(n)", in: "general") }
            let first = try await alice.send("chat.history", ["room": "general", "limit": 3])
            #expect(first.data["items"].array?.map { $0["text"].string } == ["m7", "m6", "m5"])
            let cursor = first.data["nextCursor"]
            // two new messages arrive while the reader scrolls back
            for n in 8...9 { _ = try await alice.say("m\(n)", in: "general") }
            let second = try await alice.send("chat.history", ["room": "general", "limit": 3, "before": cursor])
            #expect(second.data["items"].array?.map { $0["text"].string } == ["m4", "m3", "m2"])
            let third = try await alice.send("chat.history", ["room": "general", "limit": 3, "before": second.data["nextCursor"]])
            #expect(third.data["items"].array?.map { $0["text"].string } == ["m1"])
            #expect(third.data["nextCursor"] == .null)
        }
    }

    @Test("paging back while others write at the same time: every older message exactly once, in order") func pagingUnderConcurrentWrites() async throws {
        try await TestHub.run(modules: [ChatModule.self], environment: unlimitedSends.merging(["RATE_LIMIT_CHAT_HISTORY": "off"]) { $1 }) { hub in
            let reader = try await hub.client()
            let writers = [try await hub.client(), try await hub.client(), try await hub.client()]
            for client in writers + [reader] { try await client.join("general") }
            for n in 1...60 { _ = try await writers[n % 3].say("old \(n)", in: "general") }
            // writers keep sending while the reader scrolls back from the newest message it saw
            let writing = Task {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for (w, writer) in writers.enumerated() {
                        group.addTask { for n in 1...30 { _ = try await writer.say("new \(w)-\(n)", in: "general") } }
                    }
                    try await group.waitForAll()
                }
            }
            var seen: [Int64] = []
            var cursor: JSON = .null
            repeat {
                var payload: [String: JSON] = ["room": "general", "limit": 7]
                if cursor != .null { payload["before"] = cursor }
                let page = try await reader.send("chat.history", .object(payload))
                seen += try #require(page.data["items"].array).map { try #require($0["seq"].int) }
                cursor = page.data["nextCursor"]
            } while cursor != .null
            try await writing.value
            let top = try #require(seen.first)
            #expect(top >= 60)
            #expect(seen == Array((1...top).reversed()), "pages skipped or repeated a message")
        }
    }

    @Test("the default page size is 50") func defaultPage() async throws {
        try await TestHub.run(modules: [ChatModule.self], environment: unlimitedSends) { hub in
            let alice = try await hub.client()
            try await alice.join("general")
            for n in 1...55 { _ = try await alice.say("m\(n)", in: "general") }
            let page = try await alice.send("chat.history", ["room": "general"])
            #expect(page.data["items"].array?.count == 50)
            #expect(page.data["nextCursor"].string == "6")
        }
    }

    static let invalid: [(JSON, String)] = [
        (["room": "general", "limit": 0], "limit"), (["room": "general", "limit": 101], "limit"),
        (["room": "general", "before": "abc"], "before"), (["room": "general", "before": "-4"], "before"),
        (["room": "general", "before": "+5"], "before"), (["room": "general", "before": "007"], "before"),
        (["room": "general", "before": 5], "before"), (["room": "Bad Name"], "room"),
        (["room": "general", "limit": 1.5], "limit"),
    ]

    @Test("history rules", arguments: invalid)
    func rules(payload: JSON, field: String) async throws {
        try await TestHub.run(modules: [ChatModule.self]) { hub in
            let alice = try await hub.client()
            try await alice.join("general")
            #expect(try await alice.send("chat.history", payload).error?.field == field)
        }
    }

    @Test("a limit of 2^63 does not fit an integer: validation_failed naming limit, in words") func hugeLimit() async throws {
        try await TestHub.run(modules: [ChatModule.self]) { hub in
            let alice = try await hub.client()
            try await alice.join("general")
            try await alice.sendRaw(#"{"id":"big","type":"chat.history","data":{"room":"general","limit":9223372036854775808}}"#)
            let reply = try await alice.expectReply(re: "big")
            #expect(reply.error?.code == .validationFailed)
            #expect(reply.error?.field == "limit")
            #expect(reply.error?.message == "limit must be an integer within range")
        }
    }

    @Test("public rooms are readable without joining; unknown rooms are not_found") func access() async throws {
        try await TestHub.run(modules: [ChatModule.self]) { hub in
            let alice = try await hub.client()
            let bob = try await hub.client()
            try await alice.join("general")
            _ = try await alice.say("welcome", in: "general")
            #expect(try await bob.send("chat.history", ["room": "general"]).data["items"][0]["text"] == "welcome")
            #expect(try await bob.send("chat.history", ["room": "nowhere"]).error?.code == .notFound)
        }
    }
}
