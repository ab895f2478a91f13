import Synchronization
import Testing
@testable import HubKernel
import HubTesting

/// A module whose connect hook waits until its test lets it go (a database that cannot keep
/// up with a reconnect storm).
struct HeldHooksModule: HubModule {
    static let name: ModuleName = "heldhooks"
    /// Whether hooks may finish; tests of this file run one at a time (`.serialized`).
    static let open = Atomic(false)
    static let running = Atomic(0)

    init(setup: ModuleSetup) throws {}

    func connected(_ connection: ConnectionInfo) async {
        Self.running.add(1, ordering: .relaxed)
        while !Self.open.load(ordering: .relaxed) { try? await Task.sleep(for: .milliseconds(10)) }
        Self.running.subtract(1, ordering: .relaxed)
    }
}

@Suite("Reconnect storms: HUB_MAX_PENDING_CONNECTS", .serialized)
struct ConnectStormTests {
    @Test("with every place taken by hooks still running, the next upgrade waits before its 101 and goes through when a place frees")
    func waits() async throws {
        HeldHooksModule.open.store(false, ordering: .relaxed)
        defer { HeldHooksModule.open.store(true, ordering: .relaxed) }
        try await TestHub.run(modules: [HeldHooksModule.self], .live,
                              environment: ["HUB_MAX_PENDING_CONNECTS": "2", "HUB_PENDING_CONNECT_WAIT_MS": "20000"]) { hub in
            let first = try await hub.client(), second = try await hub.client()
            #expect(try await eventually { HeldHooksModule.running.load(ordering: .relaxed) == 2 })
            let token = try await hub.hub.accounts.guest(displayName: "third").accessToken
            let third = Task { try await RawWebSocket.open(port: hub.port, path: "/ws?access_token=\(token)") }
            // the third upgrade reaches the gate and waits there (however long a busy machine takes)
            #expect(try await eventually { hub.hub.connectGate.waiting == 1 }, "the third upgrade did not wait for a place")
            try await Task.sleep(for: .milliseconds(200))
            #expect(HeldHooksModule.running.load(ordering: .relaxed) == 2, "a third connection ran its hooks past the bound")
            #expect(hub.hub.connectGate.waiting == 1, "the third upgrade stopped waiting before a place freed")
            HeldHooksModule.open.store(true, ordering: .relaxed)
            let socket = try await third.value
            #expect(socket.status == 101)
            #expect(try await eventually { hub.hub.connectGate.pending == 0 && hub.hub.connectGate.waiting == 0 })
            #expect(try await first.send("hub.ping").ok)
            #expect(try await second.send("hub.ping").ok)
            await socket.close()
        }
    }

    @Test("an upgrade that waits HUB_PENDING_CONNECT_WAIT_MS is refused 503 unavailable with Retry-After; a closed socket gives its place back")
    func refused() async throws {
        HeldHooksModule.open.store(false, ordering: .relaxed)
        defer { HeldHooksModule.open.store(true, ordering: .relaxed) }
        try await TestHub.run(modules: [HeldHooksModule.self], .live,
                              environment: ["HUB_MAX_PENDING_CONNECTS": "1", "HUB_PENDING_CONNECT_WAIT_MS": "200"]) { hub in
            let first = try await hub.client()
            #expect(try await eventually { HeldHooksModule.running.load(ordering: .relaxed) == 1 })
            let token = try await hub.hub.accounts.guest(displayName: "late").accessToken
            let refused = try await HTTP(baseURL: hub.baseURL!).get("/ws", token: token, headers: upgrade)
            #expect(refused.status == 503 && refused.body["error"]["code"] == "unavailable", "\(refused.body)")
            #expect((refused.body["error"]["retryAfterMs"].int ?? 0) > 0 && refused.headers["retry-after"] != nil)
            let metrics = try await HTTP(baseURL: hub.baseURL!).get("/metrics").text
            #expect(metrics.contains("sb_connects_pending 1") && metrics.contains("sb_connect_waits_total 1")
                    && metrics.contains("sb_connect_refusals_total 1"), "\(metrics)")
            // the held connection goes away with its hook still running: its place is free
            await first.close()
            #expect(try await eventually { hub.hub.connectGate.pending == 0 })
            HeldHooksModule.open.store(true, ordering: .relaxed)
            #expect(try await hub.client().send("hub.ping").ok)
        }
    }
}
