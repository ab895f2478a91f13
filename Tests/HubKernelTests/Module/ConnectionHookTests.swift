import Foundation
import Synchronization
import Testing
import HubTesting
@testable import HubKernel

/// Records connect and disconnect hooks (tests tell their entries apart by a display name of
/// their own, so repeated and parallel runs do not see each other's).
struct HookModule: HubModule {
    static let name: ModuleName = "hooks"
    static let log = Mutex<[String]>([])
    init(setup: ModuleSetup) throws {}
    func connected(_ connection: ConnectionInfo) async {
        Self.log.withLock { $0.append("connected \(connection.identity.displayName)") }
    }
    func disconnected(_ connection: ConnectionInfo) async {
        Self.log.withLock { $0.append("disconnected \(connection.identity.displayName)") }
    }
}

/// A connect hook that waits until the test lets it go (or 10 s), as a hook waiting for a
/// busy database does.
struct SlowHookModule: HubModule {
    static let name: ModuleName = "slowhooks"
    static let state = Mutex<(entered: Set<String>, released: Set<String>, finished: Set<String>)>(([], [], []))
    init(setup: ModuleSetup) throws {}
    func connected(_ connection: ConnectionInfo) async {
        let name = connection.identity.displayName
        Self.state.withLock { _ = $0.entered.insert(name) }
        for _ in 0..<1000 where !Self.state.withLock({ $0.released.contains(name) }) { try? await Task.sleep(for: .milliseconds(10)) }
        Self.state.withLock { _ = $0.finished.insert(name) }
    }
}

@Suite("Module contract")
struct ConnectionHookTests {
    @Test("hub.welcome reaches a socket while a connect hook is still waiting") func welcomeBeforeHooks() async throws {
        try await TestHub.run(modules: [SlowHookModule.self], .live) { hub in
            let name = "Slow \(UUID().uuidString.prefix(8))"
            let started = ContinuousClock.now
            let client = try await hub.client(name: name)
            // (in cluster mode the node first reads the user topic's position, then runs the hooks)
            for _ in 0..<250 where !SlowHookModule.state.withLock({ $0.entered.contains(name) }) { try await Task.sleep(for: .milliseconds(20)) }
            let state = SlowHookModule.state.withLock { $0 }
            #expect(state.entered.contains(name) && !state.finished.contains(name), "the welcome came after the hook finished")
            #expect(ContinuousClock.now - started < .seconds(5))
            SlowHookModule.state.withLock { _ = $0.released.insert(name) }
            #expect(try await client.send("hub.ping", [:]).ok, "commands run once the hooks are done")
            #expect(SlowHookModule.state.withLock { $0.finished.contains(name) })
        }
    }

    @Test("connect and disconnect hooks run once per connection") func hooks() async throws {
        try await TestHub.run(modules: [HookModule.self]) { hub in
            let name = "Hook Tester \(UUID().uuidString.prefix(8))"
            let client = try await hub.client(name: name)
            #expect(HookModule.log.withLock { $0 }.filter { $0 == "connected \(name)" }.count == 1)
            #expect(HookModule.log.withLock { $0 }.contains("disconnected \(name)") == false)
            await client.close()
            #expect(HookModule.log.withLock { $0 }.filter { $0 == "disconnected \(name)" }.count == 1)
        }
    }

    @Test("a module with only a name and an init has working defaults") func defaults() async throws {
        try await TestHub.run(modules: [HookModule.self]) { hub in
            #expect(hub.hub.routes.routes.keys.allSatisfy { $0.hasPrefix("hub.") })
            let client = try await hub.client()
            // the default authorize denies
            #expect(try await client.send("hub.subscribe", ["topic": "hooks:x"]).error?.code == .forbidden)
        }
    }

    @Test("module names follow the rules", arguments: [("chat", true), ("chsh2", true), ("Chat", false), ("2fa", false),
                                                       ("hub", false), ("user", false), ("with-dash", false), ("", false)])
    func names(name: String, valid: Bool) {
        #expect(ModuleName(name).isValid == valid)
    }
}

@Suite("Leadership")
struct LeadershipTests {
    @Test("a single node always leads") func single() async throws {
        let ran = Mutex(false)
        try await SingleNodeLeadership().whileLeader("x") { ran.withLock { $0 = true } }
        #expect(ran.withLock { $0 })
    }
}
