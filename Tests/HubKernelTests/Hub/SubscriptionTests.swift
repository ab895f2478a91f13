import Testing
import HubTesting
@testable import HubKernel

@Suite("Topics over the hub")
struct SubscriptionTests {
    @Test("subscribers receive sequenced events, in order, with strictly increasing seq") func fanout() async throws {
        try await TestHub.run(modules: [ProbeModule.self]) { hub in
            let alice = try await hub.client()
            let bob = try await hub.client()
            let sub = try await bob.send("hub.subscribe", ["topic": "probe:open-room"])
            #expect(sub.ok && sub.data["recovered"] == false && sub.data["missed"] == [])
            var seqs: [Int64] = []
            for n in 1...5 {
                let published = try await alice.send("probe.publish", ["topic": "open-room", "text": .string("m\(n)")])
                let event = try await bob.expectEvent("probe.said", on: "probe:open-room")
                #expect(event.data["text"].string == "m\(n)")
                #expect(event.seq == published.data["seq"].int)
                seqs.append(try #require(event.seq))
            }
            #expect(seqs == seqs.sorted() && Set(seqs).count == 5)
            // the publisher itself is not subscribed
            try await alice.expectNoEvent("probe.said")
        }
    }

    @Test("since replays missed events while the history holds them, else recovered: false") func recovery() async throws {
        try await TestHub.run(modules: [ProbeModule.self], configure: { $0.topicHistorySize = 3 }) { hub in
            let writer = try await hub.client()
            let reader = try await hub.client()
            let first = try await reader.send("hub.subscribe", ["topic": "probe:open-r"])
            let start = try #require(first.data["seq"].int)
            _ = try await reader.send("hub.unsubscribe", ["topic": "probe:open-r"])
            for n in 1...2 { _ = try await writer.send("probe.publish", ["topic": "open-r", "text": .string("\(n)")]) }
            let resumed = try await reader.send("hub.subscribe", ["topic": "probe:open-r", "since": .int(start)])
            #expect(resumed.data["recovered"] == true)
            #expect(resumed.data["missed"].array?.map { $0["data"]["text"].string } == ["1", "2"])
            #expect(resumed.data["seq"].int == start + 2)
            _ = try await reader.send("hub.unsubscribe", ["topic": "probe:open-r"])
            for n in 3...7 { _ = try await writer.send("probe.publish", ["topic": "open-r", "text": .string("\(n)")]) }
            let tooLate = try await reader.send("hub.subscribe", ["topic": "probe:open-r", "since": .int(start + 2)])
            #expect(tooLate.data["recovered"] == false)
            #expect(tooLate.data["missed"] == [])
        }
    }

    @Test("events published while a since-subscribe is answered arrive exactly once, in order, without gaps") func subscribeWhilePublishing() async throws {
        try await TestHub.run(modules: [ProbeModule.self], configure: { $0.topicHistorySize = 1000 }) { testHub in
            let reader = try await testHub.client()
            let start = try #require(try await reader.send("hub.subscribe", ["topic": "probe:open-race"]).data["seq"].int)
            _ = try await reader.send("hub.unsubscribe", ["topic": "probe:open-race"])
            struct Said: Encodable, Sendable { var n: Int }
            let publisher = testHub.hub.eventPublisher
            for n in 1...100 { await publisher.publish("probe.said", Said(n: n), on: "probe:open-race") }
            // the rest is published from another task while the subscribe is being answered
            let more = Task.detached {
                for n in 101...400 {
                    await publisher.publish("probe.said", Said(n: n), on: "probe:open-race")
                    if n % 8 == 0 { await Task.yield() }
                }
            }
            let resumed = try await reader.send("hub.subscribe", ["topic": "probe:open-race", "since": .int(start)])
            #expect(resumed.data["recovered"] == true)
            var seqs = try #require(resumed.data["missed"].array).map { try #require($0["seq"].int) }
            #expect(seqs.count >= 100)
            await more.value
            while seqs.last.map({ $0 < start + 400 }) ?? true {
                seqs.append(try #require(try await reader.expectEvent("probe.said", on: "probe:open-race").seq))
            }
            #expect(seqs == Array(start + 1...start + 400))
            try await reader.expectNoEvent("probe.said")
        }
    }

    @Test("after unsubscribing, no more events arrive") func unsubscribe() async throws {
        try await TestHub.run(modules: [ProbeModule.self]) { hub in
            let writer = try await hub.client()
            let reader = try await hub.client()
            _ = try await reader.send("hub.subscribe", ["topic": "probe:open-u"])
            #expect(try await reader.send("hub.unsubscribe", ["topic": "probe:open-u"]).ok)
            _ = try await writer.send("probe.publish", ["topic": "open-u", "text": "x"])
            try await reader.expectNoEvent("probe.said")
        }
    }

    @Test("ephemeral events carry no seq and are not replayed") func ephemeral() async throws {
        try await TestHub.run(modules: [ProbeModule.self]) { hub in
            let writer = try await hub.client()
            let reader = try await hub.client()
            _ = try await reader.send("hub.subscribe", ["topic": "probe:open-e"])
            _ = try await writer.send("probe.publish", ["topic": "open-e", "text": "typing", "sequenced": false])
            let event = try await reader.expectEvent("probe.said")
            #expect(event.json.has("seq") == false)
            #expect(event.topic == "probe:open-e")
        }
    }

    @Test("topic authorization: the owning module decides; unknown owners are not_found") func authorization() async throws {
        try await TestHub.run(modules: [ProbeModule.self]) { hub in
            let client = try await hub.client()
            #expect(try await client.send("hub.subscribe", ["topic": "probe:secret"]).error?.code == .forbidden)
            #expect(try await client.send("hub.subscribe", ["topic": "probe:missing"]).error?.code == .notFound)
            #expect(try await client.send("hub.subscribe", ["topic": "chat:general"]).error?.code == .notFound)
            #expect(try await client.send("hub.subscribe", ["topic": "no-colon"]).error?.field == "topic")
            #expect(try await client.send("hub.subscribe", ["topic": "probe:open", "since": -1]).error?.field == "since")
        }
    }

    @Test("every connection gets its own user topic; another user's is forbidden") func userTopic() async throws {
        try await TestHub.run(modules: [ProbeModule.self]) { testHub in
            let alice = try await testHub.client()
            let aliceTablet = try await testHub.connect(accessToken: alice.accessToken)
            let bob = try await testHub.client()
            struct Hello: Encodable, Sendable { var text: String }
            await testHub.hub.eventPublisher.publish("probe.said", Hello(text: "for alice"), toUser: alice.identity.userID)
            #expect(try await alice.expectEvent("probe.said", on: "user:\(alice.identity.userID)").data["text"] == "for alice")
            try await aliceTablet.expectEvent("probe.said")
            try await bob.expectNoEvent("probe.said")
            let peek = try await bob.send("hub.subscribe", ["topic": .string("user:\(alice.identity.userID)")])
            #expect(peek.error?.code == .forbidden)
        }
    }

    @Test("subscriptions per connection are bounded") func bounded() async throws {
        try await TestHub.run(modules: [ProbeModule.self], configure: { $0.maxSubscriptionsPerConnection = 3 }) { hub in
            let client = try await hub.client()
            // the user topic is the first of the three
            #expect(try await client.send("hub.subscribe", ["topic": "probe:open-1"]).ok)
            #expect(try await client.send("hub.subscribe", ["topic": "probe:open-2"]).ok)
            #expect(try await client.send("hub.subscribe", ["topic": "probe:open-3"]).error?.code == .conflict)
            #expect(try await client.send("hub.subscribe", ["topic": "probe:open-2"]).ok)
        }
    }

    @Test("a client that stops reading is closed with 4008 and does not hold up others") func slowConsumer() async throws {
        try await TestHub.run(modules: [ProbeModule.self], configure: { $0.outboundMaxFrames = 5 }) { testHub in
            let reader = try await testHub.client()
            _ = try await reader.send("hub.subscribe", ["topic": "probe:open-flood"])
            let stalled = testHub.hub.openConnections.first { $0.identity.userID != reader.identity.userID }
            _ = stalled
            // a connection nobody drains: opened straight on the hub
            let identity = Identity(userID: reader.identity.userID, displayName: "stuck", role: .user)
            let stuck = await testHub.hub.open(identity: identity, tokenExpiresAtMs: .max, remoteAddress: "127.0.0.1")
            try await testHub.hub.subscribe(stuck, to: Topic(unchecked: "probe:open-flood"), since: nil, replyTo: nil)
            let writer = try await testHub.client()
            for n in 0..<10 { _ = try await writer.send("probe.publish", ["topic": "open-flood", "text": .string("\(n)")]) }
            #expect(stuck.outbound.overflowed)
            guard case .close(let code, _) = await stuck.outbound.next() else { Issue.record("expected a close"); return }
            #expect(code == .slowConsumer)
            for _ in 0..<10 { try await reader.expectEvent("probe.said") }
        }
    }
}
