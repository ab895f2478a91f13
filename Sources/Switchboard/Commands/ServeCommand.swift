import Configuration
import ArgumentParser
import Foundation
import HubKernel
import Logging

/// `switchboard serve`: migrates, then serves HTTP and WebSocket until SIGTERM/SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the hub.")

    @OptionGroup var options: CommonOptions

    /// Seconds the process waits, once the hub has stopped, for its database connections to close.
    static let databaseCloseLimit = 10.0

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
            // every socket is drained and every acknowledged write committed by now: a pool that
            // does not close (a connection stuck in a query) must not keep the process alive
            DispatchQueue.global().asyncAfter(deadline: .now() + Self.databaseCloseLimit) {
                logger.warning("the database connections did not close within the limit; exiting", metadata: [
                    "limit_s": .stringConvertible(Self.databaseCloseLimit)])
                Foundation.exit(0)
            }
            group.cancelAll()
        }
    }
}
