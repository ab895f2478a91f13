import Foundation
import Testing
import HubTesting
@testable import HubKernel

@Suite("Feature flags")
struct FeatureFlagTests {
    @Test("switching a module off: clients hear hub.feature, commands answer feature_disabled, topics go quiet") func toggle() async throws {
        try await TestHub.run(modules: [ProbeModule.self]) { testHub in
            let client = try await testHub.client()
            _ = try await client.send("hub.subscribe", ["topic": "probe:open-f"])
            try await testHub.hub.setFeature("probe", enabled: false, by: nil)
            let event = try await client.expectEvent("hub.feature")
            #expect(event.data == ["module": "probe", "enabled": false])
            #expect(try await client.send("probe.echo", ["text": "x"]).error?.code == .featureDisabled)
            #expect(try await client.send("hub.subscribe", ["topic": "probe:open-g"]).error?.code == .featureDisabled)
            struct Said: Encodable, Sendable { var text: String }
            #expect(await testHub.hub.eventPublisher.publish("probe.said", Said(text: "hush"), on: "probe:open-f") == nil)
            try await client.expectNoEvent("probe.said")
            let later = try await testHub.connect(accessToken: client.accessToken)
            #expect(later.welcome.data["modules"] == [["name": "probe", "enabled": false]])
            try await testHub.hub.setFeature("probe", enabled: true, by: nil)
            #expect(try await client.expectEvent("hub.feature").data["enabled"] == true)
            #expect(try await client.send("probe.echo", ["text": "x"]).ok)
        }
    }

    @Test("publishing checks both halves: the topic's module and the event's module") func bothHalves() async throws {
        try await TestHub.run(modules: [ProbeModule.self, HookModule.self]) { testHub in
            let client = try await testHub.client()
            _ = try await client.send("hub.subscribe", ["topic": "probe:open-f"])
            try await testHub.hub.setFeature("probe", enabled: false, by: nil)
            try await client.expectEvent("hub.feature")
            struct Said: Encodable, Sendable { var text: String }
            // an enabled module's event on the switched-off module's topic
            #expect(await testHub.hub.eventPublisher.publish("hooks.said", Said(text: "topic off"), on: "probe:open-f") == nil)
            try await client.expectNoEvent("hooks.said")
            // the switched-off module's event on a topic that is always on (the kernel's user topic)
            #expect(await testHub.hub.eventPublisher.publish("probe.said", Said(text: "event off"), toUser: client.identity.userID) == nil)
            try await client.expectNoEvent("probe.said")
            // and both on: delivered
            try await testHub.hub.setFeature("probe", enabled: true, by: nil)
            #expect(await testHub.hub.eventPublisher.publish("probe.said", Said(text: "on"), toUser: client.identity.userID) != nil)
            #expect(try await client.expectEvent("probe.said").data["text"] == "on")
        }
    }

    @Test("a module that is not loaded cannot be toggled") func notLoaded() async throws {
        try await TestHub.run(modules: [ProbeModule.self]) { testHub in
            await #expect(throws: HubError.notFound("module 'chat' is not loaded")) {
                try await testHub.hub.setFeature("chat", enabled: false, by: nil)
            }
        }
    }

    @Test("flags survive a restart") func persisted() async throws {
        try await TestDatabase.withRestartable { store in
            try await TestHub.run(modules: [ProbeModule.self], database: store) { testHub in
                try await testHub.hub.setFeature("probe", enabled: false, by: nil)
            }
            try await TestHub.run(modules: [ProbeModule.self], database: store) { testHub in
                #expect(testHub.hub.flags.isEnabled("probe") == false)
                let client = try await testHub.client()
                #expect(try await client.send("probe.echo", ["text": "x"]).error?.code == .featureDisabled)
            }
        }
    }
}
