import Foundation
import SQLKit
import Synchronization
import Testing
import HubTesting
@testable import HubKernel

/// A module that asks for another module's publisher: refused at start-up.
struct GreedyModule: HubModule {
    static let name: ModuleName = "greedy"
    init(setup: ModuleSetup) throws { _ = try setup.events(for: ProbeModule.self) }
}

/// A module whose listed event breaks the naming rule: refused by the conformance check.
struct MisnamedEventModule: HubModule {
    static let name: ModuleName = "misnamed"
    struct Shouted: HubEvent {
        typealias Module = MisnamedEventModule
        static let name = "Shouted-Loudly"
    }
    init(setup: ModuleSetup) throws {}
    var events: [any HubEvent.Type] { [Shouted.self] }
}

/// An event whose payload cannot be encoded (a bug a module could ship).
struct Unencodable: HubEvent {
    typealias Module = ProbeModule
    static let name = "unencodable"
    struct Refusal: Error {}
    func encode(to encoder: any Encoder) throws { throw Refusal() }
}

@Suite("Module-scoped, typed publishing")
struct EventPublisherTests {
    @Test("an event's wire name comes from its module's name; a topic from its module's") func names() {
        #expect(ProbeModule.Said.type.rawValue == "probe.said")
        #expect(ProbeModule.Said.type.module == "probe")
        #expect(ModuleTopic<ProbeModule>("open-x").topic.name == "probe:open-x")
        #expect(!ProbeModule.SaidEphemerally.isSequenced && ProbeModule.Said.isSequenced)
    }

    @Test("a module that asks for another module's publisher does not start, and says why") func otherModule() async throws {
        await #expect(throws: (any Error).self) {
            try await TestHub.run(modules: [ProbeModule.self, GreedyModule.self]) { _ in }
        }
        do {
            try await TestHub.run(modules: [ProbeModule.self, GreedyModule.self]) { _ in }
        } catch {
            #expect(String(describing: error).contains("module 'greedy' asked for the event publisher of 'probe'"), "\(error)")
        }
    }

    @Test("conformance refuses a listed event with a malformed name") func conformance() async throws {
        let problems = try await ModuleConformance.problems(of: MisnamedEventModule.self)
        #expect(problems.contains("event name 'Shouted-Loudly' must be ASCII letters, digits and _, starting with a lowercase letter"), "\(problems)")
        #expect(EventType.isValidName("roundComplete") && EventType.isValidName("sla_breached"), "lowerCamel, as modules.md pins")
        #expect(!EventType.isValidName("RoundComplete") && !EventType.isValidName("round-complete") && !EventType.isValidName("_x"))
        #expect(try await ModuleConformance.problems(of: ProbeModule.self).isEmpty)
    }

    @Test("an event that cannot be encoded is an internal error with an incident id, not a silent drop") func unencodable() async throws {
        try await TestHub.run(modules: [ProbeModule.self]) { hub in
            let events = EventPublisher<ProbeModule>(base: hub.hub.eventPublisher)
            do {
                try await events.publish(Unencodable(), on: ModuleTopic("open-x"))
                Issue.record("publishing an unencodable event succeeded")
            } catch let error as HubError {
                #expect(error.code == .internal)
                #expect(error.message.contains("incident"))
            }
        }
    }

    @Test("an event attached to a transaction arrives after its commit, and never when it rolls back") func transactional() async throws {
        try await TestHub.run(modules: [ProbeModule.self]) { hub in
            let watcher = try await hub.client()
            _ = try await watcher.send("hub.subscribe", ["topic": "probe:open-tx"])
            let events = EventPublisher<ProbeModule>(base: hub.hub.eventPublisher)
            let database = hub.hub.database
            struct Abandon: Error {}
            await #expect(throws: Abandon.self) {
                try await database.transaction { transaction in
                    try await events.publish(ProbeModule.Said(text: "rolled back"), on: ModuleTopic("open-tx"), in: transaction)
                    throw Abandon()
                }
            }
            try await watcher.expectNoEvent("probe.said")
            let delivered = Delivered()
            try await database.transaction { transaction in
                try await events.publish(ProbeModule.Said(text: "committed"), on: ModuleTopic("open-tx"), in: transaction)
                // not yet: the transaction has not committed
                transaction.afterCommit { delivered.mark() }
                #expect(watcher.unclaimed.isEmpty)
            }
            #expect(delivered.isMarked)
            #expect(try await watcher.expectEvent("probe.said", on: "probe:open-tx").data["text"] == "committed")
        }
    }
}

/// Set by work that runs after a commit.
private final class Delivered: Sendable {
    private let marked = Mutex(false)
    func mark() { marked.withLock { $0 = true } }
    var isMarked: Bool { marked.withLock { $0 } }
}
