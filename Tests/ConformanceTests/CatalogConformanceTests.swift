import Testing
import HubKernel
import HubTesting
@testable import Switchboard

@Suite("Every catalog module conforms")
struct CatalogConformanceTests {
    @Test("module conformance", arguments: Catalog.modules.map { ModuleBox(type: $0) })
    func conforms(_ module: ModuleBox) async throws {
        let problems = try await ModuleConformance.problems(of: module.type)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    @Test("the catalog builds into one route table with no conflicts") func catalog() async throws {
        try await TestHub.run(modules: Catalog.modules) { hub in
            #expect(hub.hub.modules.count == Catalog.modules.count)
        }
    }
}

/// Wraps a module type for parameterized tests.
struct ModuleBox: Sendable, CustomTestStringConvertible {
    let type: any HubModule.Type
    var testDescription: String { String(describing: type) }
}
