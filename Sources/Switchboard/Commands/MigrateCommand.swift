import Foundation
import ArgumentParser
import HubKernel
import Logging

/// `switchboard migrate`: applies pending migrations and exits; `--revert MODULE` undoes the
/// last one of a module after confirmation.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Apply pending migrations and exit.")

    @OptionGroup var options: CommonOptions
    @Flag(help: "Only list pending migrations.") var dryRun = false
    @Option(help: "Revert the last applied migration of this module (asks to confirm).") var revert: String?
    @Flag(name: .customLong("yes"), help: "Confirm --revert without asking.") var assumeYes = false

    func run() async throws {
        let logger = LogSetup.bootstrap()
        try await withHub(options: options, logger: logger) { hub in
            let migrator = hub.migrator
            if let module = revert {
                print("This reverts the last applied migration of '\(module)' and may drop data.")
                if !assumeYes {
                    print("Type the module name to confirm: ", terminator: "")
                    guard readLine()?.trimmingCharacters(in: .whitespaces) == module else {
                        print("not confirmed; nothing changed")
                        return
                    }
                }
                let reverted = try await migrator.revert(module: module)
                print(reverted.isEmpty ? "nothing to revert" : reverted.map { "reverted \($0)" }.joined(separator: "\n"))
                return
            }
            if dryRun {
                let pending = try await migrator.pending()
                print(pending.isEmpty ? "no pending migrations" : pending.map { "pending \($0)" }.joined(separator: "\n"))
                return
            }
            let applied = try await migrator.migrate()
            print(applied.isEmpty ? "no pending migrations" : applied.map { "applied \($0)" }.joined(separator: "\n"))
        }
    }
}

/// Builds a hub for a one-shot command (no server), keeping the database pool alive meanwhile.
func withHub(options: CommonOptions, logger: Logger, _ body: @escaping @Sendable (Hub) async throws -> Void) async throws {
    let (configuration, database) = try await openConfiguredDatabase(options, logger: logger)
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await database.run() }
        defer { group.cancelAll() }
        let hub: Hub
        do {
            hub = try await HubBuilder.build(settings: configuration.settings, catalog: Catalog.modules,
                                             config: configuration.reader, database: database, logger: logger)
        } catch {
            throw fail(error)
        }
        try await body(hub)
    }
}

/// Loads the configuration and opens its database; a problem ends the command with a message.
func openConfiguredDatabase(_ options: CommonOptions, logger: Logger) async throws -> (SwitchboardConfiguration, Database) {
    do {
        let configuration = try await SwitchboardConfiguration.load(options.overrides)
        let database = try await Database.open(configuration.settings.databaseURL, logger: logger,
                                               leaseTimeout: .milliseconds(configuration.settings.databaseLeaseTimeoutMs),
                                               sqliteSynchronous: configuration.settings.sqliteSynchronous)
        return (configuration, database)
    } catch {
        throw fail(error)
    }
}
