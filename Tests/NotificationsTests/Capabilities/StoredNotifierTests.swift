import Foundation
import HubKernel
import HubTesting
import Testing
@testable import Notifications

/// A module that notifies through the capability, as tickets and betting will.
struct AlarmModule: HubModule {
    static let name: ModuleName = "alarm"
    let notifier: Capability<any Notifier>
    init(setup: ModuleSetup) throws { notifier = setup.capability((any Notifier).self) }
}

func alarm(_ hub: TestHub) throws -> AlarmModule {
    try #require(hub.hub.modules.compactMap { $0 as? AlarmModule }.first)
}

@Suite("the Notifier capability")
struct StoredNotifierTests {
    @Test("another module notifies: stored first, then delivered to every device of the recipient") func deliver() async throws {
        try await TestHub.run(modules: [NotificationsModule.self, AlarmModule.self]) { hub in
            let alice = try await hub.client()
            let tablet = try await hub.connect(accessToken: alice.accessToken)
            let notifier = try #require(try alarm(hub).notifier.value)
            let outcome = try await notifier.notify(.init(userIDs: [alice.identity.userID], category: .warning,
                                                          title: "SLA at risk", body: "Ticket #4", link: "/tickets/4", source: "alarm"))
            guard case .stored(let ids) = outcome else { Issue.record("expected stored, got \(outcome)"); return }
            #expect(ids.count == 1)
            for device in [alice, tablet] {
                let event = try await device.expectEvent("notifications.new", on: "user:\(alice.identity.userID)")
                #expect(event.data["notification"]["id"].string == ids[0])
                #expect(event.data["notification"]["source"] == "alarm")
                #expect(event.data["notification"]["category"] == "warning")
                #expect(event.data["notification"].has("readAt") == false)
            }
            #expect(try await alice.send("notifications.list").data["items"][0]["title"] == "SLA at risk")
        }
    }

    @Test("switched off: nothing is stored and the caller is told") func switchedOff() async throws {
        try await TestHub.run(modules: [NotificationsModule.self, AlarmModule.self]) { hub in
            let alice = try await hub.client()
            try await hub.hub.setFeature("notifications", enabled: false, by: nil)
            let notifier = try #require(try alarm(hub).notifier.value)
            let outcome = try await notifier.notify(.init(userIDs: [alice.identity.userID], category: .info, title: "x", source: "alarm"))
            #expect(outcome == .skipped(reason: "notifications are switched off"))
            try await hub.hub.setFeature("notifications", enabled: true, by: nil)
            #expect(try await alice.send("notifications.unreadCount").data["count"] == 0)
        }
    }

    @Test("not loaded: the capability is absent") func notLoaded() async throws {
        try await TestHub.run(modules: [AlarmModule.self]) { hub in
            let module = try alarm(hub)
            #expect(module.notifier.value == nil)
        }
    }

    @Test("the notifier enforces the same rules as the command") func rules() async throws {
        try await TestHub.run(modules: [NotificationsModule.self, AlarmModule.self]) { hub in
            let alice = try await hub.client()
            let notifier = try #require(try alarm(hub).notifier.value)
            await #expect(throws: ValidationFailure.self) {
                try await notifier.notify(.init(userIDs: [alice.identity.userID], category: .info, title: " ", source: "alarm"))
            }
            #expect(try await notifier.notify(.init(userIDs: [], category: .info, title: "x", source: "alarm")) == .skipped(reason: "no recipients"))
        }
    }
}
