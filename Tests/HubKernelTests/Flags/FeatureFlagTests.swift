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
            #expect(testHub.hub.eventPublisher.publish("probe.said", Said(text: "hush"), on: "probe:open-f") == nil)
            try await client.expectNoEvent("probe.said")
            let later = try await testHub.connect(accessToken: client.accessToken)
            #expect(later.welcome.data["modules"] == [["name": "probe", "enabled": false]])
            try await testHub.hub.setFeature("probe", enabled: true, by: nil)
            #expect(try await client.expectEvent("hub.feature").data["enabled"] == true)
            #expect(try await client.send("probe.echo", ["text": "x"]).ok)
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
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("flags-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try await TestHub.run(modules: [ProbeModule.self], databaseFile: file) { testHub in
            try await testHub.hub.setFeature("probe", enabled: false, by: nil)
        }
        try await TestHub.run(modules: [ProbeModule.self], databaseFile: file) { testHub in
            #expect(testHub.hub.flags.isEnabled("probe") == false)
            let client = try await testHub.client()
            #expect(try await client.send("probe.echo", ["text": "x"]).error?.code == .featureDisabled)
        }
    }
}
