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

@Suite("Module contract")
struct ConnectionHookTests {
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
