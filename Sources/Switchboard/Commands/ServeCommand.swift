import Configuration
import ArgumentParser
import HubKernel
import Logging

/// `switchboard serve`: migrates, then serves HTTP and WebSocket until SIGTERM/SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the hub.")

    @OptionGroup var options: CommonOptions

    func run() async throws {
        let logger = LogSetup.bootstrap()
        let (configuration, database) = try await openConfiguredDatabase(options, logger: logger)
        logger.info("starting", metadata: ["database": .string(database.url.description),
                                           "env": .string(configuration.settings.environment)])
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await database.run() }
            let hub: Hub
            do {
                hub = try await HubBuilder.build(
                    settings: configuration.settings, catalog: Catalog.modules, config: configuration.reader,
                    database: database, logger: logger,
                    node: configuration.reader.string(forKey: "hub.node"))
                try await hub.prepare(migrate: true)
                try await hub.joinCluster()
            } catch {
                group.cancelAll()
                throw fail(error)
            }
            try await HubRuntime.run(hub: hub)
            logger.info("stopped")
            group.cancelAll()
        }
    }
}
