import Testing
import HubTesting
@testable import HubKernel

protocol Greeter: Sendable { func greet(_ name: String) -> String }
struct PoliteGreeter: Greeter { func greet(_ name: String) -> String { "Good day, \(name)" } }

struct GreeterProvider: HubModule {
    static let name: ModuleName = "greeter"
    init(setup: ModuleSetup) throws { try setup.provide((any Greeter).self, PoliteGreeter()) }
}

struct GreeterUser: HubModule {
    static let name: ModuleName = "visitor"
    let greeter: RequiredCapability<any Greeter>
    init(setup: ModuleSetup) throws { greeter = setup.requireCapability((any Greeter).self) }
}

struct OptionalGreeterUser: HubModule {
    static let name: ModuleName = "passerby"
    let greeter: Capability<any Greeter>
    init(setup: ModuleSetup) throws { greeter = setup.capability((any Greeter).self) }
}

struct SecondGreeterProvider: HubModule {
    static let name: ModuleName = "greeter2"
    init(setup: ModuleSetup) throws { try setup.provide((any Greeter).self, PoliteGreeter()) }
}

@Suite("Capabilities")
struct CapabilityRegistryTests {
    @Test("a provided capability resolves for a module loaded before its provider") func resolves() async throws {
        try await TestHub.run(modules: [GreeterUser.self, GreeterProvider.self]) { testHub in
            let visitor = try #require(testHub.hub.modules.first as? GreeterUser)
            #expect(visitor.greeter.value.greet("Ada") == "Good day, Ada")
            #expect(testHub.hub.capabilities.provider(of: (any Greeter).self) == "greeter")
        }
    }

    @Test("a missing required capability fails start-up naming the module") func missing() async throws {
        do {
            try await TestHub.run(modules: [GreeterUser.self]) { _ in }
            Issue.record("expected MissingCapability")
        } catch let error as MissingCapability {
            #expect(error.module == "visitor")
        }
    }

    @Test("an optional capability is nil when no module provides it") func optional() async throws {
        try await TestHub.run(modules: [OptionalGreeterUser.self]) { testHub in
            let passerby = try #require(testHub.hub.modules.first as? OptionalGreeterUser)
            #expect(passerby.greeter.value == nil)
        }
    }

    @Test("two providers of one capability fail start-up") func duplicate() async throws {
        await #expect(throws: DuplicateCapability.self) {
            try await TestHub.run(modules: [GreeterProvider.self, SecondGreeterProvider.self]) { _ in }
        }
    }
}
