import Testing
import HubTesting
@testable import HubKernel

@Suite("Bus between two nodes")
struct MemoryBusTests {
    /// The in-process bus joins single nodes (on PostgreSQL the default would be cluster mode).
    static let single = ["HUB_CLUSTER": "off"]

    @Test("an event published on one node reaches subscribers on the other") func events() async throws {
        let bus = MemoryBus()
        try await TestHub.run(modules: [ProbeModule.self], environment: Self.single, bus: bus, node: "a") { nodeA in
            try await TestHub.run(modules: [ProbeModule.self], environment: Self.single, bus: bus, node: "b") { nodeB in
                let listener = try await nodeA.client()
                _ = try await listener.send("hub.subscribe", ["topic": "probe:open-x"])
                try await Task.sleep(for: .milliseconds(50))
                let speaker = try await nodeB.client()
                _ = try await speaker.send("probe.publish", ["topic": "open-x", "text": "across"])
                let event = try await listener.expectEvent("probe.said", on: "probe:open-x")
                #expect(event.data["text"] == "across")
                #expect(event.seq != nil)
            }
        }
    }

    @Test("a feature flag set on one node applies on the other") func flags() async throws {
        let bus = MemoryBus()
        try await TestHub.run(modules: [ProbeModule.self], environment: Self.single, bus: bus, node: "a") { nodeA in
            try await TestHub.run(modules: [ProbeModule.self], environment: Self.single, bus: bus, node: "b") { nodeB in
                let onB = try await nodeB.client()
                try await Task.sleep(for: .milliseconds(50))
                try await nodeA.hub.setFeature("probe", enabled: false, by: nil)
                #expect(try await onB.expectEvent("hub.feature").data == ["module": "probe", "enabled": false])
                #expect(try await onB.send("probe.echo", ["text": "x"]).error?.code == .featureDisabled)
            }
        }
    }

    @Test("a node does not receive its own messages back") func noEcho() async throws {
        let bus = MemoryBus()
        let stream = try await bus.messages(for: "a")
        try await bus.publish(BusMessage(origin: "a", kind: .feature(module: "x", enabled: true)))
        try await bus.publish(BusMessage(origin: "b", kind: .feature(module: "y", enabled: true)))
        var iterator = stream.makeAsyncIterator()
        #expect(await iterator.next()?.kind == .feature(module: "y", enabled: true))
    }
}
