import Foundation
import ArgumentParser
import HubKernel
import Logging

/// `switchboard routes`: every command type with its module, role and rate limit, then every
/// event type each module publishes.
struct RoutesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "routes", abstract: "Print every command type with its module, role and rate limit, and every event type.")

    @OptionGroup var options: CommonOptions

    func run() async throws {
        var logger = LogSetup.bootstrap()
        logger.logLevel = .warning
        let configuration = try await SwitchboardConfiguration.load(options.overrides)
        // the route table needs no database: build against an in-memory one
        let database = try await Database.open(.sqliteMemory, logger: logger)
        let hub: Hub
        do {
            hub = try await HubBuilder.build(settings: configuration.settings, catalog: Catalog.modules,
                                             config: configuration.reader, database: database, logger: logger)
        } catch {
            await database.close()
            throw fail(error)
        }
        await database.close()
        printTable(["TYPE", "MODULE", "ROLE", "RATE LIMIT"],
                   hub.routes.sorted.map { [$0.type.rawValue, $0.module, $0.role.rawValue, $0.rateLimit.description] })
        print("")
        let events = hub.modules.flatMap { module in
            module.events.map { event in [event.type.rawValue, event.type.module, event.isSequenced ? "sequenced" : "ephemeral"] }
        }
        printTable(["EVENT", "MODULE", "DELIVERY"], events)
    }

    private func printTable(_ header: [String], _ rows: [[String]]) {
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        for row in [header] + rows {
            print(row.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces))
        }
    }
}
